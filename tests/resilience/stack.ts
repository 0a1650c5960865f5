/**
 * The resilience suite's own services (never the machine's shared ones): an embedded PostgreSQL 18 and two anvils in a
 * temporary directory on fixed ports of the 3430–3439 range, the committed migrations, the contract deployed, then the
 * built app (`next start`) and the anchoring worker as child processes with their own environments (the web tier holds
 * no keys). Each service can be stopped and started again on the same port and data, which is what the faults do.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { privateKeyToAddress } from "viem/accounts";
import type { Address } from "viem";
import { createLedgerClients, deployRecordAnchor, installMulticall3 } from "@/lib/ledger";
import { ANVIL_DEV_ACCOUNTS, startAnvil, type RunningAnvil } from "../../scripts/embedded/anvil";
import { ensureTierRoles, newRolePassword, ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../scripts/embedded/postgres";
import { migrateDeploy } from "../../scripts/embedded/stack";

const root = process.cwd();
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");

/** Ports of this suite (the project's range for the resilience work). */
export const PORTS = { web: 3430, postgres: 3431, privateChain: 3432, publicChain: 3433 } as const;
const CHAINS = { private: { chainId: 31337, port: PORTS.privateChain }, public: { chainId: 31338, port: PORTS.publicChain } } as const;
type ChainName = keyof typeof CHAINS;

const say = (line: string) => console.log(`[resilience] ${line}`);

/** A child process with the tail of its output kept, to explain a failure. */
export type Child = { process: ChildProcess; tail(): string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

function spawnChild(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, args, { cwd: root, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-30_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: -1, signal: null }));
  });
  return { process: child, tail: () => tail, exited };
}

async function stopChild(child: Child | null, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill(signal);
  const timer = setTimeout(() => child.process.kill("SIGKILL"), 15_000);
  await child.exited;
  clearTimeout(timer);
}

/** A build is needed when there is none, or a source is newer than it (the same rule as `npm start`). */
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

