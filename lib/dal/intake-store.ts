import "server-only";
// The store step of intake (lib/fhir/ingest.ts plans, this writes): what earlier uploads from the same patient and
// source hold, and one transaction that writes the upload row, the new directory rows, every new record through the
// one record-creation path (createRecords), the idempotency keys and the `records.uploaded` event — all or nothing.
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { appendAccessEventIn, type AccessEventInput, type AuditContext } from "@/lib/audit";
import { createRecords } from "@/lib/jobs/create-records";
import { bytesSha256, lookupKeys, type DirectoryRow, type IntakeContext, type IntakePlan, type PatientIdentity, type ReadUpload } from "@/lib/fhir/ingest";
import type { RecordSource } from "@/lib/records/sources";

export type IntakeSource = { source: Extract<RecordSource, "PATIENT_UPLOAD" | "HOSPITAL_SYSTEM">; sourceKey: string; serviceCredentialId: string | null };

/** Earlier entries of this patient and source, and directory rows, that the upload may name. */
export async function loadIntakeContext(patientId: string, sourceKey: string, upload: ReadUpload): Promise<IntakeContext> {
  const keys = lookupKeys(upload);
  const earlier = keys.entryKeys.length || keys.resourceRefs.length
    ? await db().intakeEntry.findMany({
        where: { patientId, sourceKey, OR: [{ entryKey: { in: keys.entryKeys } }, { resourceRef: { in: keys.resourceRefs } }] },
        select: { entryKey: true, resourceRef: true, recordId: true, contentHash: true, resourceType: true },
      })
    : [];
  const directory = keys.directoryKeys.length || keys.identifiers.length
    ? await db().directoryResource.findMany({
        where: { OR: [{ key: { in: keys.directoryKeys } }, { identifiers: { hasSome: keys.identifiers } }] },
        select: { id: true, resourceType: true, key: true, identifiers: true, display: true, resource: true },
      })
    : [];
  return { earlier, directory: directory.map((d) => ({ ...d, resource: d.resource as DirectoryRow["resource"] })) };
}

/** A record corrected since (say, on the patient's correction page) is corrected again at its newest version. */
async function currentVersion(tx: Prisma.TransactionClient, recordId: string): Promise<string> {
  let head = recordId;
  for (let i = 0; i < 100; i++) {
    const next = await tx.medicalRecord.findUnique({ where: { supersedesId: head }, select: { id: true } });
    if (!next) return head;
    head = next.id;
  }
  return head;
}

// The new keys of an upload in one statement (Prisma's createMany costs more than the records' own INSERT). A key
// another upload stored meanwhile is left alone and counted as missing: the caller plans again.
const INSERT_KEYS_SQL = `INSERT INTO "IntakeEntry" (id, "patientId", "sourceKey", "entryKey", "resourceRef", "resourceType", "contentHash", "recordId")
  SELECT gen_random_uuid(), $1::uuid, $2::text, k."entryKey", k."resourceRef", k."resourceType", k."contentHash", k."recordId"
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[]) AS k("entryKey", "resourceRef", "resourceType", "contentHash", "recordId")
  ON CONFLICT ("patientId", "sourceKey", "entryKey") DO NOTHING`;

export type StoredIntake = { uploadId: string | null; recordIds: string[] };

/**
 * Writes a plan. A plan with nothing new (the same file again) writes no upload row and no record: only the
 * `records.upload_repeated` event that says it was received.
 */
