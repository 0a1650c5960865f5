import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn } from "@/lib/audit";
import { checkAccessLog, unsealedGraceSeconds } from "@/lib/audit/check-log";
import { LedgerError } from "@/lib/ledger";
import { alertOnLogBreaks } from "@/lib/jobs/access-log-check";
import { can, type Permission } from "@/lib/authz";
import { env } from "@/lib/env";
import { calendarDay } from "@/lib/i18n/formats";
import { ledgers, RECORDED_TAMPERED_KINDS } from "@/lib/verification";
import {
  monthRange,
  nextDay,
  previousMonth,
  startOfDayInZone,
  type AlertRowDto,
  type AuditReviewDto,
  type ComplianceDashboardDto,
  type LogCheckDto,
  type SignOffPageDto,
} from "@/lib/dto/compliance";
import { namesFor, readableDetails } from "./readable-details";
import { AccessDeniedError, type Caller } from "./caller";
import { accountsCredentialedBy } from "./privileged-requests";
import { isUuid } from "./actors";

// The compliance officer's other screens: the log's integrity check, alerts and their review, the monthly sign-off
// and the dashboard. Each function checks its caller; each read or change of audit data is logged (purpose AUDIT).

function requireOfficer(caller: Caller, permission: Permission = "access_log.read") {
  if (caller.actor.kind !== "STAFF" || !can(caller.actor, permission)) throw new AccessDeniedError();
  return caller.actor;
}

/**
 * Checks the access log against the seals on chain (lib/audit/check-log): every seal root the contract holds is
 * accounted for, and every chain links from genesis through the sealed heads. Reports the first break, or that
 * every link holds, and how much of the log is not sealed yet. Logged as `access_log.integrity_checked` with the
 * outcome (positions only). A chain that cannot be read means nothing was checked, and says so.
 */
export async function runIntegrityCheck(caller: Caller): Promise<LogCheckDto> {
  const officer = requireOfficer(caller);
  const checkedAt = new Date().toISOString();
  let result: LogCheckDto;
  try {
    const check = await checkAccessLog({ ledger: ledgers().private, unsealedGraceSeconds: unsealedGraceSeconds() });
    // A break the officer finds is an alert like one the schedule finds: it closes only with a review note.
    await alertOnLogBreaks(check);
    result = {
      checkedAt,
      checked: true,
      checkedEvents: check.checkedEvents,
      chains: check.chains,
      firstBreak: check.firstBreak,
      breaks: check.breaks.length,
      sealsOnChain: check.sealsOnChain,
      newestSeal: check.newestSeal,
      unsealedEvents: check.unsealedEvents,
      unsealedSince: check.unsealedSince,
      sealIntervalSeconds: check.sealIntervalSeconds,
    };
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    result = { checkedAt, checked: false, checkedEvents: 0, chains: 0, firstBreak: null, breaks: 0, sealsOnChain: 0, newestSeal: null, unsealedEvents: 0, unsealedSince: null, sealIntervalSeconds: env().AUDIT_SEAL_SECONDS };
  }
  await appendAccessEvent(
    {
      actor: officer,
      action: "access_log.integrity_checked",
      outcome: "ALLOWED",
      purpose: "AUDIT",
      details: { checked: result.checked, checkedEvents: result.checkedEvents, sealsOnChain: result.sealsOnChain, breaks: result.breaks, firstBreak: result.firstBreak, unsealedEvents: result.unsealedEvents },
    },
    caller.context,
  );
  return result;
}

// ——— Alerts ———

function eventSeqsOf(details: Record<string, unknown>): string[] {
  const seqs = details.eventSeqs;
  return Array.isArray(seqs) ? seqs.filter((s): s is string => typeof s === "string" && /^[0-9]{1,19}$/.test(s)).slice(0, 50) : [];
}

/**
 * Alerts awaiting review or already reviewed, by severity then newest first: kind, severity, ids and counts from their
 * details (staff, patients and records named), and the access events they point at. Logged as `alerts.viewed`.
 */
export async function listAlerts(caller: Caller, filter: "open" | "reviewed" = "open"): Promise<AlertRowDto[]> {
  const officer = requireOfficer(caller);
  const alerts = await db().alert.findMany({
    where: { reviewedAt: filter === "open" ? null : { not: null } },
    select: { id: true, kind: true, severity: true, details: true, createdAt: true, resolvedAt: true, reviewedAt: true, reviewNote: true, reviewedBy: { select: { name: true } } },
    // Critical first (the enum's order is INFO < WARNING < CRITICAL), then the newest: what needs a person now leads.
    orderBy: [{ severity: "desc" }, { createdAt: "desc" }],
    take: 200,
  });
  await appendAccessEvent({ actor: officer, action: "alerts.viewed", outcome: "ALLOWED", purpose: "AUDIT", details: { filter, count: alerts.length } }, caller.context);
  const names = await namesFor(alerts.map((a) => a.details));
  return alerts.map((a) => {
    const details = (a.details ?? {}) as Record<string, unknown>;
    return {
      id: a.id,
      kind: a.kind,
      severity: a.severity,
      createdAt: a.createdAt.toISOString(),
      summary: readableDetails(details, names, ["eventSeqs", "dedupeKey"]),
      eventSeqs: eventSeqsOf(details),
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
      reviewedAt: a.reviewedAt?.toISOString() ?? null,
      reviewedBy: a.reviewedBy?.name ?? null,
      reviewNote: a.reviewNote,
    };
  });
}

