import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn, type AccessAction, type AuditTx } from "@/lib/audit";
import { can, type Actor, type StaffRole } from "@/lib/authz";
import { env } from "@/lib/env";
import { canonicalize } from "@/lib/integrity/canonical-json";
import { raiseAlert } from "@/lib/jobs/alerts";
import type { ApprovalResult, PrivilegedOutcome, PrivilegedRequestDto } from "@/lib/dto/admin";
import { isUuid } from "./actors";
import { AccessDeniedError, type Caller } from "./caller";
import {
  StaffRuleError,
  executeMfaReset,
  executePasswordReset,
  executeRoleChange,
  executeStaffCreate,
  precheckRoleChange,
  precheckStaffCreate,
  precheckSubject,
  type NewStaff,
} from "./staff";
import { executeServiceCredential, precheckServiceCredential, type NewServiceCredential } from "./service-credentials";
import { executeRecordErase, precheckRecordErase, type RecordEraseParams } from "./record-erasure";

// Four eyes (docs/decisions/019-four-eyes-and-sign-in.md). The steps by which an administrator could give themselves
// clinical, compliance or admin power, or take over someone else's sign-in, or let a system file records into charts,
// are requests here. A different active administrator — neither the requester nor the account acted on — approves,
// and the approval executes exactly the stored parameters (their hash is checked first). Requests lapse after
// FOUR_EYES_REQUEST_HOURS (at most 24 h).
// Lawful erasure of a record (RECORD_ERASE, docs/decisions/016-database-refuses-to-rewrite-history.md) is the one kind
// an administrator does not request: a compliance officer does (record.erase.request) and an administrator approves
// (record.erase.approve); it never executes without that approval, whatever FOUR_EYES_MODE says.

export type PrivilegedParams =
  | { kind: "STAFF_CREATE"; staff: NewStaff }
  | { kind: "ROLE_CHANGE"; staffId: string; role: StaffRole }
  | { kind: "PASSWORD_RESET"; staffId: string }
  | { kind: "MFA_RESET"; staffId: string }
  | { kind: "SERVICE_CREDENTIAL"; credential: NewServiceCredential }
  | ({ kind: "RECORD_ERASE" } & RecordEraseParams);

export type PrivilegedKind = PrivilegedParams["kind"];

export type { ApprovalResult, PrivilegedOutcome };

export type PrivilegedRuleCode =
  | "second_admin_needed"
  | "request_not_found"
  | "request_own"
  | "request_subject"
  | "request_expired"
  | "request_decided"
  | "request_tampered";

export class PrivilegedRuleError extends Error {
  override name = "PrivilegedRuleError";
  constructor(readonly code: PrivilegedRuleCode) {
    super(`Four eyes: ${code}`);
  }
}

type StaffActor = Extract<Actor, { kind: "STAFF" }>;

/** Who may ask for a step of this kind. */
function requestPermission(kind: PrivilegedKind): "staff.manage" | "service_credential.manage" | "record.erase.request" {
  return kind === "SERVICE_CREDENTIAL" ? "service_credential.manage" : kind === "RECORD_ERASE" ? "record.erase.request" : "staff.manage";
}

/** Who may approve (or reject) a step of this kind: an administrator in every case. */
function approvePermission(kind: PrivilegedKind): "staff.manage" | "service_credential.manage" | "record.erase.approve" {
  return kind === "RECORD_ERASE" ? "record.erase.approve" : requestPermission(kind) === "service_credential.manage" ? "service_credential.manage" : "staff.manage";
}

function requireRequester(caller: Caller, kind: PrivilegedKind): StaffActor {
  const actor = caller.actor;
  if (actor.kind !== "STAFF" || !can(actor, requestPermission(kind))) throw new AccessDeniedError();
  return actor;
}

function requireAdmin(caller: Caller): StaffActor {
  const actor = caller.actor;
  if (actor.kind !== "STAFF" || actor.role !== "ADMIN" || !can(actor, "staff.manage")) throw new AccessDeniedError();
  return actor;
}

export function paramsHash(params: PrivilegedParams): string {
  return createHash("sha256").update(canonicalize(params), "utf8").digest("hex");
}

