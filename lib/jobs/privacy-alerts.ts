import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { raiseAlert, type AlertInput } from "./alerts";

// Privacy alerts computed from the access log and the portal's own data (docs/decisions/011-privacy-alerts.md).
// Every rule is an aggregate in the database over a recent window of the log; details carry ids and counts only.

export const PRIVACY_ALERT_KINDS = [
  "privacy.break_glass_used",
  "privacy.denied_attempts",
  "privacy.off_hours",
  "privacy.volume_spike",
  "privacy.same_household",
  "privacy.own_record",
] as const;

export type PrivacyAlertKind = (typeof PRIVACY_ALERT_KINDS)[number];

export const PRIVACY_ALERT_SEVERITY: Readonly<Record<PrivacyAlertKind, AlertInput["severity"]>> = {
  "privacy.break_glass_used": "INFO",
  "privacy.denied_attempts": "WARNING",
  "privacy.off_hours": "WARNING",
  "privacy.volume_spike": "WARNING",
  "privacy.same_household": "CRITICAL",
  "privacy.own_record": "WARNING",
};

/** Reads of patient data by staff: what the rules count (DENIED ones included where a rule says so). */
export const PATIENT_DATA_ACTIONS = ["patient.viewed", "record.viewed", "record.proof_exported", "break_glass.opened"] as const;
/** Chart views: what the baselines (usual hours, patients per day) are learned from. */
export const VIEW_ACTIONS = ["patient.viewed", "record.viewed"] as const;

export type PrivacyAlertOptions = {
  /** The end of the scanned window (default: the current time). */
  now?: Date;
  /** Events with occurredAt in (now − windowMinutes, now] are scanned. Run the job more often than this. Default 60. */
  windowMinutes?: number;
  /** The hospital's zone, for hours of the day and hospital days. Default "Asia/Seoul" (pass env().DEFAULT_TIME_ZONE). */
  timeZone?: string;
  /** privacy.denied_attempts: this many DENIED patient-data events by one staff member in the window. Default 3. */
  deniedThreshold?: number;
  /** Baselines are learned from this many whole hospital days before today. Default 28. */
  baselineDays?: number;
  /** privacy.off_hours: an hour of the day is usual when it holds at least this share of the baseline. Default 0.05. */
  offHoursMinShare?: number;
  /** privacy.off_hours: hours this close to a usual hour count as usual too (an early start is not an alert). Default 1. */
  offHoursMarginHours?: number;
  /** privacy.off_hours: no alert without at least this many baseline views (new staff stay quiet). Default 50. */
  offHoursMinBaseline?: number;
  /** privacy.volume_spike: today's distinct patients above max(factor × median, median + margin). Defaults 3 and 20. */
  volumeFactor?: number;
  volumeMargin?: number;
  /** privacy.volume_spike: no alert without at least this many active days in the baseline. Default 7. */
  volumeMinActiveDays?: number;
  /** How many event seqs an alert's details list (the most recent ones; eventCount has the full count). Default 50. */
  maxEventSeqs?: number;
};

export type PrivacyAlertReport = {
  windowStart: string;
  windowEnd: string;
  /** Conditions found in the window, per kind (including those already alerted). */
  found: Record<PrivacyAlertKind, number>;
  /** New alerts raised by this run, per kind. */
  raised: Record<PrivacyAlertKind, number>;
};

export const PRIVACY_ALERT_DEFAULTS = {
  windowMinutes: 60,
  timeZone: "Asia/Seoul",
  deniedThreshold: 3,
  baselineDays: 28,
  offHoursMinShare: 0.05,
  offHoursMarginHours: 1,
  offHoursMinBaseline: 50,
  volumeFactor: 3,
  volumeMargin: 20,
  volumeMinActiveDays: 7,
  maxEventSeqs: 50,
} as const satisfies Settings;

type Settings = Required<Omit<PrivacyAlertOptions, "now">>;

type Candidate = {
  kind: PrivacyAlertKind;
  dedupeKey: string;
  details: Record<string, unknown>;
  /** The seqs of the events the alert is about (ascending, at most maxEventSeqs: the most recent). */
  eventSeqs: string[];
  eventCount: number;
  /** The highest seq the alert covers: a later run raises it again only for newer events. */
  throughSeq: bigint;
};

