import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn, type AuditContext, type AuditTx } from "@/lib/audit";
import { consentIsActive } from "@/lib/authz";
import { raiseAlert } from "@/lib/jobs/alerts";
import { can } from "@/lib/authz";
import type { IssuedServiceCredentialDto, ServiceCredentialDto } from "@/lib/dto/uploads";
import { AccessDeniedError, type Caller } from "./caller";
import { isUuid } from "@/lib/ids";

/** The identifier system hospital systems name patients by (for the admin page's instructions). */
export { MRN_SYSTEM } from "@/lib/fhir/ingest";

/** A recognisable prefix, so a leaked token is easy to spot in a log, a paste or a secret scanner. */
export const SERVICE_TOKEN_PREFIX = "cps_";
const SHOWN_PREFIX_LENGTH = SERVICE_TOKEN_PREFIX.length + 8;
const TOKEN_SHAPE = /^cps_[A-Za-z0-9_-]{43}$/;

/** A request from a hospital system without a valid, unrevoked credential. The message is fixed: nothing to learn. */
export class ServiceAuthError extends Error {
  override name = "ServiceAuthError";
  constructor() {
    super("A valid service credential is required.");
  }
}

function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function requireAdmin(caller: Caller) {
  if (caller.actor.kind !== "STAFF" || !can(caller.actor, "service_credential.manage")) throw new AccessDeniedError();
  return caller.actor;
}

/** The longest a credential may live: a year, so a forgotten one cannot file records for ever. */
export const SERVICE_CREDENTIAL_MAX_DAYS = 365;

export type NewServiceCredential = {
  name: string;
  /** ISO time; at most SERVICE_CREDENTIAL_MAX_DAYS ahead. */
  expiresAt: string;
  /** The one patient (by MRN) this system may file for, or null. */
  scopeMrn: string | null;
  /** The department whose consented patients this system may file for, or null. */
  scopeDepartmentId: string | null;
};

export class ServiceCredentialRuleError extends Error {
  override name = "ServiceCredentialRuleError";
  constructor(readonly code: "expiry_invalid" | "scope_unknown") {
    super(`Service credential rule: ${code}`);
  }
}

function checkExpiry(expiresAt: string, now: Date): Date {
  const at = new Date(expiresAt);
  if (Number.isNaN(at.getTime()) || at <= now || at.getTime() - now.getTime() > SERVICE_CREDENTIAL_MAX_DAYS * 24 * 3600_000 + 60_000) {
    throw new ServiceCredentialRuleError("expiry_invalid");
  }
  return at;
}

async function checkScope(tx: Pick<AuditTx, "patient" | "department">, input: NewServiceCredential): Promise<void> {
  if (input.scopeMrn && !(await tx.patient.findUnique({ where: { mrn: input.scopeMrn }, select: { id: true } }))) throw new ServiceCredentialRuleError("scope_unknown");
  if (input.scopeDepartmentId && !(await tx.department.findUnique({ where: { id: input.scopeDepartmentId }, select: { id: true } }))) {
    throw new ServiceCredentialRuleError("scope_unknown");
  }
}

/** Form-level checks, run when the credential is requested (and again when the approved request executes). */
export async function precheckServiceCredential(input: NewServiceCredential): Promise<void> {
  checkExpiry(input.expiresAt, new Date());
  await checkScope(db(), input);
}

/**
 * Issues a credential for a hospital system, as the approved step of a four-eyes request
 * (lib/dal/privileged-requests.ts). The token (32 random bytes, base64url, after `cps_`) is returned this once, to the
 * approver's screen; only its sha256 is stored, so a database reader cannot use it.
 */
