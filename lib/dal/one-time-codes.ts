import "server-only";
import type { AuditTx } from "@/lib/audit";
import { env } from "@/lib/env";
import { hashCode, newOneTimeCode } from "@/lib/auth/one-time-code";
import type { IssuedCodeDto } from "@/lib/dto/admin";

/**
 * Issues a one-time code for a staff account or a patient's portal account, inside the caller's transaction. A new
 * code replaces any open one: only the latest slip handed over works. Only the code's hash is stored; the code is
 * returned this once, for the screen of whoever hands it over.
 */
export async function issueOneTimeCode(
  tx: AuditTx,
  owner: { staffId: string } | { patientId: string },
  purpose: IssuedCodeDto["purpose"],
  createdById: string,
): Promise<IssuedCodeDto> {
  const now = new Date();
  await tx.oneTimeCode.updateMany({ where: { ...owner, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
  const code = newOneTimeCode();
  const expiresAt = new Date(now.getTime() + env().ONE_TIME_CODE_HOURS * 3600_000);
  await tx.oneTimeCode.create({ data: { ...owner, purpose, codeHash: hashCode(code), expiresAt, createdById }, select: { id: true } });
  return { code, expiresAt: expiresAt.toISOString(), purpose };
}
