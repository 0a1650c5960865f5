// Intake of FHIR R4 JSON and documents from outside the hospital's own chart (a patient's upload, a hospital system's
// transaction Bundle). Pure: bytes in, a plan of what to store out, or an IntakeRejectedError that names every problem
// of every entry — identity included — in one answer. One path for both entry points, so the limits and checks cannot
// drift apart (docs/decisions/012-upload-and-intake.md). Each step lives in lib/fhir/intake/, one reason for change each:
// parse (bytes → JSON), read + validate-entry + rules (entries and their problems), identity (whom it is about),
// references (links between entries), plan (what is stored, keyed for idempotency); the DAL stores the plan.
import { IntakeRejectedError, type IntakeLimits, type IntakeProblem, type IntakeReason, type IntakeRecord, type PatientIdentity } from "./intake/model";
import { parseJsonWithLimits } from "./intake/parse";
import { PATIENT_BUNDLE_TYPES, readUpload, type ReadUpload } from "./intake/read";
import { bindEntries, mrnOfPatient } from "./intake/identity";
import { EMPTY_CONTEXT, planIntake, summarize, type IntakeContext, type IntakePlan, type TypeSummary } from "./intake/plan";

export { MRN_SYSTEM, IntakeRejectedError, problemLocation } from "./intake/model";
export type { IntakeLimits, IntakeProblem, IntakeReason, IntakeRecord, IssueCode, PatientIdentity, Json } from "./intake/model";
export { jsonDepth, parseJsonWithLimits, looksLikeJson, bytesSha256 } from "./intake/parse";
export { DOCUMENT_TYPES, documentRecord, safeFileName, sniffDocumentType, type DocumentType } from "./intake/document";
export { activeNarrativeContent } from "./intake/validate-entry";
export { normaliseName, patientMatches } from "./intake/identity";
export { clinicalTime, lookupKeys, type DirectoryRow, type EarlierEntry, type EntryOutcome, type IntakeContext, type IntakePlan, type TypeSummary } from "./intake/plan";
export { PATIENT_BUNDLE_TYPES, type ReadUpload } from "./intake/read";
export { intakeResponse, problemIssues, refusalOutcome, summaryIssues, type OperationOutcome, type OutcomeIssue } from "./intake/outcome";

/** A parsed and checked upload, before whom it is about is known (the hospital path finds the patient by its MRN). */
export type AnalysedUpload = { upload: ReadUpload; problems: IntakeProblem[]; olderVersion: string | null };

export function analyseUpload(bytes: Uint8Array, limits: IntakeLimits, bundleTypes: readonly string[]): AnalysedUpload {
  return readUpload(parseJsonWithLimits(bytes, limits), limits, { bundleTypes });
}

/** The MRN the upload's (single) Patient entry carries, or null. */
export function mrnOf(upload: ReadUpload): string | null {
  return upload.patients.length === 1 ? mrnOfPatient(upload.patients[0]!.resource) : null;
}

// The one reason an answer leads with when it lists several kinds of problem: the most fundamental first.
const PRIORITY: IntakeReason[] = ["fhir_version", "patient_missing", "several_patients", "patient_mismatch", "invalid_entries"];

function reasonFor(problems: IntakeProblem[], olderVersion: string | null, extra: IntakeReason | null): IntakeReason {
  const present = new Set<IntakeReason>();
  if (olderVersion) present.add("fhir_version");
  if (extra) present.add(extra);
  for (const p of problems) {
    if (p.code !== "business-rule") present.add("invalid_entries");
    else if (/more than one patient/.test(p.message)) present.add("several_patients");
    else present.add("patient_mismatch");
  }
  return PRIORITY.find((r) => present.has(r)) ?? "invalid_entries";
}

export type IntakeDecision = { plan: IntakePlan; upload: ReadUpload };

