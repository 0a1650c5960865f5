/**
 * `npm run db:roles`: gives the web tier and the anchoring worker their own database roles on the database that
 * DATABASE_URL names (as its owner), after `npm run db:migrate`. Roles are cluster-wide, so they are created only
 * when this is run, named after the database (`<database>_web`, `<database>_worker`, or --web/--worker NAME), with
 * passwords generated now. Their URLs go to .data/database-roles.json (0600), which `npm start` uses; production
 * copies them into APP_DATABASE_URL / WORKER_DATABASE_URL. Running it again rotates both passwords.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { launcherEnv } from "@/lib/env";
import { ensureTierRoles, newRolePassword, tierRoleNamesFor } from "./embedded/postgres";
import { databaseKey, saveTierUrls } from "./embedded/tier-roles";

async function main() {
  const config = launcherEnv();
  if (!config.DATABASE_URL) throw new Error("DATABASE_URL (the database owner's URL) is required.");
  const argument = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const database = new URL(config.DATABASE_URL).pathname.slice(1) || "postgres";
  const defaults = tierRoleNamesFor(database);
  const names = { web: argument("web") ?? defaults.web, worker: argument("worker") ?? defaults.worker };
  const urls = await ensureTierRoles(config.DATABASE_URL, names, { web: newRolePassword(), worker: newRolePassword() });
  const dataDir = config.CHARTPROOF_DATA_DIR ?? join(process.cwd(), ".data");
  await mkdir(dataDir, { recursive: true });
  const file = await saveTierUrls(dataDir, config.DATABASE_URL, urls);
  console.log(`[db:roles] ${databaseKey(config.DATABASE_URL)}: web tier role ${names.web}, worker role ${names.worker} (new passwords)`);
  console.log(`[db:roles] their URLs are in ${file} (npm start reads it; production: APP_DATABASE_URL and WORKER_DATABASE_URL)`);
}

main().catch((error: unknown) => {
  console.error(`[db:roles] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
