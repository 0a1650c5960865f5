import "server-only";
import { consentFactsSelect } from "./consent-facts";
import { db } from "@/lib/db";
import { appendAccessEventIn, type AccessAction, type AuditTx } from "@/lib/audit";
import { can, consentIsActive, roleHas, type Actor, type StaffRole } from "@/lib/authz";
import { Prisma } from "@/lib/generated/prisma/client";
import { NO_PASSWORD } from "@/lib/auth/password";
import type {
  AccessChangePreviewDto,
  IssuedCodeDto,
  PatientRefDto,
  StaffDetailDto,
  StaffListQuery,
  StaffPageDto,
  StaffRowDto,
} from "@/lib/dto/admin";
import { AccessDeniedError, type Caller } from "./caller";
import { deliverCode } from "./code-outbox";
import { issueOneTimeCode } from "./one-time-codes";

export type StaffRuleCode =
  | "not_found"
  | "email_taken"
  | "department_unknown"
  | "department_inactive"
  | "licence_required"
  | "self_role"
  | "self_suspend"
  | "self_reset"
  | "last_admin"
  | "not_suspended"
  | "suspended"
  | "unchanged";

/** A change the rules refuse; nothing was written (except the refusal's own access event). */
export class StaffRuleError extends Error {
  override name = "StaffRuleError";
  constructor(readonly code: StaffRuleCode) {
    super(`Staff rule: ${code}`);
  }
}

// Changes that could remove the last active administrator serialize on this lock, so two admins demoting each
// other at the same moment cannot both succeed.
const ADMIN_LOCK_KEY = 0x43_50_41_44; // "CPAD"

function requirePermission(caller: Caller, permission: "staff.list" | "staff.manage"): Extract<Actor, { kind: "STAFF" }> {
  if (!can(caller.actor, permission) || caller.actor.kind !== "STAFF") throw new AccessDeniedError();
  return caller.actor;
}

const rowSelect = {
  id: true,
  name: true,
  email: true,
  role: true,
  status: true,
  createdAt: true,
  totpEnabledAt: true,
  department: { select: { name: true } },
} as const;

function toRow(s: Prisma.StaffGetPayload<{ select: typeof rowSelect }>, lastSignIn: Date | null): StaffRowDto {
  return {
    id: s.id,
    name: s.name,
    email: s.email,
    role: s.role,
    status: s.status,
    department: s.department?.name ?? null,
    createdAt: s.createdAt.toISOString(),
    lastSignInAt: lastSignIn?.toISOString() ?? null,
    mfaEnabled: s.totpEnabledAt !== null,
  };
}

/** The newest session each account opened: its last sign-in (sessions are rows; one indexed query per page). */
async function lastSignIns(ids: readonly string[]): Promise<Map<string, Date>> {
  if (ids.length === 0) return new Map();
  const rows = await db().authSession.groupBy({ by: ["actorId"], where: { actorKind: "STAFF", actorId: { in: [...ids] } }, _max: { createdAt: true } });
  return new Map(rows.flatMap((r) => (r._max.createdAt ? [[r.actorId, r._max.createdAt] as const] : [])));
}

/** One page of the directory: search, filters, sort and paging are all done by the database. */
export async function listStaff(caller: Caller, query: StaffListQuery): Promise<StaffPageDto> {
  requirePermission(caller, "staff.list");
  const where: Prisma.StaffWhereInput = {
    ...(query.q ? { OR: [{ name: { contains: query.q, mode: "insensitive" } }, { email: { contains: query.q.toLowerCase() } }] } : {}),
    ...(query.role ? { role: query.role } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.department ? { departmentId: query.department === "none" ? null : query.department } : {}),
  };
  const dir = query.dir;
  const orderBy: Prisma.StaffOrderByWithRelationInput =
    query.sort === "department" ? { department: { name: dir } } : { [query.sort]: dir };
  const total = await db().staff.count({ where });
  const lastPage = Math.max(1, Math.ceil(total / query.size));
  const page = Math.min(query.page, lastPage);
  const rows = await db().staff.findMany({
    where,
    select: rowSelect,
    orderBy: [orderBy, { id: "asc" }],
    skip: (page - 1) * query.size,
    take: query.size,
  });
  const signIns = await lastSignIns(rows.map((r) => r.id));
  return { rows: rows.map((r) => toRow(r, signIns.get(r.id) ?? null)), total, page, pageSize: query.size };
}