/**
 * How problems are handled: `whole` (a transaction, a patient's file) refuses everything when any entry has one;
 * `each` (a batch) refuses only the entries with problems of their own — problems of the file itself or of its Patient
 * entry (whose records these are) still refuse it whole.
 */
export type IntakeMode = "whole" | "each";

/**
 * Binds an analysed upload to `who` (null: the patient could not be found, already reported in `extraProblems`) and
 * plans what to store. Throws IntakeRejectedError with every problem — validation, identity, MRN — when there is any.
 */
export function decideIntake(
  analysed: AnalysedUpload,
  who: PatientIdentity | null,
  ctx: IntakeContext,
  now: Date,
  extra: { problems: IntakeProblem[]; reason: IntakeReason | null } = { problems: [], reason: null },
  mode: IntakeMode = "whole",
): IntakeDecision {
  const identity = bindEntries(analysed.upload, who);
  // An older FHIR version: its R4 errors would only confuse, so the answer says the one thing that matters.
  const found = analysed.olderVersion ? analysed.problems.filter((p) => p.entry === null) : [...extra.problems, ...analysed.problems, ...identity.problems];
  const problems = found.sort((a, b) => (a.entry ?? -1) - (b.entry ?? -1));
  const patientEntries = new Set(analysed.upload.patients.map((p) => p.index));
  if (mode === "each" && who && !analysed.olderVersion && !problems.some((p) => p.entry === null || patientEntries.has(p.entry))) {
    const refused = new Map<number, IntakeProblem[]>();
    for (const p of problems) refused.set(p.entry!, [...(refused.get(p.entry!) ?? []), p]);
    const plan = planIntake(analysed.upload, identity.bound, ctx, now, refused);
    // An entry with no resource at all has no place among the entries read: it still answers, in its place.
    const answered = new Set(plan.outcomes.map((o) => o.index));
    for (const [index, entryProblems] of refused) {
      if (!answered.has(index)) plan.outcomes.push({ index, resourceType: entryProblems[0]!.resourceType ?? "unknown", outcome: "refused", problems: entryProblems });
    }
    plan.outcomes.sort((a, b) => a.index - b.index);
    plan.summary = summarize(plan.outcomes, []);
    return { plan, upload: analysed.upload };
  }
  if (problems.length || !who) {
    const identityTrouble = !analysed.olderVersion && (identity.problems.length > 0 || extra.reason !== null);
    // A single resource (not in a Bundle) has no entries to number: its problems are located by FHIRPath alone.
    const shown = analysed.upload.bundleType === null ? problems.map((p) => ({ ...p, entry: null })) : problems;
    const error = new IntakeRejectedError(reasonFor(problems, analysed.olderVersion, extra.reason), shown, identityTrouble && who ? { name: who.name, birthDate: who.birthDate } : null);
    error.summary = refusedSummary(analysed.upload, problems);
    throw error;
  }
  return { plan: planIntake(analysed.upload, identity.bound, ctx, now), upload: analysed.upload };
}

/** The import summary of a refused upload: every entry's type, refused where it has a problem. */
export function refusedSummary(upload: ReadUpload | null, problems: readonly IntakeProblem[]): TypeSummary[] {
  if (!upload) return [];
  const bad = new Set(problems.map((p) => p.entry));
  return summarize([], upload.entries.filter((e) => e.disposition !== "patient" && bad.has(e.index)).map((e) => ({ resourceType: String(e.resource.resourceType) })));
}

/**
 * A patient's FHIR JSON, start to finish, without the context of earlier uploads (corrections use this: one resource
 * in, one record out). Whole or nothing.
 */
export function ingestPatientJson(bytes: Uint8Array, who: PatientIdentity, now: Date, limits: IntakeLimits): IntakeRecord[] {
  const analysed = analyseUpload(bytes, limits, PATIENT_BUNDLE_TYPES);
  return decideIntake(analysed, who, EMPTY_CONTEXT, now).plan.records;
}
