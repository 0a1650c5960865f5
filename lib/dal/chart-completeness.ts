import "server-only";
import { pgPool } from "@/lib/db";
import { raiseAlert } from "@/lib/jobs/alerts";

/** A record the hash-chained log says was created for this patient whose current row is not there to show. */
export type MissingRecord = {
  recordId: string;
  resourceType: string;
  /** `deleted`: no row for this patient; `hidden`: the row is marked superseded but no created record supersedes it. */
  how: "deleted" | "hidden";
  /** Known only while the row exists (a hidden record): consent periods are judged on it. */
  recordedAt: Date | null;
};

// Every `record.created` event of the patient (one partial index: migration 20261208010000) whose record is current —
// no other creation event of the patient names it as superseded — and whose row is not current for this patient: gone,
// moved to another patient, or marked superseded with no successor. A legitimately corrected record is named by its
// successor's creation event, so it is not counted; an erased record keeps its row (tombstone), so it is present.
const MISSING_SQL = `
  SELECT e.details ->> 'recordId' AS id, e.details ->> 'resourceType' AS type, r."recordedAt", r.id IS NULL AS deleted
  FROM "AccessEvent" e
  LEFT JOIN "MedicalRecord" r ON r.id = (e.details ->> 'recordId')::uuid AND r."patientId" = $1::uuid
  WHERE e.action = 'record.created' AND e."patientId" = $1::uuid
    AND (r.id IS NULL OR r."supersededAt" IS NOT NULL)
    AND NOT EXISTS (
      SELECT 1 FROM "AccessEvent" s
      WHERE s.action = 'record.created' AND s."patientId" = $1::uuid AND s.details ->> 'supersedes' = e.details ->> 'recordId'
    )`;

/**
 * The patient's records the creation events account for but the database no longer shows (issue #17 part 5): the
 * chart says "N anchored ‹type› records are missing" where they belong instead of "none". One statement, a few ms.
 */
export async function findMissingRecords(patientId: string): Promise<MissingRecord[]> {
  // A named statement on the shared pool, as the access log's append: planned once per connection, not per view.
  const { rows } = await pgPool().query<{ id: string; type: string | null; recordedAt: Date | null; deleted: boolean }>({
    name: "chartproof_missing_records",
    text: MISSING_SQL,
    values: [patientId],
  });
  return rows.map((r) => ({ recordId: r.id, resourceType: r.type ?? "unknown", how: r.deleted ? "deleted" : "hidden", recordedAt: r.recordedAt }));
}

/**
 * The critical alert for each missing record, in the request that found it; raiseAlert keeps one open alert per
 * record, so every later view of the same chart adds nothing.
 */
export async function alertMissingRecords(patientId: string, missing: readonly MissingRecord[]): Promise<void> {
  for (const m of missing) {
    await raiseAlert({
      kind: "integrity.record_missing",
      severity: "CRITICAL",
      details: { recordId: m.recordId, patientId, resourceType: m.resourceType, how: m.how, foundBy: "chart" },
      dedupeKey: m.recordId,
    });
  }
}
