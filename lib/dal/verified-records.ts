import "server-only";
import { db } from "@/lib/db";
import { verifyRecord } from "@/lib/integrity";
import { summarizeResource } from "@/lib/fhir/summarize";
import type { RecordDto, VerificationCounts } from "@/lib/dto";
import { chainRootsFor } from "./chain-roots";

const recordSelect = {
  id: true,
  patientId: true,
  resourceType: true,
  resource: true,
  recordedAt: true,
  source: true,
  commitment: true,
  salt: true,
  proof: true,
  status: true,
  batch: {
    select: { chainId: true, contractAddress: true, batchNumber: true, root: true, txHash: true, blockNumber: true, anchoredAt: true },
  },
} as const;

/**
 * Loads a patient's records (optionally narrowed by `keep`) and verifies each against the chain: one batched
 * root read per call. Callers have already decided access and must log the view before returning the result.
 */
export async function loadVerifiedRecords(
  patientId: string,
  keep: (record: { resourceType: string; recordedAt: Date }) => boolean = () => true,
): Promise<RecordDto[]> {
  const rows = (
    await db().medicalRecord.findMany({
      where: { patientId },
      select: recordSelect,
      orderBy: [{ recordedAt: "desc" }, { id: "asc" }],
    })
  ).filter(keep);

  const rootOf = await chainRootsFor(rows.flatMap((row) => (row.batch ? [row.batch] : [])));

  return rows.map((row) => {
    const verification = verifyRecord(
      { ...row, recordId: row.id, indexedRoot: row.batch?.root ?? null },
      row.batch ? rootOf(row.batch) : undefined,
    );
    return {
      id: row.id,
      resourceType: row.resourceType,
      recordedAt: row.recordedAt.toISOString(),
      source: row.source,
      verification,
      summary: verification === "tampered" ? null : summarizeResource(row.resource),
      anchor:
        row.batch && verification === "verified"
          ? {
              batchNumber: row.batch.batchNumber.toString(),
              txHash: row.batch.txHash,
              blockNumber: row.batch.blockNumber.toString(),
              anchoredAt: row.batch.anchoredAt.toISOString(),
            }
          : null,
    };
  });
}

export function countByVerification(records: readonly RecordDto[]): VerificationCounts {
  const counts: VerificationCounts = { verified: 0, tampered: 0, pending: 0, unavailable: 0 };
  for (const record of records) counts[record.verification] += 1;
  return counts;
}
