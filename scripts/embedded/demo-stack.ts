import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { privateKeyToAddress } from "viem/accounts";
import { migrateDeploy, startEmbeddedLedger, type EmbeddedLedger, type StackLog } from "./stack";
import { ensureTierRoles, reapplyGrants, type TierRoleNames, type TierUrls } from "./postgres";
import { startupStep } from "./startup-failure";

/**
 * How the web tier and the worker connect (docs/decisions/016-database-refuses-to-rewrite-history.md):
 *  - "create": roles of these names with these passwords are created or updated (an embedded cluster, a test run);
 *  - "given": the operator's own roles (APP_DATABASE_URL / WORKER_DATABASE_URL, or what `npm run db:roles` wrote);
 *  - "owner": neither was given, so both run as the owner — said loudly, and shown on the integrity page.
 */
export type TierAccess =
  | { kind: "create"; names: TierRoleNames; passwords: { web: string; worker: string } }
  | ({ kind: "given" } & TierUrls)
  | { kind: "owner" };

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
  /** The owner's URL: migrations, the demo seed and the demo's lost-root repair run as the owner. */
  databaseUrl: string;
  access: TierAccess;
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
    // Migrations ran as the owner; the web tier and the worker connect as roles that cannot rewrite history.
    const tiers = await startupStep("the migration", async () => {
      await migrateDeploy(opts.databaseUrl);
      return tierUrls(opts.databaseUrl, opts.access);
    });
    opts.log("database migrated");
    if (opts.access.kind === "owner") {
      opts.warn(
        "The web tier and the worker run as the database OWNER: nothing separates what they may do, and either could " +
          "disable the triggers that keep history append-only. Give them their own roles: `npm run db:roles` (docs/operations/production.md, \"Database roles\").",
      );
    }
    const webEnv = {
      DATABASE_URL: tiers.webUrl,
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
    const workerEnv = { ...webEnv, DATABASE_URL: tiers.workerUrl, LEDGER_WRITER_KEY: privateChain.writerKey, PUBLIC_LEDGER_WRITER_KEY: publicChain.writerKey };

    // The jobs read their configuration through lib/env, like every other process; the demo's seed and repair run as
    // the owner (they are the launcher's, like the migrations).
    Object.assign(process.env, workerEnv, { DATABASE_URL: opts.databaseUrl });
    const { seedDemo } = await import("@/lib/jobs/seed-demo");
    const { reanchorLostRoots } = await import("@/lib/jobs/reanchor-lost-roots");
    const { ledgers } = await import("@/lib/verification");
    const { disconnectDb } = await import("@/lib/db");
    await startupStep("the demo data", async () => {
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
    }).finally(async () => {
      await disconnectDb();
      // This process spawns the web tier with its own environment: the keys must not leak into it.
      delete process.env.LEDGER_WRITER_KEY;
      delete process.env.PUBLIC_LEDGER_WRITER_KEY;
      delete process.env.DATABASE_URL;
    });
    return { webEnv, workerEnv, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function tierUrls(ownerUrl: string, access: TierAccess): Promise<TierUrls> {
  if (access.kind === "create") return ensureTierRoles(ownerUrl, access.names, access.passwords);
  // Per-database grants only (no role is created or altered): new tables reach the tiers' roles.
  const userOf = (url: string) => decodeURIComponent(new URL(url).username);
  await reapplyGrants(ownerUrl, access.kind === "given" ? { web: userOf(access.webUrl), worker: userOf(access.workerUrl) } : undefined);
  return access.kind === "given" ? access : { webUrl: ownerUrl, workerUrl: ownerUrl };
}

async function persistentSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
