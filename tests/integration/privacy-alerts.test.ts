import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { appendAccessEvent, hashAccessEvent, GENESIS_HASH } from "@/lib/audit";
import { checkAccessLog } from "@/lib/audit/check-log";
import type { Actor } from "@/lib/authz";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { openBreakGlass } from "@/lib/dal/break-glass";
import { getPatientChart } from "@/lib/dal/patients";
import { calendarDay } from "@/lib/i18n/formats";
import { anchorEverything, prepareSeal } from "@/lib/jobs/anchoring";
import { PRIVACY_ALERT_KINDS, runPrivacyAlerts, usualHours, type PrivacyAlertKind } from "@/lib/jobs/privacy-alerts";
import { ledgers } from "@/lib/verification";
import { asOwner, callerFor, ensureDemo, testAction } from "./helpers";

const ZONE = "Asia/Seoul";
const DAY = 86_400_000;
/** Back-dated history goes on a chain of its own that the app never appends to, hashed like any other. */
const HISTORY_CHAIN = 901;
const TAG = randomUUID().slice(0, 8);
let serial = 0;

type Staff = { id: string; caller: Caller; actor: Extract<Actor, { kind: "STAFF" }> };
type PatientRow = { id: string; mrn: string };

async function createStaff(opts: { patientId?: string } = {}): Promise<Staff> {
  const n = ++serial;
  const email = `privacy-${TAG}-${n}@test.chartproof.local`;
  await db().staff.create({
    data: { email, name: `Privacy Test ${n}`, role: "DOCTOR", passwordHash: "", licenceNumber: `PT-${TAG}-${n}`, patientId: opts.patientId ?? null },
  });
  const caller = await callerFor(email);
  return { id: caller.actor.id, caller, actor: caller.actor as Staff["actor"] };
}

async function createPatients(count: number, fields: (i: number) => { name?: string; address?: string | null; phone?: string | null } = () => ({})): Promise<PatientRow[]> {
  const rows: PatientRow[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++serial;
    const f = fields(i);
    rows.push(
      await db().patient.create({
        data: {
          mrn: `PA-${TAG}-${n}`,
          name: f.name ?? `Test Patient ${n}`,
          birthDate: new Date("1970-01-01T00:00:00Z"),
          sex: n % 2 ? "FEMALE" : "MALE",
          address: f.address === undefined ? `Test address ${TAG} ${n}` : f.address,
          phone: f.phone === undefined ? `010-${TAG.slice(0, 4)}-${n}` : f.phone,
        },
        select: { id: true, mrn: true },
      }),
    );
  }
  return rows;
}

async function consent(staff: Staff, patients: PatientRow[]): Promise<void> {
  await db().consent.createMany({
    data: patients.map((p) => ({ patientId: p.id, granteeStaffId: staff.id, scope: "TREATMENT" as const, recordClasses: [], validFrom: new Date(Date.now() - 365 * DAY) })),
  });
}

type HistoryEvent = { actorId: string; action: string; patientId: string | null; outcome: "ALLOWED" | "DENIED"; occurredAt: Date; details?: Record<string, unknown> };

/**
 * Inserts back-dated events as the database owner (the app cannot choose occurredAt), on HISTORY_CHAIN with contiguous
 * chainSeq and correct links and hashes, so the log still checks clean.
 */
