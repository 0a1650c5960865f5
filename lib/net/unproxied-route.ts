import { randomUUID } from "node:crypto";
import { log } from "@/lib/log";
import { badQuery, badText } from "./bad-bytes";

// The two intake routes that stream their bodies run outside the proxy (proxy.ts's matcher: the proxy would buffer
// the body), so they apply its address check themselves — the same refusal, the same log line — and answer every
// method but POST with a 405. One place, so the two routes cannot drift from the proxy or from each other.

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return "\u0000";
  }
}

/** A 400 (logged as the proxy logs it) when the address carries NUL, a lone surrogate or malformed UTF-8; else null. */
export function refuseBadAddress(request: Request): Response | null {
  const url = new URL(request.url);
  if (!badQuery(url.search) && !badText(decodedPath(url.pathname))) return null;
  const requestId = randomUUID();
  log.warn({ requestId, path: url.pathname, refused: "bad_bytes" }, "request refused: NUL, lone surrogate or malformed UTF-8");
  return Response.json({ status: "refused", reason: "bad_bytes" }, { status: 400, headers: { "Cache-Control": "no-store", "X-Request-Id": requestId } });
}

/** Every method but POST: the address check first, then 405. */
export function onlyPost(request: Request): Response {
  return refuseBadAddress(request) ?? new Response(null, { status: 405, headers: { Allow: "POST", "Cache-Control": "no-store" } });
}
