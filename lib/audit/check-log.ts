import "server-only";
import { db } from "@/lib/db";
import { GENESIS_HASH, hashAccessEvent, type HashedEventFields } from "./event-hash";
import { sealRoot, type ChainHead } from "./seal-root";

/**
 * What the check found first in a chain:
 * - edited: an event's fields no longer hash to its stored hash;
 * - deleted: an event is missing (a gap in the chain's positions, or a sealed head that is gone);
 * - reordered: events were moved (a hash that matches only at another position, or a link to a later event);
 * - seal_mismatch: a seal's heads no longer give its root;
 * - unsealed_tail: events older than the sealing interval that no seal covers (the worker is not sealing).
 */
export type LogBreakKind = "edited" | "deleted" | "reordered" | "seal_mismatch" | "unsealed_tail";

export type LogBreak = { kind: LogBreakKind; chain: number; chainSeq: string; seq: string | null; occurredAt: string | null };

export type LogCheck = {
  checkedEvents: number;
  chains: number;
  /** The earliest break in the log's global order, or null when every link holds. */
  firstBreak: LogBreak | null;
  /** The first break of each broken chain. */
  breaks: LogBreak[];
  lastSeal: { sealedAt: string; eventCount: string; batchNumber: string | null; anchored: boolean } | null;
  /** Events after the last seal (normal while younger than the sealing interval). */
  unsealedEvents: number;
};

type Row = HashedEventFields & { hash: string };

const PAGE = 5_000;

/**
 * Re-walks every chain from its genesis, recomputing each hash and link, and compares the chain heads with the seals.
 * Reads in keyset pages (no whole-table load). Pure reading: the result says where the first broken link is.
 */
export async function checkAccessLog(opts: { unsealedGraceMinutes: number; now?: Date }): Promise<LogCheck> {
  const now = opts.now ?? new Date();
  const seals = await db().auditSeal.findMany({
    select: { sealedAt: true, heads: true, root: true, eventCount: true, batch: { select: { batchNumber: true, status: true } } },
    orderBy: { sealedAt: "asc" },
  });
  const sealedHeads = new Map<number, ChainHead>();
  const breaks: LogBreak[] = [];
  const broken = new Set<number>();
  const report = (b: LogBreak) => {
    if (broken.has(b.chain)) return;
    broken.add(b.chain);
    breaks.push(b);
  };
  for (const seal of seals) {
    const heads = seal.heads as ChainHead[];
    if (sealRoot(heads) !== seal.root) report({ kind: "seal_mismatch", chain: heads[0]?.chain ?? 0, chainSeq: heads[0]?.chainSeq ?? "0", seq: null, occurredAt: seal.sealedAt.toISOString() });
    for (const head of heads) {
      const known = sealedHeads.get(head.chain);
      if (!known || BigInt(known.chainSeq) <= BigInt(head.chainSeq)) sealedHeads.set(head.chain, head);
    }
  }

  let checked = 0;
  let unsealed = 0;
  const chains = (await db().$queryRaw<{ chain: number }[]>`SELECT DISTINCT chain FROM "AccessEvent" ORDER BY chain`).map((r) => r.chain);
  for (const chain of chains) {
    let expected = 1n;
    let prev = GENESIS_HASH;
    let window: Row[] = [];
    let cursor = 0n;
    const head = sealedHeads.get(chain);
    let sawSealedHead = head === undefined;
    for (;;) {
      const page = (await db().accessEvent.findMany({
        where: { chain, chainSeq: { gt: cursor } },
        orderBy: { chainSeq: "asc" },
        take: PAGE,
      })) as Row[];
      if (page.length === 0) break;
      cursor = page.at(-1)!.chainSeq;
      // A small look-around window, to tell a reorder (a hash valid at a neighbour's position) from an edit.
      window = [...window.slice(-4), ...page];
      for (const [i, e] of page.entries()) {
        checked += 1;
        const at = { chain, chainSeq: e.chainSeq.toString(), seq: e.seq.toString(), occurredAt: e.occurredAt.toISOString() };
        if (!broken.has(chain)) {
          if (e.chainSeq !== expected) report({ ...at, kind: "deleted", chainSeq: expected.toString() });
          else if (hashAccessEvent(e) !== e.hash) report({ ...at, kind: movedFrom(e, window) ? "reordered" : "edited" });
          else if (e.prevHash !== prev) report({ ...at, kind: page.slice(i + 1).some((later) => later.hash === e.prevHash) ? "reordered" : "deleted" });
        }
        expected = e.chainSeq + 1n;
        prev = e.hash;
        if (head && e.chainSeq === BigInt(head.chainSeq)) {
          sawSealedHead = true;
          if (e.hash !== head.hash && !broken.has(chain)) report({ ...at, kind: "edited" });
        }
        if (!head || e.chainSeq > BigInt(head.chainSeq)) {
          unsealed += 1;
          if (!broken.has(chain) && e.occurredAt.getTime() < now.getTime() - opts.unsealedGraceMinutes * 60_000) report({ ...at, kind: "unsealed_tail" });
        }
      }
      if (page.length < PAGE) break;
    }
    // The sealed head is gone: events at the end of a sealed chain were deleted.
    if (!sawSealedHead && head && !broken.has(chain)) report({ kind: "deleted", chain, chainSeq: head.chainSeq, seq: null, occurredAt: null });
  }
  for (const [chain, head] of sealedHeads) {
    if (!chains.includes(chain) && !broken.has(chain)) report({ kind: "deleted", chain, chainSeq: head.chainSeq, seq: null, occurredAt: null });
  }

  const order = (b: LogBreak) => (b.seq === null ? Number.MAX_SAFE_INTEGER : Number(b.seq));
  breaks.sort((a, b) => order(a) - order(b));
  const last = seals.at(-1);
  return {
    checkedEvents: checked,
    chains: chains.length,
    firstBreak: breaks[0] ?? null,
    breaks,
    lastSeal: last
      ? { sealedAt: last.sealedAt.toISOString(), eventCount: last.eventCount.toString(), batchNumber: last.batch?.batchNumber.toString() ?? null, anchored: last.batch?.status === "CONFIRMED" }
      : null,
    unsealedEvents: unsealed,
  };
}

/** Whether the event hashes correctly with the position (seq, chainSeq) of a neighbour: it was moved. */
function movedFrom(e: Row, window: readonly Row[]): boolean {
  return window.some(
    (other) =>
      other !== e &&
      [{ seq: other.seq }, { chainSeq: other.chainSeq }, { seq: other.seq, chainSeq: other.chainSeq }].some((position) => hashAccessEvent({ ...e, ...position }) === e.hash),
  );
}