function subjectOf(params: PrivilegedParams): string | null {
  return "staffId" in params ? params.staffId : null;
}

/** Whether an active administrator other than these exists to approve. Counted under the admin lock in the DAL. */
async function approverAvailable(tx: AuditTx, excluded: (string | null)[]): Promise<boolean> {
  const ids = excluded.filter((id): id is string => id !== null);
  return (await tx.staff.count({ where: { role: "ADMIN", status: "ACTIVE", id: { notIn: ids } } })) > 0;
}

/**
 * Files a privileged step as a request (or, in the explicit alert-only mode, executes it at once and raises a
 * critical alert). Checks that can fail on the form (duplicate email, unknown department, self-service) run now, so
 * the requester hears of them at once; every check runs again when the step executes.
 */
export async function requestPrivileged(caller: Caller, params: PrivilegedParams): Promise<PrivilegedOutcome> {
  const requester = requireRequester(caller, params.kind);
  const subject = subjectOf(params);
  try {
    if (subject === requester.id) throw new StaffRuleError(params.kind === "ROLE_CHANGE" ? "self_role" : "self_reset");
    if (params.kind === "RECORD_ERASE") await precheckRecordErase(params);
    else if (params.kind === "STAFF_CREATE") await precheckStaffCreate(params.staff);
    else if (params.kind === "ROLE_CHANGE") await precheckRoleChange(params.staffId, params.role);
    else if (params.kind === "SERVICE_CREDENTIAL") await precheckServiceCredential(params.credential);
    else await precheckSubject(params.staffId, params.kind);
  } catch (error) {
    await logRefusal(caller, "privileged_request.created", { kind: params.kind, subjectStaffId: subject, reason: ruleCode(error) });
    throw error;
  }
  // An erasure cannot be undone: it always waits for its approver.
  const alertOnly = env().FOUR_EYES_MODE === "alert_only" && params.kind !== "RECORD_ERASE";
  const now = new Date();
  const hash = paramsHash(params);

  if (!alertOnly) {
    const created = await db().$transaction(async (tx) => {
      if (!(await approverAvailable(tx, [requester.id, subject]))) return null;
      const row = await tx.privilegedRequest.create({
        data: {
          kind: params.kind,
          params: params as object,
          paramsHash: hash,
          requestedById: requester.id,
          subjectStaffId: subject,
          createdAt: now,
          expiresAt: new Date(now.getTime() + env().FOUR_EYES_REQUEST_HOURS * 3600_000),
        },
        select: { id: true },
      });
      await appendAccessEventIn(
        tx,
        {
          actor: requester,
          action: "privileged_request.created",
          outcome: "ALLOWED",
          purpose: "OPERATIONS",
          details: { requestId: row.id, kind: params.kind, subjectStaffId: subject, paramsHash: hash, ...(params.kind === "RECORD_ERASE" ? { recordId: params.recordId, legalBasis: params.legalBasis } : {}) },
        },
        caller.context,
      );
      return row;
    });
    if (!created) {
      await logRefusal(caller, "privileged_request.created", { kind: params.kind, subjectStaffId: subject, reason: "second_admin_needed" });
      throw new PrivilegedRuleError("second_admin_needed");
    }
    return { status: "pending", requestId: created.id };
  }

  // Alert-only: the requester's own step, executed now, recorded as a request nobody else approved.
  const { requestId, result } = await db().$transaction(async (tx) => {
    const row = await tx.privilegedRequest.create({
      data: { kind: params.kind, params: params as object, paramsHash: hash, requestedById: requester.id, subjectStaffId: subject, status: "APPROVED", decidedAt: now, expiresAt: now },
      select: { id: true },
    });
    const result = await execute(tx, caller, params, row.id);
    await tx.privilegedRequest.update({ where: { id: row.id }, data: { result: storedResult(result) }, select: { id: true } });
    await appendAccessEventIn(
      tx,
      { actor: requester, action: "privileged_request.executed_without_approval", outcome: "ALLOWED", purpose: "OPERATIONS", details: { requestId: row.id, kind: params.kind, subjectStaffId: subject } },
      caller.context,
    );
    return { requestId: row.id, result };
  });
  await raiseAlert({
    kind: "admin.privileged_step_unapproved",
    severity: "CRITICAL",
    details: { requestId, stepKind: params.kind, adminIds: [requester.id], subjectStaffId: subject ?? resultSubject(result) },
  });
  return { status: "executed", requestId, result };
}

