import { randomUUID } from "node:crypto";
import { ingestHospitalBundle, IntakeRejectedError, ServiceAuthError } from "@/lib/dal/uploads";
import { problemIssues, refusalOutcome, summaryIssues, type EntryOutcome, type OutcomeIssue } from "@/lib/fhir/ingest";

// FHIR intake for the hospital's own systems (EHR, lab): POST a transaction or batch Bundle with `Authorization: Bearer cps_…`.
// "public" in ROUTE_RULES because the request carries its own credential: the DAL authenticates it on every request
// (a revoked credential fails on the next one). Answers a transaction-response or batch-response Bundle, or an OperationOutcome.

const FHIR_JSON = { "Content-Type": "application/fhir+json; charset=utf-8", "Cache-Control": "no-store" } as const;

function outcome(status: number, issues: OutcomeIssue[]) {
  return new Response(JSON.stringify({ resourceType: "OperationOutcome", issue: issues }), { status, headers: FHIR_JSON });
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
      type: `${result.bundleType}-response`,
      // The import summary per type rides on Bundle.meta (R4 Bundle has no place for an OperationOutcome of its own).
      meta: { extension: [{ url: "https://chartproof.example/fhir/StructureDefinition/import-summary", valueString: summaryIssues(result.summary).map((i) => i.diagnostics).join("; ") }] },
      // One response per request entry, in order (FHIR transaction and batch rules). A re-sent entry answers 200 with the
      // record stored the first time; a new record 201 with its id; a batch entry refused for its own problems 422 with
      // them (the others are stored).
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
      const refusal = refusalOutcome(error);
      return new Response(JSON.stringify(refusal.outcome), { status: refusal.status, headers: FHIR_JSON });
    }
    throw error;
  }
}
