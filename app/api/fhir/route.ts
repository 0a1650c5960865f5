import { randomUUID } from "node:crypto";
import { after } from "next/server";
import { acceptHospitalBundle } from "@/lib/dal/intake-jobs";
import { ingestHospitalBundle, IntakeRejectedError, ServiceAuthError } from "@/lib/dal/uploads";
import { intakeResponse, refusalOutcome, type OutcomeIssue } from "@/lib/fhir/ingest";

// FHIR intake for the hospital's own systems (EHR, lab): POST a transaction or batch Bundle with `Authorization: Bearer cps_…`.
// "public" in ROUTE_RULES because the request carries its own credential: the DAL authenticates it on every request
// (a revoked credential fails on the next one). Answers a transaction-response or batch-response Bundle, or an OperationOutcome.
// With `Prefer: respond-async` (FHIR's asynchronous pattern, for large Bundles): 202 once the body is read, with the
// status URL in Content-Location (app/api/fhir/jobs/[id]); the intake runs after the response.

const FHIR_JSON = { "Content-Type": "application/fhir+json; charset=utf-8", "Cache-Control": "no-store" } as const;

function outcome(status: number, issues: OutcomeIssue[]) {
  return new Response(JSON.stringify({ resourceType: "OperationOutcome", issue: issues }), { status, headers: FHIR_JSON });
}

export async function POST(request: Request) {
  const auth = request.headers.get("authorization");
  const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : null;
  const length = request.headers.has("content-length") ? Number(request.headers.get("content-length")) : Number.NaN;
  const context = { ip: request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null, requestId: request.headers.get("x-request-id") ?? randomUUID() };
  const file = { body: request.body, declaredLength: Number.isFinite(length) ? length : null, contentType: request.headers.get("content-type"), fileName: null };
  try {
    if (/\brespond-async\b/i.test(request.headers.get("prefer") ?? "")) {
      const accepted = await acceptHospitalBundle(token, file, context);
      after(accepted.run);
      const location = `/api/fhir/jobs/${accepted.jobId}`;
      return new Response(
        JSON.stringify({ resourceType: "OperationOutcome", issue: [{ severity: "information", code: "informational", diagnostics: `Accepted; the result will be at ${location}.` }] }),
        { status: 202, headers: { ...FHIR_JSON, "Content-Location": location } },
      );
    }
    const result = await ingestHospitalBundle(
      token,
      file,
      context,
    );
    const response = intakeResponse(result);
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
