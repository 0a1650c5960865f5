import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { appendAccessEvent, type AccessEventInput, type AuditContext } from "@/lib/audit";
import { can } from "@/lib/authz";
import { env } from "@/lib/env";
import {
  analyseUpload,
  bytesSha256,
  decideIntake,
  documentRecord,
  DOCUMENT_TYPES,
  IntakeRejectedError,
  MRN_SYSTEM,
  mrnOf,
  PATIENT_BUNDLE_TYPES,
  safeFileName,
  sniffDocumentType,
  type AnalysedUpload,
  type EntryOutcome,
  type IntakeLimits,
  type IntakeMode,
  type IntakeProblem,
  type IntakeReason,
  type PatientIdentity,
  type TypeSummary,
} from "@/lib/fhir/ingest";
import { summarize } from "@/lib/fhir/intake/plan";
import type { OwnUploadsDto, UploadResultDto } from "@/lib/dto/uploads";
import { AccessDeniedError, type Caller } from "./caller";
import { countByVerification, loadVerifiedRecords } from "./verified-records";
import { authenticateServiceToken, credentialCovers, ServiceAuthError, type AuthenticatedCredential } from "./service-credentials";
import { isIntakeConflict, loadIntakeContext, storeIntake, type IntakeSource } from "./intake-store";

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

async function readBody(file: IncomingFile, limits: IntakeLimits): Promise<Uint8Array> {
  if (file.declaredLength !== null && file.declaredLength > limits.maxBytes) throw new IntakeRejectedError("too_large");
  const bytes = await readCapped(file.body, limits.maxBytes);
  if (bytes === "too_large") throw new IntakeRejectedError("too_large");
  return bytes;
}

export async function patientIdentity(patientId: string): Promise<PatientIdentity | null> {
  const patient = await db().patient.findUnique({ where: { id: patientId }, select: { id: true, name: true, birthDate: true, mrn: true } });
  return patient ? { id: patient.id, name: patient.name, mrn: patient.mrn, birthDate: patient.birthDate.toISOString().slice(0, 10) } : null;
}

export type IntakeResult = { uploadId: string | null; recordIds: string[]; outcomes: EntryOutcome[]; summary: TypeSummary[] };

/**
 * Plans against what this patient and source already hold, and stores. Two uploads racing for the same entries: the
 * loser plans again and finds the winner's records (a re-send is then a no-op, not a failure).
 */
export async function planAndStore(
  analysed: AnalysedUpload,
  who: PatientIdentity,
  from: IntakeSource,
  file: { bytes: Uint8Array; fileName: string | null; contentType: string },
  actor: AccessEventInput["actor"],
  context: AuditContext,
  mode: IntakeMode = "whole",
): Promise<IntakeResult> {
  for (let attempt = 1; ; attempt++) {
    const ctx = await loadIntakeContext(who.id, from.sourceKey, analysed.upload);
    const { plan } = decideIntake(analysed, who, ctx, new Date(), undefined, mode);
    try {
      const stored = await storeIntake({ who, plan, from, ...file }, actor, context);
      return { ...stored, outcomes: plan.outcomes, summary: plan.summary };
    } catch (error) {
      if (attempt >= 3 || !isIntakeConflict(error)) throw error;
    }
  }
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
 * PNG). Every entry is stored (records PENDING until the worker anchors them, directory entries in the shared
 * directory), skipped with its reason, or — if any entry has a problem — nothing is stored and every problem is named
 * (IntakeRejectedError). Sending the same file again stores nothing and answers with the records already stored.
 */
export async function uploadOwnRecords(caller: Caller, file: IncomingFile): Promise<UploadResultDto> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.upload")) throw new AccessDeniedError();
  const who = await patientIdentity(actor.patientId);
  if (!who) throw new AccessDeniedError();
  const limits = intakeLimits();
  const from: IntakeSource = { source: "PATIENT_UPLOAD", sourceKey: "patient", serviceCredentialId: null };
  const fileName = safeFileName(file.fileName);
  try {
    const bytes = await readBody(file, limits);
    const type = mediaType(file.contentType);
    if ((DOCUMENT_TYPES as readonly string[]).includes(type) || sniffDocumentType(bytes) !== null) {
      const record = documentRecord(bytes, type, file.fileName, who, new Date(), limits);
      const contentType = (record.resource.content as { attachment: { contentType: string } }[])[0]!.attachment.contentType;
      // A document is keyed by its bytes: the same file again is the record already stored.
      const contentHash = bytesSha256(bytes);
      const entryKey = `hash:${contentHash}`;
      const earlier = await db().intakeEntry.findUnique({ where: { patientId_sourceKey_entryKey: { patientId: who.id, sourceKey: from.sourceKey, entryKey } }, select: { recordId: true } });
      const id = earlier?.recordId ?? randomUUID();
      const outcomes: EntryOutcome[] = [{ index: 0, resourceType: "DocumentReference", outcome: earlier ? "unchanged" : "created", recordId: id }];
      const plan = { records: earlier ? [] : [{ ...record, id, entryKey, contentHash }], directory: [], outcomes, summary: summarize(outcomes, []) };
      const stored = await storeIntake({ who, plan, from, bytes, fileName, contentType }, actor, caller.context);
      return { uploadId: stored.uploadId, recordCount: stored.recordIds.length, summary: plan.summary };
    }
    if (type !== "" && type !== "application/octet-stream" && !JSON_TYPES.has(type)) {
      throw new IntakeRejectedError("content_type", [
        { entry: null, resourceType: null, field: null, message: `Files of type ${type} are not accepted: FHIR JSON, PDF, JPEG or PNG only.`, code: "not-supported" },
      ]);
    }
    const analysed = analyseUpload(bytes, limits, PATIENT_BUNDLE_TYPES);
    const result = await planAndStore(analysed, who, from, { bytes, fileName, contentType: "application/fhir+json" }, actor, caller.context);
    return { uploadId: result.uploadId, recordCount: result.recordIds.length, summary: result.summary };
  } catch (error) {
    if (error instanceof IntakeRejectedError) await logRejection(actor, who.id, error, caller.context);
    throw error;
  }
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
    select: { id: true, source: true, fileName: true, contentType: true, byteSize: true, recordCount: true, summary: true, createdAt: true, records: { select: { id: true } } },
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
      summary: (u.summary ?? []) as TypeSummary[],
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

