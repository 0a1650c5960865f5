import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { privateKeyToAddress } from "viem/accounts";
import { migrateDeploy, startEmbeddedLedger, type EmbeddedLedger, type StackLog } from "./stack";
import { ensureAppRole } from "./postgres";

export type DemoStack = {
  /** The web tier's environment: it reads both chains and holds no keys. */
  webEnv: Record<string, string>;
  /** The anchoring worker's environment: the web's plus the writer keys. */
  workerEnv: Record<string, string>;
  /** Stops what this started, in reverse order. */
  stop(): Promise<void>;
};

/**
 * Everything between "a database URL" and "a portal ready to serve": two embedded chains (private batches, public
 * checkpoints) with the contract, the committed migrations, lost demo roots re-anchored (loudly), and the demo
 * seeded into an empty database. Shared by `npm start` and the end-to-end tests, so both run the same path.
 */
export async function prepareDemoStack(opts: {
  databaseUrl: string;
  dataDir: string;
  persistentChain: boolean;
  blockTimeSeconds?: number;
  authSecret?: string;
  port: number;
  log: StackLog;
  warn: StackLog;
  /** Extra seeding after the demo's, with the jobs' environment in place (the end-to-end fixtures). */
  afterSeed?: () => Promise<void>;
}): Promise<DemoStack> {
  const started: EmbeddedLedger[] = [];
  const stop = async () => {
    for (const ledger of started.reverse()) await ledger.anvil.stop().catch(() => {});
  };
  try {
    for (const chain of ["private", "public"] as const) {
      started.push(await startEmbeddedLedger({ dataDir: opts.dataDir, persistent: opts.persistentChain, blockTimeSeconds: opts.blockTimeSeconds, chain, log: opts.log }));
    }
    const [privateChain, publicChain] = started as [EmbeddedLedger, EmbeddedLedger];
    await migrateDeploy(opts.databaseUrl);
    // Migrations ran as the owner; the web tier and the worker connect as the role that cannot rewrite the log.
    const appDatabaseUrl = await ensureAppRole(opts.databaseUrl);
    opts.log("database migrated");
    const webEnv = {
      DATABASE_URL: appDatabaseUrl,
      AUTH_SECRET: opts.authSecret ?? (await persistentSecret(join(opts.dataDir, "auth-secret"))),
      LEDGER_RPC_URL: privateChain.rpcUrl,
      LEDGER_CHAIN_ID: String(privateChain.chainId),
      LEDGER_CONTRACT_ADDRESS: privateChain.contractAddress,
      LEDGER_WRITER_ADDRESS: privateKeyToAddress(privateChain.writerKey),
      PUBLIC_LEDGER_RPC_URL: publicChain.rpcUrl,
      PUBLIC_LEDGER_CHAIN_ID: String(publicChain.chainId),
      PUBLIC_LEDGER_CONTRACT_ADDRESS: publicChain.contractAddress,
      PUBLIC_LEDGER_WRITER_ADDRESS: privateKeyToAddress(publicChain.writerKey),
      NEXTAUTH_URL: `http://localhost:${opts.port}`,
      // One-time codes for existing staff accounts go here, for the operator, never to the requesting admin's screen.
      CODE_OUTBOX_DIR: join(opts.dataDir, "outbox"),
      NEXT_TELEMETRY_DISABLED: "1",
    };
    const workerEnv = { ...webEnv, LEDGER_WRITER_KEY: privateChain.writerKey, PUBLIC_LEDGER_WRITER_KEY: publicChain.writerKey };

    // The jobs read their configuration through lib/env, like every other process.
    Object.assign(process.env, workerEnv);
    const { seedDemo } = await import("@/lib/jobs/seed-demo");
    const { reanchorLostRoots } = await import("@/lib/jobs/reanchor-lost-roots");
    const { ledgers } = await import("@/lib/verification");
    const { disconnectDb } = await import("@/lib/db");
    try {
      const lost = await reanchorLostRoots(ledgers());
      if (lost.lost > 0) {
        opts.warn(
          `The embedded chains had lost ${lost.lost} anchored root(s) the database knows of (their state was removed or reset). ` +
            `Re-anchored ${lost.reanchored} from the stored batches — a DEMO convenience; production never does this.` +
            (lost.inconsistent.length ? ` ${lost.inconsistent.length} did not match their members and were left alone.` : ""),
        );
      }
      const seeded = await seedDemo(ledgers());
      if (seeded.seeded) opts.log(`demo data seeded: ${seeded.records} records anchored in ${seeded.batches} batches, checkpointed on the public chain`);
      await opts.afterSeed?.();
    } finally {
      await disconnectDb();
      // This process spawns the web tier with its own environment: the keys must not leak into it.
      delete process.env.LEDGER_WRITER_KEY;
      delete process.env.PUBLIC_LEDGER_WRITER_KEY;
    }
    return { webEnv, workerEnv, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function persistentSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
