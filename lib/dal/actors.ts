import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn, type AccessAction, type AuditContext } from "@/lib/audit";
import { STAFF_ROLES, mfaRequired, type Actor, type StaffRole } from "@/lib/authz";
import { env } from "@/lib/env";
import { hashPassword, passwordIssue, verifyPassword, type PasswordIssue } from "@/lib/auth/password";
import { hashCode, looksLikeRecoveryCode, newRecoveryCode, normalizeCode } from "@/lib/auth/one-time-code";
import {
  SECOND_FACTOR_ALERT_FAILURES,
  SPRAY_ALERT_FAILURES,
  SPRAY_WINDOW_MINUTES,
  THROTTLE_WINDOW_MINUTES,
  retryAfterSeconds,
  type ThrottleBucket,
} from "@/lib/auth/throttle";
import { raiseAlert } from "@/lib/jobs/alerts";
import { newTotpSecret, openTotpSecret, sealTotpSecret, totpUri, verifyTotp } from "@/lib/auth/totp";
import type { MfaEnrolmentDto, MfaStatusDto } from "@/lib/dto/admin";
import { AccessDeniedError, type Caller } from "./caller";

export type ActorKind = Actor["kind"];

const staffActorSelect = { id: true, role: true, status: true, departmentId: true, name: true, email: true, sessionVersion: true } as const;

/**
 * The actor as the database says it is now: a suspended or deleted account yields null on its next request. With
 * a session's version, a staff session issued before a suspension, role change or password reset yields null too.
 */
export async function findActiveActor(kind: ActorKind, id: string, session?: { version: number | null }): Promise<Actor | null> {
  if (!isUuid(id)) return null;
  if (kind === "STAFF") {
    const staff = await db().staff.findUnique({ where: { id }, select: staffActorSelect });
    if (!staff || staff.status !== "ACTIVE") return null;
    if (session && session.version !== staff.sessionVersion) return null;
    return { kind: "STAFF", id: staff.id, role: staff.role, departmentId: staff.departmentId, name: staff.name, email: staff.email };
  }
  const patient = await db().patient.findUnique({
    where: { id },
    select: { id: true, name: true, portalEmail: true, portalPasswordHash: true, portalDisabledAt: true, portalSessionVersion: true },
  });
  if (!patient?.portalEmail || !patient.portalPasswordHash || patient.portalDisabledAt) return null;
  if (session && session.version !== patient.portalSessionVersion) return null;
  return { kind: "PATIENT", id: patient.id, patientId: patient.id, name: patient.name, email: patient.portalEmail };
}

// Verifying against a fixed hash when the account does not exist keeps response time from revealing which
// emails have accounts.
let dummyHash: Promise<string> | undefined;

export type SignInResult =
  | { ok: true; actor: Actor; sessionVersion: number }
  | { ok: false; reason: "throttled"; retryAfter: number }
  | { ok: false; reason: "invalid" | "mfa_required" | "mfa_enrolment_required" | "mfa_invalid" };

type StaffAccount = {
  id: string;
  passwordHash: string;
  role: StaffRole;
  sessionVersion: number;
  totpSecret: string | null;
  totpEnabledAt: Date | null;
  totpLastStep: number | null;
};

async function findAccount(
  kind: ActorKind,
  email: string,
): Promise<{ id: string; passwordHash: string; staff: StaffAccount | null; sessionVersion: number } | null> {
  const normalized = email.trim().toLowerCase();
  if (kind === "STAFF") {
    const staff = await db().staff.findUnique({
      where: { email: normalized },
      select: { id: true, passwordHash: true, role: true, sessionVersion: true, totpSecret: true, totpEnabledAt: true, totpLastStep: true },
    });
    return staff ? { id: staff.id, passwordHash: staff.passwordHash, staff, sessionVersion: staff.sessionVersion } : null;
  }
  const patient = await db().patient.findUnique({ where: { portalEmail: normalized }, select: { id: true, portalPasswordHash: true, portalSessionVersion: true } });
  return patient?.portalPasswordHash ? { id: patient.id, passwordHash: patient.portalPasswordHash, staff: null, sessionVersion: patient.portalSessionVersion } : null;
}

/** Always does one argon2 verification, so an unknown account or one without a password answers as slowly. */
async function checkPassword(account: { passwordHash: string } | null, password: string): Promise<boolean> {
  dummyHash ??= hashPassword("chartproof-timing-equaliser");
  if (!account?.passwordHash) {
    await verifyPassword(await dummyHash, password);
    return false;
  }
  return verifyPassword(account.passwordHash, password);
}

