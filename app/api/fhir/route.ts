import { randomUUID } from "node:crypto";
import { ingestHospitalBundle, IntakeRejectedError, ServiceAuthError } from "@/lib/dal/uploads";
import type { IntakeProblem } from "@/lib/dto/uploads";

// FHIR intake for the hospital's own systems (EHR, lab): POST a transaction Bundle with `Authorization: Bearer cps_…`.
// "public" in ROUTE_RULES because the request carries its own credential: the DAL authenticates it on every request
// (a revoked credential fails on the next one). Answers a transaction-response Bundle, or an OperationOutcome.

const FHIR_JSON = { "Content-Type": "application/fhir+json; charset=utf-8", "Cache-Control": "no-store" } as const;

function outcome(status: number, code: string, issues: { diagnostics: string; expression?: string }[]) {
  return new Response(
    JSON.stringify({
      resourceType: "OperationOutcome",
      issue: issues.map((i) => ({ severity: "error", code, diagnostics: i.diagnostics, ...(i.expression ? { expression: [i.expression] } : {}) })),
    }),
    { status, headers: FHIR_JSON },
  );
}

const REASONS: Record<IntakeRejectedError["reason"], { status: number; code: string; text: string }> = {
  empty: { status: 400, code: "required", text: "The request has no Bundle, or the Bundle has no records." },
  too_large: { status: 413, code: "too-costly", text: "The Bundle is larger than this server accepts." },
  not_json: { status: 400, code: "structure", text: "The body is not JSON." },
  too_deep: { status: 400, code: "too-costly", text: "The JSON nests too deeply." },
  too_many_entries: { status: 413, code: "too-costly", text: "The Bundle has too many entries." },
  forbidden_key: { status: 400, code: "security", text: "The JSON carries a key that is refused." },
  not_fhir: { status: 400, code: "structure", text: "The body is not a FHIR resource." },
  bundle_type: { status: 422, code: "invalid", text: "Only transaction Bundles are accepted here." },
  invalid_entries: { status: 422, code: "invalid", text: "The Bundle is not valid FHIR R4." },
  patient_mismatch: { status: 422, code: "business-rule", text: "The Bundle's Patient does not match the patient with this MRN." },
  several_patients: { status: 422, code: "business-rule", text: "The Bundle is about more than one patient." },
  patient_missing: { status: 422, code: "business-rule", text: "The Bundle must name a known patient by MRN." },
  content_type: { status: 415, code: "not-supported", text: "Send application/fhir+json." },
  forbidden_character: { status: 400, code: "structure", text: "The JSON carries a NUL character (U+0000)." },
};

function where(p: IntakeProblem): string | undefined {
  if (p.entry === null) return p.field ?? undefined;
  if (p.field?.startsWith("Bundle.")) return p.field;
  const inner = p.field && p.resourceType && p.field.startsWith(p.resourceType) ? p.field.slice(p.resourceType.length) : "";
  return `Bundle.entry[${p.entry}].resource${inner}`;
}

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
      // One response per request entry, in order (FHIR transaction rules): records created, the Patient matched.
      entry: result.entries.map((e) =>
        "recordId" in e ? { response: { status: "201 Created", location: `MedicalRecord/${e.recordId}` } } : { response: { status: "200 OK", location: `Patient/${e.patientId}` } },
      ),
    };
    return new Response(JSON.stringify(response), { status: 200, headers: FHIR_JSON });
  } catch (error) {
    if (error instanceof ServiceAuthError) {
      const response = outcome(401, "login", [{ diagnostics: error.message }]);
      response.headers.set("WWW-Authenticate", 'Bearer realm="chartproof-fhir"');
      return response;
    }
    if (error instanceof IntakeRejectedError) {
      const reason = REASONS[error.reason];
      const issues = [{ diagnostics: reason.text }, ...error.problems.map((p) => ({ diagnostics: p.entry === null ? p.message : `Entry ${p.entry}: ${p.message}`, expression: where(p) }))];
      return outcome(reason.status, reason.code, issues);
    }
    throw error;
  }
}
