import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn } from "@/lib/audit";
import { can, consentIsActive, type Actor } from "@/lib/authz";
import { env } from "@/lib/env";
import { nextDay, startOfDayInZone } from "@/lib/dto/compliance";
import type { ConsentDto, ConsentHistoryDto, ConsentState, ConsentTargetsDto, GrantConsentInput, OwnConsentsDto } from "@/lib/dto/consents";
import { consentBundle, type ConsentForFhir } from "@/lib/fhir/consent";
import { AccessDeniedError, type Caller } from "./caller";

// A patient's own consents (docs/decisions/015-patients-accounts-consents-corrections.md): who may read their records, for what, which
// records and for how long. Rows are never deleted or edited except for the revocation time, so the rows themselves
// are the complete history of grants and revocations; each change is also a hash-chained access event.

export type ConsentRuleCode = "grantee_unknown" | "study_unknown" | "valid_until_past" | "not_found" | "already_revoked";

export class ConsentRuleError extends Error {
  override name = "ConsentRuleError";
  constructor(readonly code: ConsentRuleCode) {
    super(`Consent rule: ${code}`);
  }
}

function requirePatient(caller: Caller, permission: "own_consents.manage" | "own_records.view" = "own_consents.manage"): Extract<Actor, { kind: "PATIENT" }> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, permission)) throw new AccessDeniedError();
  return actor;
}

const consentSelect = {
  id: true,
  patientId: true,
  scope: true,
  recordClasses: true,
  dataFrom: true,
  dataUntil: true,
  validFrom: true,
  validUntil: true,
  revokedAt: true,
  createdAt: true,
  granteeStaff: { select: { id: true, name: true, department: { select: { name: true } } } },
  granteeDepartment: { select: { id: true, name: true } },
  study: { select: { id: true, code: true, title: true } },
} as const;

type ConsentRow = Awaited<ReturnType<typeof loadConsents>>[number];

