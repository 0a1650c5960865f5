import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { appendAccessEvent, appendAccessEventIn } from "@/lib/audit";
import { raiseAlert } from "@/lib/jobs/alerts";
import { can } from "@/lib/authz";
import type { IssuedCodeDto, PatientAccountDto } from "@/lib/dto/admin";
import { AccessDeniedError, type Caller } from "./caller";
import { issueOneTimeCode } from "./one-time-codes";
import { filePatientNotice } from "./patient-notices";

// Patients' portal accounts are made at the desk (docs/decisions/015-patients-accounts-consents-corrections.md): staff with
// `patient_account.manage` find the patient by MRN *and* birth date read from an identity document, then hand over
// a one-time activation code in person. There is no self-registration that could link a stranger to a chart.

export type PatientAccountRuleCode = "not_found" | "already_exists" | "no_account" | "email_taken" | "self" | "lookup_throttled" | "lookup_required";

/** Misses (MRN and birth date not matching) by one desk account in the window before its look-ups pause. */
export const LOOKUP_MISS_LIMIT = 5;
export const LOOKUP_WINDOW_MINUTES = 15;
/** How long a successful look-up opens that one patient's account page to the desk account that made it. */
export const LOOKUP_GRANT_MINUTES = 30;

export class PatientAccountRuleError extends Error {
  override name = "PatientAccountRuleError";
  constructor(readonly code: PatientAccountRuleCode) {
    super(`Patient account rule: ${code}`);
  }
}

function requireDesk(caller: Caller) {
  if (caller.actor.kind !== "STAFF" || !can(caller.actor, "patient_account.manage")) throw new AccessDeniedError();
  return caller.actor;
}

/** Separation of duties: a staff member who is also a patient here never manages their own portal account. */
async function refuseSelf(staffId: string, patientId: string): Promise<void> {
  const self = await db().staff.findFirst({ where: { id: staffId, patientId }, select: { id: true } });
  if (self) throw new PatientAccountRuleError("self");
}

/**
 * The identity check: MRN and birth date must both match (the MRN from the hospital card, the date from an ID
 * document). Logged either way, by patient id when found, never with the typed values.
 */
