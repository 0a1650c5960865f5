import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, type AuditContext } from "@/lib/audit";
import type { SessionDto } from "@/lib/dto/admin";
import { isUuid } from "@/lib/ids";
import type { ActorKind } from "./actors";
import { AccessDeniedError, type Caller } from "./caller";

// Server-side sessions (docs/decisions/019-four-eyes-and-sign-in.md). The JWT cookie carries a session id; the row
// decides whether it is still alive. Sign-out, a password change or reset, a second-factor reset and suspension
// revoke the rows, so a copy of the cookie taken earlier is refused on its next request — a page, a route handler,
// a server action or a prefetch — wherever the caller is resolved (lib/auth/require-caller.ts).

/** How often a live session's "last seen" is written (not on every request). */
const SEEN_EVERY_MS = 60_000;

export async function openSession(kind: ActorKind, actorId: string, context: AuditContext & { userAgent?: string | null }): Promise<string> {
  const row = await db().authSession.create({
    data: { actorKind: kind, actorId, ip: context.ip, userAgent: context.userAgent?.slice(0, 300) ?? null },
    select: { id: true },
  });
  return row.id;
}

/** Whether the session with this id belongs to this actor and has not been revoked. */
export async function sessionIsLive(sessionId: unknown, kind: ActorKind, actorId: string): Promise<boolean> {
  if (typeof sessionId !== "string" || !isUuid(sessionId)) return false;
  const row = await db().authSession.findUnique({ where: { id: sessionId }, select: { actorKind: true, actorId: true, revokedAt: true, lastSeenAt: true } });
  if (!row || row.revokedAt !== null || row.actorKind !== kind || row.actorId !== actorId) return false;
  if (Date.now() - row.lastSeenAt.getTime() > SEEN_EVERY_MS) {
    await db().authSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { lastSeenAt: new Date() } });
  }
  return true;
}

/** Sign-out: this session ends for every copy of its cookie. */
export async function revokeSessionById(sessionId: unknown, context: AuditContext): Promise<void> {
  if (typeof sessionId !== "string" || !isUuid(sessionId)) return;
  const row = await db().authSession.findUnique({ where: { id: sessionId }, select: { actorKind: true, actorId: true } });
  const revoked = await db().authSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (row && revoked.count === 1) {
    await appendAccessEvent({ actor: "SYSTEM", action: "auth.signed_out", outcome: "ALLOWED", details: { sessionId, accountKind: row.actorKind, accountId: row.actorId } }, context);
  }
}

/** Every open session of an account (a password change, for instance). */
export async function revokeAllSessions(kind: ActorKind, actorId: string): Promise<number> {
  return (await db().authSession.updateMany({ where: { actorKind: kind, actorId, revokedAt: null }, data: { revokedAt: new Date() } })).count;
}

function requireStaff(caller: Caller) {
  if (caller.actor.kind !== "STAFF") throw new AccessDeniedError();
  return caller.actor;
}

/** A staff member's own open sessions, newest first, marking the one making this request. */
export async function listOwnSessions(caller: Caller): Promise<SessionDto[]> {
  const actor = requireStaff(caller);
  const rows = await db().authSession.findMany({
    where: { actorKind: "STAFF", actorId: actor.id, revokedAt: null },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
  });
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    ip: r.ip,
    userAgent: r.userAgent,
    current: r.id === caller.sessionId,
  }));
}

/** Ends one of the caller's own sessions (another browser, a lost phone). */
export async function revokeOwnSession(caller: Caller, sessionId: string): Promise<void> {
  const actor = requireStaff(caller);
  if (!isUuid(sessionId)) throw new AccessDeniedError();
  const revoked = await db().authSession.updateMany({ where: { id: sessionId, actorKind: "STAFF", actorId: actor.id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (revoked.count !== 1) throw new AccessDeniedError("Session not found");
  await appendAccessEvent({ actor, action: "auth.session_revoked", outcome: "ALLOWED", details: { sessionId } }, caller.context);
}

/** Ends every session of the caller's but the current one. */
export async function revokeOtherSessions(caller: Caller): Promise<number> {
  const actor = requireStaff(caller);
  const revoked = await db().authSession.updateMany({
    where: { actorKind: "STAFF", actorId: actor.id, revokedAt: null, ...(caller.sessionId ? { id: { not: caller.sessionId } } : {}) },
    data: { revokedAt: new Date() },
  });
  await appendAccessEvent({ actor, action: "auth.sessions_revoked", outcome: "ALLOWED", details: { count: revoked.count } }, caller.context);
  return revoked.count;
}
