/**
 * The built app for the end-to-end tests, on services of its own: a fresh database (on DATABASE_URL's server
 * when set, else an embedded PostgreSQL in a temporary folder) and a fresh anvil, seeded through the same path as
 * `npm start`. Playwright starts and stops it.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launcherEnv } from "@/lib/env";
import { prepareDemoStack } from "./embedded/demo-stack";
import { e2eDatabaseFile, e2eWebLogFile } from "../tests/e2e/database-file";
import { dropDatabase, dropRoles, ensureDatabase, newRolePassword, serverUrlOf, startEmbeddedPostgres, tierRoleNamesFor } from "./embedded/postgres";

// Per process, so two e2e runs on one server never drop each other's database.
const DATABASE = `chartproof_e2e_${process.pid}`;
// Its own roles too (roles are cluster-wide), dropped with the database.
const ROLES = tierRoleNamesFor(DATABASE);

async function main() {
  const config = launcherEnv();
  const dataDir = await mkdtemp(join(tmpdir(), "chartproof-e2e-"));
  const log = (line: string) => console.log(`[e2e-server] ${line}`);
  const embedded = config.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir: join(dataDir, "postgres") });
  const server = config.DATABASE_URL ? serverUrlOf(config.DATABASE_URL) : embedded!.url;
  await dropDatabase(server, DATABASE);
  const databaseUrl = await ensureDatabase(server, DATABASE);
  const stack = await prepareDemoStack({
    databaseUrl,
    access: { kind: "create", names: ROLES, passwords: { web: newRolePassword(), worker: newRolePassword() } },
    dataDir,
    persistentChain: false,
    blockTimeSeconds: 0,
    authSecret: randomBytes(32).toString("base64url"),
    port: config.PORT,
    log,
    warn: log,
    afterSeed: async () => (await import("../tests/e2e/server-fixtures")).seedE2eFixtures(),
  });
  // The tests reach this database directly to make time pass (an expired grant) — never anything else.
  await writeFile(e2eDatabaseFile(config.PORT), JSON.stringify({ databaseUrl }));
  // The anchoring worker, as `npm start` runs it (it alone holds the writer keys), so that records created through the
  // UI (patient uploads) become anchored and verified while a test watches. Only anchoring is frequent here: seals,
  // sweeps and privacy scans are pushed out of a test run's way so that they cannot change what other tests count.
  const worker = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", join(process.cwd(), "scripts", "worker.ts")], {
    env: { ...process.env, ...stack.workerEnv, ANCHOR_WINDOW_SECONDS: "1", AUDIT_CHECK_CRON: "0 3 1 1 *", SWEEP_CRON: "0 3 1 1 *", RECONCILE_CRON: "0 3 1 1 *", PRIVACY_ALERTS_CRON: "0 3 1 1 *", LOG_LEVEL: "warn" },
    stdio: "inherit",
  });
  // The same server as `npm start`: client addresses from the socket, server-made request ids.
  const web = spawn(process.execPath, ["--import", "tsx", join(process.cwd(), "scripts", "web-server.ts")], {
    env: { ...process.env, ...stack.webEnv, PORT: String(config.PORT) },
    stdio: ["inherit", "pipe", "inherit"],
  });
  // Its log lines also go to a file the tests read (a refusal must be logged, not only answered).
  web.stdout.pipe(process.stdout);
  web.stdout.pipe(createWriteStream(e2eWebLogFile(config.PORT), { flags: "w" }));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const child of [web, worker]) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await stack.stop();
    await dropDatabase(server, DATABASE).catch(() => {});
    await dropRoles(server, [ROLES.web, ROLES.worker]).catch(() => {});
    await embedded?.stop();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  web.on("exit", () => void stop());
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
