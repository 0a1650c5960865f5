import "server-only";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { createLedgerClients, readRoots, type LedgerClients } from "@/lib/ledger";
import type { Hex32 } from "@/lib/integrity";

export type BatchRef = { chainId: number; contractAddress: string; batchNumber: bigint };

// A root the contract holds can never be overwritten, so once read it is cached for the life of the process.
// Misses (no root yet) and failures are never cached.
const finalRoots = new Map<string, Hex32>();
let clients: LedgerClients | undefined;

function ledger(): LedgerClients {
  const { LEDGER_RPC_URL, LEDGER_CHAIN_ID, LEDGER_CONTRACT_ADDRESS } = env();
  clients ??= createLedgerClients({
    rpcUrl: LEDGER_RPC_URL,
    chainId: LEDGER_CHAIN_ID,
    contractAddress: LEDGER_CONTRACT_ADDRESS as `0x${string}`,
  });
  return clients;
}

function isConfiguredLedger(batch: BatchRef): boolean {
  const { LEDGER_CHAIN_ID, LEDGER_CONTRACT_ADDRESS } = env();
  return batch.chainId === LEDGER_CHAIN_ID && batch.contractAddress.toLowerCase() === LEDGER_CONTRACT_ADDRESS.toLowerCase();
}

/**
 * The roots the chain holds for these batches, read in one call. Per batch: the root, null when the chain has
 * none, undefined when it could not be asked (chain down, or a batch on a ledger this portal does not trust).
 */
export async function chainRootsFor(batches: readonly BatchRef[]): Promise<(batch: BatchRef) => Hex32 | null | undefined> {
  const key = (batchNumber: bigint) => batchNumber.toString();
  const wanted = [...new Set(batches.filter(isConfiguredLedger).map((b) => b.batchNumber))].filter(
    (n) => !finalRoots.has(key(n)),
  );
  const fresh = new Map<string, Hex32 | null>();
  let reachable = true;
  if (wanted.length > 0) {
    try {
      const roots = await readRoots(ledger(), wanted);
      for (const [batchNumber, root] of roots) {
        const normalized = root === null ? null : (root.toLowerCase() as Hex32);
        fresh.set(key(batchNumber), normalized);
        if (normalized !== null) finalRoots.set(key(batchNumber), normalized);
      }
    } catch (error) {
      reachable = false;
      log.warn({ err: error instanceof Error ? error.message : String(error) }, "ledger unavailable; records shown as unavailable");
    }
  }
  return (batch) => {
    if (!isConfiguredLedger(batch)) return undefined;
    const cached = finalRoots.get(key(batch.batchNumber));
    if (cached) return cached;
    if (!reachable) return undefined;
    return fresh.has(key(batch.batchNumber)) ? fresh.get(key(batch.batchNumber)) : undefined;
  };
}

/** For tests and operations: forget cached roots (e.g. after pointing the portal at another chain). */
export function forgetCachedRoots(): void {
  finalRoots.clear();
  clients = undefined;
}