export type Stack = {
  dataDir: string;
  /** The owner's URL (the test process seeds and counts with it). */
  ownerUrl: string;
  webUrl: string;
  authSecret: string;
  webEnv: Record<string, string>;
  workerEnv: Record<string, string>;
  web: Child | null;
  worker: Child | null;
  chains: Record<ChainName, { rpcUrl: string; chainId: number; contractAddress: Address; anvil: RunningAnvil | null }>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  stopChain(name: ChainName): Promise<void>;
  startChain(name: ChainName): Promise<void>;
  startWeb(): Promise<void>;
  startWorker(extraEnv?: Record<string, string>): Child;
  stopWorker(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
};

/** Starts everything but the web tier and the worker; builds the app first if `.next` is missing or stale. */
export async function startStack(): Promise<Stack> {
  if (needsBuild()) {
    say("building the app (no .next, or sources newer than it)…");
    const built = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, stdio: "inherit" });
    if (built.status !== 0) throw new Error(`next build failed (exit ${built.status})`);
  }
  const dataDir = await mkdtemp(join(os.tmpdir(), "chartproof-resilience-"));
  const pgDir = join(dataDir, "postgres");
  let postgres: EmbeddedPostgresHandle | null = await startEmbeddedPostgres({ dataDir: pgDir, port: PORTS.postgres });
  say(`embedded PostgreSQL on 127.0.0.1:${PORTS.postgres} (${pgDir})`);
  const ownerUrl = await ensureDatabase(postgres.url, "chartproof");
  await migrateDeploy(ownerUrl);
  // A private embedded cluster: fixed role names, passwords of this run.
  const tierUrls = await ensureTierRoles(ownerUrl, { web: "chartproof_web", worker: "chartproof_worker" }, { web: newRolePassword(), worker: newRolePassword() });

  const stateFile = (name: ChainName) => join(dataDir, `${name}-chain`, "state.json");
  const launchAnvil = (name: ChainName) =>
    startAnvil({ port: CHAINS[name].port, chainId: CHAINS[name].chainId, stateFile: stateFile(name), stateIntervalSeconds: 1, blockTimeSeconds: 0, silent: true });
  const chains = {} as Stack["chains"];
  for (const name of ["private", "public"] as const) {
    const anvil = await launchAnvil(name);
    const writerKey = ANVIL_DEV_ACCOUNTS.writer.privateKey;
    const clients = createLedgerClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, writerPrivateKey: writerKey });
    await installMulticall3(clients);
    const contractAddress = await deployRecordAnchor(clients, { adminPrivateKey: ANVIL_DEV_ACCOUNTS.admin.privateKey });
    chains[name] = { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, contractAddress, anvil };
  }
  say(`anvils on ${chains.private.rpcUrl} and ${chains.public.rpcUrl}`);

  const authSecret = randomBytes(32).toString("base64url");
  const webUrl = `http://127.0.0.1:${PORTS.web}`;
  const webEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: tierUrls.webUrl,
    AUTH_SECRET: authSecret,
    NEXTAUTH_URL: webUrl,
    LEDGER_RPC_URL: chains.private.rpcUrl,
    LEDGER_CHAIN_ID: String(chains.private.chainId),
    LEDGER_CONTRACT_ADDRESS: chains.private.contractAddress,
    LEDGER_WRITER_ADDRESS: ANVIL_DEV_ACCOUNTS.writer.address,
    LEDGER_CONFIRMATIONS: "1",
    PUBLIC_LEDGER_RPC_URL: chains.public.rpcUrl,
    PUBLIC_LEDGER_CHAIN_ID: String(chains.public.chainId),
    PUBLIC_LEDGER_CONTRACT_ADDRESS: chains.public.contractAddress,
    PUBLIC_LEDGER_WRITER_ADDRESS: ANVIL_DEV_ACCOUNTS.writer.address,
    PUBLIC_LEDGER_CONFIRMATIONS: "1",
    LOG_LEVEL: "warn",
  };
  const writerKey = ANVIL_DEV_ACCOUNTS.writer.privateKey;
  if (privateKeyToAddress(writerKey) !== ANVIL_DEV_ACCOUNTS.writer.address) throw new Error("writer key and address disagree");
  const workerEnv: Record<string, string> = {
    ...webEnv,
    DATABASE_URL: tierUrls.workerUrl,
    LEDGER_WRITER_KEY: writerKey,
    PUBLIC_LEDGER_WRITER_KEY: writerKey,
    ANCHOR_WINDOW_SECONDS: "1",
    AUDIT_CHECK_CRON: "0 3 1 1 *",
    RECONCILE_CRON: "0 3 1 1 *",
  };

  const stack: Stack = {
    dataDir,
    ownerUrl,
    webUrl,
    authSecret,
    webEnv,
    workerEnv,
    web: null,
    worker: null,
    chains,
    async stopPostgres() {
      await postgres?.stop();
      postgres = null;
    },
    async startPostgres() {
      postgres = await startEmbeddedPostgres({ dataDir: pgDir, port: PORTS.postgres });
    },
    async stopChain(name) {
      // SIGTERM: anvil dumps its state, so that it comes back as it was (a node restarted, not a chain lost).
      await chains[name].anvil?.stop();
      chains[name].anvil = null;
    },
    async startChain(name) {
      chains[name].anvil = await launchAnvil(name);
    },
    async startWeb() {
      const web = spawnChild([nextBin, "start", "-p", String(PORTS.web), "-H", "127.0.0.1"], webEnv);
      stack.web = web;
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (web.process.exitCode !== null) throw new Error(`next start exited (code ${web.process.exitCode}):\n${web.tail()}`);
        if (await fetch(`${webUrl}/api/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)) return;
        if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${web.tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    startWorker(extraEnv = {}) {
      // Node itself runs the worker (tsx as a loader, no wrapper), so that a SIGKILL reaches the worker itself.
      stack.worker = spawnChild(["--conditions=react-server", "--import", "tsx", join(root, "scripts", "worker.ts")], { ...workerEnv, ...extraEnv });
      return stack.worker;
    },
    async stopWorker(signal = "SIGTERM") {
      await stopChild(stack.worker, signal);
      stack.worker = null;
    },
    async stop() {
      await stopChild(stack.worker).catch(() => {});
      await stopChild(stack.web).catch(() => {});
      for (const name of ["private", "public"] as const) await chains[name].anvil?.stop().catch(() => {});
      await postgres?.stop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  // A crashed run must not leave the web tier or the worker behind (anvil and postgres have their own hooks).
  process.once("exit", () => {
    for (const child of [stack.web, stack.worker]) if (child?.process.exitCode === null) child.process.kill("SIGKILL");
  });
  return stack;
}
