import "server-only";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { env, servedOverTls } from "@/lib/env";
import { verifyCredentials } from "@/lib/dal/actors";
import { SESSION_COOKIE } from "./session-cookie";

const credentialsSchema = z.object({
  email: z.string().trim().email().max(254),
  password: z.string().min(1).max(1024),
});

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
    credentials: { email: { type: "email" }, password: { type: "password" } },
    async authorize(credentials, req) {
      const parsed = credentialsSchema.safeParse(credentials);
      if (!parsed.success) return null;
      const headers = req?.headers as HeaderBag;
      const actor = await verifyCredentials(kind, parsed.data.email, parsed.data.password, {
        ip: firstHeader(headers, "x-forwarded-for"),
        requestId: firstHeader(headers, "x-request-id"),
      });
      return actor ? { id: actor.id, actorKind: actor.kind } : null;
    },
  });
}

let options: AuthOptions | undefined;

/** next-auth v4 (see docs/decisions/001-authentication.md). Sessions are JWTs holding only the actor's kind and id. */
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
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.actorKind = (user as { actorKind?: string }).actorKind;
          token.sub = user.id;
        }
        return token;
      },
      session({ session, token }) {
        return { expires: session.expires, actor: { kind: token.actorKind, id: token.sub } } as typeof session;
      },
    },
  };
  return options;
}
