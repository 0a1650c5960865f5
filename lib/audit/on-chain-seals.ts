import { headBlock, listAnchoredRoots, type AnchoredRoot } from "@/lib/ledger";
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
export type OnChainSeal = { number: bigint; root: string; blockNumber: bigint };

// Per process and contract: the seals in blocks buried under the confirmation depth, which can never change, so each
// call asks the chain only for the blocks after them.
const finalSeals = new Map<string, { scannedTo: bigint; seals: OnChainSeal[] }>();

const toSeal = (r: AnchoredRoot): OnChainSeal => ({ number: r.batchId, root: r.root.toLowerCase(), blockNumber: r.blockNumber });

/**
 * Every seal root the ledger's contract holds, by number, from its RootAnchored events since the contract's
 * deployment block (LEDGER_DEPLOYMENT_BLOCK for the configured private contract).
 * @throws LedgerError when the chain cannot be read: a check that cannot see the chain has not passed.
 */
export async function onChainSeals(ledger: Ledger): Promise<OnChainSeal[]> {
  const key = `${ledger.chainId}:${ledger.contractAddress.toLowerCase()}`;
  const deployedAt = ledger.contractAddress.toLowerCase() === env().LEDGER_CONTRACT_ADDRESS.toLowerCase() ? env().LEDGER_DEPLOYMENT_BLOCK : 0n;
  const head = await headBlock(ledger.clients);
  const finalTo = head - BigInt(Math.max(1, ledger.confirmations)) + 1n;
  let known = finalSeals.get(key) ?? { scannedTo: deployedAt - 1n, seals: [] };
  if (finalTo > known.scannedTo) {
    const fresh = await listAnchoredRoots(ledger.clients, { fromBlock: known.scannedTo + 1n, toBlock: finalTo, batchIdAtLeast: SEAL_NUMBER_BASE });
    known = { scannedTo: finalTo, seals: [...known.seals, ...fresh.map(toSeal)] };
    finalSeals.set(key, known);
  }
  const recent = head > known.scannedTo ? await listAnchoredRoots(ledger.clients, { fromBlock: known.scannedTo + 1n, toBlock: head, batchIdAtLeast: SEAL_NUMBER_BASE }) : [];
  return [...known.seals, ...recent.map(toSeal)].sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
}
