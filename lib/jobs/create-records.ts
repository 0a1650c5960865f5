import { db } from "@/lib/db";
import { appendAccessEventIn, type AccessEventInput, type AuditContext, type AuditTx } from "@/lib/audit";
import { prepareRecord, type NewRecordInput, type PreparedRecord } from "@/lib/integrity";

/**
 * The one way records enter the index: each gets its id, salt, canonical bytes and commitment (recipe v2) now, and a
 * `record.created` event carrying that commitment in the hash-chained log, in the same transaction. The anchoring worker later anchors
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
  let prepared: PreparedRecord[] = [];
  const write = async (tx: AuditTx) => {
    // Each record binds the identity version its patient has now (recipe v2), read in the writing transaction.
    const patientIds = [...new Set(inputs.map((i) => i.patientId))];
    const identities = await tx.patient.findMany({ where: { id: { in: patientIds } }, select: { id: true, identityVersion: true } });
    const versionOf = new Map(identities.map((p) => [p.id, p.identityVersion]));
    prepared = inputs.map((input) => {
      const identityVersion = versionOf.get(input.patientId);
      if (identityVersion === undefined) throw new Error("a record for a patient who does not exist");
      return prepareRecord({ ...input, identityVersion });
    });
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
        // The JSONB query copy is parsed from the very bytes, so PostgreSQL finds the two equal (resourceCopyIntact).
        data: { ...record, resource: JSON.parse(record.canonical.toString("utf8")) as object, status: "PENDING", creationEventSeq: seq, uploadId: opts.uploadId ?? null },
        select: { id: true },
      });
    }
  };
  if (opts.tx) await write(opts.tx);
  else await db().$transaction(write, { timeout: 120_000 });
  return prepared.map((r) => r.id);
}
