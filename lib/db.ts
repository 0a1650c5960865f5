import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";

export type { PrismaClient };

// One client per process; kept on globalThis so dev-mode module reloads do not open new pools.
// Scripts and tests load this too: they run with the "react-server" condition, under which server-only is empty.
const globalForPrisma = globalThis as unknown as { chartproofPrisma?: PrismaClient };

export function db(): PrismaClient {
  globalForPrisma.chartproofPrisma ??= new PrismaClient({
    adapter: new PrismaPg({ connectionString: env().DATABASE_URL, max: env().DATABASE_POOL_SIZE }),
  });
  return globalForPrisma.chartproofPrisma;
}

/** Lets scripts and tests exit cleanly. */
export async function disconnectDb(): Promise<void> {
  await globalForPrisma.chartproofPrisma?.$disconnect();
  globalForPrisma.chartproofPrisma = undefined;
}
