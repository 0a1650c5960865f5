import { NextResponse, type NextRequest } from "next/server";
import { encode, getToken } from "next-auth/jwt";
import { env, servedOverTls } from "@/lib/env";
import { SESSION_COOKIE } from "@/lib/auth/session-cookie";
import { databaseAvailable } from "@/lib/db-health";
import { LOCALE_COOKIE } from "@/lib/i18n/locale";
import { RETRY_AFTER_SECONDS, unavailablePage } from "@/lib/unavailable-page";

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
  // Readiness reports the database itself (with the chains), so it is not gated.
  const gated = request.nextUrl.pathname !== "/api/ready";
  if (gated && !(await databaseAvailable())) return unavailable(request, { nonce, csp, requestId });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("x-request-id", requestId);
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
  matcher: [{ source: "/((?!api/health|_next/static|_next/image|favicon.ico).*)" }],
};
