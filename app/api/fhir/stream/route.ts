import { randomUUID } from "node:crypto";
import { after } from "next/server";
import { acceptStreamedBundle } from "@/lib/dal/intake-stream";
import { IntakeRejectedError, ServiceAuthError } from "@/lib/dal/uploads";
import { refusalOutcome } from "@/lib/fhir/ingest";
import { onlyPost, refuseBadAddress } from "@/lib/net/unproxied-route";

// A hospital system's batch Bundle of any size (issue #24, large bodies): outside the proxy's body buffering
// (proxy.ts), read as it arrives with bounded memory (lib/dal/intake-stream.ts), always answered asynchronously — FHIR's
// respond-async pattern: 202 with the status URL in Content-Location (app/api/fhir/jobs/[id]), the same as
// POST /api/fhir with `Prefer: respond-async`. Bundles that fit UPLOAD_MAX_BYTES may go to POST /api/fhir as before.

const FHIR_JSON = { "Content-Type": "application/fhir+json; charset=utf-8", "Cache-Control": "no-store" } as const;

export { onlyPost as GET, onlyPost as PUT, onlyPost as PATCH, onlyPost as DELETE };

export async function POST(request: Request) {
  const refused = refuseBadAddress(request);
  if (refused) return refused;
  const auth = request.headers.get("authorization");
  const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : null;
  const length = request.headers.has("content-length") ? Number(request.headers.get("content-length")) : Number.NaN;
  const context = { ip: request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null, requestId: request.headers.get("x-request-id") ?? randomUUID() };
  try {
    const accepted = await acceptStreamedBundle(token, { body: request.body, declaredLength: Number.isFinite(length) ? length : null, contentType: request.headers.get("content-type"), fileName: null }, context);
    after(accepted.run);
    const location = `/api/fhir/jobs/${accepted.jobId}`;
    return new Response(
      JSON.stringify({ resourceType: "OperationOutcome", issue: [{ severity: "information", code: "informational", diagnostics: `Accepted; the result will be at ${location}.` }] }),
      { status: 202, headers: { ...FHIR_JSON, "Content-Location": location } },
    );
  } catch (error) {
    if (error instanceof ServiceAuthError) {
      return new Response(JSON.stringify({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "login", diagnostics: error.message }] }), {
        status: 401,
        headers: { ...FHIR_JSON, "WWW-Authenticate": 'Bearer realm="chartproof-fhir"' },
      });
    }
    if (error instanceof IntakeRejectedError) {
      const refusal = refusalOutcome(error);
      return new Response(JSON.stringify(refusal.outcome), { status: refusal.status, headers: FHIR_JSON });
    }
    throw error;
  }
}
