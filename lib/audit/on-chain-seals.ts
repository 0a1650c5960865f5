import { onChainRoots, type OnChainRoot } from "@/lib/ledger";
import { env } from "@/lib/env";
import type { Ledger } from "@/lib/verification";

/**
 * Seals are anchored under their own range of batch numbers, so that which on-chain roots are seals is read from
 * the chain alone (a number at or above this), never from a database row that its owner could delete. 2^62 keeps
 * every number inside PostgreSQL's bigint, far above any count of record batches.
 */
export const SEAL_NUMBER_BASE = 1n << 62n;

export function isSealNumber(batchNumber: bigint): boolean {
  return batchNumber >= SEAL_NUMBER_BASE;
}

/** A seal as the chain holds it. */
export type OnChainSeal = OnChainRoot;

/**
 * The block from which a ledger's events are read: the deployment block pinned in configuration with the contract's
 * address (LEDGER_DEPLOYMENT_BLOCK, PUBLIC_LEDGER_DEPLOYMENT_BLOCK); from genesis for any other contract.
 */
export function deploymentBlockOf(ledger: Ledger): bigint {
  const e = env();
  const address = ledger.contractAddress.toLowerCase();
  if (address === e.LEDGER_CONTRACT_ADDRESS.toLowerCase() && ledger.chainId === e.LEDGER_CHAIN_ID) return e.LEDGER_DEPLOYMENT_BLOCK;
  if (address === e.PUBLIC_LEDGER_CONTRACT_ADDRESS?.toLowerCase() && ledger.chainId === e.PUBLIC_LEDGER_CHAIN_ID) return e.PUBLIC_LEDGER_DEPLOYMENT_BLOCK;
  return 0n;
}

/**
 * Every root the ledger's contract holds, by number, from its RootAnchored events since the contract's deployment
 * block (cached per process: only new blocks are read, lib/ledger/on-chain-roots.ts).
 * @throws LedgerError when the chain cannot be read.
 */
export function onChainRootsOf(ledger: Ledger): Promise<OnChainRoot[]> {
  return onChainRoots({ ...ledger, fromBlock: deploymentBlockOf(ledger) });
}

/**
 * Every seal root the ledger's contract holds, by number (the seal range of its RootAnchored events).
 * @throws LedgerError when the chain cannot be read: a check that cannot see the chain has not passed.
 */
export async function onChainSeals(ledger: Ledger): Promise<OnChainSeal[]> {
  return (await onChainRootsOf(ledger)).filter((r) => isSealNumber(r.number));
}
