import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, type AuditContext } from "@/lib/audit";
import type { Actor } from "@/lib/authz";
import { hashPassword, verifyPassword } from "@/lib/auth/password";

export type ActorKind = Actor["kind"];

/** The actor as the database says it is now: a suspended or deleted account yields null on its next request. */
export async function findActiveActor(kind: ActorKind, id: string): Promise<Actor | null> {
  if (!isUuid(id)) return null;
  if (kind === "STAFF") {
    const staff = await db().staff.findUnique({
      where: { id },
      select: { id: true, role: true, status: true, departmentId: true, name: true, email: true },
    });
    if (!staff || staff.status !== "ACTIVE") return null;
    return { kind: "STAFF", id: staff.id, role: staff.role, departmentId: staff.departmentId, name: staff.name, email: staff.email };
  }
  const patient = await db().patient.findUnique({
    where: { id },
    select: { id: true, name: true, portalEmail: true, portalPasswordHash: true },
  });
  if (!patient?.portalEmail || !patient.portalPasswordHash) return null;
  return { kind: "PATIENT", id: patient.id, patientId: patient.id, name: patient.name, email: patient.portalEmail };
}

// Verifying against a fixed hash when the account does not exist keeps response time from revealing which
// emails have accounts.
let dummyHash: Promise<string> | undefined;

/** Checks a sign-in and records it (success or failure) in the access log. */
export async function verifyCredentials(
  kind: ActorKind,
  email: string,
  password: string,
  context: AuditContext,
): Promise<Actor | null> {
  const normalized = email.trim().toLowerCase();
  const account =
    kind === "STAFF"
      ? await db().staff.findUnique({ where: { email: normalized }, select: { id: true, passwordHash: true } })
      : await db()
          .patient.findUnique({ where: { portalEmail: normalized }, select: { id: true, portalPasswordHash: true } })
          .then((p) => (p?.portalPasswordHash ? { id: p.id, passwordHash: p.portalPasswordHash } : null));

  dummyHash ??= hashPassword("chartproof-timing-equaliser");
  const passwordMatches = await verifyPassword(account?.passwordHash ?? (await dummyHash), password);
  const actor = account && passwordMatches ? await findActiveActor(kind, account.id) : null;

  await appendAccessEvent(
    actor
      ? { actor, action: "auth.signed_in", outcome: "ALLOWED" }
      : {
          actor: "SYSTEM",
          action: "auth.sign_in_failed",
          outcome: "DENIED",
          // The account id (not the typed email) lets compliance see targeted accounts without logging input.
          details: { accountKind: kind, accountId: account?.id ?? null },
        },
    context,
  );
  return actor;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
