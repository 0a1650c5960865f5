/**
 * `npm start`: one command from a fresh clone to a running demo portal.
 *  - no DATABASE_URL → an embedded PostgreSQL 18 (data in .data/postgres, kept across restarts);
 *  - no LEDGER_RPC_URL → an embedded anvil chain (state in .data/chain), Multicall3 and RecordAnchor deployed;
 *  - committed migrations applied; the demo seeded into an EMPTY database and anchored; the app built if needed
 *    and served on PORT (3000). Ctrl-C stops everything this started.
 * Production uses `npm run start:prod` instead, which embeds nothing and never seeds.
 */
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { launcherEnv } from "@/lib/env";
import { DEMO_PASSWORD, DEMO_STAFF, DEMO_PATIENTS } from "@/lib/jobs/demo-data";
import { migrateDeploy, provideDatabase, startEmbeddedLedger } from "./embedded/stack";

const root = process.cwd();
const say = (line: string) => console.log(`[chartproof] ${line}`);
const shout = (line: string) => console.error(`\n[chartproof] !!! ${line}\n`);

async function main() {
  const config = launcherEnv();
  if (config.LEDGER_RPC_URL) {
    throw new Error("npm start embeds its own chain. For an external chain use `npm run start:prod` with LEDGER_* set.");
  }
  const dataDir = config.CHARTPROOF_DATA_DIR ?? join(root, ".data");
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o755);
  const stops: (() => Promise<void>)[] = [];
  let web: ChildProcess | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    web?.kill("SIGTERM");
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    const database = await provideDatabase({ databaseUrl: config.DATABASE_URL, dataDir, database: "chartproof", log: say });
    if (database.embedded) stops.push(database.embedded.stop);
    const ledger = await startEmbeddedLedger({ dataDir, persistent: true, log: say });
    stops.push(ledger.anvil.stop);

    await migrateDeploy(database.url);
    say("database migrated");

    const authSecret = config.AUTH_SECRET ?? (await persistentSecret(join(dataDir, "auth-secret")));
    const runtimeEnv = {
      DATABASE_URL: database.url,
      AUTH_SECRET: authSecret,
      LEDGER_RPC_URL: ledger.rpcUrl,
      LEDGER_CHAIN_ID: String(ledger.chainId),
      LEDGER_CONTRACT_ADDRESS: ledger.contractAddress,
      NEXTAUTH_URL: `http://localhost:${config.PORT}`,
      NEXT_TELEMETRY_DISABLED: "1",
    };
    // The jobs below read their configuration through lib/env, like every other process.
    Object.assign(process.env, runtimeEnv);
    const { seedDemo } = await import("@/lib/jobs/seed-demo");
    const { reanchorLostRoots } = await import("@/lib/jobs/reanchor-lost-roots");
    const { disconnectDb } = await import("@/lib/db");
    const anchoring = { clients: ledger.clients, chainId: ledger.chainId, contractAddress: ledger.contractAddress, confirmations: 1 };

    const lost = await reanchorLostRoots(anchoring);
    if (lost.lost > 0) {
      shout(
        `The embedded chain had lost ${lost.lost} anchored root(s) the database knows of (its state file was removed or reset). ` +
          `Re-anchored ${lost.reanchored} from the stored batches — a DEMO convenience; production never does this.` +
          (lost.inconsistent.length ? ` ${lost.inconsistent.length} batch(es) did not match their records and were left alone.` : ""),
      );
    }
    const seeded = await seedDemo(anchoring);
    if (seeded.seeded) say(`demo data seeded: ${seeded.records} records anchored in ${seeded.batches} batches`);
    await disconnectDb();

    if (needsBuild()) {
      say("building the app (first start takes a couple of minutes)…");
      await run(["build"], runtimeEnv);
    }
    web = spawn(process.execPath, [nextBin(), "start", "-p", String(config.PORT)], { env: { ...process.env, ...runtimeEnv }, stdio: "inherit" });
    web.on("exit", (code) => void shutdown(code ?? 0));
    say(`Chartproof is running on http://localhost:${config.PORT}`);
    say(`Demo accounts (password "${DEMO_PASSWORD}" — PUBLIC, demo only):`);
    for (const s of DEMO_STAFF) say(`  ${s.role.padEnd(10)} ${s.email}`);
    for (const p of DEMO_PATIENTS.filter((p) => p.portalEmail)) say(`  PATIENT    ${p.portalEmail}`);
  } catch (error) {
    shout(error instanceof Error ? error.message : String(error));
    await shutdown(1);
  }
}

async function persistentSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

function nextBin(): string {
  return join(root, "node_modules", "next", "dist", "bin", "next");
}

function run(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin(), ...args], { env: { ...process.env, ...env }, stdio: "inherit" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next ${args.join(" ")} failed (exit ${code})`))));
  });
}

/** A build is needed when there is none, or any source is newer than it. */
function needsBuild(): boolean {
  const buildId = join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const newer = (dir: string): boolean =>
    existsSync(dir) &&
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? entry.name !== "generated" && newer(path) : statSync(path).mtimeMs > built;
    });
  return ["app", "components", "lib", "public"].some((dir) => newer(join(root, dir))) ||
    ["next.config.js", "proxy.ts", "package-lock.json"].some((f) => existsSync(join(root, f)) && statSync(join(root, f)).mtimeMs > built);
}

void main();
