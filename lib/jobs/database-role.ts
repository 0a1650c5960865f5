import { db } from "@/lib/db";

/**
 * Who this process is in the database (docs/decisions/016-database-refuses-to-rewrite-history.md): the web tier and
 * the worker must each run as their own restricted role. As the owner (or a superuser) nothing separates what they may
 * do, and either could disable the triggers that keep history append-only: start-up says so loudly and the
 * integrity page shows it.
 */
export type DatabaseRoleStanding = { user: string; superuser: boolean; owner: boolean; mayAnchor: boolean };

export async function databaseRoleStanding(): Promise<DatabaseRoleStanding> {
  const [row] = await db().$queryRaw<DatabaseRoleStanding[]>`
    SELECT current_user::text AS "user", r.rolsuper AS superuser,
           coalesce(pg_has_role(current_user, t.tableowner, 'USAGE'), false) AS owner,
           has_table_privilege('"AnchorBatch"', 'INSERT') AS "mayAnchor"
    FROM pg_roles r LEFT JOIN pg_tables t ON t.schemaname = 'public' AND t.tablename = 'MedicalRecord'
    WHERE r.rolname = current_user`;
  return row!;
}

export function runsUnrestricted(standing: DatabaseRoleStanding): boolean {
  return standing.superuser || standing.owner;
}