export type Admission = { admitted: true; ids: bigint[]; keys: { pair: string | null; account: string | null } } | { admitted: false; retryAfter: number; bucket: ThrottleBucket };

/** The account part of a throttle key: the typed email's hash, so unknown and known emails behave alike. */
function accountScope(kind: ActorKind, email: string): string {
  return `${kind}:${createHash("sha256").update(email.trim().toLowerCase(), "utf8").digest("hex").slice(0, 32)}`;
}

/**
 * Takes a place for one attempt before anything is evaluated (lib/auth/throttle.ts): under advisory locks on its
 * keys (taken in a fixed order, so two attempts cannot deadlock), the attempts already in the window are counted and,
 * unless one bucket asks for a delay, a row per key is inserted. Concurrent attempts — in this process or another —
 * therefore see each other.
 */
export async function admitAttempt(scope: string | null, ip: string | null): Promise<Admission> {
  const now = new Date();
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MINUTES * 60_000);
  const buckets: { bucket: ThrottleBucket; key: string }[] = [
    ...(scope ? [{ bucket: "pair" as const, key: `pair:${scope}|${ip ?? "-"}` }, { bucket: "account" as const, key: `account:${scope}` }] : []),
    ...(ip ? [{ bucket: "source" as const, key: `source:${ip}` }] : scope ? [] : [{ bucket: "source" as const, key: "source:-" }]),
  ].sort((a, b) => a.key.localeCompare(b.key));
  return db().$transaction(async (tx): Promise<Admission> => {
    for (const { key } of buckets) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 7321))`;
    let refusal: { retryAfter: number; bucket: ThrottleBucket } | null = null;
    for (const { bucket, key } of buckets) {
      const seen = await tx.signInAttempt.aggregate({ where: { key, occurredAt: { gte: since } }, _count: { _all: true }, _max: { occurredAt: true } });
      const wait = retryAfterSeconds(bucket, seen._count._all, seen._max.occurredAt, now);
      if (wait > 0 && (!refusal || wait > refusal.retryAfter)) refusal = { retryAfter: wait, bucket };
    }
    if (refusal) return { admitted: false, ...refusal };
    const ids: bigint[] = [];
    for (const { key } of buckets) ids.push((await tx.signInAttempt.create({ data: { key, occurredAt: now }, select: { id: true } })).id);
    return {
      admitted: true,
      ids,
      keys: { pair: buckets.find((b) => b.bucket === "pair")?.key ?? null, account: buckets.find((b) => b.bucket === "account")?.key ?? null },
    };
    // A burst queues here for a connection and then for the key's lock: waiting is the point, failing is not.
  }, { maxWait: 15_000, timeout: 15_000 });
}

/** The attempt was not a guess after all (success, or a right password asking for the second factor). */
async function releaseAttempt(admission: Extract<Admission, { admitted: true }>, clearAccount: boolean): Promise<void> {
  const keys = [admission.keys.pair, admission.keys.account].filter((k): k is string => k !== null);
  await db().signInAttempt.deleteMany({ where: { OR: [{ id: { in: admission.ids } }, ...(clearAccount && keys.length ? [{ key: { in: keys } }] : [])] } });
}

async function refuseThrottled(kind: ActorKind, email: string | null, refusal: Extract<Admission, { admitted: false }>, context: AuditContext): Promise<void> {
  const account = email ? await findAccount(kind, email) : null;
  await appendAccessEvent(
    { actor: "SYSTEM", action: "auth.sign_in_throttled", outcome: "DENIED", details: { accountKind: kind, accountId: account?.id ?? null, bucket: refusal.bucket, retryAfter: refusal.retryAfter } },
    context,
  );
  // One open alert per account (or source) under delay: compliance sees a lockout being attempted.
  await raiseAlert({
    kind: "auth.lockout",
    severity: "WARNING",
    dedupeKey: refusal.bucket === "source" ? `source:${context.ip}` : `account:${kind}:${account?.id ?? (email ? accountScope(kind, email) : "-")}`,
    details: { bucket: refusal.bucket, accountKind: kind, accountId: account?.id ?? null, ip: context.ip },
  });
}

/** Many failures anywhere in a short time is password spraying, whichever accounts and addresses it uses. */
async function checkSpraying(): Promise<void> {
  const since = new Date(Date.now() - SPRAY_WINDOW_MINUTES * 60_000);
  const failures = await db().signInAttempt.count({ where: { occurredAt: { gte: since }, key: { startsWith: "account:" } } });
  if (failures >= SPRAY_ALERT_FAILURES) {
    const hour = new Date().toISOString().slice(0, 13);
    await raiseAlert({ kind: "auth.password_spraying", severity: "CRITICAL", dedupeKey: `spray:${hour}`, details: { failures, windowMinutes: SPRAY_WINDOW_MINUTES } });
  }
}

async function recordFailure(
  kind: ActorKind | "ACTIVATION",
  accountId: string | null,
  reason: string,
  context: AuditContext,
  action: AccessAction = "auth.sign_in_failed",
): Promise<void> {
  // The account id (not the typed email) lets compliance see targeted accounts without logging input.
  await appendAccessEvent({ actor: "SYSTEM", action, outcome: "DENIED", details: { accountKind: kind, accountId, reason } }, context);
}

function openSecret(sealed: string | null): string | null {
  return sealed ? openTotpSecret(sealed, env().AUTH_SECRET) : null;
}

/**
 * Checks a sign-in — password, throttling, and for staff the second factor — and records it (success or failure)
 * in the access log. `secondFactor` is a TOTP code or a recovery code; it is asked for only after the password.
 */
export async function verifyCredentials(
  kind: ActorKind,
  email: string,
  password: string,
  context: AuditContext,
  secondFactor?: string | null,
): Promise<SignInResult> {
  const admission = await admitAttempt(accountScope(kind, email), context.ip);
  if (!admission.admitted) {
    await refuseThrottled(kind, email, admission, context);
    return { ok: false, reason: "throttled", retryAfter: admission.retryAfter };
  }
  const account = await findAccount(kind, email);

  const passwordMatches = await checkPassword(account, password);
  const actor = account && passwordMatches ? await findActiveActor(kind, account.id) : null;
  if (!account || !actor) {
    await recordFailure(kind, account?.id ?? null, account && passwordMatches ? "inactive" : "password", context);
    await checkSpraying();
    return { ok: false, reason: "invalid" };
  }

  let factor: "totp" | "recovery_code" | null = null;
  const staff = account.staff;
  if (staff) {
    const enrolled = staff.totpEnabledAt !== null;
    if (enrolled || mfaRequired(staff.role)) {
      const given = secondFactor?.trim() ?? "";
      if (!given) {
        // The right password, asking for the second factor: a step of one sign-in, not a guess.
        await releaseAttempt(admission, false);
        return { ok: false, reason: enrolled ? "mfa_required" : "mfa_enrolment_required" };
      }
      factor = await checkSecondFactor(staff, given, context);
      if (!factor) {
        await recordFailure(kind, account.id, "second_factor", context);
        await checkSecondFactorFailures(account.id, context);
        return { ok: false, reason: "mfa_invalid" };
      }
    }
  }

  await releaseAttempt(admission, true);
  await appendAccessEvent({ actor, action: "auth.signed_in", outcome: "ALLOWED", details: { secondFactor: factor } }, context);
  return { ok: true, actor, sessionVersion: account.sessionVersion };
}

/** Wrong second factors after a right password mean the password is known to someone: a critical alert. */
async function checkSecondFactorFailures(accountId: string, context: AuditContext): Promise<void> {
  const since = new Date(Date.now() - THROTTLE_WINDOW_MINUTES * 60_000);
  const failures = await db().accessEvent.count({
    where: { action: "auth.sign_in_failed", occurredAt: { gte: since }, details: { path: ["accountId"], equals: accountId }, AND: [{ details: { path: ["reason"], equals: "second_factor" } }] },
  });
  if (failures >= SECOND_FACTOR_ALERT_FAILURES) {
    await raiseAlert({ kind: "auth.second_factor_failures", severity: "CRITICAL", dedupeKey: `totp:${accountId}`, details: { accountId, adminIds: [], failures, ip: context.ip } });
  }
}

/** A TOTP code (which also completes a pending enrolment) or an unused recovery code; null when neither. */
async function checkSecondFactor(staff: StaffAccount, given: string, context: AuditContext): Promise<"totp" | "recovery_code" | null> {
  const secret = openSecret(staff.totpSecret);
  const code = given.replace(/\s/g, "");
  if (secret && /^\d{6}$/.test(code)) {
    const step = verifyTotp(secret, code, staff.totpLastStep);
    if (step === null) return null;
    // Compare-and-set on the last step: two concurrent sign-ins with one code cannot both pass.
    const claimed = await db().staff.updateMany({
      where: { id: staff.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
      data: { totpLastStep: step, ...(staff.totpEnabledAt ? {} : { totpEnabledAt: new Date() }) },
    });
    if (claimed.count !== 1) return null;
    if (!staff.totpEnabledAt) {
      const actor = await findActiveActor("STAFF", staff.id);
      if (actor) await appendAccessEvent({ actor, action: "mfa.enrolled", outcome: "ALLOWED", details: { during: "sign_in" } }, context);
    }
    return "totp";
  }
  if (staff.totpEnabledAt && looksLikeRecoveryCode(code)) {
    const used = await db().recoveryCode.updateMany({
      where: { staffId: staff.id, codeHash: hashCode(code), usedAt: null },
      data: { usedAt: new Date() },
    });
    return used.count === 1 ? "recovery_code" : null;
  }
  return null;
}

const RECOVERY_CODE_COUNT = 10;

async function replaceRecoveryCodes(staffId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode());
  await db().$transaction([
    db().recoveryCode.deleteMany({ where: { staffId } }),
    db().recoveryCode.createMany({ data: codes.map((code) => ({ staffId, codeHash: hashCode(code) })) }),
  ]);
  return codes;
}

async function startEnrolment(staffId: string, email: string): Promise<{ secret: string; uri: string }> {
  const secret = newTotpSecret();
  await db().staff.update({
    where: { id: staffId },
    data: { totpSecret: sealTotpSecret(secret, env().AUTH_SECRET), totpEnabledAt: null, totpLastStep: null },
    select: { id: true },
  });
  return { secret, uri: totpUri(secret, email) };
}

/**
 * First sign-in of a role that requires a second factor: after the password checks out (throttled like a sign-in),
 * a new TOTP secret and recovery codes are issued. The enrolment completes when the user signs in with a code
 * from the new secret.
 */
export async function beginSignInMfaEnrolment(email: string, password: string, context: AuditContext): Promise<MfaEnrolmentDto | "throttled" | null> {
  const admission = await admitAttempt(accountScope("STAFF", email), context.ip);
  if (!admission.admitted) {
    await refuseThrottled("STAFF", email, admission, context);
    return "throttled";
  }
  const account = await findAccount("STAFF", email);
  const passwordMatches = await checkPassword(account, password);
  const actor = account && passwordMatches ? await findActiveActor("STAFF", account.id) : null;
  if (!account?.staff || !actor || actor.kind !== "STAFF" || account.staff.totpEnabledAt !== null) {
    await recordFailure("STAFF", account?.id ?? null, passwordMatches ? "mfa_enrolment_refused" : "password", context);
    return null;
  }
  await releaseAttempt(admission, false);
  const { secret, uri } = await startEnrolment(actor.id, actor.email);
  const recoveryCodes = await replaceRecoveryCodes(actor.id);
  await appendAccessEvent({ actor, action: "mfa.enrolment_started", outcome: "ALLOWED", details: { during: "sign_in" } }, context);
  return { secret, uri, recoveryCodes };
}

function requireStaff(caller: Caller): Extract<Actor, { kind: "STAFF" }> {
  if (caller.actor.kind !== "STAFF" || !STAFF_ROLES.includes(caller.actor.role)) throw new AccessDeniedError();
  return caller.actor;
}

export async function getMfaStatus(caller: Caller): Promise<MfaStatusDto> {
  const actor = requireStaff(caller);
  const row = await db().staff.findUniqueOrThrow({ where: { id: actor.id }, select: { totpSecret: true, totpEnabledAt: true } });
  const recoveryCodesLeft = await db().recoveryCode.count({ where: { staffId: actor.id, usedAt: null } });
  return { enabled: row.totpEnabledAt !== null, required: mfaRequired(actor.role), recoveryCodesLeft, enrolling: row.totpEnabledAt === null && row.totpSecret !== null };
}

/** A signed-in staff member starts (or restarts) enrolment from the security page. */
export async function beginMfaEnrolment(caller: Caller): Promise<{ secret: string; uri: string }> {
  const actor = requireStaff(caller);
  const row = await db().staff.findUniqueOrThrow({ where: { id: actor.id }, select: { totpEnabledAt: true } });
  if (row.totpEnabledAt) throw new MfaRuleError("already_enabled");
  const started = await startEnrolment(actor.id, actor.email);
  await appendAccessEvent({ actor, action: "mfa.enrolment_started", outcome: "ALLOWED", details: { during: "settings" } }, caller.context);
  return started;
}

export class MfaRuleError extends Error {
  override name = "MfaRuleError";
  constructor(readonly code: "already_enabled" | "not_enrolling" | "invalid_code" | "required_for_role" | "not_enabled") {
    super(`Two-factor rule: ${code}`);
  }
}

/** Completes enrolment with a code from the new secret; returns fresh recovery codes to show once. */
export async function confirmMfaEnrolment(caller: Caller, code: string): Promise<string[]> {
  const actor = requireStaff(caller);
  const row = await db().staff.findUniqueOrThrow({ where: { id: actor.id }, select: { totpSecret: true, totpEnabledAt: true, totpLastStep: true } });
  if (row.totpEnabledAt) throw new MfaRuleError("already_enabled");
  const secret = openSecret(row.totpSecret);
  if (!secret) throw new MfaRuleError("not_enrolling");
  const step = verifyTotp(secret, code.replace(/\s/g, ""), row.totpLastStep);
  if (step === null) throw new MfaRuleError("invalid_code");
  const enabled = await db().staff.updateMany({ where: { id: actor.id, totpEnabledAt: null }, data: { totpEnabledAt: new Date(), totpLastStep: step } });
  if (enabled.count !== 1) throw new MfaRuleError("already_enabled");
  const codes = await replaceRecoveryCodes(actor.id);
  await appendAccessEvent({ actor, action: "mfa.enrolled", outcome: "ALLOWED", details: { during: "settings" } }, caller.context);
  return codes;
}

export async function regenerateRecoveryCodes(caller: Caller): Promise<string[]> {
  const actor = requireStaff(caller);
  const row = await db().staff.findUniqueOrThrow({ where: { id: actor.id }, select: { totpEnabledAt: true } });
  if (!row.totpEnabledAt) throw new MfaRuleError("not_enabled");
  const codes = await replaceRecoveryCodes(actor.id);
  await appendAccessEvent({ actor, action: "mfa.recovery_codes_regenerated", outcome: "ALLOWED" }, caller.context);
  return codes;
}

/** Turning the second factor off takes a current code, and is refused for roles that require it. */
export async function disableMfa(caller: Caller, code: string): Promise<void> {
  const actor = requireStaff(caller);
  if (mfaRequired(actor.role)) throw new MfaRuleError("required_for_role");
  const row = await db().staff.findUniqueOrThrow({ where: { id: actor.id }, select: { totpSecret: true, totpEnabledAt: true, totpLastStep: true } });
  const secret = openSecret(row.totpSecret);
  if (!row.totpEnabledAt || !secret) throw new MfaRuleError("not_enabled");
  if (verifyTotp(secret, code.replace(/\s/g, ""), row.totpLastStep) === null) throw new MfaRuleError("invalid_code");
  await db().$transaction(async (tx) => {
    await tx.staff.update({ where: { id: actor.id }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null }, select: { id: true } });
    await tx.recoveryCode.deleteMany({ where: { staffId: actor.id } });
    await appendAccessEventIn(tx, { actor, action: "mfa.disabled", outcome: "ALLOWED" }, caller.context);
  });
}

export type ActivationResult = { ok: true; purpose: "ACTIVATION" | "PASSWORD_RESET" } | { ok: false; error: "invalid_code" | "throttled" | PasswordIssue };

/**
 * Redeems an activation or password-reset code: the holder sets their own password. The code is the credential
 * (no session), so failures count against the caller's IP like sign-in failures. A used, replaced or expired code
 * is refused with the same answer as an unknown one.
 */
export async function redeemOneTimeCode(code: string, password: string, context: AuditContext, signedInAs?: { kind: ActorKind; id: string } | null): Promise<ActivationResult> {
  // The code is the credential: attempts count against the source address like sign-ins.
  const admission = await admitAttempt(null, context.ip);
  if (!admission.admitted) return { ok: false, error: "throttled" };
  const now = new Date();
  const row = await db().oneTimeCode.findUnique({
    where: { codeHash: hashCode(normalizeCode(code)) },
    select: {
      id: true,
      purpose: true,
      expiresAt: true,
      usedAt: true,
      revokedAt: true,
      createdById: true,
      staff: { select: { ...staffActorSelect } },
      patient: { select: { id: true, name: true, portalEmail: true, portalDisabledAt: true, portalActivatedAt: true } },
    },
  });
  const holder = row?.staff ?? row?.patient ?? null;
  const unusable =
    !row || !holder || row.usedAt || row.revokedAt || row.expiresAt <= now || row.staff?.status === "SUSPENDED" || (row.patient && (row.patient.portalDisabledAt || !row.patient.portalEmail));
  if (!row || !holder || unusable) {
    await recordFailure("ACTIVATION", holder?.id ?? null, row ? "code_not_usable" : "code_unknown", context, row?.patient ? "patient_account.activation_failed" : "staff.activation_failed");
    return { ok: false, error: "invalid_code" };
  }
  const issue = passwordIssue(password, { email: row.staff?.email ?? row.patient?.portalEmail ?? "" });
  // A good code with a weak password is not a guess: its place in the source's bucket is given back.
  if (issue) {
    await releaseAttempt(admission, false);
    return { ok: false, error: issue };
  }
  const passwordHash = await hashPassword(password);
  const redeemed = await db().$transaction(async (tx) => {
    const claimed = await tx.oneTimeCode.updateMany({ where: { id: row.id, usedAt: null, revokedAt: null }, data: { usedAt: now } });
    if (claimed.count !== 1) return false;
    if (row.staff) {
      const staff = row.staff;
      const actor: Actor = { kind: "STAFF", id: staff.id, role: staff.role, departmentId: staff.departmentId, name: staff.name, email: staff.email };
      await tx.staff.update({
        where: { id: staff.id },
        data: { passwordHash, sessionVersion: { increment: 1 }, ...(staff.status === "PENDING" ? { status: "ACTIVE" } : {}) },
        select: { id: true },
      });
      // A new password ends every session that was open before it, cookie copies included.
      await tx.authSession.updateMany({ where: { actorKind: "STAFF", actorId: staff.id, revokedAt: null }, data: { revokedAt: now } });
      await appendAccessEventIn(
        tx,
        {
          actor,
          action: row.purpose === "ACTIVATION" ? "staff.activated" : "staff.password_set",
          outcome: "ALLOWED",
          details: { staffId: staff.id, before: { status: staff.status }, after: { status: staff.status === "PENDING" ? "ACTIVE" : staff.status } },
        },
        context,
      );
      return true;
    }
    const patient = row.patient!;
    const actor: Actor = { kind: "PATIENT", id: patient.id, patientId: patient.id, name: patient.name, email: patient.portalEmail! };
    await tx.patient.update({
      where: { id: patient.id },
      data: { portalPasswordHash: passwordHash, portalSessionVersion: { increment: 1 }, portalActivatedAt: patient.portalActivatedAt ?? now },
      select: { id: true },
    });
    await tx.authSession.updateMany({ where: { actorKind: "PATIENT", actorId: patient.id, revokedAt: null }, data: { revokedAt: now } });
    await appendAccessEventIn(
      tx,
      { actor, action: row.purpose === "ACTIVATION" ? "patient_account.activated" : "patient_account.password_set", outcome: "ALLOWED", patientId: patient.id },
      context,
    );
    return true;
  });
  if (!redeemed) return { ok: false, error: "invalid_code" };
  await releaseAttempt(admission, false);
  if (row.patient && row.createdById) await checkOpenerActivation(row.createdById, row.patient.id, context, signedInAs ?? null);
  return { ok: true, purpose: row.purpose };
}

/**
 * A portal account opened at the desk and then activated from the opener's own session or address is how a desk
 * account would read a patient's records "as the patient" (issue 21): a critical alert about the opener.
 */
async function checkOpenerActivation(openerId: string, patientId: string, context: AuditContext, signedInAs: { kind: ActorKind; id: string } | null): Promise<void> {
  const sameSession = signedInAs?.kind === "STAFF" && signedInAs.id === openerId;
  let sameAddress = false;
  if (context.ip) {
    const since = new Date(Date.now() - 30 * 24 * 3600_000);
    const [sessions, events] = await Promise.all([
      db().authSession.count({ where: { actorKind: "STAFF", actorId: openerId, ip: context.ip, createdAt: { gte: since } } }),
      db().accessEvent.count({ where: { actorId: openerId, patientId, ip: context.ip, action: { startsWith: "patient_account." }, occurredAt: { gte: since } } }),
    ]);
    sameAddress = sessions + events > 0;
  }
  if (!sameSession && !sameAddress) return;
  await raiseAlert({
    kind: "patient_account.activated_by_opener",
    severity: "CRITICAL",
    details: { patientId, staffId: openerId, adminIds: [openerId], sameSession, sameAddress },
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