/** What became of each Bundle entry, by its index, and the import summary per type. */
export type TransactionResult = { uploadId: string | null; recordIds: string[]; patientId: string; bundleType: "transaction" | "batch"; outcomes: EntryOutcome[]; summary: TypeSummary[] };

/** What hospital systems may post: a transaction (all or nothing) or a batch (each entry on its own). */
const HOSPITAL_BUNDLE_TYPES = ["transaction", "batch"] as const;

/**
 * A hospital system (EHR, lab) posts a FHIR transaction or batch Bundle with its service credential. The credential is checked
 * here (ServiceAuthError when missing, unknown or revoked: effective on the next request); the Bundle goes through the
 * same intake as a patient's upload; its Patient is named by the hospital MRN identifier, which must exist and match
 * (name and birth date). A missing or unknown MRN is reported together with every other problem of the Bundle.
 * Stored, anchored and audited like any upload, as SYSTEM with the credential's id; idempotent per credential. In a
 * batch, an entry with problems of its own is refused alone (its outcome carries them) and the others are stored.
 */
export async function ingestHospitalBundle(token: string | null, file: IncomingFile, context: AuditContext): Promise<TransactionResult> {
  const credential = await authenticateServiceToken(token, context);
  const bytes = await readHospitalBundle(credential, file, context);
  return ingestHospitalBytes(credential, bytes, mediaType(file.contentType), context);
}

/** The body of a hospital system's request, read with the byte cap; a refusal here is logged like any other. */
export async function readHospitalBundle(credential: AuthenticatedCredential, file: IncomingFile, context: AuditContext): Promise<Uint8Array> {
  try {
    if (!JSON_TYPES.has(mediaType(file.contentType))) {
      throw new IntakeRejectedError("content_type", [{ entry: null, resourceType: null, field: null, message: "Send the Bundle as application/fhir+json (or application/json).", code: "not-supported" }]);
    }
    return await readBody(file, intakeLimits());
  } catch (error) {
    if (error instanceof IntakeRejectedError) await logRejection("SYSTEM", null, error, context, { serviceCredentialId: credential.id });
    throw error;
  }
}

/**
 * A hospital system's Bundle, already read, through intake: found by its MRN, planned, stored. `onPhase` hears what
 * is happening (the asynchronous path shows it on its status URL).
 */
export async function ingestHospitalBytes(
  credential: AuthenticatedCredential,
  bytes: Uint8Array,
  contentType: string,
  context: AuditContext,
  onPhase: (phase: "validating" | "storing", entries: number) => Promise<void> = async () => {},
): Promise<TransactionResult> {
  const limits = intakeLimits();
  const from: IntakeSource = { source: "HOSPITAL_SYSTEM", sourceKey: `credential:${credential.id}`, serviceCredentialId: credential.id };
  let who: PatientIdentity | null = null;
  try {
    await onPhase("validating", 0);
    const analysed = analyseUpload(bytes, limits, HOSPITAL_BUNDLE_TYPES);
    const bundleType = analysed.upload.bundleType === "batch" ? "batch" : "transaction";
    const mrn = mrnOf(analysed.upload);
    const missing: IntakeProblem[] = [];
    if (analysed.upload.patients.length === 1 && mrn !== null) {
      const patient = await db().patient.findUnique({ where: { mrn }, select: { id: true, mrn: true } });
      // A scoped credential answers for a patient outside its scope exactly as for an unknown MRN (and alerts).
      who = patient && (await credentialCovers(credential, patient, context)) ? await patientIdentity(patient.id) : null;
      if (!who) missing.push({ entry: analysed.upload.patients[0]!.index, resourceType: "Patient", field: "Patient.identifier", message: "No patient has this MRN.", code: "business-rule" });
    } else if (analysed.upload.patients.length <= 1) {
      missing.push({ entry: analysed.upload.patients[0]?.index ?? null, resourceType: "Patient", field: "Patient.identifier", message: `The Bundle must carry the Patient with an identifier of system ${MRN_SYSTEM}.`, code: "required" });
    }
    if (!who) decideIntake(analysed, null, { earlier: [], directory: [] }, new Date(), { problems: missing, reason: missing.length ? "patient_missing" : null });
    await onPhase("storing", analysed.upload.entries.length);
    // A batch: each entry stands alone (its own problems refuse it only); a transaction: all or nothing.
    const result = await planAndStore(analysed, who!, from, { bytes, fileName: null, contentType }, "SYSTEM", context, bundleType === "batch" ? "each" : "whole");
    return { ...result, patientId: who!.id, bundleType };
  } catch (error) {
    if (error instanceof IntakeRejectedError) await logRejection("SYSTEM", who?.id ?? null, error, context, { serviceCredentialId: credential.id });
    throw error;
  }
}

export type { IntakeReason };