export async function findPatientForAccount(caller: Caller, mrn: string, birthDate: string): Promise<string | null> {
  const actor = requireDesk(caller);
  // A birth-date oracle otherwise (issue 21: 82 tries in 13 s): misses are counted per desk account, under a lock, and
  // pause the look-up (and alert) once there are too many in the window.
  const since = new Date(Date.now() - LOOKUP_WINDOW_MINUTES * 60_000);
  const misses = await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`desk-lookup:${actor.id}`}, 8811))`;
    return tx.accessEvent.count({ where: { actorId: actor.id, action: "patient_account.looked_up", outcome: "DENIED", occurredAt: { gte: since } } });
  });
  if (misses >= LOOKUP_MISS_LIMIT) {
    await appendAccessEvent({ actor, action: "patient_account.lookup_throttled", outcome: "DENIED", purpose: "OPERATIONS", details: { misses } }, caller.context);
    await raiseAlert({ kind: "patient_account.lookup_misses", severity: "WARNING", dedupeKey: `desk:${actor.id}`, details: { staffId: actor.id, adminIds: [actor.id], misses } });
    throw new PatientAccountRuleError("lookup_throttled");
  }
  const patient = await db().patient.findUnique({ where: { mrn }, select: { id: true, birthDate: true } });
  const matches = patient !== null && patient.birthDate.toISOString().slice(0, 10) === birthDate;
  await appendAccessEvent(
    {
      actor,
      action: "patient_account.looked_up",
      outcome: matches ? "ALLOWED" : "DENIED",
      purpose: "OPERATIONS",
      patientId: matches ? patient.id : null,
      details: { matched: matches },
    },
    caller.context,
  );
  return matches ? patient.id : null;
}

/** Whether this desk account found this patient by MRN and birth date recently: the page is opened only that way. */
async function lookedUpRecently(actorId: string, patientId: string): Promise<boolean> {
  const since = new Date(Date.now() - LOOKUP_GRANT_MINUTES * 60_000);
  return (await db().accessEvent.count({ where: { actorId, patientId, action: "patient_account.looked_up", outcome: "ALLOWED", occurredAt: { gte: since } } })) > 0;
}

function accountStatus(p: { portalEmail: string | null; portalPasswordHash: string | null; portalDisabledAt: Date | null; portalActivatedAt: Date | null }): PatientAccountDto["status"] {
  if (!p.portalEmail) return "NONE";
  if (p.portalDisabledAt) return "DISABLED";
  if (!p.portalPasswordHash) return p.portalActivatedAt ? "RESET_PENDING" : "PENDING";
  return "ACTIVE";
}

/** The desk's view of one patient: who they are (to check against the ID) and the state of their portal account. */
export async function getPatientAccount(caller: Caller, patientId: string): Promise<PatientAccountDto | null> {
  const actor = requireDesk(caller);
  // Not by id alone: /admin/patient-accounts/<id> showed name and birth date for any id (issue 21).
  if (!(await lookedUpRecently(actor.id, patientId))) {
    await appendAccessEvent({ actor, action: "patient_account.viewed", outcome: "DENIED", purpose: "OPERATIONS", details: { reason: "lookup_required" } }, caller.context);
    return null;
  }
  const p = await db().patient.findUnique({
    where: { id: patientId },
    select: { id: true, mrn: true, name: true, birthDate: true, portalEmail: true, portalPasswordHash: true, portalDisabledAt: true, portalActivatedAt: true },
  });
  if (!p) return null;
  const open = await db().oneTimeCode.findFirst({
    where: { patientId, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { expiresAt: true },
  });
  await appendAccessEvent({ actor, action: "patient_account.viewed", outcome: "ALLOWED", purpose: "OPERATIONS", patientId: p.id }, caller.context);
  return {
    patientId: p.id,
    mrn: p.mrn,
    name: p.name,
    birthDate: p.birthDate.toISOString().slice(0, 10),
    email: p.portalEmail,
    status: accountStatus(p),
    activatedAt: p.portalActivatedAt?.toISOString() ?? null,
    openCodeExpiresAt: open?.expiresAt.toISOString() ?? null,
  };
}


export type NewPatientAccount = { email: string; idDocument: string };

/** Opens a portal account (no password yet) and returns its activation code, shown once. */
export async function createPatientAccount(caller: Caller, patientId: string, input: NewPatientAccount): Promise<IssuedCodeDto> {
  const actor = requireDesk(caller);
  await refuseSelf(actor.id, patientId);
  if (!(await lookedUpRecently(actor.id, patientId))) throw new PatientAccountRuleError("lookup_required");
  const email = input.email.trim().toLowerCase();
  try {
    return await db().$transaction(async (tx) => {
      const before = await tx.patient.findUnique({ where: { id: patientId }, select: { portalEmail: true } });
      if (!before) throw new PatientAccountRuleError("not_found");
      if (before.portalEmail) throw new PatientAccountRuleError("already_exists");
      await tx.patient.update({
        where: { id: patientId },
        data: { portalEmail: email, portalPasswordHash: null, portalDisabledAt: null, portalSessionVersion: { increment: 1 } },
        select: { id: true },
      });
      const code = await issueOneTimeCode(tx, { patientId }, "ACTIVATION", actor.id);
      await filePatientNotice(tx, patientId, "ACCOUNT_OPENED");
      await appendAccessEventIn(
        tx,
        { actor, action: "patient_account.created", outcome: "ALLOWED", purpose: "OPERATIONS", patientId, details: { idDocument: input.idDocument, codeExpiresAt: code.expiresAt } },
        caller.context,
      );
      return code;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw new PatientAccountRuleError("email_taken");
    throw error;
  }
}

/**
 * A new code: another activation code while the account was never activated, else a password reset — the old
 * password stops working at once, every open session ends, and a disabled account is re-enabled by its new code.
 */
export async function reissuePatientCode(caller: Caller, patientId: string, idDocument: string): Promise<IssuedCodeDto> {
  const actor = requireDesk(caller);
  await refuseSelf(actor.id, patientId);
  if (!(await lookedUpRecently(actor.id, patientId))) throw new PatientAccountRuleError("lookup_required");
  return db().$transaction(async (tx) => {
    const before = await tx.patient.findUnique({ where: { id: patientId }, select: { portalEmail: true, portalActivatedAt: true, portalDisabledAt: true } });
    if (!before) throw new PatientAccountRuleError("not_found");
    if (!before.portalEmail) throw new PatientAccountRuleError("no_account");
    const purpose = before.portalActivatedAt ? "PASSWORD_RESET" : "ACTIVATION";
    await tx.patient.update({
      where: { id: patientId },
      data: { portalPasswordHash: null, portalDisabledAt: null, portalSessionVersion: { increment: 1 } },
      select: { id: true },
    });
    const code = await issueOneTimeCode(tx, { patientId }, purpose, actor.id);
    // A new activation code for an account never activated is still a change the patient should hear of: whoever
    // holds the new code, and not the patient, could be the one who activates it.
    await filePatientNotice(tx, patientId, "ACCOUNT_RESET");
    await appendAccessEventIn(
      tx,
      {
        actor,
        action: purpose === "ACTIVATION" ? "patient_account.activation_code_reissued" : "patient_account.password_reset",
        outcome: "ALLOWED",
        purpose: "OPERATIONS",
        patientId,
        details: { idDocument, wasDisabled: before.portalDisabledAt !== null, codeExpiresAt: code.expiresAt },
      },
      caller.context,
    );
    return code;
  });
}

/** Disables the portal account at once (open sessions end on their next request); records and consents stay. */
export async function disablePatientAccount(caller: Caller, patientId: string): Promise<void> {
  const actor = requireDesk(caller);
  await refuseSelf(actor.id, patientId);
  if (!(await lookedUpRecently(actor.id, patientId))) throw new PatientAccountRuleError("lookup_required");
  await db().$transaction(async (tx) => {
    const before = await tx.patient.findUnique({ where: { id: patientId }, select: { portalEmail: true, portalDisabledAt: true } });
    if (!before) throw new PatientAccountRuleError("not_found");
    if (!before.portalEmail) throw new PatientAccountRuleError("no_account");
    if (before.portalDisabledAt) return;
    const now = new Date();
    await tx.patient.update({ where: { id: patientId }, data: { portalDisabledAt: now, portalSessionVersion: { increment: 1 } }, select: { id: true } });
    await tx.oneTimeCode.updateMany({ where: { patientId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
    await appendAccessEventIn(tx, { actor, action: "patient_account.disabled", outcome: "ALLOWED", purpose: "OPERATIONS", patientId }, caller.context);
  });
}