async function insertHistory(events: HistoryEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const head = (await asOwner(`SELECT e."chainSeq"::text AS "head", e.hash FROM "AccessEvent" e WHERE e.chain = $1 ORDER BY e."chainSeq" DESC LIMIT 1`, [HISTORY_CHAIN])).rows[0];
  let chainSeq = head ? BigInt(head.head as string) : 0n;
  let prevHash = head ? (head.hash as string) : GENESIS_HASH;
  const seqs = (await asOwner(`SELECT nextval('accessevent_seq_seq')::text AS seq FROM generate_series(1, $1::int)`, [events.length])).rows.map((r) => r.seq as string);
  const columns = ["seq", "chain", "chainSeq", "occurredAt", "actorKind", "actorId", "actorRole", "action", "patientId", "outcome", "purpose", "ip", "requestId", "details", "prevHash", "hash"];
  const rows = events.map((e, i) => {
    chainSeq += 1n;
    const fields = {
      seq: BigInt(seqs[i]!),
      chain: HISTORY_CHAIN,
      chainSeq,
      occurredAt: e.occurredAt,
      actorKind: "STAFF" as const,
      actorId: e.actorId,
      actorRole: "DOCTOR",
      action: e.action,
      patientId: e.patientId,
      outcome: e.outcome,
      purpose: "TREATMENT",
      ip: "127.0.0.1",
      requestId: "history",
      details: e.details ?? {},
      prevHash,
    };
    const hash = hashAccessEvent(fields);
    prevHash = hash;
    return [fields.seq.toString(), fields.chain, fields.chainSeq.toString(), fields.occurredAt, fields.actorKind, fields.actorId, fields.actorRole, fields.action, fields.patientId, fields.outcome, fields.purpose, fields.ip, fields.requestId, JSON.stringify(fields.details), fields.prevHash, hash];
  });
  for (let start = 0; start < rows.length; start += 1000) {
    const chunk = rows.slice(start, start + 1000);
    const placeholders = chunk.map((_, r) => `(${columns.map((c, k) => `$${r * columns.length + k + 1}${castOf(c)}`).join(", ")})`).join(", ");
    await asOwner(`INSERT INTO "AccessEvent" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${placeholders}`, chunk.flat());
  }
  return seqs;
}

function castOf(column: string): string {
  return (
    { seq: "::bigint", chainSeq: "::bigint", actorKind: '::"ActorKind"', outcome: '::"AccessOutcome"', purpose: '::"AccessPurpose"', patientId: "::uuid", details: "::jsonb" }[column] ?? ""
  );
}

