import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn } from "@/lib/audit";
import { can, type Actor } from "@/lib/authz";
import { IntakeRejectedError, ingestPatientJson } from "@/lib/fhir/ingest";
import { createRecords } from "@/lib/jobs/create-records";
import { resourceOf } from "@/lib/verification";
import { AccessDeniedError, type Caller } from "./caller";
import { intakeLimits, ownPatientIdentity } from "./uploads";

// Corrections (docs/decisions/015-patients-accounts-consents-corrections.md): a record is never edited in place. The corrected content is a
// new record — new id, salt, commitment and anchor — that names the record it replaces; the old one is marked
// superseded (a column outside its commitment) and stays, verifiable, as history. Doctors see the current version
// with its history.

/** Corrected JSON arrives through a server action; a resource bigger than this is an upload, not a correction. */
export const CORRECTION_MAX_BYTES = 1024 * 1024;

export type CorrectionRuleCode = "not_found" | "not_correctable" | "already_superseded" | "type_changed" | "too_large";

export class CorrectionRuleError extends Error {
  override name = "CorrectionRuleError";
  constructor(readonly code: CorrectionRuleCode) {
    super(`Correction rule: ${code}`);
  }
}

function requirePatient(caller: Caller): Extract<Actor, { kind: "PATIENT" }> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.upload")) throw new AccessDeniedError();
  return actor;
}

/** Only what the patient brought in themselves, and only the current version, can be corrected by the patient. */
async function correctableRecord(patientId: string, recordId: string) {
  const row = await db().medicalRecord.findFirst({
    where: { id: recordId, patientId },
    select: { id: true, resourceType: true, canonical: true, recordedAt: true, source: true, supersededAt: true },
  });
  if (!row) throw new CorrectionRuleError("not_found");
  if (row.source !== "PATIENT_UPLOAD") throw new CorrectionRuleError("not_correctable");
  if (row.supersededAt) throw new CorrectionRuleError("already_superseded");
  return row;
}

/** The record the correction form starts from (the patient's own content; logged as SELF_ACCESS). */
export async function getCorrectableRecord(caller: Caller, recordId: string): Promise<{ id: string; resourceType: string; json: string }> {
  const actor = requirePatient(caller);
  const row = await correctableRecord(actor.patientId, recordId);
  await appendAccessEvent({ actor, action: "record.viewed", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { recordId: row.id, for: "correction" } }, caller.context);
  return { id: row.id, resourceType: row.resourceType, json: JSON.stringify(resourceOf(row), null, 2) };
}

/**
 * Corrects one of the patient's own uploaded records with a new version of the same resource type, validated exactly
 * like an upload (lib/fhir/ingest: FHIR R4, limits, narratives, the patient reference). All or nothing: the new record,
 * the old one's superseded mark and the `record.corrected` event commit together; a refused correction stores nothing.
 */
export async function correctOwnRecord(caller: Caller, recordId: string, text: string): Promise<string> {
  const actor = requirePatient(caller);
  const old = await correctableRecord(actor.patientId, recordId);
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength > CORRECTION_MAX_BYTES) throw new CorrectionRuleError("too_large");
  const who = await ownPatientIdentity(caller);
  const now = new Date();
  let records;
  try {
    records = ingestPatientJson(bytes, who, now, { ...intakeLimits(), maxBytes: CORRECTION_MAX_BYTES });
    if (records.length !== 1) {
      throw new IntakeRejectedError("invalid_entries", [{ entry: null, resourceType: null, field: null, message: "A correction is exactly one resource, not a Bundle of several." }]);
    }
  } catch (error) {
    if (error instanceof IntakeRejectedError) {
      await appendAccessEvent(
        { actor, action: "record.correction_rejected", outcome: "DENIED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { recordId, reason: error.reason, problems: error.problems.length } },
        caller.context,
      );
    }
    throw error;
  }
  const [corrected] = records;
  if (corrected!.resourceType !== old.resourceType) throw new CorrectionRuleError("type_changed");
  return db().$transaction(
    async (tx) => {
      // Claimed first, so two corrections of the same version cannot both succeed.
      const claimed = await tx.medicalRecord.updateMany({ where: { id: old.id, supersededAt: null }, data: { supersededAt: now } });
      if (claimed.count !== 1) throw new CorrectionRuleError("already_superseded");
      const [newId] = await createRecords(
        [{ patientId: actor.patientId, resourceType: corrected!.resourceType, resource: corrected!.resource, recordedAt: corrected!.recordedAt, source: "PATIENT_UPLOAD", supersedesId: old.id }],
        actor,
        caller.context,
        { tx },
      );
      await appendAccessEventIn(
        tx,
        { actor, action: "record.corrected", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { recordId: newId, supersedes: old.id, resourceType: old.resourceType } },
        caller.context,
      );
      return newId!;
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
}
