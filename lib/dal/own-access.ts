import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { can } from "@/lib/authz";
import type { OwnAccessEventDto } from "@/lib/dto";
import { AccessDeniedError, type Caller } from "./caller";

/** The staff actions on a chart that a patient is told about. */
const READ_ACTIONS = ["patient.viewed", "record.viewed", "record.proof_exported", "break_glass.opened"];

function idsOf(details: unknown, key: "recordIds" | "recordId" | "grantId"): string[] {
  const value = (details as Record<string, unknown> | null)?.[key];
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * Who opened my records: every staff access to the patient's chart, straight from the access log, newest first,
 * with the staff member's name, role and department, the purpose (break-glass with its stated reason) and which
 * records were shown (by type and date; the patient can open them on their own records page). Reading this is
 * itself logged as SELF_ACCESS.
 */
export async function listOwnAccessHistory(caller: Caller, limit = 200): Promise<OwnAccessEventDto[]> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.view")) throw new AccessDeniedError();
  const events = await db().accessEvent.findMany({
    where: { patientId: actor.patientId, actorKind: "STAFF", outcome: "ALLOWED", action: { in: READ_ACTIONS } },
    select: { seq: true, occurredAt: true, actorId: true, actorRole: true, action: true, purpose: true, details: true },
    orderBy: { seq: "desc" },
    take: limit,
  });
  const staffIds = [...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : [])))];
  const recordIds = [...new Set(events.flatMap((e) => [...idsOf(e.details, "recordIds"), ...idsOf(e.details, "recordId")]))];
  const grantIds = [...new Set(events.flatMap((e) => idsOf(e.details, "grantId")))];
  const [staff, records, grants] = await Promise.all([
    db().staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true, department: { select: { name: true } } } }),
    db().medicalRecord.findMany({ where: { id: { in: recordIds }, patientId: actor.patientId }, select: { id: true, resourceType: true, recordedAt: true } }),
    db().breakGlassGrant.findMany({ where: { id: { in: grantIds }, patientId: actor.patientId }, select: { id: true, reason: true } }),
  ]);
  const staffById = new Map(staff.map((s) => [s.id, s]));
  const recordById = new Map(records.map((r) => [r.id, r]));
  const reasonByGrant = new Map(grants.map((g) => [g.id, g.reason]));

  await appendAccessEvent(
    { actor, action: "own_access_history.viewed", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { count: events.length } },
    caller.context,
  );

  return events.map((e) => {
    const who = e.actorId ? staffById.get(e.actorId) : undefined;
    const shown = [...idsOf(e.details, "recordIds"), ...idsOf(e.details, "recordId")].flatMap((id) => {
      const r = recordById.get(id);
      return r ? [r] : [];
    });
    const types: Record<string, number> = {};
    for (const r of shown) types[r.resourceType] = (types[r.resourceType] ?? 0) + 1;
    const grantId = idsOf(e.details, "grantId")[0];
    return {
      seq: e.seq.toString(),
      occurredAt: e.occurredAt.toISOString(),
      staffName: who?.name ?? null,
      staffRole: e.actorRole,
      department: who?.department?.name ?? null,
      action: e.action,
      purpose: e.purpose,
      emergency: e.purpose === "EMERGENCY",
      reason: grantId ? (reasonByGrant.get(grantId) ?? null) : null,
      recordCount: shown.length,
      recordTypes: types,
      record: shown.length === 1 && e.action !== "patient.viewed" ? { type: shown[0]!.resourceType, recordedAt: shown[0]!.recordedAt.toISOString() } : null,
    };
  });
}
