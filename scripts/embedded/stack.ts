import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Address, Hex } from "viem";
import { createLedgerClients, deployRecordAnchor, installMulticall3, type LedgerClients } from "@/lib/ledger";
import { ANVIL_DEV_ACCOUNTS, startAnvil, type RunningAnvil } from "./anvil";
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./postgres";
import { startupStep } from "./startup-failure";

export type StackLog = (line: string) => void;

/** Starts the embedded PostgreSQL unless a URL is given; returns the URL of `database` on it. */
export async function provideDatabase(opts: { databaseUrl?: string; dataDir: string; database: string; log: StackLog }) {
  if (opts.databaseUrl) return { url: opts.databaseUrl, embedded: null as EmbeddedPostgresHandle | null };
  const embedded = await startupStep("PostgreSQL", () => startEmbeddedPostgres({ dataDir: join(opts.dataDir, "postgres") }));
  opts.log(`embedded PostgreSQL 18 on 127.0.0.1:${embedded.port} (data in ${join(opts.dataDir, "postgres")})`);
  return { url: await startupStep("PostgreSQL", () => ensureDatabase(embedded.url, opts.database)), embedded };
}

export type EmbeddedLedger = {
  rpcUrl: string;
  chainId: number;
  contractAddress: Address;
  writerKey: Hex;
  clients: LedgerClients;
  anvil: RunningAnvil;
  /** True when the contract had to be deployed again (a new chain, or its state was lost). */
  redeployed: boolean;
};

type Deployment = { chainId: number; contractAddress: Address };

/** The embedded stand-ins: the hospital's private chain, and a "public" network for checkpoints (another chain id). */
export const EMBEDDED_CHAINS = {
  private: { folder: "chain", chainId: 31337, label: "private chain" },
  public: { folder: "public-chain", chainId: 31338, label: "public checkpoint chain" },
} as const;

/**
 * Starts anvil (state kept in `dataDir`, mining every second), installs Multicall3 and makes sure RecordAnchor is
 * deployed. Demo keys are anvil's public dev accounts: admin and writer are different accounts, as in production.
 */
export async function startEmbeddedLedger(opts: {
  dataDir: string;
  persistent: boolean;
  blockTimeSeconds?: number;
  chain?: keyof typeof EMBEDDED_CHAINS;
  /** Default: a free port. */
  port?: number;
  log: StackLog;
}): Promise<EmbeddedLedger> {
  const spec = EMBEDDED_CHAINS[opts.chain ?? "private"];
  const chainDir = join(opts.dataDir, spec.folder);
  const anvil = await startupStep("anvil", () =>
    startAnvil({
      port: opts.port,
      stateFile: opts.persistent ? join(chainDir, "state.json") : undefined,
      stateIntervalSeconds: 1,
      blockTimeSeconds: opts.blockTimeSeconds ?? 1,
      chainId: spec.chainId,
      silent: true,
    }),
  );
  return startupStep("the contract deployment", () => deployOnto(anvil, spec, chainDir, opts));
}

/** Multicall3 and RecordAnchor on a running anvil: deployed again only when the recorded deployment is gone. */
async function deployOnto(anvil: RunningAnvil, spec: (typeof EMBEDDED_CHAINS)[keyof typeof EMBEDDED_CHAINS], chainDir: string, opts: { persistent: boolean; log: StackLog }): Promise<EmbeddedLedger> {
  const deploymentFile = join(chainDir, "deployment.json");
  const writerKey = ANVIL_DEV_ACCOUNTS.writer.privateKey;
  let clients = createLedgerClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, writerPrivateKey: writerKey });
  await installMulticall3(clients);

  const previous = existsSync(deploymentFile) ? (JSON.parse(await readFile(deploymentFile, "utf8")) as Deployment) : null;
  const stillThere =
    previous !== null &&
    previous.chainId === anvil.chainId &&
    ((await clients.publicClient.getCode({ address: previous.contractAddress })) ?? "0x") !== "0x";
  const contractAddress = stillThere
    ? previous.contractAddress
    : await deployRecordAnchor(clients, { adminPrivateKey: ANVIL_DEV_ACCOUNTS.admin.privateKey });
  if (!stillThere && opts.persistent) {
    await mkdir(chainDir, { recursive: true });
    await writeFile(deploymentFile, JSON.stringify({ chainId: anvil.chainId, contractAddress } satisfies Deployment));
  }
  clients = createLedgerClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, contractAddress, writerPrivateKey: writerKey });
  opts.log(`embedded ${spec.label} (anvil, chain id ${anvil.chainId}) on ${anvil.rpcUrl}, RecordAnchor at ${contractAddress}${stillThere ? "" : " (newly deployed)"}`);
  return { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, contractAddress, writerKey, clients, anvil, redeployed: !stillThere };
}

/**
 * Applies the committed migrations (forward-only): `prisma migrate deploy`, never a reset; then re-applies the one
 * grants file (prisma/grants.sql), so what each tier may do is written once and reaches every table a migration adds.
 */
export async function migrateDeploy(databaseUrl: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), "scripts", "prisma.mjs"), "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${output}`))));
  });
  await applyGrantsFile(databaseUrl);
}

/** Runs prisma/grants.sql as the owner, in one transaction: the tiers never see a half-applied set of grants. */
export async function applyGrantsFile(databaseUrl: string): Promise<void> {
  const { default: pg } = await import("pg");
  const sql = await readFile(join(process.cwd(), "prisma", "grants.sql"), "utf8");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(sql);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw new Error(`applying prisma/grants.sql failed: ${(error as Error).message}`);
  } finally {
    await client.end();
  }
}
