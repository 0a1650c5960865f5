import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { migrateDeploy, startEmbeddedLedger, type StackLog } from "./stack";

export type DemoStack = {
  /** What the web process needs, handed over as its environment. */
  runtimeEnv: Record<string, string>;
  /** Stops what this started, in reverse order. */
  stop(): Promise<void>;
};

/**
 * Everything between "a database URL" and "a portal ready to serve": an embedded chain with the contract, the
 * committed migrations, lost demo roots re-anchored (loudly), and the demo seeded into an empty database.
 * Shared by `npm start` and the end-to-end tests, so both run the same path.
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
}): Promise<DemoStack> {
  const ledger = await startEmbeddedLedger({ dataDir: opts.dataDir, persistent: opts.persistentChain, blockTimeSeconds: opts.blockTimeSeconds, log: opts.log });
  try {
    await migrateDeploy(opts.databaseUrl);
    opts.log("database migrated");
    const runtimeEnv = {
      DATABASE_URL: opts.databaseUrl,
      AUTH_SECRET: opts.authSecret ?? (await persistentSecret(join(opts.dataDir, "auth-secret"))),
      LEDGER_RPC_URL: ledger.rpcUrl,
      LEDGER_CHAIN_ID: String(ledger.chainId),
      LEDGER_CONTRACT_ADDRESS: ledger.contractAddress,
      NEXTAUTH_URL: `http://localhost:${opts.port}`,
      NEXT_TELEMETRY_DISABLED: "1",
    };
    // The jobs read their configuration through lib/env, like every other process.
    Object.assign(process.env, runtimeEnv);
    const { seedDemo } = await import("@/lib/jobs/seed-demo");
    const { reanchorLostRoots } = await import("@/lib/jobs/reanchor-lost-roots");
    const { disconnectDb } = await import("@/lib/db");
    const anchoring = { clients: ledger.clients, chainId: ledger.chainId, contractAddress: ledger.contractAddress, confirmations: 1 };
    try {
      const lost = await reanchorLostRoots(anchoring);
      if (lost.lost > 0) {
        opts.warn(
          `The embedded chain had lost ${lost.lost} anchored root(s) the database knows of (its state was removed or reset). ` +
            `Re-anchored ${lost.reanchored} from the stored batches — a DEMO convenience; production never does this.` +
            (lost.inconsistent.length ? ` ${lost.inconsistent.length} batch(es) did not match their records and were left alone.` : ""),
        );
      }
      const seeded = await seedDemo(anchoring);
      if (seeded.seeded) opts.log(`demo data seeded: ${seeded.records} records anchored in ${seeded.batches} batches`);
    } finally {
      await disconnectDb();
    }
    return { runtimeEnv, stop: () => ledger.anvil.stop() };
  } catch (error) {
    await ledger.anvil.stop();
    throw error;
  }
}

async function persistentSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
