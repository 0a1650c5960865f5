import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";
import { reportDatabaseFailure } from "./db-health";

export type { PrismaClient };

// One client per process; kept on globalThis so dev-mode module reloads do not open new pools.
// Scripts and tests load this too: they run with the "react-server" condition, under which server-only is empty.
const globalForPrisma = globalThis as unknown as { chartproofPrisma?: PrismaClient };

export function db(): PrismaClient {
  // A lost connection (the server restarted, or went away) is reported to the proxy's circuit breaker
  // (lib/db-health.ts), which then answers 503 until the database answers again. The pool itself drops the broken
  // connections and opens new ones on demand: the process never needs a restart after the database comes back.
  globalForPrisma.chartproofPrisma ??= new PrismaClient({
    adapter: new PrismaPg(
      { connectionString: env().DATABASE_URL, max: env().DATABASE_POOL_SIZE },
      { onPoolError: reportDatabaseFailure, onConnectionError: reportDatabaseFailure },
    ),
  });
  return globalForPrisma.chartproofPrisma;
}

/** Lets scripts and tests exit cleanly. */
export async function disconnectDb(): Promise<void> {
  await globalForPrisma.chartproofPrisma?.$disconnect();
  globalForPrisma.chartproofPrisma = undefined;
}
