import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { can, type Permission } from "@/lib/authz";
import { findActiveActor } from "@/lib/dal/actors";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { sessionIsLive } from "@/lib/dal/sessions";
import { env } from "@/lib/env";
import { loginPath } from "@/lib/net/return-path";
import { authOptions } from "./options";

type SessionActor = { kind?: unknown; id?: unknown; sessionVersion?: unknown; authAt?: unknown; sid?: unknown };

/** A session older than SESSION_MAX_HOURS ends however active it has been (the idle timeout is the cookie's). */
export function sessionExpired(authAt: unknown, now: Date = new Date()): boolean {
  if (typeof authAt !== "number") return true;
  return now.getTime() / 1000 - authAt > env().SESSION_MAX_HOURS * 3600;
}

/**
 * The current caller as the database sees them now, or null (no session, suspended, deleted, signed out everywhere
 * by a session-version bump, this session signed out or revoked, or past the session's absolute lifetime).
 * Memoised per request, so the layout and the page share one lookup.
 */
export const currentCaller = cache(async (): Promise<Caller | null> => {
  const session = (await getServerSession(authOptions())) as { actor?: SessionActor } | null;
  const kind = session?.actor?.kind;
  const id = session?.actor?.id;
  if ((kind !== "STAFF" && kind !== "PATIENT") || typeof id !== "string") return null;
  if (sessionExpired(session?.actor?.authAt)) return null;
  const version = session?.actor?.sessionVersion;
  const actor = await findActiveActor(kind, id, { version: typeof version === "number" ? version : null });
  if (!actor) return null;
  // Signed out (or revoked from the account page): a copy of the cookie is refused too.
  const sid = session?.actor?.sid;
  if (!(await sessionIsLive(sid, kind, id))) return null;
  const h = await headers();
  return {
    sessionId: sid as string,
    actor,
    context: {
      ip: h.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null,
      requestId: h.get("x-request-id"),
    },
  };
});

/**
 * For pages: signs out to /login (with the page to return to) without a valid session; answers 404 when the caller lacks the permission,
 * so a page's existence is not revealed to roles that may not use it.
 */
export async function requireCaller(permission?: Permission): Promise<Caller> {
  const caller = await currentCaller();
  // Back to this very page after sign-in (an idle timeout must not lose the doctor's place).
  if (!caller) redirect(loginPath((await headers()).get("x-return-path")));
  if (permission && !can(caller.actor, permission)) notFound();
  return caller;
}

/**
 * For server actions: the caller, or AccessDeniedError when signed out or lacking the permission. (Forms are only
 * shown to those who may use them, so a denial here is a forged or stale request: no friendly message is owed.)
 */
export async function requireActionCaller(permission: Permission): Promise<Caller> {
  const caller = await currentCaller();
  if (!caller || !can(caller.actor, permission)) throw new AccessDeniedError();
  return caller;
}

/** For public actions that still log where they came from. */
export async function requestContext(): Promise<Caller["context"]> {
  const h = await headers();
  return { ip: h.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null, requestId: h.get("x-request-id") };
}