function ruleCode(error: unknown): string {
  return error instanceof StaffRuleError || error instanceof PrivilegedRuleError ? error.code : error instanceof Error ? error.name : "error";
}

async function logRefusal(caller: Caller, action: AccessAction, details: Record<string, unknown>): Promise<void> {
  await appendAccessEvent({ actor: caller.actor, action, outcome: "DENIED", purpose: "OPERATIONS", details }, caller.context);
}

async function execute(tx: AuditTx, caller: Caller, params: PrivilegedParams, requestId: string): Promise<ApprovalResult> {
  switch (params.kind) {
    case "STAFF_CREATE":
      return { kind: "STAFF_CREATE", name: params.staff.name, ...(await executeStaffCreate(tx, caller, params.staff, requestId)) };
    case "ROLE_CHANGE":
      await executeRoleChange(tx, caller, params.staffId, params.role, requestId);
      return { kind: "ROLE_CHANGE", staffId: params.staffId };
    case "PASSWORD_RESET":
      return { kind: "PASSWORD_RESET", staffId: params.staffId, ...(await executePasswordReset(tx, caller, params.staffId, requestId)) };
    case "MFA_RESET":
      await executeMfaReset(tx, caller, params.staffId, requestId);
      return { kind: "MFA_RESET", staffId: params.staffId };
    case "SERVICE_CREDENTIAL":
      return { kind: "SERVICE_CREDENTIAL", credential: await executeServiceCredential(tx, caller, params.credential, requestId) };
    case "RECORD_ERASE":
      return { kind: "RECORD_ERASE", ...(await executeRecordErase(tx, caller, params, requestId)) };
  }
}

/** Ids only: a code or a token is never stored. */
function storedResult(result: ApprovalResult): object {
  if (result.kind === "SERVICE_CREDENTIAL") return { credentialId: result.credential.id, tokenPrefix: result.credential.tokenPrefix };
  if (result.kind === "RECORD_ERASE") return { recordId: result.recordId, statementHash: result.statementHash };
  return { staffId: result.staffId };
}

function resultSubject(result: ApprovalResult): string | null {
  return result.kind === "SERVICE_CREDENTIAL" || result.kind === "RECORD_ERASE" ? null : result.staffId;
}

/**
 * A second administrator approves: the request is claimed (PENDING → APPROVED, once, whoever races), its parameters
 * are checked against their hash, and exactly that step executes in the same transaction. Refusals are logged.
 */
