import { db } from "@/lib/db";
import { appendAccessEventIn, type AccessEventInput, type AuditContext, type AuditTx } from "@/lib/audit";
import { prepareRecord, type NewRecordInput } from "@/lib/integrity";

/**
 * The one way records enter the index: each gets its id, salt and commitment now, and a `record.created` event
 * carrying that commitment in the hash-chained log, in the same transaction. The anchoring worker later anchors
 * only commitments that still match their creation event, so a row edited and reset to PENDING is refused.
 *
 * With `tx`, the records join the caller's transaction (an upload stores its records and its upload row together,
 * or nothing); with `uploadId`, each record names the upload that brought it in.
 */
export async function createRecords(
  inputs: readonly NewRecordInput[],
  actor: AccessEventInput["actor"],
  context: AuditContext,
  opts: { tx?: AuditTx; uploadId?: string } = {},
): Promise<string[]> {
  const prepared = inputs.map(prepareRecord);
  const write = async (tx: AuditTx) => {
    for (const record of prepared) {
      const seq = await appendAccessEventIn(
        tx,
        {
          actor,
          action: "record.created",
          outcome: "ALLOWED",
          patientId: record.patientId,
          purpose: "OPERATIONS",
          details: {
            recordId: record.id,
            commitment: record.commitment,
            resourceType: record.resourceType,
            source: record.source,
            ...(opts.uploadId ? { uploadId: opts.uploadId } : {}),
            ...(record.supersedesId ? { supersedes: record.supersedesId } : {}),
          },
        },
        context,
      );
      await tx.medicalRecord.create({
        data: { ...record, resource: record.resource as object, status: "PENDING", creationEventSeq: seq, uploadId: opts.uploadId ?? null },
        select: { id: true },
      });
    }
  };
  if (opts.tx) await write(opts.tx);
  else await db().$transaction(write, { timeout: 120_000 });
  return prepared.map((r) => r.id);
}
