import { checkReadiness } from "@/lib/dal/readiness";

// Readiness: the database and the ledger. No PHI, no connection strings, only states.
export async function GET() {
  const report = await checkReadiness();
  return Response.json(report, { status: report.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
