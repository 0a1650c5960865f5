import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn, type AuditContext } from "@/lib/audit";
import { can } from "@/lib/authz";
import type { IssuedServiceCredentialDto, ServiceCredentialDto } from "@/lib/dto/uploads";
import { AccessDeniedError, type Caller } from "./caller";
import { isUuid } from "./actors";

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

/**
 * Issues a credential for a hospital system. The token (32 random bytes, base64url, after `cps_`) is returned this
 * once; only its sha256 is stored, so a database reader cannot use it. Logged as `service_credential.issued`.
 */
export async function issueServiceCredential(caller: Caller, name: string): Promise<IssuedServiceCredentialDto> {
  const admin = requireAdmin(caller);
  const token = `${SERVICE_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const tokenPrefix = token.slice(0, SHOWN_PREFIX_LENGTH);
  const created = await db().$transaction(async (tx) => {
    const row = await tx.serviceCredential.create({ data: { name, tokenPrefix, tokenHash: tokenHash(token), createdById: admin.id }, select: { id: true } });
    await appendAccessEventIn(tx, { actor: admin, action: "service_credential.issued", outcome: "ALLOWED", purpose: "OPERATIONS", details: { credentialId: row.id, tokenPrefix } }, caller.context);
    return row;
  });
  return { id: created.id, name, token, tokenPrefix };
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
    select: { id: true, name: true, tokenPrefix: true, createdAt: true, createdById: true, lastUsedAt: true, revokedAt: true },
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
  }));
}

/**
 * The credential a bearer token belongs to, if it is active; else ServiceAuthError (and a DENIED event). The lookup is
 * by the token's sha256 through a unique index: comparing digests of a secret leaks nothing useful through timing.
 * Marks the credential used.
 */
export async function authenticateServiceToken(token: string | null, context: AuditContext): Promise<{ id: string; name: string }> {
  const found =
    token !== null && TOKEN_SHAPE.test(token)
      ? await db().serviceCredential.findUnique({ where: { tokenHash: tokenHash(token) }, select: { id: true, name: true, revokedAt: true } })
      : null;
  if (!found || found.revokedAt !== null) {
    await appendAccessEvent(
      { actor: "SYSTEM", action: "service.authentication_failed", outcome: "DENIED", purpose: "OPERATIONS", details: found ? { credentialId: found.id, reason: "revoked" } : { reason: token ? "unknown" : "missing" } },
      context,
    );
    throw new ServiceAuthError();
  }
  await db().serviceCredential.update({ where: { id: found.id }, data: { lastUsedAt: new Date() }, select: { id: true } });
  return { id: found.id, name: found.name };
}
