import { publishedTrustAnchorsJson } from "@/lib/dal/trust-anchors";
import { log } from "@/lib/log";

// Public metadata for outsiders' verifiers (docs/proof-format.md § Trust anchors): no session, no patient data.
export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return new Response(await publishedTrustAnchorsJson(), {
      headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=60", "X-Content-Type-Options": "nosniff" },
    });
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "trust anchors unavailable: a chain did not answer");
    return Response.json({ status: "unavailable", reason: "ledger" }, { status: 503, headers: { "Cache-Control": "no-store", "Retry-After": "10" } });
  }
}