export async function approvePrivilegedRequest(caller: Caller, requestId: string): Promise<ApprovalResult> {
  const approver = requireAdmin(caller);
  if (!isUuid(requestId)) throw new PrivilegedRuleError("request_not_found");
  let row: { kind: PrivilegedKind; requestedById: string; subjectStaffId: string | null } | null = null;
  try {
    const result = await db().$transaction(async (tx) => {
      const now = new Date();
      const found = await tx.privilegedRequest.findUnique({
        where: { id: requestId },
        select: { kind: true, status: true, params: true, paramsHash: true, requestedById: true, subjectStaffId: true, expiresAt: true },
      });
      if (!found) throw new PrivilegedRuleError("request_not_found");
      row = found;
      if (!can(approver, approvePermission(found.kind))) throw new AccessDeniedError();
      if (found.requestedById === approver.id) throw new PrivilegedRuleError("request_own");
      if (found.subjectStaffId === approver.id) throw new PrivilegedRuleError("request_subject");
      if (found.status !== "PENDING") throw new PrivilegedRuleError("request_decided");
      if (found.expiresAt <= now) throw new PrivilegedRuleError("request_expired");
      const claimed = await tx.privilegedRequest.updateMany({
        where: { id: requestId, status: "PENDING", expiresAt: { gt: now } },
        data: { status: "APPROVED", decidedById: approver.id, decidedAt: now },
      });
      if (claimed.count !== 1) throw new PrivilegedRuleError("request_decided");
      const params = found.params as PrivilegedParams;
      // The stored parameters must be the ones requested: an edit of the row in the database is refused, not executed.
      if (params.kind !== found.kind || paramsHash(params) !== found.paramsHash) throw new PrivilegedRuleError("request_tampered");
      const result = await execute(tx, caller, params, requestId);
      await tx.privilegedRequest.update({ where: { id: requestId }, data: { result: storedResult(result) }, select: { id: true } });
      await appendAccessEventIn(
        tx,
        {
          actor: approver,
          action: "privileged_request.approved",
          outcome: "ALLOWED",
          purpose: "OPERATIONS",
          details: { requestId, kind: found.kind, requestedById: found.requestedById, subjectStaffId: found.subjectStaffId ?? resultSubject(result) },
        },
        caller.context,
      );
      return result;
    });
    const r = row as unknown as { kind: PrivilegedKind; requestedById: string; subjectStaffId: string | null };
    // Approved steps are still alerted: compliance sees every grant of power, and who let it through.
    await raiseAlert({
      kind: "admin.privileged_step_approved",
      severity: r.kind === "SERVICE_CREDENTIAL" || r.kind === "ROLE_CHANGE" || r.kind === "RECORD_ERASE" ? "WARNING" : "INFO",
      details: { requestId, stepKind: r.kind, adminIds: [r.requestedById, approver.id], subjectStaffId: r.subjectStaffId ?? resultSubject(result) },
    });
    return result;
  } catch (error) {
    const r = row as { kind: PrivilegedKind; requestedById: string; subjectStaffId: string | null } | null;
    await logRefusal(caller, "privileged_request.approved", { requestId, kind: r?.kind ?? null, reason: ruleCode(error) });
    if (error instanceof PrivilegedRuleError && error.code === "request_tampered") {
      await raiseAlert({ kind: "admin.privileged_request_tampered", severity: "CRITICAL", details: { requestId, adminIds: r ? [r.requestedById] : [] } });
    }
    throw error;
  }
}

/** The requester withdraws (CANCELLED) or an approver of its kind refuses (REJECTED) a pending request. */
export async function rejectPrivilegedRequest(caller: Caller, requestId: string): Promise<void> {
  const admin = caller.actor;
  if (admin.kind !== "STAFF") throw new AccessDeniedError();
  if (!isUuid(requestId)) throw new PrivilegedRuleError("request_not_found");
  await db().$transaction(async (tx) => {
    const found = await tx.privilegedRequest.findUnique({ where: { id: requestId }, select: { kind: true, requestedById: true, subjectStaffId: true } });
    if (!found) throw new PrivilegedRuleError("request_not_found");
    if (found.requestedById !== admin.id && !can(admin, approvePermission(found.kind))) throw new AccessDeniedError();
    if (found.subjectStaffId === admin.id) throw new PrivilegedRuleError("request_subject");
    const status = found.requestedById === admin.id ? "CANCELLED" : "REJECTED";
    const updated = await tx.privilegedRequest.updateMany({ where: { id: requestId, status: "PENDING" }, data: { status, decidedById: admin.id, decidedAt: new Date() } });
    if (updated.count !== 1) throw new PrivilegedRuleError("request_decided");
    await appendAccessEventIn(
      tx,
      { actor: admin, action: status === "CANCELLED" ? "privileged_request.cancelled" : "privileged_request.rejected", outcome: "ALLOWED", purpose: "OPERATIONS", details: { requestId, kind: found.kind } },
      caller.context,
    );
  });
}

