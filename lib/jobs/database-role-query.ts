/**
 * Who a process is in the database (docs/decisions/016-database-refuses-to-rewrite-history.md), without Prisma: the
 * web server's start-up (plain Node, before Next loads, where `server-only` modules cannot be imported) runs this
 * query on its own connection; the DAL and the worker run the same text through Prisma (database-role.ts).
 */
export const DATABASE_ROLE_STANDING_SQL = `
  SELECT current_user::text AS "user", r.rolsuper AS superuser,
         coalesce(pg_has_role(current_user, t.tableowner, 'USAGE'), false) AS owner,
         has_table_privilege('"AnchorBatch"', 'INSERT') AS "mayAnchor"
  FROM pg_roles r LEFT JOIN pg_tables t ON t.schemaname = 'public' AND t.tablename = 'MedicalRecord'
  WHERE r.rolname = current_user`;

export type DatabaseRoleStanding = { user: string; superuser: boolean; owner: boolean; mayAnchor: boolean };

export function runsUnrestricted(standing: DatabaseRoleStanding): boolean {
  return standing.superuser || standing.owner;
}

/** The start-up shout of a tier running unrestricted (or a worker that may not anchor), or null when all is well. */
export function databaseRoleWarning(tier: "web" | "worker", standing: DatabaseRoleStanding): string | null {
  const who = tier === "web" ? "THE WEB TIER" : "THE WORKER";
  if (runsUnrestricted(standing)) {
    return (
      `!!! ${who} RUNS AS THE DATABASE ${standing.superuser ? "SUPERUSER" : "OWNER"} (${standing.user}): nothing separates what it may do, ` +
      "and it could disable the triggers that keep history append-only. Give it its own role (npm run db:roles; README, \"Database roles\")."
    );
  }
  if (tier === "worker" && !standing.mayAnchor) {
    return `!!! the worker's database role (${standing.user}) may not write anchors: anchoring will fail. Give it the worker role (npm run db:roles).`;
  }
  return null;
}
