import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { launcherEnv } from "@/lib/env";
import { migrateDeploy, startEmbeddedLedger } from "@/scripts/embedded/stack";
import { dropDatabase, ensureDatabase, serverUrlOf, startEmbeddedPostgres } from "@/scripts/embedded/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    stack: { databaseUrl: string; rpcUrl: string; chainId: number; contractAddress: string; writerKey: string; anvilPid: number };
  }
}

/**
 * Real services for the integration tests: a fresh database (on DATABASE_URL's server when set, else on an
 * embedded PostgreSQL) with the committed migrations applied, and a fresh anvil with the contract deployed.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), "chartproof-it-"));
  const log = () => {};
  const configured = launcherEnv().DATABASE_URL;
  const database = `chartproof_it_${process.pid}`;
  const embedded = configured ? null : await startEmbeddedPostgres({ dataDir: join(dataDir, "postgres") });
  const databaseUrl = await ensureDatabase(configured ? serverUrlOf(configured) : embedded!.url, database);
  await migrateDeploy(databaseUrl);
  // Instant mining keeps the suite fast; interval mining is exercised by `npm start`.
  const ledger = await startEmbeddedLedger({ dataDir, persistent: false, blockTimeSeconds: 0, log });

  project.provide("stack", {
    databaseUrl,
    rpcUrl: ledger.rpcUrl,
    chainId: ledger.chainId,
    contractAddress: ledger.contractAddress,
    writerKey: ledger.writerKey,
    anvilPid: ledger.anvil.process.pid ?? 0,
  });

  return async () => {
    await ledger.anvil.stop();
    if (configured) await dropDatabase(serverUrlOf(configured), database);
    await embedded?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