export async function getStaffDetail(caller: Caller, id: string): Promise<StaffDetailDto | null> {
  const actor = requirePermission(caller, "staff.manage");
  const s = await db().staff.findUnique({
    where: { id },
    select: { ...rowSelect, departmentId: true, licenceNumber: true },
  });
  if (!s) return null;
  const open = await db().oneTimeCode.findFirst({
    where: { staffId: id, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { expiresAt: true },
  });
  const signIns = await lastSignIns([s.id]);
  return {
    ...toRow(s, signIns.get(s.id) ?? null),
    departmentId: s.departmentId,
    licenceNumber: s.licenceNumber,
    mfaEnabled: s.totpEnabledAt !== null,
    isSelf: s.id === actor.id,
    openCodeExpiresAt: open?.expiresAt.toISOString() ?? null,
  };
}

async function checkDepartment(tx: Pick<AuditTx, "department">, departmentId: string | null): Promise<void> {
  if (departmentId === null) return;
  const department = await tx.department.findUnique({ where: { id: departmentId }, select: { deactivatedAt: true } });
  if (!department) throw new StaffRuleError("department_unknown");
  if (department.deactivatedAt) throw new StaffRuleError("department_inactive");
}


function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

export type NewStaff = { name: string; email: string; role: StaffRole; departmentId: string | null; licenceNumber: string | null };

/** Form-level checks of a new account, run when it is requested (and again, in the transaction, when it executes). */
export async function precheckStaffCreate(input: NewStaff): Promise<void> {
  if (input.role === "DOCTOR" && !input.licenceNumber) throw new StaffRuleError("licence_required");
  await checkDepartment(db(), input.departmentId);
  if (await db().staff.findUnique({ where: { email: input.email.trim().toLowerCase() }, select: { id: true } })) throw new StaffRuleError("email_taken");
}

/**
 * Creates an account awaiting activation, as the approved step of a four-eyes request (lib/dal/privileged-requests.ts),
 * and returns its one-time code for the approver's screen (shown once, stored only as a hash).
 */
export async function executeStaffCreate(tx: AuditTx, caller: Caller, input: NewStaff, requestId: string): Promise<{ staffId: string; code: IssuedCodeDto }> {
  const actor = requirePermission(caller, "staff.manage");
  if (input.role === "DOCTOR" && !input.licenceNumber) throw new StaffRuleError("licence_required");
  const email = input.email.trim().toLowerCase();
  await checkDepartment(tx, input.departmentId);
  if (await tx.staff.findUnique({ where: { email }, select: { id: true } })) throw new StaffRuleError("email_taken");
  const after = { name: input.name, email, role: input.role, departmentId: input.departmentId, licenceNumber: input.licenceNumber, status: "PENDING" as const };
  try {
    const created = await tx.staff.create({ data: { ...after, passwordHash: NO_PASSWORD }, select: { id: true } });
    const code = await issueOneTimeCode(tx, { staffId: created.id }, "ACTIVATION", actor.id);
    await appendAccessEventIn(
      tx,
      { actor, action: "staff.created", outcome: "ALLOWED", purpose: "OPERATIONS", details: { staffId: created.id, before: null, after, codeExpiresAt: code.expiresAt, requestId } },
      caller.context,
    );
    return { staffId: created.id, code };
  } catch (error) {
    if (isUniqueViolation(error)) throw new StaffRuleError("email_taken");
    throw error;
  }
}

export type StaffProfile = { name: string; email: string; licenceNumber: string | null };

export async function updateStaffProfile(caller: Caller, id: string, input: StaffProfile): Promise<void> {
  const actor = requirePermission(caller, "staff.manage");
  const email = input.email.trim().toLowerCase();
  try {
    await db().$transaction(async (tx) => {
      const before = await tx.staff.findUnique({ where: { id }, select: { name: true, email: true, licenceNumber: true, role: true } });
      if (!before) throw new StaffRuleError("not_found");
      if (before.role === "DOCTOR" && !input.licenceNumber) throw new StaffRuleError("licence_required");
      const after = { name: input.name, email, licenceNumber: input.licenceNumber };
      if (before.name === after.name && before.email === after.email && before.licenceNumber === after.licenceNumber) throw new StaffRuleError("unchanged");
      await tx.staff.update({ where: { id }, data: after, select: { id: true } });
      await appendAccessEventIn(
        tx,
        {
          actor,
          action: "staff.updated",
          outcome: "ALLOWED",
          purpose: "OPERATIONS",
          details: { staffId: id, before: { name: before.name, email: before.email, licenceNumber: before.licenceNumber }, after },
        },
        caller.context,
      );
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new StaffRuleError("email_taken");
    throw error;
  }
}

/** Patients whose charts a staff member with this role and department could open now (by consent). */
async function reachablePatients(staffId: string, role: StaffRole, departmentId: string | null, now: Date): Promise<Map<string, PatientRefDto>> {
  if (!roleHas(role, "chart.view")) return new Map();
  const consents = await db().consent.findMany({
    where: {
      scope: "TREATMENT",
      OR: [{ granteeStaffId: staffId }, ...(departmentId ? [{ granteeDepartmentId: departmentId }] : [])],
    },
    select: { ...consentFactsSelect, patient: { select: { id: true, mrn: true } } },
  });
  return new Map(consents.filter((c) => consentIsActive(c, now)).map((c) => [c.patient.id, c.patient]));
}

/**
 * What a role or department change would do to chart access, for the administrator to see before confirming.
 * Identifiers only (MRNs), never record contents; the preview itself is logged.
 */
export async function previewAccessChange(
  caller: Caller,
  id: string,
  change: { role?: StaffRole; departmentId?: string | null },
): Promise<AccessChangePreviewDto> {
  const actor = requirePermission(caller, "staff.manage");
  const target = await db().staff.findUnique({ where: { id }, select: { role: true, departmentId: true } });
  if (!target) throw new StaffRuleError("not_found");
  const now = new Date();
  const before = await reachablePatients(id, target.role, target.departmentId, now);
  const after = await reachablePatients(id, change.role ?? target.role, change.departmentId !== undefined ? change.departmentId : target.departmentId, now);
  const byMrn = (a: PatientRefDto, b: PatientRefDto) => a.mrn.localeCompare(b.mrn);
  const preview = {
    gained: [...after.values()].filter((p) => !before.has(p.id)).sort(byMrn),
    lost: [...before.values()].filter((p) => !after.has(p.id)).sort(byMrn),
  };
  await db().$transaction((tx) =>
    appendAccessEventIn(
      tx,
      {
        actor,
        action: "staff.access_change_previewed",
        outcome: "ALLOWED",
        purpose: "OPERATIONS",
        details: { staffId: id, change, gained: preview.gained.length, lost: preview.lost.length },
      },
      caller.context,
    ),
  );
  return preview;
}

/** Refusals are logged too (outside the rolled-back transaction), so compliance sees attempts, not only changes. */
async function refuse(caller: Caller, action: AccessAction, staffId: string, code: StaffRuleCode): Promise<never> {
  await db().$transaction((tx) =>
    appendAccessEventIn(tx, { actor: caller.actor, action, outcome: "DENIED", purpose: "OPERATIONS", details: { staffId, reason: code } }, caller.context),
  );
  throw new StaffRuleError(code);
}

async function otherActiveAdmins(tx: AuditTx, id: string): Promise<number> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_LOCK_KEY})`;
  return tx.staff.count({ where: { role: "ADMIN", status: "ACTIVE", id: { not: id } } });
}

/** Form-level checks of a role change, run when it is requested (and again when it executes). */
export async function precheckRoleChange(id: string, role: StaffRole): Promise<void> {
  const before = await db().staff.findUnique({ where: { id }, select: { role: true, licenceNumber: true } });
  if (!before) throw new StaffRuleError("not_found");
  if (before.role === role) throw new StaffRuleError("unchanged");
  if (role === "DOCTOR" && !before.licenceNumber) throw new StaffRuleError("licence_required");
}

/** The approved step of a role-change request: never the approver's own role, never the last active admin. */
export async function executeRoleChange(tx: AuditTx, caller: Caller, id: string, role: StaffRole, requestId: string): Promise<void> {
  const actor = requirePermission(caller, "staff.manage");
  if (id === actor.id) throw new StaffRuleError("self_role");
  const before = await tx.staff.findUnique({ where: { id }, select: { role: true, status: true, licenceNumber: true } });
  if (!before) throw new StaffRuleError("not_found");
  if (before.role === role) throw new StaffRuleError("unchanged");
  if (role === "DOCTOR" && !before.licenceNumber) throw new StaffRuleError("licence_required");
  if (before.role === "ADMIN" && before.status === "ACTIVE" && (await otherActiveAdmins(tx, id)) === 0) throw new StaffRuleError("last_admin");
  await tx.staff.update({ where: { id }, data: { role, sessionVersion: { increment: 1 } }, select: { id: true } });
  await appendAccessEventIn(
    tx,
    { actor, action: "staff.role_changed", outcome: "ALLOWED", purpose: "OPERATIONS", details: { staffId: id, before: { role: before.role }, after: { role }, requestId } },
    caller.context,
  );
}

export async function moveStaffDepartment(caller: Caller, id: string, departmentId: string | null): Promise<void> {
  const actor = requirePermission(caller, "staff.manage");
  await db().$transaction(async (tx) => {
    const before = await tx.staff.findUnique({ where: { id }, select: { departmentId: true } });
    if (!before) throw new StaffRuleError("not_found");
    if (before.departmentId === departmentId) throw new StaffRuleError("unchanged");
    await checkDepartment(tx, departmentId);
    await tx.staff.update({ where: { id }, data: { departmentId }, select: { id: true } });
    await appendAccessEventIn(
      tx,
      {
        actor,
        action: "staff.department_changed",
        outcome: "ALLOWED",
        purpose: "OPERATIONS",
        details: { staffId: id, before: { departmentId: before.departmentId }, after: { departmentId } },
      },
      caller.context,
    );
  });
}

/** Suspension ends every open session on its next request (the session version moves on) and voids open codes. */
export async function suspendStaff(caller: Caller, id: string): Promise<void> {
  const actor = requirePermission(caller, "staff.manage");
  if (id === actor.id) await refuse(caller, "staff.suspended", id, "self_suspend");
  const refused = await db().$transaction(async (tx): Promise<StaffRuleCode | null> => {
    const before = await tx.staff.findUnique({ where: { id }, select: { role: true, status: true } });
    if (!before) throw new StaffRuleError("not_found");
    if (before.status === "SUSPENDED") throw new StaffRuleError("unchanged");
    if (before.role === "ADMIN" && before.status === "ACTIVE" && (await otherActiveAdmins(tx, id)) === 0) return "last_admin";
    await tx.staff.update({ where: { id }, data: { status: "SUSPENDED", sessionVersion: { increment: 1 } }, select: { id: true } });
    await tx.authSession.updateMany({ where: { actorKind: "STAFF", actorId: id, revokedAt: null }, data: { revokedAt: new Date() } });
    await tx.oneTimeCode.updateMany({ where: { staffId: id, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    await appendAccessEventIn(
      tx,
      { actor, action: "staff.suspended", outcome: "ALLOWED", purpose: "OPERATIONS", details: { staffId: id, before: { status: before.status }, after: { status: "SUSPENDED" } } },
      caller.context,
    );
    return null;
  });
  if (refused) await refuse(caller, "staff.suspended", id, refused);
}

/** Back to ACTIVE, or to PENDING when the account never set a password (it then needs a new code). */
export async function reactivateStaff(caller: Caller, id: string): Promise<void> {
  const actor = requirePermission(caller, "staff.manage");
  await db().$transaction(async (tx) => {
    const before = await tx.staff.findUnique({ where: { id }, select: { status: true, passwordHash: true } });
    if (!before) throw new StaffRuleError("not_found");
    if (before.status !== "SUSPENDED") throw new StaffRuleError("not_suspended");
    const status = before.passwordHash === NO_PASSWORD ? "PENDING" : "ACTIVE";
    await tx.staff.update({ where: { id }, data: { status }, select: { id: true } });
    await appendAccessEventIn(
      tx,
      { actor, action: "staff.reactivated", outcome: "ALLOWED", purpose: "OPERATIONS", details: { staffId: id, before: { status: before.status }, after: { status } } },
      caller.context,
    );
  });
}

/** Form-level checks of a reset of an existing account (password or second factor). */
export async function precheckSubject(id: string, kind: "PASSWORD_RESET" | "MFA_RESET"): Promise<void> {
  const before = await db().staff.findUnique({ where: { id }, select: { status: true, totpEnabledAt: true } });
  if (!before) throw new StaffRuleError("not_found");
  if (kind === "PASSWORD_RESET" && before.status === "SUSPENDED") throw new StaffRuleError("suspended");
  if (kind === "MFA_RESET" && before.totpEnabledAt === null) throw new StaffRuleError("unchanged");
}

/**
 * The approved step of a code request: a replacement activation code for an account still PENDING, else a password
 * reset — the old password stops working at once and every open session ends. The code goes to the delivery channel
 * (the operator's outbox), never to an administrator's screen: whoever asked for it could otherwise sign in as the
 * account's owner.
 */
export async function executePasswordReset(
  tx: AuditTx,
  caller: Caller,
  id: string,
  requestId: string,
): Promise<{ name: string; codeSent: { purpose: IssuedCodeDto["purpose"]; expiresAt: string } }> {
  const actor = requirePermission(caller, "staff.manage");
  if (id === actor.id) throw new StaffRuleError("self_reset");
  const before = await tx.staff.findUnique({ where: { id }, select: { status: true, email: true, name: true } });
  if (!before) throw new StaffRuleError("not_found");
  if (before.status === "SUSPENDED") throw new StaffRuleError("suspended");
  const purpose = before.status === "PENDING" ? "ACTIVATION" : "PASSWORD_RESET";
  if (purpose === "PASSWORD_RESET") {
    await tx.staff.update({ where: { id }, data: { passwordHash: NO_PASSWORD, sessionVersion: { increment: 1 } }, select: { id: true } });
    await tx.authSession.updateMany({ where: { actorKind: "STAFF", actorId: id, revokedAt: null }, data: { revokedAt: new Date() } });
  }
  const code = await issueOneTimeCode(tx, { staffId: id }, purpose, actor.id);
  await appendAccessEventIn(
    tx,
    {
      actor,
      action: purpose === "ACTIVATION" ? "staff.activation_code_reissued" : "staff.password_reset",
      outcome: "ALLOWED",
      purpose: "OPERATIONS",
      details: { staffId: id, codeExpiresAt: code.expiresAt, delivery: "outbox", requestId },
    },
    caller.context,
  );
  // Last, so that a failed delivery rolls the reset back rather than leaving an account nobody can activate.
  await deliverCode({ to: before.email, name: before.name, purpose, code: code.code, expiresAt: code.expiresAt, requestId });
  return { name: before.name, codeSent: { purpose, expiresAt: code.expiresAt } };
}

/** The approved step of a second-factor reset (a lost authenticator): the user enrols again at the next sign-in. */
export async function executeMfaReset(tx: AuditTx, caller: Caller, id: string, requestId: string): Promise<void> {
  const actor = requirePermission(caller, "staff.manage");
  if (id === actor.id) throw new StaffRuleError("self_reset");
  const before = await tx.staff.findUnique({ where: { id }, select: { totpEnabledAt: true } });
  if (!before) throw new StaffRuleError("not_found");
  await tx.staff.update({ where: { id }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null, sessionVersion: { increment: 1 } }, select: { id: true } });
  await tx.authSession.updateMany({ where: { actorKind: "STAFF", actorId: id, revokedAt: null }, data: { revokedAt: new Date() } });
  await tx.recoveryCode.deleteMany({ where: { staffId: id } });
  await appendAccessEventIn(
    tx,
    { actor, action: "staff.mfa_reset", outcome: "ALLOWED", purpose: "OPERATIONS", details: { staffId: id, before: { mfaEnabled: before.totpEnabledAt !== null }, after: { mfaEnabled: false }, requestId } },
    caller.context,
  );
}
