import "server-only";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { env, servedOverTls } from "@/lib/env";
import { verifyCredentials } from "@/lib/dal/actors";
import { openSession, revokeSessionById } from "@/lib/dal/sessions";
import { SESSION_COOKIE } from "./session-cookie";

const credentialsSchema = z.object({
  email: z.string().trim().email().max(254),
  password: z.string().min(1).max(1024),
  /** A TOTP code or a recovery code, sent on the second step of a staff sign-in. */
  otp: z.string().trim().max(32).optional(),
});

/**
 * What the sign-in form is told besides "wrong email or password" (next-auth v4 hands a thrown error's message to
 * signIn() as `error`). Each is said only after the password has checked out, except THROTTLED.
 */
export const SIGN_IN_ERRORS = {
  throttled: "THROTTLED",
  mfa_required: "MFA_REQUIRED",
  mfa_enrolment_required: "MFA_ENROL",
  mfa_invalid: "MFA_INVALID",
} as const;

type HeaderBag = Record<string, string | string[] | undefined> | undefined;

function firstHeader(headers: HeaderBag, name: string): string | null {
  const value = headers?.[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text ? text.split(",")[0]!.trim() : null;
}

function credentialsProvider(kind: "STAFF" | "PATIENT") {
  return CredentialsProvider({
    id: kind === "STAFF" ? "staff" : "patient",
    name: kind === "STAFF" ? "Staff" : "Patient",
    credentials: { email: { type: "email" }, password: { type: "password" }, otp: { type: "text" } },
    async authorize(credentials, req) {
      const parsed = credentialsSchema.safeParse(credentials);
      if (!parsed.success) return null;
      const headers = req?.headers as HeaderBag;
      const context = { ip: firstHeader(headers, "x-forwarded-for"), requestId: firstHeader(headers, "x-request-id") };
      const result = await verifyCredentials(kind, parsed.data.email, parsed.data.password, context, parsed.data.otp);
      if (result.ok) {
        const sid = await openSession(result.actor.kind, result.actor.id, { ...context, userAgent: firstHeader(headers, "user-agent") });
        return { id: result.actor.id, actorKind: result.actor.kind, sessionVersion: result.sessionVersion, sid };
      }
      if (result.reason === "invalid") return null;
      // The wait travels in the message; the auth route turns it into 429 + Retry-After (app/api/auth/[...nextauth]).
      if (result.reason === "throttled") throw new Error(`${SIGN_IN_ERRORS.throttled}_${result.retryAfter}`);
      throw new Error(SIGN_IN_ERRORS[result.reason]);
    },
  });
}

let options: AuthOptions | undefined;

/**
 * next-auth v4 (see docs/decisions/001-authentication.md). Sessions are JWTs holding only the actor's kind and id,
 * the account's session version (a mismatch ends the session: suspension, role change, password reset) and the
 * sign-in time (for the absolute lifetime, SESSION_MAX_HOURS).
 */
export function authOptions(): AuthOptions {
  options ??= {
    secret: env().AUTH_SECRET,
    providers: [credentialsProvider("STAFF"), credentialsProvider("PATIENT")],
    // The idle timeout: proxy.ts re-issues the cookie on each request, so only inactivity lets it lapse.
    session: { strategy: "jwt", maxAge: env().SESSION_IDLE_MINUTES * 60 },
    pages: { signIn: "/login" },
    useSecureCookies: servedOverTls(),
    cookies: {
      sessionToken: {
        name: SESSION_COOKIE(servedOverTls()),
        options: { httpOnly: true, sameSite: "lax", path: "/", secure: servedOverTls() },
      },
    },
    events: {
      // Every copy of the cookie ends with the session: the row is revoked, and the caller lookup checks it.
      async signOut({ token }) {
        await revokeSessionById((token as { sid?: unknown } | null)?.sid, { ip: null, requestId: null });
      },
    },
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          const signedIn = user as { actorKind?: string; sessionVersion?: number; sid?: string };
          token.actorKind = signedIn.actorKind;
          token.sid = signedIn.sid;
          token.sub = user.id;
          token.sessionVersion = signedIn.sessionVersion ?? 0;
          token.authAt = Math.floor(Date.now() / 1000);
        }
        return token;
      },
      session({ session, token }) {
        return {
          expires: session.expires,
          actor: { kind: token.actorKind, id: token.sub, sessionVersion: token.sessionVersion, authAt: token.authAt, sid: token.sid },
        } as typeof session;
      },
    },
  };
  return options;
}
