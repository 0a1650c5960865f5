import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { launcherEnv } from "@/lib/env";
import { migrateDeploy, startEmbeddedLedger } from "@/scripts/embedded/stack";
import {
  dropDatabase,
  dropRoles,
  ensureDatabase,
  ensureTierRoles,
  newRolePassword,
  serverUrlOf,
  startEmbeddedPostgres,
  tierRoleNamesFor,
} from "@/scripts/embedded/postgres";

export type ChainInfo = { rpcUrl: string; chainId: number; contractAddress: string; writerKey: string; anvilPid: number };

declare module "vitest" {
  export interface ProvidedContext {
    stack: {
      /** What the suite's own process uses: the worker's role (it runs the web tier's DAL and the jobs in one process). */
      databaseUrl: string;
      webDatabaseUrl: string;
      workerDatabaseUrl: string;
      ownerDatabaseUrl: string;
      roles: { web: string; worker: string };
      private: ChainInfo;
      public: ChainInfo;
    };
  }
}

/**
 * Real services for the integration tests: a fresh database (on DATABASE_URL's server when set, else on an
 * embedded PostgreSQL) with the committed migrations applied, and two fresh anvils (private and public chain)
 * with the contract deployed on each.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), "chartproof-it-"));
  const log = () => {};
  const configured = launcherEnv().DATABASE_URL;
  const database = `chartproof_it_${process.pid}`;
  const embedded = configured ? null : await startEmbeddedPostgres({ dataDir: join(dataDir, "postgres") });
  const server = configured ? serverUrlOf(configured) : embedded!.url;
  const ownerDatabaseUrl = await ensureDatabase(server, database);
  await migrateDeploy(ownerDatabaseUrl);
  // The tests use the very roles the app uses, named after this run's database (roles are cluster-wide: parallel runs
  // on one server never share one) and dropped with it. The suite's process runs the DAL and the jobs side by side,
  // so it connects as the worker, whose grants include the web tier's; tests of what each tier may do open their own
  // connections as each. Tamper tests acting as an insider with the owner's powers use ownerDatabaseUrl.
  const roles = tierRoleNamesFor(database);
  const tiers = await ensureTierRoles(ownerDatabaseUrl, roles, { web: newRolePassword(), worker: newRolePassword() });
  // Interval mining (1 s) as on a real chain: confirmation depth is part of what is tested.
  const chains = [
    await startEmbeddedLedger({ dataDir, persistent: false, blockTimeSeconds: 1, chain: "private", log }),
    await startEmbeddedLedger({ dataDir, persistent: false, blockTimeSeconds: 1, chain: "public", log }),
  ] as const;
  const info = (l: (typeof chains)[number]): ChainInfo => ({
    rpcUrl: l.rpcUrl,
    chainId: l.chainId,
    contractAddress: l.contractAddress,
    writerKey: l.writerKey,
    anvilPid: l.anvil.process.pid ?? 0,
  });
  project.provide("stack", {
    databaseUrl: tiers.workerUrl,
    webDatabaseUrl: tiers.webUrl,
    workerDatabaseUrl: tiers.workerUrl,
    ownerDatabaseUrl,
    roles,
    private: info(chains[0]), public: info(chains[1]) });

  return async () => {
    for (const chain of chains) await chain.anvil.stop();
    await dropDatabase(server, database);
    await dropRoles(server, [roles.web, roles.worker]);
    await embedded?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
