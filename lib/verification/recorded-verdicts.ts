import { pgPool } from "@/lib/db";
import { RECORDED_TAMPERED_KINDS } from "./verify-records";

/**
 * A patient's records NOT verified in this request, counted by the verdict the worker's sweep last recorded for each
 * (the RecordCheck table; issue #20). A page shows these as "checked by the sweep at HH:MM", never with the verified
 * icon. A record with an open tampered alert counts as tampered whatever the sweep recorded; one the sweep has not
 * reached yet counts as unchecked. `checkedAt` is the oldest sweep time among the counted records (null: none swept).
 */
export type RecordedCounts = {
  verified: number;
  tampered: number;
  pending: number;
  unavailable: number;
  /** Lawfully erased (an anchored tombstone stands for the content). */
  erased: number;
  unchecked: number;
  checkedAt: Date | null;
};

/** `except`: the ids this request verifies itself. Current versions only (a corrected record's history is not counted). */
export async function recordedVerdictCounts(patientId: string, except: readonly string[]): Promise<RecordedCounts> {
  const { rows } = await pgPool().query<{ verdict: keyof Omit<RecordedCounts, "checkedAt">; n: number; at: Date | null }>({
    name: "chartproof_recorded_verdict_counts",
    text: `
      WITH flagged AS (
        SELECT coalesce(array_agg(a."details"->>'recordId'), '{}') AS ids FROM "Alert" AS a
        WHERE a."resolvedAt" IS NULL AND a."kind" = ANY($3::text[])
      )
      SELECT CASE WHEN m.id::text = ANY(flagged.ids) THEN 'tampered' ELSE coalesce(c."verification", 'unchecked') END AS verdict,
             count(*)::int AS n, min(c."checkedAt") AS at
      FROM "MedicalRecord" AS m
      CROSS JOIN flagged
      LEFT JOIN "RecordCheck" AS c ON c."recordId" = m.id
      WHERE m."patientId" = $1::uuid AND m."supersededAt" IS NULL AND NOT (m.id = ANY($2::uuid[]))
      GROUP BY 1`,
    values: [patientId, [...except], [...RECORDED_TAMPERED_KINDS]],
  });
  const counts: RecordedCounts = { verified: 0, tampered: 0, pending: 0, unavailable: 0, erased: 0, unchecked: 0, checkedAt: null };
  for (const { verdict, n, at } of rows) {
    if (!(verdict in counts) || verdict === ("checkedAt" as string)) continue;
    counts[verdict] += n;
    if (at !== null && (counts.checkedAt === null || at < counts.checkedAt)) counts.checkedAt = at;
  }
  return counts;
}
