import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { can } from "@/lib/authz";
import type { OwnIdentityDto } from "@/lib/dto";
import { AccessDeniedError, type Caller } from "./caller";

/**
 * What the hospital registered about the patient — the identity every record is filed under — shown to the patient
 * so a wrong birth date or a misspelt name is noticed and corrected at the desk. Logged as SELF_ACCESS.
 */
export async function getOwnIdentity(caller: Caller): Promise<OwnIdentityDto> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.view")) throw new AccessDeniedError();
  const p = await db().patient.findUnique({
    where: { id: actor.patientId },
    select: { id: true, name: true, mrn: true, birthDate: true, sex: true, phone: true, address: true, portalEmail: true, portalActivatedAt: true },
  });
  if (!p) throw new AccessDeniedError();
  await appendAccessEvent({ actor, action: "own_identity.viewed", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: p.id, details: {} }, caller.context);
  return {
    name: p.name,
    mrn: p.mrn,
    birthDate: p.birthDate.toISOString().slice(0, 10),
    sex: p.sex,
    phone: p.phone,
    address: p.address,
    email: p.portalEmail,
    accountSince: p.portalActivatedAt?.toISOString() ?? null,
  };
}