type Grouped = { seqs: string[]; n: number; through: bigint };

const SYSTEM_CONTEXT = { ip: null, requestId: null };

/** What every rule needs: the window, the hospital day of its end, the baseline period before that day. */
type Scan = {
  o: Settings;
  start: Date;
  end: Date;
  dayStart: Date;
  baselineStart: Date;
  /** The hospital day of `end`, YYYY-MM-DD: the per-day dedupe keys carry it. */
  day: string;
};

const PATIENT_DATA: string[] = [...PATIENT_DATA_ACTIONS];
const VIEWS: string[] = [...VIEW_ACTIONS];

/**
 * Scans the access events of the recent window and raises privacy alerts (deduplicated; see PRIVACY_ALERT_KINDS):
 * break-glass use, repeated denials, access outside the staff member's usual hours, a jump in patients viewed per
 * day, a staff member viewing a patient of their own household, and a staff member viewing their own chart.
 * Rescans of the same events never raise again, even after an alert was resolved. Each run is logged as one
 * `privacy_alerts.scanned` event (counts only).
 */
export async function runPrivacyAlerts(opts: PrivacyAlertOptions = {}): Promise<PrivacyAlertReport> {
  const { now, ...given } = opts;
  const o: Settings = { ...PRIVACY_ALERT_DEFAULTS, ...definedOnly(given) };
  const end = now ?? new Date();
  const start = new Date(end.getTime() - o.windowMinutes * 60_000);
  // The hospital day of the window's end and the baseline period before it, in the database's time-zone tables.
  const [bounds] = await db().$queryRaw<[{ dayStart: Date; baselineStart: Date; day: string }]>`
    SELECT (date_trunc('day', ${end}::timestamptz AT TIME ZONE ${o.timeZone}::text) AT TIME ZONE ${o.timeZone}::text) AS "dayStart",
           ((date_trunc('day', ${end}::timestamptz AT TIME ZONE ${o.timeZone}::text) - make_interval(days => ${o.baselineDays}::int))
             AT TIME ZONE ${o.timeZone}::text) AS "baselineStart",
           to_char(${end}::timestamptz AT TIME ZONE ${o.timeZone}::text, 'YYYY-MM-DD') AS day`;
  const scan: Scan = { o, start, end, ...bounds };

  const candidates = [
    ...(await breakGlassUsed(scan)),
    ...(await deniedAttempts(scan)),
    ...(await offHours(scan)),
    ...(await volumeSpike(scan)),
    ...(await sameHousehold(scan)),
    ...(await ownRecord(scan)),
  ];

  const report: PrivacyAlertReport = { windowStart: start.toISOString(), windowEnd: end.toISOString(), found: zeroCounts(), raised: zeroCounts() };
  const covered = await alreadyCovered(candidates, new Date(start.getTime() - 86_400_000));
  for (const c of candidates) {
    report.found[c.kind] += 1;
    const through = covered.get(`${c.kind}\u0000${c.dedupeKey}`);
    if (through !== undefined && through >= c.throughSeq) continue;
    const raised = await raiseAlert({
      kind: c.kind,
      severity: PRIVACY_ALERT_SEVERITY[c.kind],
      details: { ...c.details, eventCount: c.eventCount, eventSeqs: c.eventSeqs, throughSeq: c.throughSeq.toString() },
      dedupeKey: c.dedupeKey,
    });
    if (raised) report.raised[c.kind] += 1;
  }

  await appendAccessEvent(
    { actor: "SYSTEM", action: "privacy_alerts.scanned", outcome: "ALLOWED", purpose: "OPERATIONS", details: { ...report } },
    SYSTEM_CONTEXT,
  );
  return report;
}