/** Pending requests (newest first) and the last decided ones, for the approvals page. */
export async function listPrivilegedRequests(caller: Caller): Promise<PrivilegedRequestDto[]> {
  const admin = requireAdmin(caller);
  const now = new Date();
  const rows = await db().privilegedRequest.findMany({
    where: { OR: [{ status: "PENDING" }, { decidedAt: { gt: new Date(now.getTime() - 7 * 24 * 3600_000) } }] },
    orderBy: { createdAt: "desc" },
    take: 100,
    select: { id: true, kind: true, params: true, status: true, requestedById: true, subjectStaffId: true, createdAt: true, expiresAt: true, decidedById: true, decidedAt: true },
  });
  const ids = new Set<string>();
  const departmentIds = new Set<string>();
  for (const r of rows) {
    ids.add(r.requestedById);
    if (r.subjectStaffId) ids.add(r.subjectStaffId);
    if (r.decidedById) ids.add(r.decidedById);
    const p = r.params as PrivilegedParams;
    if (p.kind === "STAFF_CREATE" && p.staff.departmentId) departmentIds.add(p.staff.departmentId);
    if (p.kind === "SERVICE_CREDENTIAL" && p.credential.scopeDepartmentId) departmentIds.add(p.credential.scopeDepartmentId);
  }
  const [staff, departments] = await Promise.all([
    db().staff.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true, email: true, role: true } }),
    db().department.findMany({ where: { id: { in: [...departmentIds] } }, select: { id: true, name: true } }),
  ]);
  const who = new Map(staff.map((s) => [s.id, s]));
  const dept = new Map(departments.map((d) => [d.id, d.name]));
  return rows.map((r) => {
    const p = r.params as PrivilegedParams;
    const subject = r.subjectStaffId ? who.get(r.subjectStaffId) : undefined;
    const expired = r.status === "PENDING" && r.expiresAt <= now;
    return {
      id: r.id,
      kind: r.kind,
      status: expired ? "EXPIRED" : r.status,
      requestedBy: who.get(r.requestedById)?.name ?? null,
      decidedBy: r.decidedById ? (who.get(r.decidedById)?.name ?? null) : null,
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      decidedAt: r.decidedAt?.toISOString() ?? null,
      subject: subject ? { id: subject.id, name: subject.name, email: subject.email, role: subject.role } : null,
      newStaff:
        p.kind === "STAFF_CREATE"
          ? { name: p.staff.name, email: p.staff.email, role: p.staff.role, department: p.staff.departmentId ? (dept.get(p.staff.departmentId) ?? null) : null, licenceNumber: p.staff.licenceNumber }
          : null,
      newRole: p.kind === "ROLE_CHANGE" ? p.role : null,
      // What the approver must weigh; the record itself stays out of an administrator's sight.
      erasure: p.kind === "RECORD_ERASE" ? { recordId: p.recordId, legalBasis: p.legalBasis, reason: p.reason } : null,
      credential:
        p.kind === "SERVICE_CREDENTIAL"
          ? {
              name: p.credential.name,
              expiresAt: p.credential.expiresAt,
              scopeMrn: p.credential.scopeMrn,
              scopeDepartment: p.credential.scopeDepartmentId ? (dept.get(p.credential.scopeDepartmentId) ?? null) : null,
            }
          : null,
      own: r.requestedById === admin.id,
      canApprove: !expired && r.status === "PENDING" && r.requestedById !== admin.id && r.subjectStaffId !== admin.id,
    };
  });
}

/**
 * Staff accounts an administrator created or re-credentialed (requested, or approved, a new account, a password or
 * second-factor reset, or a role for them): such accounts must not review alerts about that administrator.
 */
export async function accountsCredentialedBy(adminIds: string[]): Promise<Set<string>> {
  if (adminIds.length === 0) return new Set();
  const rows = await db().privilegedRequest.findMany({
    where: { status: "APPROVED", OR: [{ requestedById: { in: adminIds } }, { decidedById: { in: adminIds } }] },
    select: { subjectStaffId: true, result: true },
  });
  const codes = await db().oneTimeCode.findMany({ where: { createdById: { in: adminIds }, staffId: { not: null } }, select: { staffId: true } });
  const out = new Set<string>();
  for (const r of rows) {
    if (r.subjectStaffId) out.add(r.subjectStaffId);
    const staffId = (r.result as { staffId?: unknown } | null)?.staffId;
    if (typeof staffId === "string") out.add(staffId);
  }
  for (const c of codes) if (c.staffId) out.add(c.staffId);
  return out;
}