export async function storeIntake(
  input: { who: PatientIdentity; plan: IntakePlan; bytes: Uint8Array; from: IntakeSource; fileName: string | null; contentType: string },
  actor: AccessEventInput["actor"],
  context: AuditContext,
): Promise<StoredIntake> {
  const { who, plan, from } = input;
  const counts = Object.fromEntries((["created", "unchanged", "corrected", "directory", "skipped", "refused"] as const).map((k) => [k, plan.outcomes.filter((o) => o.outcome === k).length]));
  // What was received, anchored with the upload (the audit log is hash-chained and anchored): the file's sha256, its
  // size and the sha256 of its name — the name itself is the patient's words and stays on the upload row only.
  const received = { fileSha256: bytesSha256(input.bytes), byteSize: input.bytes.byteLength, ...(input.fileName ? { fileNameSha256: bytesSha256(input.fileName) } : {}) };
  const purpose = from.source === "PATIENT_UPLOAD" ? "SELF_ACCESS" : "OPERATIONS";
  const credential = from.serviceCredentialId ? { serviceCredentialId: from.serviceCredentialId } : {};
  return db().$transaction(
    async (tx) => {
      if (plan.directory.length) {
        await tx.directoryResource.createMany({
          data: plan.directory.map((d) => ({ id: d.id, resourceType: d.resourceType, key: d.key, identifiers: d.identifiers, display: d.display, resource: d.resource as Prisma.InputJsonValue })),
          skipDuplicates: true,
        });
        const rows = await tx.directoryResource.findMany({ where: { id: { in: plan.directory.map((d) => d.id) } }, select: { id: true } });
        // Another upload stored the same directory entry meanwhile: the records here would name an id that lost.
        if (rows.length !== plan.directory.length) throw new IntakeConflictError();
      }
      if (plan.records.length === 0) {
        await appendAccessEventIn(tx, { actor, action: "records.upload_repeated", outcome: "ALLOWED", purpose, patientId: who.id, details: { ...received, ...counts, ...credential } }, context);
        return { uploadId: null, recordIds: [] };
      }
      const upload = await tx.recordUpload.create({
        data: {
          patientId: who.id,
          source: from.source,
          fileName: input.fileName,
          contentType: input.contentType,
          byteSize: input.bytes.byteLength,
          sha256: received.fileSha256,
          recordCount: plan.records.length,
          summary: plan.summary as unknown as Prisma.InputJsonValue,
          serviceCredentialId: from.serviceCredentialId,
        },
        select: { id: true },
      });
      const now = new Date();
      const supersedes = new Map<string, string>();
      for (const r of plan.records) {
        if (!r.supersedesId) continue;
        const head = await currentVersion(tx, r.supersedesId);
        const claimed = await tx.medicalRecord.updateMany({ where: { id: head, supersededAt: null }, data: { supersededAt: now } });
        if (claimed.count !== 1) throw new IntakeConflictError();
        supersedes.set(r.id!, head);
      }
      const recordIds = await createRecords(
        plan.records.map((r) => ({ id: r.id, patientId: who.id, resourceType: r.resourceType, resource: r.resource, recordedAt: r.recordedAt, source: from.source, supersedesId: supersedes.get(r.id!) ?? null })),
        actor,
        context,
        { tx, uploadId: upload.id },
      );
      // One statement for the new keys (a re-send racing this one finds a key taken here and plans again);
      // corrections move their existing key to the new version.
      const keyOf = (r: (typeof plan.records)[number]) => ({
        resourceRef: typeof r.resource.id === "string" ? `${r.resourceType}/${r.resource.id}` : null,
        contentHash: r.contentHash!,
        recordId: r.id!,
      });
      const fresh = plan.records.filter((r) => !r.supersedesId);
      if (fresh.length) {
        const keys = fresh.map((r) => ({ entryKey: r.entryKey!, resourceType: r.resourceType, ...keyOf(r) }));
        const inserted = await tx.$executeRawUnsafe(
          INSERT_KEYS_SQL,
          who.id,
          from.sourceKey,
          keys.map((k) => k.entryKey),
          keys.map((k) => k.resourceRef),
          keys.map((k) => k.resourceType),
          keys.map((k) => k.contentHash),
          keys.map((k) => k.recordId),
        );
        if (inserted !== keys.length) throw new IntakeConflictError();
      }
      for (const r of plan.records.filter((x) => x.supersedesId)) {
        await tx.intakeEntry.update({ where: { patientId_sourceKey_entryKey: { patientId: who.id, sourceKey: from.sourceKey, entryKey: r.entryKey! } }, data: keyOf(r) });
      }
      await appendAccessEventIn(
        tx,
        { actor, action: "records.uploaded", outcome: "ALLOWED", purpose, patientId: who.id, details: { uploadId: upload.id, recordCount: recordIds.length, ...received, ...counts, ...credential } },
        context,
      );
      return { uploadId: upload.id, recordIds };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}

/** Two uploads raced for the same entry or directory row; the caller plans again with what is now stored. */
export class IntakeConflictError extends Error {
  override name = "IntakeConflictError";
}

export function isIntakeConflict(error: unknown): boolean {
  return error instanceof IntakeConflictError || (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002");
}
