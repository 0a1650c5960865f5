import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";
import { log } from "./log";
import { reportDatabaseFailure } from "./db-health";

export type { PrismaClient };

// One client per process; kept on globalThis so dev-mode module reloads do not open new pools.
// Scripts and tests load this too: they run with the "react-server" condition, under which server-only is empty.
const globalForPrisma = globalThis as unknown as { chartproofPrisma?: PrismaClient; chartproofPool?: pg.Pool };

/**
 * The process's one connection pool. Prisma runs on it, and so does the access log's append, the hottest statement
 * of the portal (one per page view), which skips Prisma's per-query overhead (docs/decisions/010-access-log.md).
 */
export function pgPool(): pg.Pool {
  if (!globalForPrisma.chartproofPool) {
    const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: env().DATABASE_POOL_SIZE });
    // An idle connection dropped by the server (a restart, a failover) must not crash the process: the pool replaces it.
    pool.on("error", (error) => {
      log.warn({ err: error.message }, "idle database connection lost");
      reportDatabaseFailure();
    });
    globalForPrisma.chartproofPool = pool;
  }
  return globalForPrisma.chartproofPool;
}

export function db(): PrismaClient {
  // A lost connection (the server restarted, or went away) is reported to the proxy's circuit breaker
  // (lib/db-health.ts), which then answers 503 until the database answers again. The pool itself drops the broken
  // connections and opens new ones on demand: the process never needs a restart after the database comes back.
  globalForPrisma.chartproofPrisma ??= new PrismaClient({
    adapter: new PrismaPg(pgPool(), { onPoolError: reportDatabaseFailure, onConnectionError: reportDatabaseFailure }),
  });
  return globalForPrisma.chartproofPrisma;
}

/** Lets scripts and tests exit cleanly. */
export async function disconnectDb(): Promise<void> {
  await globalForPrisma.chartproofPrisma?.$disconnect();
  globalForPrisma.chartproofPrisma = undefined;
  const pool = globalForPrisma.chartproofPool;
  globalForPrisma.chartproofPool = undefined;
  if (pool && !pool.ended) await pool.end();
}
