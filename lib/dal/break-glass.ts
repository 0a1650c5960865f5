import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn } from "@/lib/audit";
import { can } from "@/lib/authz";
import { env } from "@/lib/env";
import { raiseAlert } from "@/lib/jobs/alerts";
import { AccessDeniedError, type Caller } from "./caller";
import { requireStaff } from "./chart-access";
import { isUuid } from "@/lib/ids";
import type { BreakGlassReviewItemDto } from "@/lib/dto";

/** A break-glass request the rules refuse; the form shows the code, nothing is granted. */
export class BreakGlassRefusedError extends Error {
  override name = "BreakGlassRefusedError";
  constructor(readonly code: "mrn_unknown") {
    super(code);
  }
}

/**
 * Opens an emergency grant: one doctor, the one patient with exactly this MRN (no search, no list), a stated reason,
 * for BREAK_GLASS_HOURS. The grant and its `break_glass.opened` event commit together; the grant waits in
 * compliance's review queue. More than BREAK_GLASS_ALERT_PER_DAY grants by one doctor in 24 hours raises an alert.
 * An unknown MRN is logged (DENIED) and refused.
 */
export async function openBreakGlass(caller: Caller, input: { mrn: string; reason: string }): Promise<{ grantId: string; patientId: string; expiresAt: string }> {
  const doctor = requireStaff(caller, "break_glass.open");
  const patient = await db().patient.findUnique({ where: { mrn: input.mrn }, select: { id: true } });
  if (!patient) {
    await appendAccessEvent(
      { actor: doctor, action: "break_glass.opened", outcome: "DENIED", purpose: "EMERGENCY", details: { reason: "mrn_unknown" } },
      caller.context,
    );
    throw new BreakGlassRefusedError("mrn_unknown");
  }
  const now = new Date();
  const expiresAt = new Date(now.getTime() + env().BREAK_GLASS_HOURS * 3_600_000);
  const { grant, recent } = await db().$transaction(async (tx) => {
    const grant = await tx.breakGlassGrant.create({
      data: { staffId: doctor.id, patientId: patient.id, reason: input.reason, openedAt: now, expiresAt },
      select: { id: true },
    });
    // The reason stays in the grant row (compliance and the patient read it there); the chained event names the grant.
    await appendAccessEventIn(
      tx,
      { actor: doctor, action: "break_glass.opened", outcome: "ALLOWED", purpose: "EMERGENCY", patientId: patient.id, details: { grantId: grant.id, expiresAt: expiresAt.toISOString() } },
      caller.context,
    );
    const recent = await tx.breakGlassGrant.count({ where: { staffId: doctor.id, openedAt: { gt: new Date(now.getTime() - 86_400_000) } } });
    return { grant, recent };
  });
  const limit = env().BREAK_GLASS_ALERT_PER_DAY;
  if (recent > limit) {
    await raiseAlert({
      kind: "break_glass.frequent",
      severity: "WARNING",
      details: { staffId: doctor.id, grantsIn24h: recent, limit, grantId: grant.id },
      dedupeKey: `${doctor.id}:${now.toISOString().slice(0, 10)}`,
    });
  }
  return { grantId: grant.id, patientId: patient.id, expiresAt: expiresAt.toISOString() };
}

/**
 * The compliance review queue: emergency grants, unreviewed first. Metadata only (MRN, never the chart).
 * Reading the queue is itself logged (`break_glass.queue_viewed`).
 */
export async function listBreakGlassGrants(caller: Caller, filter: "open" | "reviewed" = "open"): Promise<BreakGlassReviewItemDto[]> {
  if (!can(caller.actor, "break_glass.review") || caller.actor.kind !== "STAFF") throw new AccessDeniedError();
  const grants = await db().breakGlassGrant.findMany({
    where: { reviewedAt: filter === "open" ? null : { not: null } },
    select: {
      id: true,
      reason: true,
      openedAt: true,
      expiresAt: true,
      reviewedAt: true,
      reviewNote: true,
      staff: { select: { id: true, name: true, department: { select: { name: true } } } },
      reviewedBy: { select: { name: true } },
      patient: { select: { id: true, mrn: true } },
    },
    orderBy: { openedAt: filter === "open" ? "asc" : "desc" },
    take: 200,
  });
  const views = grants.length
    ? await db().$queryRaw<{ grant: string; n: bigint }[]>`
        SELECT details->>'grantId' AS grant, count(*) AS n FROM "AccessEvent"
        WHERE purpose = 'EMERGENCY' AND outcome = 'ALLOWED' AND action IN ('patient.viewed', 'record.viewed')
          AND details->>'grantId' = ANY(${grants.map((g) => g.id)})
        GROUP BY 1`
    : [];
  const viewCount = new Map(views.map((v) => [v.grant, Number(v.n)]));
  await appendAccessEvent(
    { actor: caller.actor, action: "break_glass.queue_viewed", outcome: "ALLOWED", purpose: "AUDIT", details: { filter, count: grants.length } },
    caller.context,
  );
  return grants.map((g) => ({
    id: g.id,
    doctor: { id: g.staff.id, name: g.staff.name, department: g.staff.department?.name ?? null },
    patient: g.patient,
    reason: g.reason,
    openedAt: g.openedAt.toISOString(),
    expiresAt: g.expiresAt.toISOString(),
    views: viewCount.get(g.id) ?? 0,
    reviewedAt: g.reviewedAt?.toISOString() ?? null,
    reviewedBy: g.reviewedBy?.name ?? null,
    reviewNote: g.reviewNote,
  }));
}

/** Marks a grant reviewed with the officer's note (once; a reviewed grant is not re-reviewed). Logged. */
export async function reviewBreakGlass(caller: Caller, grantId: string, note: string): Promise<void> {
  if (!can(caller.actor, "break_glass.review") || caller.actor.kind !== "STAFF") throw new AccessDeniedError();
  const actor = caller.actor;
  if (!isUuid(grantId)) throw new AccessDeniedError();
  await db().$transaction(async (tx) => {
    const updated = await tx.breakGlassGrant.updateMany({
      where: { id: grantId, reviewedAt: null },
      data: { reviewedAt: new Date(), reviewedById: actor.id, reviewNote: note },
    });
    if (updated.count !== 1) throw new AccessDeniedError("Grant not found or already reviewed");
    const grant = await tx.breakGlassGrant.findUniqueOrThrow({ where: { id: grantId }, select: { patientId: true } });
    await appendAccessEventIn(
      tx,
      { actor, action: "break_glass.reviewed", outcome: "ALLOWED", purpose: "AUDIT", patientId: grant.patientId, details: { grantId } },
      caller.context,
    );
  });
}

/** The configured lifetime of a grant, for the form's explanation. */
export function breakGlassHours(): number {
  return env().BREAK_GLASS_HOURS;
}
