import type { LedgerClients } from "./chain-config";
import { headBlock, listAnchoredRoots, type AnchoredRoot } from "./list-anchored-roots";

/** A root as the chain holds it, read from the contract's RootAnchored events. */
export type OnChainRoot = { number: bigint; root: string; blockNumber: bigint };

export type OnChainRootsSource = {
  clients: LedgerClients;
  chainId: number;
  contractAddress: string;
  confirmations: number;
  /** The contract's deployment block, pinned in configuration with its address: events before it cannot exist. */
  fromBlock: bigint;
};

// Per process and contract: the roots in blocks buried under the confirmation depth, which can never change (the
// contract is write-once), and the last block scanned. Each call asks the chain only for the blocks after it, in the
// bounded ranges listAnchoredRoots reads; only the unconfirmed tip is read again every time and never kept.
const finalRoots = new Map<string, { scannedTo: bigint; roots: OnChainRoot[] }>();

const toRoot = (r: AnchoredRoot): OnChainRoot => ({ number: r.batchId, root: r.root.toLowerCase(), blockNumber: r.blockNumber });

/**
 * Every root the contract holds, from its RootAnchored events since its deployment block, sorted by number: what
 * exists on chain, read without asking any database which numbers to look for.
 * @throws LedgerError when the chain cannot be read: a check that cannot see the chain has not passed.
 */
export async function onChainRoots(source: OnChainRootsSource): Promise<OnChainRoot[]> {
  const key = `${source.chainId}:${source.contractAddress.toLowerCase()}:${source.fromBlock}`;
  const head = await headBlock(source.clients);
  const finalTo = head - BigInt(Math.max(1, source.confirmations)) + 1n;
  let known = finalRoots.get(key) ?? { scannedTo: source.fromBlock - 1n, roots: [] };
  if (finalTo > known.scannedTo) {
    const fresh = await listAnchoredRoots(source.clients, { fromBlock: known.scannedTo + 1n, toBlock: finalTo });
    known = { scannedTo: finalTo, roots: [...known.roots, ...fresh.map(toRoot)] };
    finalRoots.set(key, known);
  }
  const recent = head > known.scannedTo ? await listAnchoredRoots(source.clients, { fromBlock: known.scannedTo + 1n, toBlock: head }) : [];
  return [...known.roots, ...recent.map(toRoot)].sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
}

/** When each of these blocks was mined (for "missing since"): one read per distinct block, on breaks only. */
export async function blockTimes(clients: LedgerClients, blocks: readonly bigint[]): Promise<Map<bigint, Date>> {
  const out = new Map<bigint, Date>();
  for (const blockNumber of new Set(blocks)) {
    const block = await clients.publicClient.getBlock({ blockNumber }).catch(() => null);
    if (block) out.set(blockNumber, new Date(Number(block.timestamp) * 1000));
  }
  return out;
}
