import "server-only";
import { db } from "@/lib/db";
import { summarizeResource } from "@/lib/fhir/summarize";
import type { RecordDto, VerificationCounts } from "@/lib/dto";
import { resourceOf, verifiableRecordSelect, verifyRecords } from "@/lib/verification";

/**
 * Loads a patient's records (optionally narrowed by `keep`) and verifies each against the chains. Callers have
 * already decided access and must log the view before returning the result. What is summarized is the stored
 * canonical bytes that were just hashed, parsed once — never the JSONB query copy.
 */
export async function loadVerifiedRecords(
  patientId: string,
  keep: (record: { resourceType: string; recordedAt: Date }) => boolean = () => true,
): Promise<RecordDto[]> {
  return (await loadVerifiedRecordsWithContent(patientId, keep)).map((r) => r.record);
}

/**
 * The same, with each record's content for building the chart's summary: null when tampered (content that
 * contradicts the chain is never read as clinical data).
 */
export async function loadVerifiedRecordsWithContent(
  patientId: string,
  keep: (record: { resourceType: string; recordedAt: Date }) => boolean = () => true,
): Promise<{ record: RecordDto; resource: unknown }[]> {
  const rows = (
    await db().medicalRecord.findMany({
      where: { patientId },
      select: { ...verifiableRecordSelect, supersededAt: true },
      orderBy: [{ recordedAt: "desc" }, { id: "asc" }],
    })
  ).filter(keep);
  const verdicts = await verifyRecords(rows);

  return rows.map((row, i) => {
    const { verification, checkpoint, overdue } = verdicts[i]!;
    const batch = row.batch;
    const proven = verification === "verified" && batch !== null;
    const resource = verification === "tampered" ? null : resourceOf(row);
    const record: RecordDto = {
      id: row.id,
      resourceType: row.resourceType,
      recordedAt: row.recordedAt.toISOString(),
      source: row.source,
      verification,
      checkpoint,
      overdue,
      summary: resource === null ? null : summarizeResource(resource),
      supersedes: row.supersedesId,
      supersededAt: row.supersededAt?.toISOString() ?? null,
      anchor: proven
        ? {
            batchNumber: batch.batchNumber.toString(),
            txHash: batch.txHash,
            blockNumber: batch.blockNumber?.toString() ?? null,
            anchoredAt: batch.anchoredAt?.toISOString() ?? null,
            checkpoint:
              checkpoint === "public" && batch.checkpoint
                ? { number: batch.checkpoint.checkpointNumber.toString(), txHash: batch.checkpoint.txHash, blockNumber: batch.checkpoint.blockNumber?.toString() ?? null }
                : null,
          }
        : null,
    };
    // The summary reads the same parsed canonical bytes the verdict was computed on.
    return { record, resource };
  });
}

export function countByVerification(records: readonly RecordDto[]): VerificationCounts {
  const counts: VerificationCounts = { verified: 0, tampered: 0, pending: 0, unavailable: 0, erased: 0 };
  for (const record of records) counts[record.verification] += 1;
  return counts;
}
