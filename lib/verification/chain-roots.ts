import { log } from "@/lib/log";
import { readRoots } from "@/lib/ledger";
import type { Hex32 } from "@/lib/integrity";
import { isOnLedger, type Ledger } from "./ledgers";

export type AnchorRef = { chainId: number; contractAddress: string; number: bigint };

/**
 * The roots `ledger` holds for these anchors, read in ONE call for all that are not in `finalRoots`. A root the
 * contract holds can never be overwritten, so once read it is final and kept in `finalRoots`; misses (no root yet)
 * and failures are never kept. The returned lookup gives the root, null when the chain holds none, or undefined
 * when it could not be asked (chain down, or an anchor on a ledger this process does not trust).
 */
export async function chainRootsFor(
  ledger: Ledger | null,
  refs: readonly AnchorRef[],
  finalRoots: Map<string, Hex32>,
): Promise<(ref: AnchorRef) => Hex32 | null | undefined> {
  if (!ledger) return () => undefined;
  // Called once per row of a page: the common case (the address spelled as configured) costs one comparison.
  const onLedger = (ref: AnchorRef) =>
    ref.chainId === ledger.chainId && (ref.contractAddress === ledger.contractAddress || isOnLedger(ledger, ref));
  // finalRoots key: prefix + batch (or checkpoint) number.
  const prefix = `${ledger.chainId}:${ledger.contractAddress.toLowerCase()}:`;
  const wanted = [...new Set(refs.filter(onLedger).map((r) => r.number))].filter((n) => !finalRoots.has(prefix + n));
  const fresh = new Map<bigint, Hex32 | null>();
  let reachable = true;
  if (wanted.length > 0) {
    try {
      for (const [n, root] of await readRoots(ledger.clients, wanted)) {
        const normalized = root === null ? null : (root.toLowerCase() as Hex32);
        fresh.set(n, normalized);
        if (normalized !== null) finalRoots.set(prefix + n, normalized);
      }
    } catch (error) {
      reachable = false;
      log.warn({ ledger: ledger.name, err: error instanceof Error ? error.message : String(error) }, "ledger unavailable; affected records shown as unavailable");
    }
  }
  return (ref) => {
    if (!onLedger(ref)) return undefined;
    const cached = finalRoots.get(prefix + ref.number);
    if (cached) return cached;
    if (!reachable) return undefined;
    return fresh.has(ref.number) ? fresh.get(ref.number) : undefined;
  };
}
