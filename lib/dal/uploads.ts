import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn, type AccessEventInput, type AuditContext } from "@/lib/audit";
import { can } from "@/lib/authz";
import { env } from "@/lib/env";
import { createRecords } from "@/lib/jobs/create-records";
import {
  bindToPatient,
  bytesSha256,
  documentRecord,
  DOCUMENT_TYPES,
  ingestPatientJson,
  IntakeRejectedError,
  MRN_SYSTEM,
  mrnOf,
  parseJsonWithLimits,
  readUpload,
  safeFileName,
  sniffDocumentType,
  type IntakeLimits,
  type IntakeRecord,
  type PatientIdentity,
} from "@/lib/fhir/ingest";
import type { OwnUploadsDto, UploadResultDto } from "@/lib/dto/uploads";
import { AccessDeniedError, type Caller } from "./caller";
import { countByVerification, loadVerifiedRecords } from "./verified-records";
import { authenticateServiceToken, credentialCovers, ServiceAuthError } from "./service-credentials";

export { IntakeRejectedError, ServiceAuthError };

export function intakeLimits(): IntakeLimits {
  const e = env();
  return { maxBytes: e.UPLOAD_MAX_BYTES, maxDepth: e.UPLOAD_MAX_DEPTH, maxEntries: e.UPLOAD_MAX_ENTRIES };
}

/** The request body, stopping as soon as it passes `max` bytes (a hostile client cannot make us hold more). */
async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | "too_large"> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return "too_large";
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export type IncomingFile = {
  body: ReadableStream<Uint8Array> | null;
  /** Content-Length as the client declared it (refused early when over the limit; never trusted otherwise). */
  declaredLength: number | null;
  contentType: string | null;
  fileName: string | null;
};

const JSON_TYPES = new Set(["application/json", "application/fhir+json"]);

function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Reads the file and turns it into records, or throws IntakeRejectedError (nothing has been stored yet). */
async function recordsFromFile(file: IncomingFile, who: PatientIdentity, now: Date, limits: IntakeLimits): Promise<{ bytes: Uint8Array; records: IntakeRecord[]; kind: "json" | "document" }> {
  if (file.declaredLength !== null && file.declaredLength > limits.maxBytes) throw new IntakeRejectedError("too_large");
  const bytes = await readCapped(file.body, limits.maxBytes);
  if (bytes === "too_large") throw new IntakeRejectedError("too_large");
  const type = mediaType(file.contentType);
  if ((DOCUMENT_TYPES as readonly string[]).includes(type) || sniffDocumentType(bytes) !== null) {
    return { bytes, kind: "document", records: [documentRecord(bytes, type, file.fileName, who, now, limits)] };
  }
  if (type !== "" && type !== "application/octet-stream" && !JSON_TYPES.has(type)) {
    throw new IntakeRejectedError("content_type", [
      { entry: null, resourceType: null, field: null, message: `Files of type ${type} are not accepted: FHIR JSON, PDF, JPEG or PNG only.` },
    ]);
  }
  return { bytes, kind: "json", records: ingestPatientJson(bytes, who, now, limits) };
}

async function patientIdentity(patientId: string): Promise<PatientIdentity | null> {
  const patient = await db().patient.findUnique({ where: { id: patientId }, select: { id: true, name: true, birthDate: true, mrn: true } });
  return patient ? { id: patient.id, name: patient.name, mrn: patient.mrn, birthDate: patient.birthDate.toISOString().slice(0, 10) } : null;
}

/**
 * Stores an accepted upload: its RecordUpload row, every record (PENDING, through the one record-creation path) and
 * the `records.uploaded` event, in ONE transaction: all of it or none of it.
 */
