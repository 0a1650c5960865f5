import { log } from "@/lib/log";
import { readRoots } from "@/lib/ledger";
import type { Hex32 } from "@/lib/integrity";
import { isOnLedger, type Ledger } from "./ledgers";

export type AnchorRef = { chainId: number; contractAddress: string; number: bigint };

// A root the contract holds can never be overwritten, so once read it is final for the life of the process.
// Misses (no root yet) and failures are never cached.
const finalRoots = new Map<string, Hex32>();

const keyOf = (ledger: Ledger, n: bigint) => `${ledger.chainId}:${ledger.contractAddress.toLowerCase()}:${n}`;

/**
 * The roots `ledger` holds for these anchors, read in ONE call for all that are not cached. The returned lookup
 * gives the root, null when the chain holds none, or undefined when it could not be asked (chain down, or an
 * anchor on a ledger this process does not trust).
 */
export async function chainRootsFor(ledger: Ledger | null, refs: readonly AnchorRef[]): Promise<(ref: AnchorRef) => Hex32 | null | undefined> {
  if (!ledger) return () => undefined;
  const wanted = [...new Set(refs.filter((r) => isOnLedger(ledger, r)).map((r) => r.number))].filter((n) => !finalRoots.has(keyOf(ledger, n)));
  const fresh = new Map<bigint, Hex32 | null>();
  let reachable = true;
  if (wanted.length > 0) {
    try {
      for (const [n, root] of await readRoots(ledger.clients, wanted)) {
        const normalized = root === null ? null : (root.toLowerCase() as Hex32);
        fresh.set(n, normalized);
        if (normalized !== null) finalRoots.set(keyOf(ledger, n), normalized);
      }
    } catch (error) {
      reachable = false;
      log.warn({ ledger: ledger.name, err: error instanceof Error ? error.message : String(error) }, "ledger unavailable; affected records shown as unavailable");
    }
  }
  return (ref) => {
    if (!isOnLedger(ledger, ref)) return undefined;
    const cached = finalRoots.get(keyOf(ledger, ref.number));
    if (cached) return cached;
    if (!reachable) return undefined;
    return fresh.has(ref.number) ? fresh.get(ref.number) : undefined;
  };
}

/** For tests and operations: forget cached roots (e.g. after pointing the portal at another chain). */
export function forgetCachedRoots(): void {
  finalRoots.clear();
}