/** 1. Every emergency grant opened: an INFO trail for compliance (the frequency alert is raised by the DAL). */
async function breakGlassUsed({ start, end }: Scan): Promise<Candidate[]> {
  const grants = await db().$queryRaw<{ seq: bigint; actorId: string | null; patientId: string | null; grantId: string | null }[]>`
    SELECT seq, "actorId", "patientId"::text AS "patientId", details->>'grantId' AS "grantId"
    FROM "AccessEvent"
    WHERE "occurredAt" > ${start}::timestamptz AND "occurredAt" <= ${end}::timestamptz
      AND action = 'break_glass.opened' AND outcome = 'ALLOWED'
    ORDER BY seq`;
  return grants.map((g) => ({
    kind: "privacy.break_glass_used",
    dedupeKey: `grant:${g.grantId ?? `seq-${g.seq}`}`,
    details: { staffId: g.actorId, patientId: g.patientId, grantId: g.grantId },
    eventSeqs: [g.seq.toString()],
    eventCount: 1,
    throughSeq: g.seq,
  }));
}

/** 2. Repeated refusals in the window: someone trying charts they have no right to. */
async function deniedAttempts({ o, start, end, day }: Scan): Promise<Candidate[]> {
  const denied = await db().$queryRaw<({ actorId: string; patients: number } & Grouped)[]>`
    SELECT "actorId", count(*)::int AS n, count(DISTINCT "patientId")::int AS patients, max(seq) AS through,
           (array_agg(seq::text ORDER BY seq DESC))[1:${o.maxEventSeqs}::int] AS seqs
    FROM "AccessEvent"
    WHERE "occurredAt" > ${start}::timestamptz AND "occurredAt" <= ${end}::timestamptz
      AND "actorKind" = 'STAFF' AND outcome = 'DENIED' AND action = ANY(${PATIENT_DATA}::text[]) AND "actorId" IS NOT NULL
    GROUP BY "actorId"
    HAVING count(*) >= ${o.deniedThreshold}::int`;
  return denied.map((d) => ({
    kind: "privacy.denied_attempts",
    dedupeKey: `${d.actorId}:${day}`,
    details: { staffId: d.actorId, day, deniedCount: d.n, distinctPatients: d.patients, threshold: o.deniedThreshold, windowMinutes: o.windowMinutes },
    ...evidence(d, o.maxEventSeqs),
  }));
}

/**
 * 3. Patient data touched (allowed or not) at an hour of the day that is not one of the staff member's usual hours,
 * learned from their chart views of the baseline period. No baseline, no alert.
 */
async function offHours(scan: Scan): Promise<Candidate[]> {
  const { o, start, end, day } = scan;
  const byHour = await db().$queryRaw<({ actorId: string; hour: number } & Grouped)[]>`
    SELECT "actorId", extract(hour FROM "occurredAt" AT TIME ZONE ${o.timeZone}::text)::int AS hour, count(*)::int AS n, max(seq) AS through,
           (array_agg(seq::text ORDER BY seq DESC))[1:${o.maxEventSeqs}::int] AS seqs
    FROM "AccessEvent"
    WHERE "occurredAt" > ${start}::timestamptz AND "occurredAt" <= ${end}::timestamptz
      AND "actorKind" = 'STAFF' AND action = ANY(${PATIENT_DATA}::text[]) AND "actorId" IS NOT NULL
    GROUP BY 1, 2`;
  const staff = [...new Set(byHour.map((r) => r.actorId))];
  const histograms = await hourBaselines(scan, staff);
  const candidates: Candidate[] = [];
  for (const staffId of staff) {
    const histogram = histograms.get(staffId)!;
    const total = histogram.reduce((a, b) => a + b, 0);
    if (total < o.offHoursMinBaseline) continue;
    const usual = usualHours(histogram, total, o.offHoursMinShare, o.offHoursMarginHours);
    const unusual = byHour.filter((r) => r.actorId === staffId && !usual.has(r.hour));
    if (unusual.length === 0) continue;
    candidates.push({
      kind: "privacy.off_hours",
      dedupeKey: `${staffId}:${day}`,
      details: {
        staffId,
        day,
        hours: unusual.map((r) => r.hour).sort((a, b) => a - b),
        usualHours: [...usual].sort((a, b) => a - b),
        baselineEvents: total,
        timeZone: o.timeZone,
      },
      ...evidence(merge(unusual), o.maxEventSeqs),
    });
  }
  return candidates;
}