function loadConsents(patientId: string) {
  return db().consent.findMany({ where: { patientId }, select: consentSelect, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
}

function stateOf(row: ConsentRow, now: Date): ConsentState {
  if (row.revokedAt && row.revokedAt <= now) return "REVOKED";
  if (consentIsActive(row, now)) return "ACTIVE";
  return row.validFrom > now ? "SCHEDULED" : "EXPIRED";
}

function granteeOf(row: ConsentRow): ConsentDto["grantee"] {
  if (row.scope === "RESEARCH") return { kind: "research", study: row.study ? `${row.study.code} · ${row.study.title}` : null };
  if (row.granteeStaff) return { kind: "staff", name: row.granteeStaff.name, department: row.granteeStaff.department?.name ?? null };
  return { kind: "department", name: row.granteeDepartment?.name ?? "—" };
}

const day = (d: Date | null) => d?.toISOString() ?? null;

function toDto(row: ConsentRow, now: Date): ConsentDto {
  return {
    id: row.id,
    scope: row.scope,
    grantee: granteeOf(row),
    recordClasses: row.recordClasses,
    dataFrom: day(row.dataFrom),
    dataUntil: day(row.dataUntil),
    validFrom: row.validFrom.toISOString(),
    validUntil: day(row.validUntil),
    revokedAt: day(row.revokedAt),
    createdAt: row.createdAt.toISOString(),
    state: stateOf(row, now),
  };
}

/** Every consent the patient has given, with its state now, and the history of grants and revocations. */
export async function listOwnConsents(caller: Caller): Promise<OwnConsentsDto> {
  const actor = requirePatient(caller, "own_records.view");
  const now = new Date();
  const rows = await loadConsents(actor.patientId);
  await appendAccessEvent({ actor, action: "own_consents.viewed", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { count: rows.length } }, caller.context);
  const consents = rows.map((r) => toDto(r, now));
  const history: ConsentHistoryDto[] = rows
    .flatMap((r) => {
      const base = { consentId: r.id, scope: r.scope, grantee: granteeOf(r) };
      return [{ ...base, at: r.createdAt.toISOString(), kind: "granted" as const }, ...(r.revokedAt ? [{ ...base, at: r.revokedAt.toISOString(), kind: "revoked" as const }] : [])];
    })
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return { consents, history };
}

/** Whom a patient may name: active doctors (with department), active departments, open research studies. */
export async function listConsentTargets(caller: Caller): Promise<ConsentTargetsDto> {
  requirePatient(caller);
  const [doctors, departments, studies] = await Promise.all([
    db().staff.findMany({ where: { role: "DOCTOR", status: "ACTIVE" }, select: { id: true, name: true, department: { select: { name: true } } }, orderBy: { name: "asc" }, take: 2_000 }),
    db().department.findMany({ where: { deactivatedAt: null }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db().researchStudy.findMany({ where: { closedAt: null }, select: { id: true, code: true, title: true }, orderBy: { code: "asc" } }),
  ]);
  return { doctors: doctors.map((d) => ({ id: d.id, name: d.name, department: d.department?.name ?? null })), departments, studies };
}

/** Grants a consent from now on. The grantee must be an active doctor or department, or an open study. */
export async function grantConsent(caller: Caller, input: GrantConsentInput): Promise<string> {
  const actor = requirePatient(caller);
  const zone = env().DEFAULT_TIME_ZONE;
  const now = new Date();
  const [kind, id] = input.grantee ? (input.grantee.split(":") as ["staff" | "department" | "study", string]) : [null, null];
  if (kind === "staff") {
    const doctor = await db().staff.findFirst({ where: { id, role: "DOCTOR", status: "ACTIVE" }, select: { id: true } });
    if (!doctor) throw new ConsentRuleError("grantee_unknown");
  } else if (kind === "department") {
    const department = await db().department.findFirst({ where: { id, deactivatedAt: null }, select: { id: true } });
    if (!department) throw new ConsentRuleError("grantee_unknown");
  } else if (kind === "study") {
    const study = await db().researchStudy.findFirst({ where: { id, closedAt: null }, select: { id: true } });
    if (!study) throw new ConsentRuleError("study_unknown");
  }
  // A day given as an end date includes that whole day in the hospital's zone.
  const validUntil = input.validUntil ? startOfDayInZone(nextDay(input.validUntil), zone) : null;
  if (validUntil && validUntil <= now) throw new ConsentRuleError("valid_until_past");
  const data = {
    patientId: actor.patientId,
    scope: input.scope,
    granteeStaffId: kind === "staff" ? id : null,
    granteeDepartmentId: kind === "department" ? id : null,
    studyId: kind === "study" ? id : null,
    recordClasses: [...new Set(input.recordClasses)],
    dataFrom: input.dataFrom ? startOfDayInZone(input.dataFrom, zone) : null,
    dataUntil: input.dataUntil ? new Date(startOfDayInZone(nextDay(input.dataUntil), zone).getTime() - 1) : null,
    validFrom: now,
    validUntil,
  };
  return db().$transaction(async (tx) => {
    const created = await tx.consent.create({ data, select: { id: true } });
    await appendAccessEventIn(
      tx,
      {
        actor,
        action: "consent.granted",
        outcome: "ALLOWED",
        purpose: "SELF_ACCESS",
        patientId: actor.patientId,
        details: {
          consentId: created.id,
          scope: data.scope,
          granteeStaffId: data.granteeStaffId,
          granteeDepartmentId: data.granteeDepartmentId,
          studyId: data.studyId,
          recordClasses: data.recordClasses,
          dataFrom: day(data.dataFrom),
          dataUntil: day(data.dataUntil),
          validUntil: day(data.validUntil),
        },
      },
      caller.context,
    );
    return created.id;
  });
}

/** Revokes one of the patient's own consents; it stops counting on the very next request (access is decided per request). */
export async function revokeConsent(caller: Caller, consentId: string): Promise<void> {
  const actor = requirePatient(caller);
  const now = new Date();
  await db().$transaction(async (tx) => {
    // Another patient's consent is answered exactly like a missing one.
    const claimed = await tx.consent.updateMany({ where: { id: consentId, patientId: actor.patientId, revokedAt: null }, data: { revokedAt: now } });
    if (claimed.count !== 1) {
      const own = await tx.consent.findFirst({ where: { id: consentId, patientId: actor.patientId }, select: { id: true } });
      throw new ConsentRuleError(own ? "already_revoked" : "not_found");
    }
    await appendAccessEventIn(tx, { actor, action: "consent.revoked", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { consentId } }, caller.context);
  });
}

/** All of the patient's consents as FHIR R4 Consent resources in one Bundle (a download; logged). */
export async function exportOwnConsents(caller: Caller): Promise<Record<string, unknown>> {
  const actor = requirePatient(caller, "own_records.view");
  const now = new Date();
  const rows = await loadConsents(actor.patientId);
  const forFhir: ConsentForFhir[] = rows.map((r) => ({
    id: r.id,
    patientId: r.patientId,
    scope: r.scope,
    grantee: r.granteeStaff
      ? { kind: "staff", id: r.granteeStaff.id, name: r.granteeStaff.name }
      : r.granteeDepartment
        ? { kind: "department", id: r.granteeDepartment.id, name: r.granteeDepartment.name }
        : null,
    study: r.study,
    recordClasses: r.recordClasses,
    dataFrom: r.dataFrom,
    dataUntil: r.dataUntil,
    validFrom: r.validFrom,
    validUntil: r.validUntil,
    revokedAt: r.revokedAt,
    createdAt: r.createdAt,
  }));
  await appendAccessEvent({ actor, action: "own_consents.exported", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { count: rows.length } }, caller.context);
  return consentBundle(forFhir, now);
}