async function storeUpload(
  input: {
    who: PatientIdentity;
    records: IntakeRecord[];
    bytes: Uint8Array;
    source: "PATIENT_UPLOAD" | "HOSPITAL_SYSTEM";
    fileName: string | null;
    contentType: string;
    serviceCredentialId: string | null;
  },
  actor: AccessEventInput["actor"],
  context: AuditContext,
): Promise<{ uploadId: string; recordIds: string[] }> {
  return db().$transaction(
    async (tx) => {
      const upload = await tx.recordUpload.create({
        data: {
          patientId: input.who.id,
          source: input.source,
          fileName: input.fileName,
          contentType: input.contentType,
          byteSize: input.bytes.byteLength,
          sha256: bytesSha256(input.bytes),
          recordCount: input.records.length,
          serviceCredentialId: input.serviceCredentialId,
        },
        select: { id: true },
      });
      const recordIds = await createRecords(
        input.records.map((r) => ({ ...r, patientId: input.who.id, source: input.source })),
        actor,
        context,
        { tx, uploadId: upload.id },
      );
      await appendAccessEventIn(
        tx,
        {
          actor,
          action: "records.uploaded",
          outcome: "ALLOWED",
          purpose: input.source === "PATIENT_UPLOAD" ? "SELF_ACCESS" : "OPERATIONS",
          patientId: input.who.id,
          details: {
            uploadId: upload.id,
            recordCount: recordIds.length,
            byteSize: input.bytes.byteLength,
            ...(input.serviceCredentialId ? { serviceCredentialId: input.serviceCredentialId } : {}),
          },
        },
        context,
      );
      return { uploadId: upload.id, recordIds };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}

/** A refused upload is logged with its reason code and how many problems it had: never its content or file name. */
async function logRejection(actor: AccessEventInput["actor"], patientId: string | null, error: IntakeRejectedError, context: AuditContext, extra: Record<string, unknown> = {}) {
  await appendAccessEvent(
    { actor, action: "records.upload_rejected", outcome: "DENIED", purpose: actor === "SYSTEM" ? "OPERATIONS" : "SELF_ACCESS", patientId, details: { reason: error.reason, problems: error.problems.length, ...extra } },
    context,
  );
}

/** The signed-in patient's own identity, which intake binds their records to (corrections go through it too). */
export async function ownPatientIdentity(caller: Caller): Promise<PatientIdentity> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.upload")) throw new AccessDeniedError();
  const who = await patientIdentity(actor.patientId);
  if (!who) throw new AccessDeniedError();
  return who;
}

/**
 * A patient uploads one file of their own history: FHIR R4 JSON (a resource or a Bundle) or a document (PDF, JPEG,
 * PNG). Accepted whole — every record PENDING until the worker anchors it — or refused whole with every problem
 * named (IntakeRejectedError) and nothing stored.
 */
export async function uploadOwnRecords(caller: Caller, file: IncomingFile): Promise<UploadResultDto> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.upload")) throw new AccessDeniedError();
  const who = await patientIdentity(actor.patientId);
  if (!who) throw new AccessDeniedError();
  const now = new Date();
  let read: Awaited<ReturnType<typeof recordsFromFile>>;
  try {
    read = await recordsFromFile(file, who, now, intakeLimits());
  } catch (error) {
    if (error instanceof IntakeRejectedError) await logRejection(actor, who.id, error, caller.context);
    throw error;
  }
  const contentType = read.kind === "document" ? (read.records[0]!.resource.content as { attachment: { contentType: string } }[])[0]!.attachment.contentType : "application/fhir+json";
  const stored = await storeUpload(
    { who, records: read.records, bytes: read.bytes, source: "PATIENT_UPLOAD", fileName: safeFileName(file.fileName), contentType, serviceCredentialId: null },
    actor,
    caller.context,
  );
  return { uploadId: stored.uploadId, recordCount: stored.recordIds.length };
}

/**
 * The patient's uploads, newest first, each with its records verified like any record (pending → verified), logged
 * as SELF_ACCESS.
 */
