/**
 * `npm start`: one command from a fresh clone to a running demo portal.
 *  - no DATABASE_URL → an embedded PostgreSQL 18 (data in .data/postgres, kept across restarts);
 *  - an embedded anvil chain (state in .data/chain, saved every second), Multicall3 and RecordAnchor deployed;
 *  - committed migrations applied; the demo seeded into an EMPTY database and anchored; the app built if needed
 *    and served on PORT (3000). Ctrl-C stops everything this started.
 * Production uses `npm run start:prod` instead, which embeds nothing and never seeds.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { launcherEnv } from "@/lib/env";
import { DEMO_PASSWORD, DEMO_PATIENTS, DEMO_STAFF, DEMO_TOTP_SECRETS } from "@/lib/jobs/demo-data";
import { prepareDemoStack, type TierAccess } from "./embedded/demo-stack";
import { pipeReadable } from "./embedded/readable-log";
import { provideDatabase } from "./embedded/stack";
import { failureLine, logFailure, startupStep, StartupFailure } from "./embedded/startup-failure";
import { embeddedTierAccess, savedTierUrls } from "./embedded/tier-roles";

const root = process.cwd();
const say = (line: string) => console.log(`[chartproof] ${line}`);
const shout = (line: string) => console.error(`\n[chartproof] !!! ${line}\n`);

async function main() {
  const config = launcherEnv();
  if (config.LEDGER_RPC_URL) {
    throw new Error("npm start runs the demo on its own embedded chain. For an external chain use `npm run start:prod` with LEDGER_* set (see docs/operations/production.md).");
  }
  const dataDir = config.CHARTPROOF_DATA_DIR ?? join(root, ".data");
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o755);
  const errorLog = join(dataDir, "start-errors.log");
  // One line for the person at the console; the whole error in the log (and on the console with DEBUG=1).
  const fail = (error: unknown, component?: StartupFailure["component"]) => {
    logFailure(errorLog, error);
    shout(`${failureLine(error, component)}${process.env.DEBUG ? "" : ` (details: ${errorLog}; DEBUG=1 prints them here)`}`);
    if (process.env.DEBUG) console.error(error);
  };
  // A library's error emitted outside any await (a child process that cannot be spawned) must not crash with a trace.
  process.on("uncaughtException", (error) => {
    fail(error);
    void shutdown(1);
  });
  process.on("unhandledRejection", (error) => {
    fail(error);
    void shutdown(1);
  });
  const stops: (() => Promise<void>)[] = [];
  const children: ChildProcess[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    await Promise.all(
      children
        .filter((child) => child.exitCode === null && child.signalCode === null)
        .map((child) => {
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          return exited;
        }),
    );
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    // The web server would otherwise die with EADDRINUSE after the database, the chains and the build: say so first.
    await startupStep("the web server", () => portIsFree(config.PORT));
    const database = await provideDatabase({ databaseUrl: config.DATABASE_URL, dataDir, database: "chartproof", log: say });
    if (database.embedded) stops.push(database.embedded.stop);
    const where = new URL(database.url);
    say(`database: ${where.pathname.slice(1)} on ${where.hostname}:${where.port || 5432}, migrated as ${decodeURIComponent(where.username)}`);
    const access: TierAccess = database.embedded
      ? await embeddedTierAccess(dataDir)
      : config.APP_DATABASE_URL && config.WORKER_DATABASE_URL
        ? { kind: "given", webUrl: config.APP_DATABASE_URL, workerUrl: config.WORKER_DATABASE_URL }
        : ((await savedTierUrls(dataDir, database.url)) ?? { kind: "owner" });
    if (access.kind === "given") say(`web tier as ${new URL(access.webUrl).username}, worker as ${new URL(access.workerUrl).username}`);
    const stack = await prepareDemoStack({ databaseUrl: database.url, access, dataDir, persistentChain: true, authSecret: config.AUTH_SECRET, port: config.PORT, log: say, warn: shout });
    stops.push(stack.stop);

    if (needsBuild()) {
      say("building the app (the first start takes a minute or two)…");
      await startupStep("the build", () => runNext(["build"], stack.webEnv));
    }
    // The anchoring worker holds the writer keys; the web process gets none.
    const worker = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", join(root, "scripts", "worker.ts")], {
      env: { ...process.env, ...stack.workerEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    pipeReadable("worker", worker.stdout, process.stdout);
    pipeReadable("worker", worker.stderr, process.stderr);
    children.push(worker);
    // The web server decides client addresses from the socket (TRUSTED_PROXIES), then hands requests to Next.
    children.push(spawn(process.execPath, ["--import", "tsx", join(root, "scripts", "web-server.ts")], { env: { ...process.env, ...stack.webEnv, PORT: String(config.PORT) }, stdio: "inherit" }));
    const names = new Map<ChildProcess, StartupFailure["component"]>([
      [worker, "the worker"],
      [children[1]!, "the web server"],
    ]);
    for (const child of children) {
      child.on("error", (error) => {
        fail(error, names.get(child));
        void shutdown(1);
      });
      child.on("exit", (code) => {
        if (!stopping && code) shout(`${names.get(child)!.replace(/^t/, "T")} stopped (exit ${code}): its last lines are above; everything is being stopped.`);
        void shutdown(code ?? 0);
      });
    }
    // One summary, where a person looks last: what runs where.
    const env = stack.webEnv;
    say("──────────────────────────────────────────────────────────────────────");
    say(`database      ${where.pathname.slice(1)} on ${where.hostname}:${where.port || 5432}${database.embedded ? " (embedded PostgreSQL, data in " + join(dataDir, "postgres") + ")" : ""}`);
    say(`chains        private chain (anvil, chain id ${env.LEDGER_CHAIN_ID}) on ${env.LEDGER_RPC_URL}, contract ${env.LEDGER_CONTRACT_ADDRESS}`);
    say(`              public chain (anvil stand-in, chain id ${env.PUBLIC_LEDGER_CHAIN_ID}) on ${env.PUBLIC_LEDGER_RPC_URL}, contract ${env.PUBLIC_LEDGER_CONTRACT_ADDRESS}`);
    say(`worker        anchoring service running (its lines start with [worker])`);
    say(`portal        http://localhost:${config.PORT}`);
    say("──────────────────────────────────────────────────────────────────────");
    say(`Chartproof is running on http://localhost:${config.PORT}`);
    say(`Demo accounts — the password "${DEMO_PASSWORD}" is PUBLIC, for the demo only:`);
    // The accounts each role's tour starts from; the rest of the directory is under Staff.
    for (const s of DEMO_STAFF.filter((s) => s.email.split("@")[0]!.match(/^[a-z]+\d?$/))) {
      const totp = DEMO_TOTP_SECRETS[s.email];
      say(`  ${s.role.padEnd(10)} ${s.email}${totp ? `  (two-factor: TOTP secret ${totp} — add it to an authenticator app)` : ""}`);
    }
    for (const p of DEMO_PATIENTS.filter((p) => p.portalEmail)) say(`  PATIENT    ${p.portalEmail}`);
    say(`Four eyes: privileged admin steps asked by one admin are approved by the other (admin2). Reset codes go to ${join(dataDir, "outbox", "codes.jsonl")}.`);
  } catch (error) {
    fail(error);
    await shutdown(1);
  }
}

/** Resolves when nothing listens on `port`; rejects with the listener's EADDRINUSE otherwise. */
function portIsFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, () => server.close(() => resolve()));
  });
}

function nextBin(): string {
  return join(root, "node_modules", "next", "dist", "bin", "next");
}

function runNext(args: string[], env: Record<string, string>): Promise<void> {
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
  return (
    ["app", "components", "lib", "public"].some((dir) => newer(join(root, dir))) ||
    ["next.config.js", "proxy.ts", "package-lock.json"].some((f) => existsSync(join(root, f)) && statSync(join(root, f)).mtimeMs > built)
  );
}

// Before the data folder exists (a bad setting): the message alone, which already says what to do.
main().catch((error: unknown) => {
  shout(failureLine(error));
  if (process.env.DEBUG) console.error(error);
  process.exit(1);
});
