import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { can } from "@/lib/authz";
import { env } from "@/lib/env";
import type { AccessEventDto, IntegrityOverviewDto } from "@/lib/dto";
import { AccessDeniedError, type Caller } from "./caller";

export async function listRecentAccessEvents(caller: Caller, limit = 100): Promise<AccessEventDto[]> {
  if (!can(caller.actor, "access_log.read")) throw new AccessDeniedError();
  const events = await db().accessEvent.findMany({
    select: { seq: true, occurredAt: true, actorKind: true, actorId: true, actorRole: true, action: true, patientId: true, outcome: true, purpose: true, ip: true },
    orderBy: { seq: "desc" },
    take: Math.min(Math.max(limit, 1), 500),
  });
  await appendAccessEvent(
    { actor: caller.actor, action: "access_log.viewed", outcome: "ALLOWED", purpose: "AUDIT", details: { fromSeq: events.at(-1)?.seq.toString() ?? null, toSeq: events[0]?.seq.toString() ?? null } },
    caller.context,
  );
  // Names and MRNs make the log readable for review; both are identifiers, not record contents.
  const staffIds = [...new Set(events.filter((e) => e.actorKind === "STAFF" && e.actorId).map((e) => e.actorId!))];
  const patientIds = [...new Set(events.flatMap((e) => [e.patientId, e.actorKind === "PATIENT" ? e.actorId : null]).filter((id): id is string => id !== null))];
  const [staff, patients] = await Promise.all([
    db().staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true } }),
    db().patient.findMany({ where: { id: { in: patientIds } }, select: { id: true, mrn: true } }),
  ]);
  const staffName = new Map(staff.map((s) => [s.id, s.name]));
  const mrn = new Map(patients.map((p) => [p.id, p.mrn]));
  return events.map((e) => ({
    ...e,
    seq: e.seq.toString(),
    occurredAt: e.occurredAt.toISOString(),
    actorLabel: e.actorId ? (e.actorKind === "STAFF" ? staffName.get(e.actorId) : mrn.get(e.actorId)) ?? e.actorId : null,
    patientMrn: e.patientId ? mrn.get(e.patientId) ?? null : null,
  }));
}

/**
 * What compliance must look at now: open integrity and anchoring alerts (ids and counts only) and records still
 * pending past the anchoring window. Viewing it is itself logged.
 */
export async function getIntegrityOverview(caller: Caller): Promise<IntegrityOverviewDto> {
  if (!can(caller.actor, "access_log.read")) throw new AccessDeniedError();
  const overdueBefore = new Date(Date.now() - env().PENDING_WARN_MINUTES * 60_000);
  const [alerts, overduePending] = await Promise.all([
    db().alert.findMany({ where: { resolvedAt: null }, orderBy: { createdAt: "desc" }, take: 50, select: { id: true, kind: true, severity: true, createdAt: true, details: true } }),
    db().medicalRecord.count({ where: { status: "PENDING", createdAt: { lt: overdueBefore } } }),
  ]);
  await appendAccessEvent(
    { actor: caller.actor, action: "integrity.reviewed", outcome: "ALLOWED", purpose: "AUDIT", details: { openAlerts: alerts.length, overduePending } },
    caller.context,
  );
  return {
    overduePending,
    alerts: alerts.map((a) => {
      const details = (a.details ?? {}) as Record<string, unknown>;
      return {
        id: a.id,
        kind: a.kind,
        severity: a.severity,
        createdAt: a.createdAt.toISOString(),
        recordId: typeof details.recordId === "string" ? details.recordId : null,
        batchNumber: typeof details.batchNumber === "string" ? details.batchNumber : null,
      };
    }),
  };
}