const recordsTampered = (kind: string) => (RECORDED_TAMPERED_KINDS as readonly string[]).includes(kind);

/** An alert that cannot be reviewed: there is no such alert, or it was reviewed already. */
export class AlertReviewRefusedError extends Error {
  override name = "AlertReviewRefusedError";
  constructor(readonly code: "not_found" | "already_reviewed" | "conflict_of_interest") {
    super(code);
  }
}

/**
 * An alert about administrators (details.adminIds) may not be reviewed by one of them, nor by any account they created
 * or re-credentialed (docs/decisions/019-four-eyes-and-sign-in.md): otherwise an admin could make a compliance officer
 * and close their own alert with it.
 */
async function conflictOfInterest(reviewerId: string, details: unknown): Promise<boolean> {
  const raw = (details as { adminIds?: unknown } | null)?.adminIds;
  const adminIds = Array.isArray(raw) ? raw.filter((id): id is string => typeof id === "string") : [];
  if (adminIds.length === 0) return false;
  if (adminIds.includes(reviewerId)) return true;
  return (await accountsCredentialedBy(adminIds)).has(reviewerId);
}

/**
 * Marks an alert reviewed (and resolved, if it was still open) with the officer's note; once. Logged `alert.reviewed`.
 * An alert that records a record as `tampered` is reviewed but stays open: only the worker's sweep clears it, once
 * the record checks sound again (docs/decisions/017-stored-canonical-bytes.md).
 */
export async function reviewAlert(caller: Caller, alertId: string, note: string): Promise<void> {
  const officer = requireOfficer(caller, "alerts.review");
  if (!isUuid(alertId)) throw new AlertReviewRefusedError("not_found");
  await db().$transaction(async (tx) => {
    const alert = await tx.alert.findUnique({ where: { id: alertId }, select: { kind: true, resolvedAt: true, details: true } });
    if (!alert) throw new AlertReviewRefusedError("not_found");
    if (await conflictOfInterest(officer.id, alert.details)) throw new AlertReviewRefusedError("conflict_of_interest");
    const now = new Date();
    const updated = await tx.alert.updateMany({
      where: { id: alertId, reviewedAt: null },
      data: { reviewedAt: now, reviewedById: officer.id, reviewNote: note, resolvedAt: recordsTampered(alert.kind) ? alert.resolvedAt : (alert.resolvedAt ?? now) },
    });
    if (updated.count !== 1) throw new AlertReviewRefusedError("already_reviewed");
    await appendAccessEventIn(tx, { actor: officer, action: "alert.reviewed", outcome: "ALLOWED", purpose: "AUDIT", details: { alertId, kind: alert.kind } }, caller.context);
  });
}

// ——— Monthly sign-off ———

function currentPeriod(now: Date, zone: string): string {
  return calendarDay(now, zone).slice(0, 7);
}

/** A sign-off the rules refuse: a month that has not ended yet, or one already signed off. */
export class SignOffRefusedError extends Error {
  override name = "SignOffRefusedError";
  constructor(readonly code: "period_not_ended" | "already_signed") {
    super(code);
  }
}

function toReviewDto(r: { id: string; period: string; signedAt: Date; note: string; summary: unknown; signedBy: { name: string } }): AuditReviewDto {
  const s = (r.summary ?? {}) as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === "number" ? v : 0);
  return { id: r.id, period: r.period, signedBy: r.signedBy.name, signedAt: r.signedAt.toISOString(), note: r.note, summary: { events: n(s.events), alertsRaised: n(s.alertsRaised), alertsOpen: n(s.alertsOpen) } };
}

/** The history of monthly sign-offs (newest month first) and the month the form offers: the previous one. */
export async function getSignOffs(caller: Caller): Promise<SignOffPageDto> {
  requireOfficer(caller);
  const zone = env().DEFAULT_TIME_ZONE;
  const reviews = await db().auditReview.findMany({
    select: { id: true, period: true, signedAt: true, note: true, summary: true, signedBy: { select: { name: true } } },
    orderBy: { period: "desc" },
    take: 120,
  });
  const current = currentPeriod(new Date(), zone);
  return { reviews: reviews.map(toReviewDto), defaultPeriod: previousMonth(current), currentPeriod: current };
}

/**
 * Signs off a calendar month (hospital zone) of the access log: "I reviewed it". Only a month that has ended, and
 * only once (AuditReview.period is unique). Stores what the officer saw — events in the month, alerts raised in it
 * and how many of those are still open — and logs `access_log.review_signed` in the same transaction.
 */