export async function listOwnUploads(caller: Caller): Promise<OwnUploadsDto> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.upload")) throw new AccessDeniedError();
  const uploads = await db().recordUpload.findMany({
    where: { patientId: actor.patientId },
    select: { id: true, source: true, fileName: true, contentType: true, byteSize: true, recordCount: true, createdAt: true, records: { select: { id: true } } },
    orderBy: { createdAt: "desc" },
    take: 50,
  });
  const wanted = new Set(uploads.flatMap((u) => u.records.map((r) => r.id)));
  const records = wanted.size ? (await loadVerifiedRecords(actor.patientId)).filter((r) => wanted.has(r.id)) : [];
  const byId = new Map(records.map((r) => [r.id, r]));
  await appendAccessEvent(
    { actor, action: "own_uploads.viewed", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { recordIds: records.map((r) => r.id), verification: countByVerification(records) } },
    caller.context,
  );
  return {
    limits: { maxBytes: intakeLimits().maxBytes },
    uploads: uploads.map((u) => ({
      id: u.id,
      source: u.source,
      fileName: u.fileName,
      contentType: u.contentType,
      byteSize: u.byteSize,
      recordCount: u.recordCount,
      createdAt: u.createdAt.toISOString(),
      records: u.records.flatMap((r) => byId.get(r.id) ?? []),
    })),
    counts: countByVerification(records),
  };
}

/** The upload limit, for the page's explanation. */
export function uploadMaxBytes(): number {
  return intakeLimits().maxBytes;
}

/** What became of each Bundle entry, by its index: a stored record, or the Patient that identified the patient. */
export type TransactionResult = { uploadId: string; recordIds: string[]; patientId: string; entries: ({ index: number; recordId: string } | { index: number; patientId: string })[] };

/**
 * A hospital system (EHR, lab) posts a FHIR transaction Bundle with its service credential. The credential is checked
 * here (ServiceAuthError when missing, unknown or revoked: effective on the next request); the Bundle goes through the
 * same intake as a patient's upload; its Patient is named by the hospital MRN identifier, which must exist and match
 * (name and birth date). Stored, anchored and audited like any upload, as SYSTEM with the credential's id.
 */
export async function ingestHospitalBundle(token: string | null, file: IncomingFile, context: AuditContext): Promise<TransactionResult> {
  const credential = await authenticateServiceToken(token, context);
  const limits = intakeLimits();
  const type = mediaType(file.contentType);
  let who: PatientIdentity | null = null;
  try {
    if (!JSON_TYPES.has(type)) {
      throw new IntakeRejectedError("content_type", [{ entry: null, resourceType: null, field: null, message: "Send the Bundle as application/fhir+json (or application/json)." }]);
    }
    if (file.declaredLength !== null && file.declaredLength > limits.maxBytes) throw new IntakeRejectedError("too_large");
    const bytes = await readCapped(file.body, limits.maxBytes);
    if (bytes === "too_large") throw new IntakeRejectedError("too_large");
    const upload = readUpload(parseJsonWithLimits(bytes, limits), limits, { bundleTypes: ["transaction"] });
    const mrn = mrnOf(upload);
    if (!upload.patient || mrn === null) {
      throw new IntakeRejectedError("patient_missing", [
        { entry: upload.patient?.index ?? null, resourceType: "Patient", field: "Patient.identifier", message: `The Bundle must carry the Patient with an identifier of system ${MRN_SYSTEM}.` },
      ]);
    }
    const patient = await db().patient.findUnique({ where: { mrn }, select: { id: true, mrn: true } });
    // A scoped credential answers for a patient outside its scope exactly as for an unknown MRN (and alerts).
    who = patient && (await credentialCovers(credential, patient, context)) ? await patientIdentity(patient.id) : null;
    if (!who) {
      throw new IntakeRejectedError("patient_missing", [{ entry: upload.patient.index, resourceType: "Patient", field: "Patient.identifier", message: "No patient has this MRN." }]);
    }
    const records = bindToPatient(upload, who, new Date());
    const stored = await storeUpload(
      { who, records, bytes, source: "HOSPITAL_SYSTEM", fileName: null, contentType: type, serviceCredentialId: credential.id },
      "SYSTEM",
      context,
    );
    const entries = [...upload.entries.map((e, i) => ({ index: e.index, recordId: stored.recordIds[i]! })), { index: upload.patient.index, patientId: who.id }].sort((a, b) => a.index - b.index);
    return { ...stored, patientId: who.id, entries };
  } catch (error) {
    if (error instanceof IntakeRejectedError) await logRejection("SYSTEM", who?.id ?? null, error, context, { serviceCredentialId: credential.id });
    throw error;
  }
}
