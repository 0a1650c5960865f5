import { db } from "@/lib/db";
import { appendAccessEventsIn, type AccessEventInput, type AuditContext, type AuditTx } from "@/lib/audit";
import { prepareRecord, type NewRecordInput, type PreparedRecord } from "@/lib/integrity";

// The records of a batch in one statement per RECORDS_PER_STATEMENT rows, each column an array. The canonical bytes
// travel once, as UTF-8 text: `canonical` is exactly those bytes (convert_to) and `resource`, the JSONB query copy,
// is parsed from them by PostgreSQL, so the two are equal by construction (resourceCopyIntact). Created PENDING,
// through the same insert triggers as a single row.
const INSERT_RECORDS_SQL = `INSERT INTO "MedicalRecord" (id, "patientId", "resourceType", resource, canonical, "recipeVersion", "identityVersion",
  "recordedAt", source, commitment, salt, status, "creationEventSeq", "supersedesId", "uploadId")
  SELECT id, "patientId", "resourceType", content::jsonb, convert_to(content, 'UTF8'), "recipeVersion", "identityVersion",
    "recordedAt"::timestamptz, source, commitment, salt, 'PENDING', "creationEventSeq", "supersedesId", $13::uuid
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[],
    $11::bigint[], $12::uuid[])
    AS r(id, "patientId", "resourceType", content, "recipeVersion", "identityVersion", "recordedAt", source, commitment, salt,
      "creationEventSeq", "supersedesId")`;

const RECORDS_PER_STATEMENT = 1_000;

/**
 * The one way records enter the index: each gets its id, salt, canonical bytes and commitment (recipe v2) now, and a
 * `record.created` event carrying that commitment in the hash-chained log, in the same transaction. The anchoring worker later
 * anchors only commitments that still match their creation event, so a row edited and reset to PENDING is refused.
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
    // All creation events in one go (one chain locked once, hashes chained in memory, multi-row INSERTs), then all
    // records in one multi-row INSERT: a bundle costs a few round trips, not two per record. Each record still has
    // exactly one creation event (the unique index on record.created refuses a second), and the same triggers check
    // every row as they would one by one.
    const seqs = await appendAccessEventsIn(
      tx,
      prepared.map((record) => ({
        actor,
        action: "record.created",
        outcome: "ALLOWED" as const,
        patientId: record.patientId,
        purpose: "OPERATIONS" as const,
        details: {
          recordId: record.id,
          commitment: record.commitment,
          resourceType: record.resourceType,
          source: record.source,
          ...(opts.uploadId ? { uploadId: opts.uploadId } : {}),
          ...(record.supersedesId ? { supersedes: record.supersedesId } : {}),
        },
      })),
      context,
    );
    for (let from = 0; from < prepared.length; from += RECORDS_PER_STATEMENT) {
      const slice = prepared.slice(from, from + RECORDS_PER_STATEMENT);
      const column = <T>(pick: (r: PreparedRecord, i: number) => T) => slice.map((r, i) => pick(r, from + i));
      await tx.$executeRawUnsafe(
        INSERT_RECORDS_SQL,
        column((r) => r.id),
        column((r) => r.patientId),
        column((r) => r.resourceType),
        column((r) => r.canonical.toString("utf8")),
        column((r) => r.recipeVersion),
        column((r) => r.identityVersion),
        column((r) => r.recordedAt.toISOString()),
        column((r) => r.source),
        column((r) => r.commitment),
        column((r) => r.salt),
        column((_, i) => seqs[i]!.toString()),
        column((r) => r.supersedesId),
        opts.uploadId ?? null,
      );
    }
  };
  if (opts.tx) await write(opts.tx);
  else await db().$transaction(write, { timeout: 120_000 });
  return prepared.map((r) => r.id);
}