export async function signOffMonth(caller: Caller, period: string, note: string, now: Date = new Date()): Promise<AuditReviewDto> {
  const officer = requireOfficer(caller, "access_log.sign_off");
  const zone = env().DEFAULT_TIME_ZONE;
  if (period >= currentPeriod(now, zone)) throw new SignOffRefusedError("period_not_ended");
  const { start, end } = monthRange(period, zone);
  try {
    return await db().$transaction(async (tx) => {
      if (await tx.auditReview.findUnique({ where: { period }, select: { id: true } })) throw new SignOffRefusedError("already_signed");
      const [events, alertsRaised, alertsOpen] = await Promise.all([
        tx.accessEvent.count({ where: { occurredAt: { gte: start, lt: end } } }),
        tx.alert.count({ where: { createdAt: { gte: start, lt: end } } }),
        tx.alert.count({ where: { createdAt: { gte: start, lt: end }, reviewedAt: null } }),
      ]);
      const summary = { events, alertsRaised, alertsOpen };
      const review = await tx.auditReview.create({
        data: { period, note, signedById: officer.id, summary },
        select: { id: true, period: true, signedAt: true, note: true, summary: true, signedBy: { select: { name: true } } },
      });
      await appendAccessEventIn(tx, { actor: officer, action: "access_log.review_signed", outcome: "ALLOWED", purpose: "AUDIT", details: { period, reviewId: review.id, ...summary } }, caller.context);
      return toReviewDto(review);
    });
  } catch (error) {
    // Two officers signing the same month at once: the unique period decides.
    if ((error as { code?: string }).code === "P2002") throw new SignOffRefusedError("already_signed");
    throw error;
  }
}

// ——— Dashboard ———

const PATIENT_VIEWS = ["patient.viewed", "record.viewed"];

/**
 * Pictures for the last `days` days, from SQL aggregates (days are calendar days in the hospital's zone): patient-data
 * accesses per day, alerts by kind, and the ten staff members with the most patient-data views. Logged as
 * `access_log.dashboard_viewed`.
 */
export async function getComplianceDashboard(caller: Caller, days = 30): Promise<ComplianceDashboardDto> {
  const officer = requireOfficer(caller);
  const zone = env().DEFAULT_TIME_ZONE;
  const today = calendarDay(new Date(), zone);
  const dayList: string[] = [];
  let day = new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  for (let i = 0; i < days; i++, day = nextDay(day)) dayList.push(day);
  const since = startOfDayInZone(dayList[0]!, zone);

  const [perDay, byKind, top, openAlerts, emergencyAccesses, deniedAccesses] = await Promise.all([
    db().$queryRaw<{ day: string; n: number }[]>`
      SELECT to_char(date_trunc('day', "occurredAt" AT TIME ZONE ${zone}), 'YYYY-MM-DD') AS day, count(*)::int AS n
      FROM "AccessEvent" WHERE "occurredAt" >= ${since} AND "patientId" IS NOT NULL
      GROUP BY 1`,
    db().$queryRaw<{ kind: string; n: number }[]>`
      SELECT kind, count(*)::int AS n FROM "Alert" WHERE "createdAt" >= ${since} GROUP BY kind ORDER BY n DESC, kind LIMIT 12`,
    db().$queryRaw<{ actorId: string; n: number }[]>`
      SELECT "actorId", count(*)::int AS n FROM "AccessEvent"
      WHERE "occurredAt" >= ${since} AND "actorKind" = 'STAFF' AND outcome = 'ALLOWED' AND action = ANY(${PATIENT_VIEWS})
      GROUP BY "actorId" ORDER BY n DESC, "actorId" LIMIT 10`,
    db().alert.count({ where: { reviewedAt: null } }),
    // Grants, not events: one emergency access is one grant, however many views it carried.
    db().breakGlassGrant.count({ where: { openedAt: { gte: since } } }),
    db().accessEvent.count({ where: { occurredAt: { gte: since }, outcome: "DENIED" } }),
  ]);
  const staff = await db().staff.findMany({ where: { id: { in: top.map((t) => t.actorId).filter(isUuid) } }, select: { id: true, name: true } });
  const name = new Map(staff.map((s) => [s.id, s.name]));
  const counts = new Map(perDay.map((r) => [r.day, r.n]));
  await appendAccessEvent(
    { actor: officer, action: "access_log.dashboard_viewed", outcome: "ALLOWED", purpose: "AUDIT", details: { days, from: dayList[0], to: today } },
    caller.context,
  );
  return {
    days,
    accessesPerDay: dayList.map((d) => ({ label: d, value: counts.get(d) ?? 0 })),
    alertsByKind: byKind.map((r) => ({ label: r.kind, value: r.n })),
    topAccessors: top.map((r) => ({ staffId: r.actorId, label: name.get(r.actorId) ?? r.actorId, value: r.n })),
    openAlerts,
    emergencyAccesses,
    deniedAccesses,
  };
}
