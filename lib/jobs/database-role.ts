import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { raiseAlert } from "./alerts";
import { DATABASE_ROLE_STANDING_SQL, databaseRoleWarning, runsUnrestricted, type DatabaseRoleStanding } from "./database-role-query";

/**
 * Who this process is in the database (docs/decisions/016-database-refuses-to-rewrite-history.md): the web tier and
 * the worker must each run as their own restricted role. As the owner (or a superuser) nothing separates what they may
 * do, and either could disable the triggers that keep history append-only: start-up says so loudly and the
 * integrity page shows it.
 */
export { databaseRoleWarning, runsUnrestricted, type DatabaseRoleStanding };

export async function databaseRoleStanding(): Promise<DatabaseRoleStanding> {
  const [row] = await db().$queryRawUnsafe<DatabaseRoleStanding[]>(DATABASE_ROLE_STANDING_SQL);
  return row!;
}

/**
 * The worker's start-up: shout when it runs unrestricted, and leave a critical alert, which the integrity page lists
 * (that page reports the web tier's own connection; the worker is another process with its own role).
 */
export async function announceWorkerDatabaseRole(): Promise<DatabaseRoleStanding> {
  const standing = await databaseRoleStanding();
  const warning = databaseRoleWarning("worker", standing);
  if (warning) log.error({ role: standing.user }, warning);
  if (runsUnrestricted(standing)) {
    await raiseAlert({ kind: "database.worker_unrestricted", severity: "CRITICAL", details: { role: standing.user }, dedupeKey: standing.user });
  }
  return standing;
}
