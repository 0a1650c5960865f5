import { randomUUID } from "node:crypto";
import { ingestHospitalBundle, IntakeRejectedError, ServiceAuthError } from "@/lib/dal/uploads";
import { problemLocation, type EntryOutcome, type TypeSummary } from "@/lib/fhir/ingest";

// FHIR intake for the hospital's own systems (EHR, lab): POST a transaction Bundle with `Authorization: Bearer cps_…`.
// "public" in ROUTE_RULES because the request carries its own credential: the DAL authenticates it on every request
// (a revoked credential fails on the next one). Answers a transaction-response Bundle, or an OperationOutcome.

const FHIR_JSON = { "Content-Type": "application/fhir+json; charset=utf-8", "Cache-Control": "no-store" } as const;

type Issue = { severity: "error" | "information"; code: string; diagnostics: string; expression?: string };

function outcome(status: number, issues: Issue[]) {
  return new Response(
    JSON.stringify({ resourceType: "OperationOutcome", issue: issues.map((i) => ({ severity: i.severity, code: i.code, diagnostics: i.diagnostics, ...(i.expression ? { expression: [i.expression] } : {}) })) }),
    { status, headers: FHIR_JSON },
  );
}

/** The import summary per type, as `information` issues: the same words on success (in the Bundle) and on refusal. */
function summaryIssues(summary: readonly TypeSummary[]): Issue[] {
  return summary.map((s) => ({
    severity: "information",
    code: s.refused ? "invalid" : s.skipped && !s.created && !s.unchanged && !s.corrected ? "not-supported" : "informational",
    diagnostics: `${s.resourceType}: ${s.created} created, ${s.unchanged} unchanged, ${s.corrected} corrected, ${s.directory} to the directory, ${s.skipped} skipped${s.skipped ? " (not patient data: not kept)" : ""}, ${s.refused} refused`,
  }));
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
  }
}

const REASONS: Record<IntakeRejectedError["reason"], { status: number; code: string; text: string }> = {
  empty: { status: 400, code: "required", text: "The request has no Bundle, or the Bundle has no records." },
  too_large: { status: 413, code: "too-costly", text: "The Bundle is larger than this server accepts." },
  not_json: { status: 400, code: "structure", text: "The body is not JSON." },
  too_deep: { status: 400, code: "too-costly", text: "The JSON nests too deeply." },
  too_many_entries: { status: 413, code: "too-costly", text: "The Bundle has too many entries." },
  forbidden_key: { status: 400, code: "security", text: "The JSON carries a key that is refused." },
  not_fhir: { status: 400, code: "structure", text: "The body is not a FHIR resource." },
  bundle_type: { status: 422, code: "not-supported", text: "Only transaction Bundles are accepted here." },
  fhir_version: { status: 422, code: "not-supported", text: "The Bundle is not FHIR R4 (it looks like an earlier version)." },
  invalid_entries: { status: 422, code: "invalid", text: "Entries of the Bundle are not valid FHIR R4; nothing was stored." },
  patient_mismatch: { status: 422, code: "business-rule", text: "The Bundle's Patient does not match the patient with this MRN." },
  several_patients: { status: 422, code: "business-rule", text: "The Bundle is about more than one patient." },
  patient_missing: { status: 422, code: "business-rule", text: "The Bundle must name a known patient by MRN." },
  content_type: { status: 415, code: "not-supported", text: "Send application/fhir+json." },
  forbidden_character: { status: 400, code: "structure", text: "The JSON carries a NUL character (U+0000)." },
};

export async function POST(request: Request) {
  const auth = request.headers.get("authorization");
  const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : null;
  const length = request.headers.has("content-length") ? Number(request.headers.get("content-length")) : Number.NaN;
  const context = { ip: request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null, requestId: request.headers.get("x-request-id") ?? randomUUID() };
  try {
    const result = await ingestHospitalBundle(
      token,
      { body: request.body, declaredLength: Number.isFinite(length) ? length : null, contentType: request.headers.get("content-type"), fileName: null },
      context,
    );
    const response = {
      resourceType: "Bundle",
      type: "transaction-response",
      // The import summary per type rides on Bundle.meta (R4 Bundle has no place for an OperationOutcome of its own).
      meta: { extension: [{ url: "https://chartproof.example/fhir/StructureDefinition/import-summary", valueString: summaryIssues(result.summary).map((i) => i.diagnostics).join("; ") }] },
      // One response per request entry, in order (FHIR transaction rules). A re-sent entry answers 200 with the record
      // stored the first time; a new record 201 with its id.
      entry: [...result.outcomes].sort((a, b) => a.index - b.index).map((o) => ({ response: entryResponse(o, result.patientId) })),
    };
    return new Response(JSON.stringify(response), { status: 200, headers: FHIR_JSON });
  } catch (error) {
    if (error instanceof ServiceAuthError) {
      const response = outcome(401, [{ severity: "error", code: "login", diagnostics: error.message }]);
      response.headers.set("WWW-Authenticate", 'Bearer realm="chartproof-fhir"');
      return response;
    }
    if (error instanceof IntakeRejectedError) {
      const reason = REASONS[error.reason];
      const issues: Issue[] = [
        { severity: "error", code: reason.code, diagnostics: reason.text },
        ...error.problems.map((p): Issue => {
          const at = problemLocation(p);
          return { severity: "error", code: p.code ?? reason.code, diagnostics: at.entryNumber === null ? p.message : `Entry ${at.entryNumber} (${p.resourceType ?? "?"}): ${p.message}`, ...(at.expression ? { expression: at.expression } : {}) };
        }),
        ...summaryIssues(error.summary),
      ];
      return outcome(reason.status, issues);
    }
    throw error;
  }
}