export async function executeServiceCredential(tx: AuditTx, caller: Caller, input: NewServiceCredential, requestId: string): Promise<IssuedServiceCredentialDto> {
  const admin = requireAdmin(caller);
  const expiresAt = checkExpiry(input.expiresAt, new Date());
  await checkScope(tx, input);
  const token = `${SERVICE_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const tokenPrefix = token.slice(0, SHOWN_PREFIX_LENGTH);
  const row = await tx.serviceCredential.create({
    data: { name: input.name, tokenPrefix, tokenHash: tokenHash(token), createdById: admin.id, expiresAt, scopeMrn: input.scopeMrn, scopeDepartmentId: input.scopeDepartmentId },
    select: { id: true },
  });
  await appendAccessEventIn(
    tx,
    {
      actor: admin,
      action: "service_credential.issued",
      outcome: "ALLOWED",
      purpose: "OPERATIONS",
      details: { credentialId: row.id, tokenPrefix, expiresAt: expiresAt.toISOString(), scopeMrn: input.scopeMrn !== null, scopeDepartmentId: input.scopeDepartmentId, requestId },
    },
    caller.context,
  );
  return { id: row.id, name: input.name, token, tokenPrefix };
}

/** Revokes a credential: the next request with it is refused. Logged as `service_credential.revoked`. */
export async function revokeServiceCredential(caller: Caller, credentialId: string): Promise<void> {
  const admin = requireAdmin(caller);
  if (!isUuid(credentialId)) throw new AccessDeniedError();
  await db().$transaction(async (tx) => {
    const updated = await tx.serviceCredential.updateMany({ where: { id: credentialId, revokedAt: null }, data: { revokedAt: new Date(), revokedById: admin.id } });
    if (updated.count !== 1) throw new AccessDeniedError("Credential not found or already revoked");
    await appendAccessEventIn(tx, { actor: admin, action: "service_credential.revoked", outcome: "ALLOWED", purpose: "OPERATIONS", details: { credentialId } }, caller.context);
  });
}

/** Every credential, newest first: name, prefix, who issued it, last use, revocation. Never a token or its hash. */
export async function listServiceCredentials(caller: Caller): Promise<ServiceCredentialDto[]> {
  requireAdmin(caller);
  const rows = await db().serviceCredential.findMany({
    select: { id: true, name: true, tokenPrefix: true, createdAt: true, createdById: true, lastUsedAt: true, revokedAt: true, expiresAt: true, scopeMrn: true, scopeDepartmentId: true },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  const staff = await db().staff.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.createdById))] } }, select: { id: true, name: true } });
  const names = new Map(staff.map((s) => [s.id, s.name]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    tokenPrefix: r.tokenPrefix,
    createdAt: r.createdAt.toISOString(),
    createdBy: names.get(r.createdById) ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    expiresAt: r.expiresAt.toISOString(),
    scope: r.scopeMrn ? "mrn" : r.scopeDepartmentId ? "department" : null,
  }));
}

export type AuthenticatedCredential = { id: string; name: string; scopeMrn: string | null; scopeDepartmentId: string | null };

/**
 * The credential a bearer token belongs to, if it is active (not revoked, not expired); else ServiceAuthError (and a
 * DENIED event). The lookup is by the token's sha256 through a unique index: comparing digests of a secret leaks
 * nothing useful through timing. Marks the credential used; its first use raises an alert, so a credential nobody
 * expected to be used yet is noticed.
 */
export async function authenticateServiceToken(token: string | null, context: AuditContext): Promise<AuthenticatedCredential> {
  const found =
    token !== null && TOKEN_SHAPE.test(token)
      ? await db().serviceCredential.findUnique({
          where: { tokenHash: tokenHash(token) },
          select: { id: true, name: true, revokedAt: true, expiresAt: true, scopeMrn: true, scopeDepartmentId: true, createdById: true },
        })
      : null;
  const now = new Date();
  const reason = !found ? (token ? "unknown" : "missing") : found.revokedAt !== null ? "revoked" : found.expiresAt <= now ? "expired" : null;
  if (!found || reason) {
    await appendAccessEvent(
      { actor: "SYSTEM", action: "service.authentication_failed", outcome: "DENIED", purpose: "OPERATIONS", details: found ? { credentialId: found.id, reason } : { reason } },
      context,
    );
    throw new ServiceAuthError();
  }
  const first = await db().serviceCredential.updateMany({ where: { id: found.id, lastUsedAt: null }, data: { lastUsedAt: now } });
  if (first.count === 1) {
    await raiseAlert({ kind: "service_credential.first_use", severity: "WARNING", details: { credentialId: found.id, adminIds: [found.createdById] } });
  } else {
    await db().serviceCredential.update({ where: { id: found.id }, data: { lastUsedAt: now }, select: { id: true } });
  }
  return { id: found.id, name: found.name, scopeMrn: found.scopeMrn, scopeDepartmentId: found.scopeDepartmentId };
}

/**
 * Whether a credential may file records for this patient: any patient when unscoped; else the scoped MRN, or a patient
 * with an active TREATMENT consent for the scoped department. A use outside the scope raises a critical alert (the
 * caller refuses the request).
 */
export async function credentialCovers(credential: AuthenticatedCredential, patient: { id: string; mrn: string }, context: AuditContext): Promise<boolean> {
  if (!credential.scopeMrn && !credential.scopeDepartmentId) return true;
  let covered = false;
  if (credential.scopeMrn) covered = credential.scopeMrn === patient.mrn;
  else if (credential.scopeDepartmentId) {
    const consents = await db().consent.findMany({
      where: { patientId: patient.id, scope: "TREATMENT", granteeDepartmentId: credential.scopeDepartmentId },
      select: { validFrom: true, validUntil: true, revokedAt: true },
    });
    covered = consents.some((c) => consentIsActive(c, new Date()));
  }
  if (!covered) {
    await appendAccessEvent(
      { actor: "SYSTEM", action: "service.out_of_scope", outcome: "DENIED", purpose: "OPERATIONS", patientId: patient.id, details: { credentialId: credential.id } },
      context,
    );
    await raiseAlert({ kind: "service_credential.out_of_scope", severity: "CRITICAL", details: { credentialId: credential.id, patientId: patient.id } });
  }
  return covered;
}