/**
 * 4. Many more distinct patients viewed today than on this staff member's median active day. Only staff viewing
 * charts in the window, and only those already past the margin (the threshold is never below it), need a baseline.
 */
async function volumeSpike(scan: Scan): Promise<Candidate[]> {
  const { o, start, end, dayStart, day } = scan;
  const today = await db().$queryRaw<({ actorId: string } & Grouped)[]>`
    WITH active AS (
      SELECT DISTINCT "actorId" FROM "AccessEvent"
      WHERE "occurredAt" > ${start}::timestamptz AND "occurredAt" <= ${end}::timestamptz
        AND "actorKind" = 'STAFF' AND action = ANY(${VIEWS}::text[]) AND outcome = 'ALLOWED' AND "actorId" IS NOT NULL
    ), firsts AS (
      SELECT DISTINCT ON ("actorId", "patientId") "actorId", "patientId", seq
      FROM "AccessEvent"
      WHERE "actorId" IN (SELECT "actorId" FROM active) AND action = ANY(${VIEWS}::text[]) AND outcome = 'ALLOWED'
        AND "patientId" IS NOT NULL AND "occurredAt" >= ${dayStart}::timestamptz AND "occurredAt" <= ${end}::timestamptz
      ORDER BY "actorId", "patientId", seq
    )
    SELECT "actorId", count(*)::int AS n, max(seq) AS through, (array_agg(seq::text ORDER BY seq DESC))[1:${o.maxEventSeqs}::int] AS seqs
    FROM firsts GROUP BY 1
    HAVING count(*) > ${o.volumeMargin}::int`;
  const baselines = await volumeBaselines(scan, today.map((t) => t.actorId));
  const candidates: Candidate[] = [];
  for (const t of today) {
    const base = baselines.get(t.actorId)!;
    if (base.days < o.volumeMinActiveDays) continue;
    const threshold = Math.max(o.volumeFactor * base.median, base.median + o.volumeMargin);
    if (t.n <= threshold) continue;
    candidates.push({
      kind: "privacy.volume_spike",
      dedupeKey: `${t.actorId}:${day}`,
      details: { staffId: t.actorId, day, distinctPatients: t.n, baselineMedian: base.median, baselineActiveDays: base.days, threshold, timeZone: o.timeZone },
      ...evidence(t, o.maxEventSeqs),
    });
  }
  return candidates;
}

/**
 * 5. A staff member who is a patient here viewing someone of their household: the same address or the same phone as
 * their own patient record, both normalised (a shared family name alone is not a household).
 */
async function sameHousehold({ o, start, end }: Scan): Promise<Candidate[]> {
  const rows = await db().$queryRaw<({ staffId: string; patientId: string; sameAddress: boolean; samePhone: boolean } & Grouped)[]>`
    WITH own AS (
      SELECT s.id::text AS "staffId", s."patientId",
             nullif(lower(regexp_replace(btrim(normalize(coalesce(p.address, ''), NFKC)), '[[:space:]]+', ' ', 'g')), '') AS address,
             nullif(regexp_replace(coalesce(p.phone, ''), '[^0-9]', '', 'g'), '') AS phone
      FROM "Staff" s JOIN "Patient" p ON p.id = s."patientId"
    ), viewed AS (
      SELECT e."actorId", e."patientId", count(*)::int AS n, max(e.seq) AS through,
             (array_agg(e.seq::text ORDER BY e.seq DESC))[1:${o.maxEventSeqs}::int] AS seqs
      FROM "AccessEvent" e
      WHERE e."occurredAt" > ${start}::timestamptz AND e."occurredAt" <= ${end}::timestamptz
        AND e."actorKind" = 'STAFF' AND e.outcome = 'ALLOWED' AND e.action = ANY(${PATIENT_DATA}::text[]) AND e."patientId" IS NOT NULL
        AND e."actorId" IN (SELECT "staffId" FROM own)
      GROUP BY 1, 2
    ), compared AS (
      SELECT v.*, own."staffId",
             own.address IS NOT NULL
               AND own.address = lower(regexp_replace(btrim(normalize(coalesce(p.address, ''), NFKC)), '[[:space:]]+', ' ', 'g')) AS "sameAddress",
             own.phone IS NOT NULL AND length(own.phone) >= 7
               AND own.phone = regexp_replace(coalesce(p.phone, ''), '[^0-9]', '', 'g') AS "samePhone"
      FROM viewed v JOIN own ON own."staffId" = v."actorId" JOIN "Patient" p ON p.id = v."patientId"
      WHERE v."patientId" <> own."patientId"
    )
    SELECT "staffId", "patientId"::text AS "patientId", n, through, seqs, "sameAddress", "samePhone"
    FROM compared WHERE "sameAddress" OR "samePhone"`;
  return rows.map((h) => ({
    kind: "privacy.same_household",
    dedupeKey: `${h.staffId}:${h.patientId}`,
    details: { staffId: h.staffId, patientId: h.patientId, match: [...(h.sameAddress ? ["address"] : []), ...(h.samePhone ? ["phone"] : [])] },
    ...evidence(h, o.maxEventSeqs),
  }));
}