/** A wall-clock time on a hospital day (Seoul has no daylight saving: +09:00 all year). */
function at(day: string, minutesOfDay: number): Date {
  const h = Math.floor(minutesOfDay / 60);
  const m = Math.floor(minutesOfDay % 60);
  const s = Math.floor((minutesOfDay * 60) % 60);
  return new Date(`${day}T${pad(h)}:${pad(m)}:${pad(s)}+09:00`);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function hourIn(zone: string, instant: Date): number {
  return Number(new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", hourCycle: "h23" }).format(instant));
}

function daysBefore(instant: Date, days: number): string {
  return calendarDay(new Date(instant.getTime() - days * DAY), ZONE);
}

/** Deterministic pseudo-random numbers (mulberry32), so the normal weeks are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function privacyAlertsFor(staffIds: string[], kind?: PrivacyAlertKind) {
  return db().alert.findMany({
    where: {
      kind: kind ?? { in: [...PRIVACY_ALERT_KINDS] },
      OR: staffIds.map((id) => ({ details: { path: ["staffId"], equals: id } })),
    },
    orderBy: { createdAt: "asc" },
  });
}

type AlertDetails = { staffId: string; patientId?: string; eventSeqs: string[]; eventCount: number; dedupeKey: string } & Record<string, unknown>;

function detailsOf(alert: { details: unknown }): AlertDetails {
  return alert.details as AlertDetails;
}

async function eventsAt(seqs: string[]) {
  return db().accessEvent.findMany({ where: { seq: { in: seqs.map((s) => BigInt(s)) } }, orderBy: { seq: "asc" } });
}

const view = (staff: Staff, patientId: string, action = "patient.viewed") =>
  appendAccessEvent({ actor: staff.actor, action: testAction(action), outcome: "ALLOWED", purpose: "TREATMENT", patientId, details: { recordIds: [] } }, staff.caller.context);

beforeAll(async () => {
  await ensureDemo();
});

// Other files share this database: no grant opened here may outlive the file.
afterAll(async () => {
  await db().breakGlassGrant.updateMany({ where: { expiresAt: { gt: new Date() } }, data: { expiresAt: new Date() } });
});

describe("the usual hours of a staff member", () => {
  it("are the hours holding 5% of their views, widened by the margin, across midnight too", () => {
    const histogram = Array<number>(24).fill(0);
    histogram[23] = 10;
    histogram[0] = 10;
    histogram[12] = 1;
    expect([...usualHours(histogram, 21, 0.05, 1)].sort((a, b) => a - b)).toEqual([0, 1, 22, 23]);
    expect([...usualHours(histogram, 21, 0.05, 0)].sort((a, b) => a - b)).toEqual([0, 23]);
  });
});

describe("a normal few weeks of ward work", () => {
  it("raises no privacy alert for doctors seeing their consented patients in working hours, and flags the one who does not", async () => {
    // Seventy days back: no event of the other test files falls in these windows, and this volume of history stays
    // out of the recent statistics other files check (the compliance dashboard's last 30 days).
    const lastDay = daysBefore(new Date(), 70);
    const anchor = at(lastDay, 12 * 60);
    const rand = random(20_261_126);
    const doctors = [await createStaff(), await createStaff(), await createStaff(), await createStaff()];
    // Works like the others, sees fewer patients a day (10–20), and on the last day opens a chart at 02:30 and then
    // sixty charts in the day.
    const outlier = await createStaff();
    const ward = await createPatients(70);
    const panel = ward.slice(0, 60);
    const others = ward.slice(60);
    for (const doctor of [...doctors, outlier]) await consent(doctor, panel);

    const history: HistoryEvent[] = [];
    const perDay = new Map<string, number>();
    for (const [i, doctor] of [...doctors, outlier].entries()) {
      // Three weeks and the last day; one day off a week (never the last day).
      for (let d = 21; d >= 0; d--) {
        if (d !== 0 && (d + i) % 7 === 3) continue;
        const day = daysBefore(anchor, d);
        const start = 8 * 60 - 20 + rand() * 50; // 07:40–08:30
        const end = 19 * 60 - 30 + rand() * 50; // 18:30–19:20
        const when = () => at(day, start + rand() * (end - start));
        const count = doctor === outlier ? (d === 0 ? 60 : 10 + Math.floor(rand() * 11)) : 10 + Math.floor(rand() * 31); // 10–40 a day
        const patients = [...panel].sort(() => rand() - 0.5).slice(0, count);
        if (doctor !== outlier) perDay.set(`${doctor.id}:${day}`, patients.length);
        for (const p of patients) {
          const times = Array.from({ length: 1 + Math.floor(rand() * 3) }, when).sort((a, b) => a.getTime() - b.getTime());
          for (const [k, t] of times.entries()) history.push({ actorId: doctor.id, action: k === 0 ? "patient.viewed" : "record.viewed", patientId: p.id, outcome: "ALLOWED", occurredAt: t });
        }
        // Now and then a chart opened by mistake (one or two refusals a day at most).
        if (rand() < 0.4) {
          for (let k = 0; k < 1 + Math.floor(rand() * 2); k++) {
            history.push({ actorId: doctor.id, action: "patient.viewed", patientId: others[Math.floor(rand() * others.length)]!.id, outcome: "DENIED", occurredAt: when(), details: { reason: "no_consent" } });
          }
        }
      }
    }
    const night = at(lastDay, 2 * 60 + 30);
    history.push({ actorId: outlier.id, action: "patient.viewed", patientId: panel[0]!.id, outcome: "ALLOWED", occurredAt: night });
    history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    await insertHistory(history);
    expect(Math.min(...perDay.values())).toBeGreaterThanOrEqual(10);
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(40);

    // The worker's ticks across the last day, every hour from 01:00 to 20:00, each scanning the hour before.
    for (let h = 1; h <= 20; h++) await runPrivacyAlerts({ now: at(lastDay, h * 60) });
    expect(await privacyAlertsFor(doctors.map((d) => d.id))).toEqual([]);

    const flagged = await privacyAlertsFor([outlier.id]);
    expect(flagged.map((a) => a.kind)).toEqual(["privacy.off_hours", "privacy.volume_spike"]);
    const [offHours, spike] = flagged.map(detailsOf);
    expect(offHours).toMatchObject({ hours: [2], eventCount: 1, day: lastDay });
    expect((await eventsAt(offHours!.eventSeqs)).map((e) => [e.actorId, e.occurredAt.toISOString()])).toEqual([[outlier.id, night.toISOString()]]);
    expect(spike!.distinctPatients as number).toBeGreaterThan(spike!.threshold as number);
    expect(spike!.baselineMedian as number).toBeLessThanOrEqual(20);
    const spikeEvents = await eventsAt(spike!.eventSeqs);
    expect(spikeEvents).toHaveLength(Math.min(50, spike!.eventCount));
    expect(spikeEvents.every((e) => e.actorId === outlier.id && e.action === "patient.viewed" && calendarDay(e.occurredAt, ZONE) === lastDay)).toBe(true);
    expect(new Set(spikeEvents.map((e) => e.patientId)).size).toBe(spikeEvents.length);

    // Not quiet for want of looking: both baselines are in play for the quiet doctors, and stricter settings fire.
    const evening = at(lastDay, 19 * 60 + 30);
    const strict = await runPrivacyAlerts({ now: evening, windowMinutes: 12 * 60, volumeFactor: 0.5, volumeMargin: 0, offHoursMinShare: 0.2, offHoursMarginHours: 0, deniedThreshold: 1 });
    expect(strict.found["privacy.volume_spike"]).toBeGreaterThan(1);
    expect(strict.found["privacy.off_hours"]).toBe(doctors.length + 1);
    expect(strict.found["privacy.denied_attempts"]).toBeGreaterThan(0);
  });
});

describe("each alert fires on a crafted history", () => {
  it("privacy.break_glass_used: one INFO alert per emergency grant, naming its event", async () => {
    const doctor = await createStaff();
    const [patient] = await createPatients(1);
    const { grantId } = await openBreakGlass(doctor.caller, { mrn: patient!.mrn, reason: "Unconscious in the emergency room, no consent on file" });
    const report = await runPrivacyAlerts();
    expect(report.raised["privacy.break_glass_used"]).toBeGreaterThanOrEqual(1);
    const [alert, ...more] = await privacyAlertsFor([doctor.id]);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ kind: "privacy.break_glass_used", severity: "INFO" });
    const details = detailsOf(alert!);
    expect(details).toMatchObject({ staffId: doctor.id, patientId: patient!.id, grantId, eventCount: 1, dedupeKey: `grant:${grantId}` });
    const [event] = await eventsAt(details.eventSeqs);
    expect(event).toMatchObject({ action: "break_glass.opened", outcome: "ALLOWED", actorId: doctor.id, patientId: patient!.id });
    expect(details.eventSeqs).toHaveLength(1);
    // Ids and counts only: the stated reason stays in the grant row.
    expect(JSON.stringify(alert!.details)).not.toContain("Unconscious");
  });

  it("privacy.denied_attempts: three refused charts in the window, not two", async () => {
    const snooper = await createStaff();
    const clumsy = await createStaff();
    const strangers = await createPatients(3);
    for (const p of strangers) await expect(getPatientChart(snooper.caller, p.id)).rejects.toBeInstanceOf(AccessDeniedError);
    for (const p of strangers.slice(0, 2)) await expect(getPatientChart(clumsy.caller, p.id)).rejects.toBeInstanceOf(AccessDeniedError);
    await runPrivacyAlerts();
    expect(await privacyAlertsFor([clumsy.id])).toEqual([]);
    const alerts = await privacyAlertsFor([snooper.id]);
    expect(alerts.map((a) => [a.kind, a.severity])).toEqual([["privacy.denied_attempts", "WARNING"]]);
    const details = detailsOf(alerts[0]!);
    expect(details).toMatchObject({ deniedCount: 3, distinctPatients: 3, eventCount: 3 });
    const events = await eventsAt(details.eventSeqs);
    expect(events.map((e) => [e.actorId, e.action, e.outcome, e.patientId])).toEqual(strangers.map((p) => [snooper.id, "patient.viewed", "DENIED", p.id]));
  });

  // The rules with baselines run here with smaller numbers (a baseline of 20 views, a margin of 5 patients) than their
  // defaults, which the normal weeks above exercise: recent history is shared with other files' statistics.
  it("privacy.off_hours: a chart opened far from the staff member's usual hours, only with a baseline", async () => {
    const now = new Date();
    const hour = hourIn(ZONE, now);
    const nightOwl = await createStaff(); // usually works the seven hours starting eight after the current one
    const regular = await createStaff(); // usually works around the current hour
    const newcomer = await createStaff(); // too little history to judge
    const [patient] = await createPatients(1);
    const history: HistoryEvent[] = [];
    for (let k = 0; k < 21; k++) {
      const day = daysBefore(now, 1 + (k % 14));
      history.push({ actorId: nightOwl.id, action: "patient.viewed", patientId: patient!.id, outcome: "ALLOWED", occurredAt: at(day, ((hour + 8 + (k % 7)) % 24) * 60 + 10) });
      history.push({ actorId: regular.id, action: "record.viewed", patientId: patient!.id, outcome: "ALLOWED", occurredAt: at(day, ((hour + 23 + (k % 3)) % 24) * 60 + 20) });
      if (k < 15) history.push({ actorId: newcomer.id, action: "patient.viewed", patientId: patient!.id, outcome: "ALLOWED", occurredAt: at(day, ((hour + 12) % 24) * 60) });
    }
    await insertHistory(history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime()));
    const seq = await view(nightOwl, patient!.id);
    await view(regular, patient!.id);
    await view(newcomer, patient!.id);
    await runPrivacyAlerts({ offHoursMinBaseline: 20 });
    expect(await privacyAlertsFor([regular.id, newcomer.id])).toEqual([]);
    const alerts = await privacyAlertsFor([nightOwl.id]);
    expect(alerts.map((a) => [a.kind, a.severity])).toEqual([["privacy.off_hours", "WARNING"]]);
    const details = detailsOf(alerts[0]!);
    expect(details).toMatchObject({ hours: [hourIn(ZONE, (await eventsAt([seq.toString()]))[0]!.occurredAt)], baselineEvents: 21, eventSeqs: [seq.toString()], eventCount: 1 });
    expect((details.usualHours as number[]).includes(hour)).toBe(false);
  });

  it("privacy.volume_spike: far more patients today than the staff member's median day, with a baseline of 7 days", async () => {
    const now = new Date();
    const hour = hourIn(ZONE, now);
    const options = { volumeMargin: 5 };
    const spiker = await createStaff(); // median 2 → threshold max(6, 7)
    const busy = await createStaff(); // median 4 → threshold max(12, 9)
    const fresh = await createStaff(); // median 1 but only 5 active days
    const patients = await createPatients(8);
    const history: HistoryEvent[] = [];
    const baseline = (staff: Staff, days: number, perDay: number) => {
      for (let d = 1; d <= days; d++) {
        for (let k = 0; k < perDay; k++) {
          history.push({ actorId: staff.id, action: "patient.viewed", patientId: patients[(d + k) % patients.length]!.id, outcome: "ALLOWED", occurredAt: at(daysBefore(now, 2 * d), hour * 60 + k) });
        }
      }
    };
    baseline(spiker, 7, 2);
    baseline(busy, 7, 4);
    baseline(fresh, 5, 1);
    await insertHistory(history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime()));
    const firstViews: string[] = [];
    for (const p of patients) {
      firstViews.push((await view(spiker, p.id)).toString());
      await view(spiker, p.id, "record.viewed"); // a second look at the same patient counts once
      await view(busy, p.id);
      await view(fresh, p.id);
    }
    await runPrivacyAlerts(options);
    expect(await privacyAlertsFor([busy.id, fresh.id])).toEqual([]);
    const alerts = await privacyAlertsFor([spiker.id]);
    expect(alerts.map((a) => [a.kind, a.severity])).toEqual([["privacy.volume_spike", "WARNING"]]);
    const details = detailsOf(alerts[0]!);
    expect(details).toMatchObject({ distinctPatients: 8, baselineMedian: 2, baselineActiveDays: 7, threshold: 7, eventCount: 8 });
    expect(details.eventSeqs).toEqual(firstViews);
    expect(new Set((await eventsAt(details.eventSeqs)).map((e) => e.patientId))).toEqual(new Set(patients.map((p) => p.id)));
  });

  it("privacy.same_household: same address or phone as the staff member's own record (normalised), never the family name alone", async () => {
    const [own] = await createPatients(1, () => ({ name: "Household Own", address: `서울특별시 서초구 반포대로 58 Raemian ${TAG} 101동 1203호`, phone: "010-5555-1234" }));
    const [spouse, child, cousin, neighbour] = await createPatients(4, (i) =>
      [
        { name: "Household Spouse", address: `  서울특별시  서초구 반포대로 58 RAEMIAN ${TAG.toUpperCase()}  101동\t1203호 `, phone: "010-7777-0001" },
        { name: "Household Child", address: "경기도 수원시 팔달구 효원로 1", phone: "(010) 5555 1234" },
        { name: "Household Own-cousin", address: "부산광역시 해운대구 우동 9", phone: "010-7777-0002" },
        { name: "Neighbour", address: `서울특별시 서초구 반포대로 58 Raemian ${TAG} 101동 1204호`, phone: "010-5555-1235" },
      ][i]!,
    );
    const staff = await createStaff({ patientId: own!.id });
    await consent(staff, [spouse!, child!, cousin!, neighbour!]);
    for (const p of [spouse!, child!, cousin!, neighbour!]) await getPatientChart(staff.caller, p.id);
    await runPrivacyAlerts();
    const alerts = await privacyAlertsFor([staff.id]);
    const byPatient = (a: (typeof alerts)[number]) => [a.kind, a.severity, detailsOf(a).patientId, detailsOf(a).match];
    expect(alerts.map(byPatient)).toHaveLength(2);
    expect(alerts.map(byPatient)).toEqual(
      expect.arrayContaining([
        ["privacy.same_household", "CRITICAL", spouse!.id, ["address"]],
        ["privacy.same_household", "CRITICAL", child!.id, ["phone"]],
      ]),
    );
    for (const alert of alerts) {
      const details = detailsOf(alert);
      const events = await eventsAt(details.eventSeqs);
      expect(events.map((e) => [e.actorId, e.action, e.patientId])).toEqual([[staff.id, "patient.viewed", details.patientId]]);
      expect(JSON.stringify(details)).not.toMatch(/반포|010-|Household/);
    }
  });

  it("privacy.own_record: a staff member opening their own chart with staff access", async () => {
    const [own, other] = await createPatients(2);
    const staff = await createStaff({ patientId: own!.id });
    await consent(staff, [own!, other!]);
    await getPatientChart(staff.caller, own!.id);
    await getPatientChart(staff.caller, own!.id);
    await getPatientChart(staff.caller, other!.id);
    await runPrivacyAlerts();
    const alerts = await privacyAlertsFor([staff.id]);
    expect(alerts.map((a) => [a.kind, a.severity])).toEqual([["privacy.own_record", "WARNING"]]);
    const details = detailsOf(alerts[0]!);
    expect(details).toMatchObject({ patientId: own!.id, eventCount: 2 });
    const events = await eventsAt(details.eventSeqs);
    expect(events.map((e) => [e.actorId, e.action, e.patientId])).toEqual([
      [staff.id, "patient.viewed", own!.id],
      [staff.id, "patient.viewed", own!.id],
    ]);
  });
});

describe("deduplication", () => {
  it("a rescan raises nothing new, even after compliance resolved the alerts; new events do", async () => {
    const [own, spouse] = await createPatients(2, () => ({ address: `Dedupe ${TAG} street 1`, phone: null }));
    const staff = await createStaff({ patientId: own!.id });
    await consent(staff, [spouse!]);
    await getPatientChart(staff.caller, spouse!.id);
    const first = await runPrivacyAlerts();
    expect(first.raised["privacy.same_household"]).toBeGreaterThanOrEqual(1);
    const second = await runPrivacyAlerts();
    expect(second.found["privacy.same_household"]).toBeGreaterThanOrEqual(1);
    expect(Object.values(second.raised).reduce((a, b) => a + b, 0)).toBe(0);

    // Resolving every open privacy alert does not make the same events raise them again.
    await db().alert.updateMany({ where: { kind: { in: [...PRIVACY_ALERT_KINDS] }, resolvedAt: null }, data: { resolvedAt: new Date() } });
    const third = await runPrivacyAlerts();
    expect(Object.values(third.raised).reduce((a, b) => a + b, 0)).toBe(0);
    expect(await privacyAlertsFor([staff.id])).toHaveLength(1);

    // A new look at the same person after the review is a new alert.
    await getPatientChart(staff.caller, spouse!.id);
    const fourth = await runPrivacyAlerts();
    expect(fourth.raised["privacy.same_household"]).toBe(1);
    const alerts = await privacyAlertsFor([staff.id]);
    expect(alerts.map((a) => detailsOf(a).eventCount)).toEqual([1, 2]);
  });
});

describe("the back-dated history keeps the log sound", () => {
  it("the access log, sealed, still checks clean", async () => {
    await prepareSeal(ledgers().private, { everySeconds: 0 });
    await anchorEverything(ledgers(), { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 });
    const check = await checkAccessLog({ ledger: ledgers().private, unsealedGraceSeconds: 600 });
    expect(check.breaks).toEqual([]);
  });
});
