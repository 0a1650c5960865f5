import { db } from "@/lib/db";
import { hashAccessEvent } from "@/lib/audit";

type Row = {
  id: string;
  commitment: string;
  creationEventSeq: bigint | null;
  status?: "PENDING" | "ANCHORED";
  /** Recipe v1 does not bind source and supersession: for such rows the creation event must name them. */
  recipeVersion?: number;
  source?: string;
  supersedesId?: string | null;
};

/**
 * Why a row cannot be trusted against its creation (docs/decisions/016-database-refuses-to-rewrite-history.md):
 *  - `creation_event_mismatch`: its commitment does not match the EARLIEST `record.created` event naming its id (or
 *    that event is missing, altered, or not the one the row points to); for a recipe v1 row, also its source or the
 *    record it supersedes, which v1 commitments do not bind;
 *  - `second_creation_event`: more than one `record.created` event names its id (the database refuses a second one,
 *    so only an owner past the triggers could have written it);
 *  - `already_anchored`: it is PENDING although a leaf for its id was anchored before (a reset row).
 */
export type CreationContradiction = "creation_event_mismatch" | "second_creation_event" | "already_anchored";

/**
 * Checks rows against their earliest creation event and the anchored-leaf registry. Three queries for all rows:
 * the creation events by record id (through the unique index on it), the events' bodies, and the leaves.
 * A row anchored before creation events existed (no event, no creationEventSeq) is left to the chain alone.
 */
export async function creationContradictions(rows: readonly Row[]): Promise<Map<string, CreationContradiction[]>> {
  const found = new Map<string, CreationContradiction[]>();
  if (rows.length === 0) return found;
  const flag = (id: string, reason: CreationContradiction) => found.set(id, [...(found.get(id) ?? []), reason]);

  const ids = rows.map((r) => r.id);
  const creations = await db().$queryRaw<{ seq: bigint; recordId: string }[]>`
    SELECT seq, details ->> 'recordId' AS "recordId" FROM "AccessEvent"
    WHERE action = 'record.created' AND (details ->> 'recordId') = ANY(${ids}::text[])
    ORDER BY seq`;
  const seqsById = new Map<string, bigint[]>();
  for (const c of creations) seqsById.set(c.recordId, [...(seqsById.get(c.recordId) ?? []), c.seq]);

  const wanted = new Set<bigint>();
  for (const row of rows) {
    const earliest = seqsById.get(row.id)?.[0];
    if (earliest !== undefined) wanted.add(earliest);
    if (row.creationEventSeq !== null) wanted.add(row.creationEventSeq);
  }
  const events = wanted.size ? await db().accessEvent.findMany({ where: { seq: { in: [...wanted] } } }) : [];
  const bySeq = new Map(events.map((e) => [e.seq, e]));

  const pendingIds = rows.filter((r) => r.status !== "ANCHORED").map((r) => r.id);
  const anchored = pendingIds.length
    ? new Set((await db().anchoredLeaf.findMany({ where: { recordId: { in: pendingIds } }, select: { recordId: true } })).map((l) => l.recordId))
    : new Set<string>();

  for (const row of rows) {
    const seqs = seqsById.get(row.id) ?? [];
    if (row.status !== "ANCHORED" && anchored.has(row.id)) flag(row.id, "already_anchored");
    if (seqs.length > 1) flag(row.id, "second_creation_event");
    // Anchored before creation events existed: the chain alone witnesses a v2 row; a v1 row's source cannot be checked.
    if (seqs.length === 0 && row.creationEventSeq === null && row.status === "ANCHORED" && row.recipeVersion !== 1) continue;
    const earliestSeq = seqs[0] ?? row.creationEventSeq;
    const event = earliestSeq === undefined || earliestSeq === null ? undefined : bySeq.get(earliestSeq);
    const details = event?.details as { recordId?: unknown; commitment?: unknown; source?: unknown; supersedes?: unknown } | undefined;
    const unbound = row.recipeVersion !== 1 || (details !== undefined && details.source === row.source && (details.supersedes ?? null) === (row.supersedesId ?? null));
    const intact =
      event !== undefined &&
      (row.creationEventSeq === null || row.creationEventSeq === event.seq) &&
      event.action === "record.created" &&
      details?.recordId === row.id &&
      details.commitment === row.commitment &&
      unbound &&
      hashAccessEvent(event) === event.hash;
    if (!intact) flag(row.id, "creation_event_mismatch");
  }
  return found;
}

/**
 * Ids of the rows that contradict their creation (any reason above). Checked for every row that is not already
 * `tampered` or `unavailable`: a pending row edited and reset is `tampered` at once, not merely pending, and an
 * anchored row whose commitment is not the one its id was created with is `tampered` whatever the chain says.
 */
export async function rowsContradictingCreation(rows: readonly Row[]): Promise<Set<string>> {
  return new Set((await creationContradictions(rows)).keys());
}
