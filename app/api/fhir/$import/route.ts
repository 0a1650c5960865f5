import { randomUUID } from "node:crypto";
import { importNdjson, ImportRefusedError } from "@/lib/dal/bulk-import";
import { ServiceAuthError } from "@/lib/dal/uploads";
import { onlyPost, refuseBadAddress } from "@/lib/net/unproxied-route";

// `POST /api/fhir/$import` (issue #24, bulk import): FHIR Bulk Data NDJSON as the request body
// (application/fhir+ndjson), one resource per line, read line by line as it arrives — outside the proxy's body
// buffering (proxy.ts), so any size streams — through the same intake as `npm run import` (lib/dal/bulk-import.ts).
// A body is self-contained: its Patient lines come before the records that name them (send Patient.ndjson first, then
// the other files, in the order docs/intake.md gives). Answers when the body is stored: an OperationOutcome with the
// counts and one issue per refused line (`line N`). Sending it again stores nothing twice (intake keys).

const FHIR_JSON = { "Content-Type": "application/fhir+json; charset=utf-8", "Cache-Control": "no-store" } as const;
const NDJSON_TYPES = new Set(["application/fhir+ndjson", "application/ndjson", "application/x-ndjson"]);
/** Refused lines listed in the answer; the count says how many there were in all. */
const LISTED = 100;

function outcome(status: number, issues: object[], headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ resourceType: "OperationOutcome", issue: issues }), { status, headers: { ...FHIR_JSON, ...headers } });
}

export { onlyPost as GET, onlyPost as PUT, onlyPost as PATCH, onlyPost as DELETE };

export async function POST(request: Request) {
  const refused = refuseBadAddress(request);
  if (refused) return refused;
  const auth = request.headers.get("authorization");
  const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : null;
  const context = { ip: request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null, requestId: request.headers.get("x-request-id") ?? randomUUID() };
  if (!NDJSON_TYPES.has((request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase())) {
    return outcome(415, [{ severity: "error", code: "not-supported", diagnostics: "Send FHIR Bulk Data NDJSON as application/fhir+ndjson." }]);
  }
  const body = request.body ?? new Blob([]).stream();
  const bad: object[] = [];
  try {
    const result = await importNdjson(token, [{ name: "body", resourceType: null, open: () => body }], context, {
      onBadLine: (line) => {
        if (bad.length < LISTED) bad.push({ severity: "error", code: "invalid", diagnostics: `line ${line.line}: ${line.problems.join(" | ")}`, expression: [`line ${line.line}`] });
      },
    });
    const counts = `${result.created} created, ${result.corrected} corrected, ${result.unchanged} already stored, ${result.directory} directory entries, ${result.skipped} skipped, ${result.patients} patients, ${result.badLines} lines refused`;
    return outcome(200, [{ severity: "information", code: "informational", diagnostics: counts }, ...bad]);
  } catch (error) {
    if (error instanceof ServiceAuthError) return outcome(401, [{ severity: "error", code: "login", diagnostics: error.message }], { "WWW-Authenticate": 'Bearer realm="chartproof-fhir"' });
    if (error instanceof ImportRefusedError) return outcome(503, [{ severity: "fatal", code: "security", diagnostics: "The import is refused on this server's database connection (not the restricted role)." }]);
    throw error;
  }
}
