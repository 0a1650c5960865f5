// How an upload is answered over HTTP: an accepted Bundle's transaction-response or batch-response, and a refusal, the same on every entry point (a patient's upload, a hospital
// system's POST /api/fhir, answered now or asynchronously): a refusal's status, and a FHIR OperationOutcome whose first issue says why in one line and whose
// next issues name every problem with its entry and FHIRPath, then the import summary per type. Pure.
import { problemLocation, type IntakeProblem, type IntakeReason, type IntakeRejectedError, type TypeSummary } from "./model";
import type { EntryOutcome } from "./plan";

export type OutcomeIssue = { severity: "error" | "information"; code: string; diagnostics: string; expression?: string[] };
export type OperationOutcome = { resourceType: "OperationOutcome"; issue: OutcomeIssue[] };

const REFUSALS: Record<IntakeReason, { status: number; code: string; text: string }> = {
  empty: { status: 400, code: "required", text: "The request has no Bundle, or the Bundle has no records." },
  too_large: { status: 413, code: "too-costly", text: "The Bundle is larger than this server accepts." },
  not_json: { status: 400, code: "structure", text: "The body is not JSON." },
  too_deep: { status: 400, code: "too-costly", text: "The JSON nests too deeply." },
  too_many_entries: { status: 413, code: "too-costly", text: "The Bundle has too many entries." },
  forbidden_key: { status: 400, code: "security", text: "The JSON carries a key that is refused." },
  forbidden_character: { status: 400, code: "structure", text: "The JSON carries a character that cannot be stored (NUL or an unpaired surrogate)." },
  not_fhir: { status: 400, code: "structure", text: "The body is not a FHIR resource." },
  bundle_type: { status: 422, code: "not-supported", text: "This type of Bundle is not accepted here." },
  fhir_version: { status: 422, code: "not-supported", text: "The Bundle is not FHIR R4 (it looks like an earlier version)." },
  invalid_entries: { status: 422, code: "invalid", text: "Entries of the Bundle are not valid FHIR R4; nothing was stored." },
  patient_mismatch: { status: 422, code: "business-rule", text: "The Bundle's Patient does not match the patient with this MRN." },
  several_patients: { status: 422, code: "business-rule", text: "The Bundle is about more than one patient." },
  patient_missing: { status: 422, code: "business-rule", text: "The Bundle must name a known patient by MRN." },
  content_type: { status: 415, code: "not-supported", text: "Send application/fhir+json." },
};

/** The import summary per type, as `information` issues: the same words on success (in the Bundle) and on refusal. */
export function summaryIssues(summary: readonly TypeSummary[]): OutcomeIssue[] {
  return summary.map((s) => ({
    severity: "information",
    code: s.refused ? "invalid" : s.skipped && !s.created && !s.unchanged && !s.corrected ? "not-supported" : "informational",
    diagnostics: `${s.resourceType}: ${s.created} created, ${s.unchanged} unchanged, ${s.corrected} corrected, ${s.directory} to the directory, ${s.skipped} skipped${s.skipped ? " (not patient data: not kept)" : ""}, ${s.refused} refused`,
  }));
}

/** One `error` issue per problem, naming its entry (counted from 1) and its FHIRPath from the top of the file. */
export function problemIssues(problems: readonly IntakeProblem[], fallbackCode = "invalid"): OutcomeIssue[] {
  return problems.map((p) => {
    const at = problemLocation(p);
    return {
      severity: "error",
      code: p.code ?? fallbackCode,
      diagnostics: at.entryNumber === null ? p.message : `Entry ${at.entryNumber} (${p.resourceType ?? "?"}): ${p.message}`,
      ...(at.expression ? { expression: [at.expression] } : {}),
    };
  });
}

/** The HTTP status and OperationOutcome of a refusal. */
export function refusalOutcome(error: IntakeRejectedError): { status: number; outcome: OperationOutcome } {
  const reason = REFUSALS[error.reason];
  const issues: OutcomeIssue[] = [{ severity: "error", code: reason.code, diagnostics: reason.text }, ...problemIssues(error.problems, reason.code), ...summaryIssues(error.summary)];
  return { status: reason.status, outcome: { resourceType: "OperationOutcome", issue: issues } };
}

function entryResponse(o: EntryOutcome, patientId: string) {
  const info = (code: string, diagnostics: string) => ({ resourceType: "OperationOutcome", issue: [{ severity: "information", code, diagnostics }] });
  switch (o.outcome) {
    case "created":
      return { status: "201 Created", location: `${o.resourceType}/${o.recordId}` };
    case "corrected":
      return { status: "201 Created", location: `${o.resourceType}/${o.recordId}`, outcome: info("informational", "Stored as a correction of the record this entry created before.") };
    case "unchanged":
      return { status: "200 OK", location: `${o.resourceType}/${o.recordId}`, outcome: info("informational", "Already stored: nothing was created.") };
    case "directory":
      return { status: o.created ? "201 Created" : "200 OK", location: `${o.resourceType}/${o.directoryId}` };
    case "skipped":
      return { status: "200 OK", outcome: info("not-supported", `${o.resourceType} is not patient data and is not kept; references to it keep its name and identifier.`) };
    case "patient":
      return { status: "200 OK", location: `Patient/${patientId}` };
    case "refused":
      return { status: "422 Unprocessable Entity", outcome: { resourceType: "OperationOutcome", issue: problemIssues(o.problems) } };
  }
}

/** A hospital system's accepted Bundle, answered: one response per request entry, in order, and the summary per type. */
export function intakeResponse(result: { bundleType: "transaction" | "batch"; patientId: string; outcomes: readonly EntryOutcome[]; summary: readonly TypeSummary[] }) {
  return {
    resourceType: "Bundle",
    type: `${result.bundleType}-response`,
    // The import summary per type rides on Bundle.meta (R4 Bundle has no place for an OperationOutcome of its own).
    meta: { extension: [{ url: "https://chartproof.example/fhir/StructureDefinition/import-summary", valueString: summaryIssues(result.summary).map((i) => i.diagnostics).join("; ") }] },
    // One response per request entry, in order (FHIR transaction and batch rules). A re-sent entry answers 200 with the
    // record stored the first time; a new record 201 with its id; a batch entry refused for its own problems 422 with
    // them (the others are stored).
    entry: [...result.outcomes].sort((a, b) => a.index - b.index).map((o) => ({ response: entryResponse(o, result.patientId) })),
  };
}
