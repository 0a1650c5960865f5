import { NextResponse, type NextRequest } from "next/server";
import { encode, getToken } from "next-auth/jwt";
import { env, servedOverTls } from "@/lib/env";
import { SESSION_COOKIE } from "@/lib/auth/session-cookie";
import { databaseAvailable } from "@/lib/db-health";
import { LOCALE_COOKIE } from "@/lib/i18n/locale";
import { RETRY_AFTER_SECONDS, unavailablePage } from "@/lib/unavailable-page";
import { log } from "@/lib/log";
import { badJson, badQuery, badText, badUtf8 } from "@/lib/net/bad-bytes";

// Runs before every page: a fresh CSP nonce, a request id for logs and audit events, and the sliding
// session refresh that makes SESSION_IDLE_MINUTES an idle timeout rather than an absolute one.
// Authorization is NOT decided here (server actions and client navigations can skip it): pages, actions,
// route handlers and the DAL decide.
// It also refuses requests with a 503 while the database cannot be reached (lib/db-health.ts, ADR 014): a page cannot
// set its own status, and every page here needs the database (the actor, consent, the access event), so the decision
// is made before rendering starts.
export async function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const isDev = env().NODE_ENV === "development";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(servedOverTls() ? ["upgrade-insecure-requests"] : []),
  ].join("; ");

  const requestId = crypto.randomUUID();
  // Readiness reports the database itself (with the chains), and the published trust anchors need no database: not gated.
  const gated = request.nextUrl.pathname !== "/api/ready" && !request.nextUrl.pathname.startsWith("/.well-known/chartproof/");
  if (gated && !(await databaseAvailable())) return unavailable(request, { nonce, csp, requestId });

  if (await carriesBadBytes(request)) {
    log.warn({ requestId, path: request.nextUrl.pathname, refused: "bad_bytes" }, "request refused: NUL, lone surrogate or malformed UTF-8");
    return badRequest(request, { csp, requestId });
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("x-request-id", requestId);
  // The page asked for, so that a signed-out visit can be sent back to it after sign-in (lib/net/return-path.ts
  // decides whether it may be). Never client-supplied: set here on every request, overwriting any sent.
  requestHeaders.set("x-return-path", returnPathOf(request));
  requestHeaders.set("Content-Security-Policy", csp);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("Cache-Control", "no-store");
  // The id this request's log lines and access events carry, so that a client (or the resilience suite) can match a
  // response to its event. Random, never derived from the request.
  response.headers.set("X-Request-Id", requestId);
  if (servedOverTls()) response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");

  const secure = servedOverTls();
  const cookieName = SESSION_COOKIE(secure);
  // next-auth's own routes set or clear this cookie; refreshing it there would undo a sign-out.
  if (request.nextUrl.pathname.startsWith("/api/auth")) return response;
  const token = await getToken({ req: request, secret: env().AUTH_SECRET, cookieName, secureCookie: secure });
  if (token) {
    const maxAge = env().SESSION_IDLE_MINUTES * 60;
    response.cookies.set(cookieName, await encode({ token, secret: env().AUTH_SECRET, maxAge }), {
      httpOnly: true,
      sameSite: "lax",
      secure,
      path: "/",
      maxAge,
    });
  }
  return response;
}

/**
 * NUL, lone surrogates and malformed (or overlong) UTF-8 in the path, the query string or a submitted form are refused
 * here (lib/net/bad-bytes.ts), so no page, search, server action or form post can fail on them with a 500. Forms are
 * checked whether or not JavaScript sent them (a form posted without it carries no Next-Action header), and so are the
 * JSON-encoded arguments React sends beside the fields. Uploads and FHIR bundles are not forms: their bodies are
 * binary to this layer, and the intake refuses bad bytes inside them itself.
 */
async function carriesBadBytes(request: NextRequest): Promise<boolean> {
  if (badQuery(request.nextUrl.search) || badText(decodeSafely(request.nextUrl.pathname))) return true;
  // The one header the app takes text from: an upload's file name, percent-encoded (app/api/uploads/route.ts).
  const fileName = request.headers.get("x-upload-filename");
  if (fileName !== null && badField(decodeSafely(fileName))) return true;
  if (request.method !== "POST") return false;
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) {
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    return badUtf8(bytes) || badQuery(new TextDecoder().decode(bytes));
  }
  // A server action called with arguments other than a form: their JSON.
  if (type.startsWith("text/plain") && request.headers.has("next-action")) {
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    return badUtf8(bytes) || badJson(new TextDecoder().decode(bytes));
  }
  if (type.startsWith("multipart/form-data")) {
    const form = await request.clone().formData().catch(() => null);
    // Not parseable as a form: nothing downstream can read fields from it either (Next refuses it).
    if (!form) return false;
    for (const [name, value] of form.entries()) {
      if (badField(name)) return true;
      if (typeof value === "string" && (badField(value) || badJson(value))) return true;
    }
  }
  return false;
}

/** The path and query of a page request, without the router's own `_rsc` cache-busting parameter. */
function returnPathOf(request: NextRequest): string {
  const search = new URLSearchParams(request.nextUrl.search);
  search.delete("_rsc");
  const query = search.toString();
  return `${request.nextUrl.pathname}${query ? `?${query}` : ""}`;
}

/** A decoded field: NUL, a lone surrogate, or U+FFFD (a malformed sequence the form parser already replaced). */
function badField(text: string): boolean {
  return badText(text) || text.includes("\uFFFD");
}

/** The path decoded, or a NUL (refused) when it is not UTF-8: an overlong or malformed escape is bad bytes too. */
function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return "\u0000";
  }
}

function badRequest(request: NextRequest, opts: { csp: string; requestId: string }): NextResponse {
  const headers = { "Cache-Control": "no-store", "X-Request-Id": opts.requestId, "Content-Security-Policy": opts.csp };
  if (request.nextUrl.pathname.startsWith("/api/") || request.headers.has("next-action")) {
    return NextResponse.json({ status: "refused", reason: "bad_bytes" }, { status: 400, headers });
  }
  return new NextResponse("Bad request: the address carries characters that are not allowed.", { status: 400, headers: { ...headers, "Content-Type": "text/plain; charset=utf-8" } });
}

function unavailable(request: NextRequest, opts: { nonce: string; csp: string; requestId: string }): NextResponse {
  const headers = {
    "Cache-Control": "no-store",
    "Retry-After": String(RETRY_AFTER_SECONDS),
    "X-Request-Id": opts.requestId,
    "Content-Security-Policy": opts.csp,
  };
  if (request.nextUrl.pathname.startsWith("/api/")) {
    return NextResponse.json({ status: "unavailable", reason: "database" }, { status: 503, headers });
  }
  const html = unavailablePage({
    cookieLocale: request.cookies.get(LOCALE_COOKIE)?.value,
    acceptLanguage: request.headers.get("accept-language"),
    path: request.nextUrl.pathname,
    nonce: opts.nonce,
  });
  return new NextResponse(html, { status: 503, headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } });
}

export const config = {
  // Prefetches included: they render pages too, so they get the CSP and a server-made request id like any request.
  // The icons and the manifest in public/ are static and public: no session, no database check, cacheable.
  // The streamed intake routes too (issue #24): the proxy would buffer their bodies and cut them at 32 MB; they read
  // their own bodies as they arrive, and their paths are fixed (nothing in them for the bad-bytes check to see).
  matcher: [{ source: "/((?!api/health|api/fhir/stream|api/fhir/\\$import|_next/static|_next/image|favicon.ico|icon.svg|icon-192.png|icon-512.png|apple-touch-icon.png|manifest.webmanifest).*)" }],
};
