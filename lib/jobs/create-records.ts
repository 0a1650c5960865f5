import { db } from "@/lib/db";
import { appendAccessEventIn, type AccessEventInput, type AuditContext } from "@/lib/audit";
import { prepareRecord, type NewRecordInput } from "@/lib/integrity";

/**
 * The one way records enter the index: each gets its id, salt and commitment now, and a `record.created` event
 * carrying that commitment in the hash-chained log, in the same transaction. The anchoring worker later anchors
 * only commitments that still match their creation event, so a row edited and reset to PENDING is refused.
 */
export async function createRecords(
  inputs: readonly NewRecordInput[],
  actor: AccessEventInput["actor"],
  context: AuditContext,
): Promise<string[]> {
  const prepared = inputs.map(prepareRecord);
  await db().$transaction(
    async (tx) => {
      for (const record of prepared) {
        const seq = await appendAccessEventIn(
          tx,
          {
            actor,
            action: "record.created",
            outcome: "ALLOWED",
            patientId: record.patientId,
            purpose: "OPERATIONS",
            details: { recordId: record.id, commitment: record.commitment, resourceType: record.resourceType, source: record.source },
          },
          context,
        );
        await tx.medicalRecord.create({
          data: { ...record, resource: record.resource as object, status: "PENDING", creationEventSeq: seq },
          select: { id: true },
        });
      }
    },
    { timeout: 120_000 },
  );
  return prepared.map((r) => r.id);
}
