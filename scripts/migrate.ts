/**
 * `npm run db:migrate`: applies the committed migrations to the database DATABASE_URL names (as its owner),
 * forward-only — `prisma migrate deploy`, never a reset — and then the one grants file, prisma/grants.sql.
 */
import { launcherEnv } from "@/lib/env";
import { migrateDeploy } from "./embedded/stack";

async function main() {
  const { DATABASE_URL } = launcherEnv();
  if (!DATABASE_URL) throw new Error("DATABASE_URL (the database owner's URL) is required.");
  const target = new URL(DATABASE_URL);
  console.log(`[db:migrate] ${target.hostname}:${target.port || 5432}${target.pathname}`);
  await migrateDeploy(DATABASE_URL);
  console.log("[db:migrate] migrations applied; grants re-applied from prisma/grants.sql");
}

main().catch((error: unknown) => {
  console.error(`[db:migrate] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
