import { db } from "@/lib/db";
import { GENESIS_HASH, hashAccessEvent, type HashedEventFields } from "./event-hash";
import type { ChainHead } from "./seal-root";

/**
 * What a walk found first in a chain:
 * - edited: an event's fields no longer hash to its stored hash (or a sealed head's hash differs from the seal's);
 * - deleted: an event is missing (a gap in the chain's positions, or a sealed head that is gone);
 * - reordered: events were moved (a hash that matches only at another position, or a link to a later event);
 * - seal_missing: a seal root on chain has no seal row (or its heads) in the database;
 * - seal_mismatch: a seal's heads no longer rebuild the root the chain holds for it;
 * - unsealed_tail: events older than the sealing interval that no seal on chain covers (the worker is not sealing).
 */
export type LogBreakKind = "edited" | "deleted" | "reordered" | "seal_missing" | "seal_mismatch" | "unsealed_tail";

export type LogBreak = {
  kind: LogBreakKind;
  chain: number | null;
  chainSeq: string | null;
  seq: string | null;
  occurredAt: string | null;
  /** The seal (its number on chain) the break was found against, when it was found against one. */
  sealNumber: string | null;
};

export type EventRow = HashedEventFields & { hash: string };

const PAGE = 5_000;

/**
 * Walks one chain in keyset pages from `start` (a sealed head the walk must find intact at its position) or from
 * genesis, recomputing each hash and link. Reports the chain's first break, and hands every event read to `visit`
 * (the walk goes on after a break, so that counts stay whole). Returns the chain's last event as its head.
 */
export async function walkChain(
  chain: number,
  start: (ChainHead & { sealNumber: string | null }) | null,
  visit?: (event: EventRow) => void,
): Promise<{ checked: number; head: ChainHead | null; firstBreak: LogBreak | null }> {
  let firstBreak: LogBreak | null = null;
  const report = (b: Omit<LogBreak, "sealNumber"> & { sealNumber?: string | null }) => {
    firstBreak ??= { sealNumber: null, ...b };
  };
  let expected = 1n;
  let prev = GENESIS_HASH;
  let head: ChainHead | null = null;
  let cursor = 0n;
  if (start) {
    const at = { chain, chainSeq: start.chainSeq, seq: null, occurredAt: null, sealNumber: start.sealNumber };
    const sealed = (await db().accessEvent.findUnique({ where: { chain_chainSeq: { chain, chainSeq: BigInt(start.chainSeq) } } })) as EventRow | null;
    if (!sealed) report({ ...at, kind: "deleted" });
    else if (sealed.hash !== start.hash || hashAccessEvent(sealed) !== sealed.hash) report({ ...at, kind: "edited", seq: sealed.seq.toString(), occurredAt: sealed.occurredAt.toISOString() });
    if (firstBreak) return { checked: 0, head: null, firstBreak };
    expected = BigInt(start.chainSeq) + 1n;
    prev = start.hash;
    cursor = BigInt(start.chainSeq);
    head = { chain, chainSeq: start.chainSeq, hash: start.hash };
  }
  let checked = 0;
  let window: EventRow[] = [];
  for (;;) {
    const page = (await db().accessEvent.findMany({ where: { chain, chainSeq: { gt: cursor } }, orderBy: { chainSeq: "asc" }, take: PAGE })) as EventRow[];
    if (page.length === 0) break;
    cursor = page.at(-1)!.chainSeq;
    // A small look-around window, to tell a reorder (a hash valid at a neighbour's position) from an edit.
    window = [...window.slice(-4), ...page];
    for (const [i, e] of page.entries()) {
      checked += 1;
      visit?.(e);
      if (!firstBreak) {
        const at = { chain, chainSeq: e.chainSeq.toString(), seq: e.seq.toString(), occurredAt: e.occurredAt.toISOString() };
        if (e.chainSeq !== expected) report({ ...at, kind: "deleted", chainSeq: expected.toString() });
        else if (hashAccessEvent(e) !== e.hash) report({ ...at, kind: movedFrom(e, window) ? "reordered" : "edited" });
        else if (e.prevHash !== prev) report({ ...at, kind: page.slice(i + 1).some((later) => later.hash === e.prevHash) ? "reordered" : "deleted" });
      }
      expected = e.chainSeq + 1n;
      prev = e.hash;
      head = { chain, chainSeq: e.chainSeq.toString(), hash: e.hash };
    }
    if (page.length < PAGE) break;
  }
  return { checked, head, firstBreak };
}

/** Whether the event hashes correctly with the position (seq, chainSeq) of a neighbour: it was moved. */
function movedFrom(e: EventRow, window: readonly EventRow[]): boolean {
  return window.some(
    (other) =>
      other !== e &&
      [{ seq: other.seq }, { chainSeq: other.chainSeq }, { seq: other.seq, chainSeq: other.chainSeq }].some((position) => hashAccessEvent({ ...e, ...position }) === e.hash),
  );
}
