import { randomUUID } from "node:crypto";
import { intakeJobStatus } from "@/lib/dal/intake-jobs";
import { ServiceAuthError } from "@/lib/dal/uploads";

// The status URL of a Bundle sent with `Prefer: respond-async` (FHIR's asynchronous request pattern): 202 with
// X-Progress while it runs; then 200 with a batch-response Bundle whose one entry carries the answer the synchronous
// request would have given (its status, and the transaction-response, batch-response or OperationOutcome). Only the
// credential that sent the Bundle may ask; for any other, the job does not exist.

const FHIR_JSON = { "Content-Type": "application/fhir+json; charset=utf-8", "Cache-Control": "no-store" } as const;

const REASON_PHRASES: Record<number, string> = { 200: "OK", 400: "Bad Request", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity", 500: "Internal Server Error" };

function outcome(status: number, code: string, diagnostics: string) {
  return new Response(JSON.stringify({ resourceType: "OperationOutcome", issue: [{ severity: "error", code, diagnostics }] }), { status, headers: FHIR_JSON });
}

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const auth = request.headers.get("authorization");
  const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : null;
  const context = { ip: request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null, requestId: request.headers.get("x-request-id") ?? randomUUID() };
  try {
    const status = await intakeJobStatus(token, id, context);
    if (!status) return outcome(404, "not-found", "No such job for this credential.");
    if (status.state === "in-progress") return new Response(null, { status: 202, headers: { "Cache-Control": "no-store", "X-Progress": status.progress, "Retry-After": "2" } });
    const answer = {
      resourceType: "Bundle",
      type: "batch-response",
      entry: [{ response: { status: `${status.httpStatus} ${REASON_PHRASES[status.httpStatus] ?? ""}`.trim() }, resource: status.result }],
    };
    return new Response(JSON.stringify(answer), { status: 200, headers: FHIR_JSON });
  } catch (error) {
    if (error instanceof ServiceAuthError) {
      const response = outcome(401, "login", error.message);
      response.headers.set("WWW-Authenticate", 'Bearer realm="chartproof-fhir"');
      return response;
    }
    throw error;
  }
}