/** 6. A staff member opening their own chart with staff access (their own records are in the patient portal). */
async function ownRecord({ o, start, end, day }: Scan): Promise<Candidate[]> {
  const rows = await db().$queryRaw<({ staffId: string; patientId: string } & Grouped)[]>`
    SELECT e."actorId" AS "staffId", e."patientId"::text AS "patientId", count(*)::int AS n, max(e.seq) AS through,
           (array_agg(e.seq::text ORDER BY e.seq DESC))[1:${o.maxEventSeqs}::int] AS seqs
    FROM "AccessEvent" e JOIN "Staff" s ON s.id::text = e."actorId" AND s."patientId" = e."patientId"
    WHERE e."occurredAt" > ${start}::timestamptz AND e."occurredAt" <= ${end}::timestamptz
      AND e."actorKind" = 'STAFF' AND e.outcome = 'ALLOWED' AND e.action = ANY(${PATIENT_DATA}::text[])
    GROUP BY 1, 2`;
  return rows.map((r) => ({
    kind: "privacy.own_record",
    dedupeKey: `${r.staffId}:${day}`,
    details: { staffId: r.staffId, patientId: r.patientId, day },
    ...evidence(r, o.maxEventSeqs),
  }));
}

type Baselines = { key: string; hours: Map<string, number[]>; volume: Map<string, { median: number; days: number }> };

let cached: Baselines | null = null;

/**
 * The baselines learned so far for this hospital day, in this process. A baseline ends where today begins, so it is
 * the same all day: each staff member's is computed once a day, not on every run. Sound because the log is
 * append-only and stamped when written: nothing is ever added before today's start. (A test that back-dates
 * history must do so for staff the job has not yet seen that day.)
 */
function baselinesOf({ o, dayStart }: Scan): Baselines {
  const key = `${o.timeZone}|${o.baselineDays}|${dayStart.toISOString()}`;
  if (cached?.key !== key) cached = { key, hours: new Map(), volume: new Map() };
  return cached;
}

/** Per staff member, their allowed chart views of the baseline period by hour of the day (24 counts). */
async function hourBaselines(scan: Scan, staff: string[]): Promise<Map<string, number[]>> {
  const { hours } = baselinesOf(scan);
  const missing = staff.filter((id) => !hours.has(id));
  if (missing.length > 0) {
    const rows = await db().$queryRaw<{ actorId: string; hour: number; n: number }[]>`
      SELECT "actorId", extract(hour FROM "occurredAt" AT TIME ZONE ${scan.o.timeZone}::text)::int AS hour, count(*)::int AS n
      FROM "AccessEvent"
      WHERE "actorId" = ANY(${missing}::text[]) AND action = ANY(${VIEWS}::text[]) AND outcome = 'ALLOWED'
        AND "occurredAt" >= ${scan.baselineStart}::timestamptz AND "occurredAt" < ${scan.dayStart}::timestamptz
      GROUP BY 1, 2`;
    for (const id of missing) hours.set(id, Array<number>(24).fill(0));
    for (const r of rows) hours.get(r.actorId)![r.hour] = r.n;
  }
  return hours;
}

