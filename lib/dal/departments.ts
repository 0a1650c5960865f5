import "server-only";
import { db } from "@/lib/db";
import { appendAccessEventIn } from "@/lib/audit";
import { can } from "@/lib/authz";
import { Prisma } from "@/lib/generated/prisma/client";
import type { DepartmentOptionDto, DepartmentRowDto } from "@/lib/dto/admin";
import { AccessDeniedError, type Caller } from "./caller";

export class DepartmentRuleError extends Error {
  override name = "DepartmentRuleError";
  constructor(
    readonly code: "not_found" | "code_taken" | "in_use" | "unchanged",
    readonly counts?: { staff: number; consents: number },
  ) {
    super(`Department rule: ${code}`);
  }
}

/** Consents in force now that name the department (revoked or expired ones no longer depend on it). */
function activeConsentWhere(departmentId: string, now: Date): Prisma.ConsentWhereInput {
  return {
    granteeDepartmentId: departmentId,
    validFrom: { lte: now },
    AND: [{ OR: [{ validUntil: null }, { validUntil: { gt: now } }] }, { OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] }],
  };
}

/** For staff forms and filters: every department, active first. */
export async function listDepartmentOptions(caller: Caller): Promise<DepartmentOptionDto[]> {
  if (!can(caller.actor, "staff.list") && !can(caller.actor, "department.manage")) throw new AccessDeniedError();
  const rows = await db().department.findMany({ select: { id: true, code: true, name: true, deactivatedAt: true }, orderBy: [{ name: "asc" }, { id: "asc" }] });
  return rows
    .map((d) => ({ id: d.id, code: d.code, name: d.name, active: d.deactivatedAt === null }))
    .sort((a, b) => Number(b.active) - Number(a.active));
}

export async function listDepartments(caller: Caller): Promise<DepartmentRowDto[]> {
  if (!can(caller.actor, "department.manage")) throw new AccessDeniedError();
  const now = new Date();
  const rows = await db().department.findMany({
    select: { id: true, code: true, name: true, deactivatedAt: true, _count: { select: { staff: true } } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  const consents = await db().consent.groupBy({
    by: ["granteeDepartmentId"],
    where: { ...activeConsentWhere("", now), granteeDepartmentId: { in: rows.map((r) => r.id) } },
    _count: { _all: true },
  });
  const consentCount = new Map(consents.map((c) => [c.granteeDepartmentId, c._count._all]));
  return rows.map((d) => ({
    id: d.id,
    code: d.code,
    name: d.name,
    active: d.deactivatedAt === null,
    staffCount: d._count.staff,
    activeConsentCount: consentCount.get(d.id) ?? 0,
  }));
}

export type NewDepartment = { code: string; name: string };

export async function createDepartment(caller: Caller, input: NewDepartment): Promise<{ id: string }> {
  if (!can(caller.actor, "department.manage")) throw new AccessDeniedError();
  const actor = caller.actor;
  try {
    return await db().$transaction(async (tx) => {
      const created = await tx.department.create({ data: { code: input.code, name: input.name }, select: { id: true } });
      await appendAccessEventIn(
        tx,
        { actor, action: "department.created", outcome: "ALLOWED", purpose: "OPERATIONS", details: { departmentId: created.id, before: null, after: input } },
        caller.context,
      );
      return created;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw new DepartmentRuleError("code_taken");
    throw error;
  }
}

export async function renameDepartment(caller: Caller, id: string, name: string): Promise<void> {
  if (!can(caller.actor, "department.manage")) throw new AccessDeniedError();
  const actor = caller.actor;
  await db().$transaction(async (tx) => {
    const before = await tx.department.findUnique({ where: { id }, select: { name: true } });
    if (!before) throw new DepartmentRuleError("not_found");
    if (before.name === name) throw new DepartmentRuleError("unchanged");
    await tx.department.update({ where: { id }, data: { name }, select: { id: true } });
    await appendAccessEventIn(
      tx,
      { actor, action: "department.renamed", outcome: "ALLOWED", purpose: "OPERATIONS", details: { departmentId: id, before, after: { name } } },
      caller.context,
    );
  });
}

/**
 * Deactivation is refused while anyone is assigned to the department or a consent in force names it: the
 * administrator must first decide where those people go (and the patient or clinician must decide about the
 * consent). Reactivation is always allowed.
 */
export async function setDepartmentActive(caller: Caller, id: string, active: boolean): Promise<void> {
  if (!can(caller.actor, "department.manage")) throw new AccessDeniedError();
  const actor = caller.actor;
  const now = new Date();
  await db().$transaction(async (tx) => {
    const before = await tx.department.findUnique({ where: { id }, select: { deactivatedAt: true } });
    if (!before) throw new DepartmentRuleError("not_found");
    if ((before.deactivatedAt === null) === active) throw new DepartmentRuleError("unchanged");
    if (!active) {
      const [staff, consents] = await Promise.all([tx.staff.count({ where: { departmentId: id } }), tx.consent.count({ where: activeConsentWhere(id, now) })]);
      if (staff > 0 || consents > 0) {
        throw new DepartmentRuleError("in_use", { staff, consents });
      }
    }
    await tx.department.update({ where: { id }, data: { deactivatedAt: active ? null : now }, select: { id: true } });
    await appendAccessEventIn(
      tx,
      {
        actor,
        action: active ? "department.reactivated" : "department.deactivated",
        outcome: "ALLOWED",
        purpose: "OPERATIONS",
        details: { departmentId: id, before: { active: !active }, after: { active } },
      },
      caller.context,
    );
  });
}
