import { db } from "@/lib/db";
import { hashAccessEvent } from "@/lib/audit";

type Row = { id: string; commitment: string; creationEventSeq: bigint | null };

/**
 * Ids of the rows whose commitment no longer matches the `record.created` event that fixed it (or whose event is
 * missing or altered). Checked for records not yet proven on chain: a row edited and reset to PENDING is thus
 * `tampered` at once, not merely pending. One query for all rows.
 */
export async function rowsContradictingCreation(rows: readonly Row[]): Promise<Set<string>> {
  const seqs = rows.flatMap((r) => (r.creationEventSeq === null ? [] : [r.creationEventSeq]));
  const events = seqs.length ? await db().accessEvent.findMany({ where: { seq: { in: seqs } } }) : [];
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const bad = new Set<string>();
  for (const row of rows) {
    const event = row.creationEventSeq === null ? undefined : bySeq.get(row.creationEventSeq);
    const details = event?.details as { recordId?: unknown; commitment?: unknown } | undefined;
    const intact =
      event !== undefined &&
      event.action === "record.created" &&
      details?.recordId === row.id &&
      details.commitment === row.commitment &&
      hashAccessEvent(event) === event.hash;
    if (!intact) bad.add(row.id);
  }
  return bad;
}