/** Per staff member, the median of distinct patients viewed per active day of the baseline period, and those days. */
async function volumeBaselines(scan: Scan, staff: string[]): Promise<Map<string, { median: number; days: number }>> {
  const { volume } = baselinesOf(scan);
  const missing = staff.filter((id) => !volume.has(id));
  if (missing.length > 0) {
    const rows = await db().$queryRaw<{ actorId: string; median: number; days: number }[]>`
      SELECT "actorId", percentile_cont(0.5) WITHIN GROUP (ORDER BY patients)::float8 AS median, count(*)::int AS days
      FROM (
        SELECT "actorId", ("occurredAt" AT TIME ZONE ${scan.o.timeZone}::text)::date AS day, count(DISTINCT "patientId") AS patients
        FROM "AccessEvent"
        WHERE "actorId" = ANY(${missing}::text[]) AND action = ANY(${VIEWS}::text[]) AND outcome = 'ALLOWED'
          AND "patientId" IS NOT NULL AND "occurredAt" >= ${scan.baselineStart}::timestamptz AND "occurredAt" < ${scan.dayStart}::timestamptz
        GROUP BY 1, 2
      ) AS daily
      GROUP BY 1`;
    for (const id of missing) volume.set(id, { median: 0, days: 0 });
    for (const r of rows) volume.set(r.actorId, { median: r.median, days: r.days });
  }
  return volume;
}

/**
 * The highest seq already covered by an alert (open or resolved) of each kind and dedupe key among the candidates,
 * so that a rescan of the same events raises nothing even when compliance resolved the alert in between; raiseAlert
 * alone only deduplicates against open alerts. Alerts about events in the window were created after it began.
 */
async function alreadyCovered(candidates: Candidate[], since: Date): Promise<Map<string, bigint>> {
  if (candidates.length === 0) return new Map();
  const rows = await db().$queryRaw<{ kind: string; key: string; through: bigint | null }[]>`
    SELECT kind, details->>'dedupeKey' AS key, max((details->>'throughSeq')::bigint) AS through
    FROM "Alert"
    WHERE kind = ANY(${[...new Set(candidates.map((c) => c.kind))]}::text[]) AND "createdAt" >= ${since}::timestamptz
      AND details->>'dedupeKey' = ANY(${[...new Set(candidates.map((c) => c.dedupeKey))]}::text[])
    GROUP BY 1, 2`;
  return new Map(rows.filter((r) => r.through !== null).map((r) => [`${r.kind}\u0000${r.key}`, r.through!]));
}

/** Hours (0–23) holding at least `minShare` of the baseline, widened by `margin` hours either side (circularly). */
export function usualHours(histogram: readonly number[], total: number, minShare: number, margin: number): Set<number> {
  const usual = new Set<number>();
  for (let h = 0; h < 24; h++) {
    if ((histogram[h] ?? 0) < minShare * total || total === 0) continue;
    for (let d = -margin; d <= margin; d++) usual.add((((h + d) % 24) + 24) % 24);
  }
  return usual;
}

/** The alert's evidence: its most recent `cap` seqs in ascending order, the full count, and the highest seq. */
function evidence(g: Grouped, cap: number): Pick<Candidate, "eventSeqs" | "eventCount" | "throughSeq"> {
  const seqs = [...g.seqs].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  return { eventSeqs: seqs.slice(-cap), eventCount: g.n, throughSeq: BigInt(g.through) };
}

/** Several groups of one staff member as one (their most recent seqs first, as the groups are). */
function merge(groups: Grouped[]): Grouped {
  const seqs = groups.flatMap((g) => g.seqs).sort((a, b) => (BigInt(b) < BigInt(a) ? -1 : BigInt(b) > BigInt(a) ? 1 : 0));
  return { seqs, n: groups.reduce((s, g) => s + g.n, 0), through: groups.reduce((m, g) => (BigInt(g.through) > m ? BigInt(g.through) : m), 0n) };
}

function zeroCounts(): Record<PrivacyAlertKind, number> {
  return Object.fromEntries(PRIVACY_ALERT_KINDS.map((k) => [k, 0])) as Record<PrivacyAlertKind, number>;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
