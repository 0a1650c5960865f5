import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { env } from "@/lib/env";
import { calendarDay } from "@/lib/i18n/formats";
import type { Caller } from "@/lib/dal/caller";
import { csvField, exportAccessLog, getAccessEvent, listAccessLog, listStaffOptions } from "@/lib/dal/access-log";
import { getComplianceDashboard, listAlerts, reviewAlert, runIntegrityCheck, signOffMonth, getSignOffs } from "@/lib/dal/compliance";
import { accessLogQuerySchema, nextDay, startOfDayInZone, type AccessLogQuery } from "@/lib/dto/compliance";
import { asOwner, callerFor, ensureDemo, patientByMrn, testAction } from "./helpers";

let officer: Caller;
let doctor: Caller;
let admin: Caller;
const restore: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (restore.length) await restore.pop()!();
});

beforeAll(async () => {
  await ensureDemo();
  officer = await callerFor("compliance@demo.chartproof.local");
  doctor = await callerFor("doctor@demo.chartproof.local");
  admin = await callerFor("admin@demo.chartproof.local");
});

const query = (q: Record<string, string> = {}): AccessLogQuery => accessLogQuerySchema.parse(q);

/** Every seq the log shows for a query, walking keyset pages in the given direction until there are no more. */
async function walk(q: Record<string, string>, dir: "asc" | "desc"): Promise<string[]> {
  const seen: string[] = [];
  let cursor: Record<string, string> = {};
  for (let pages = 0; pages < 50; pages++) {
    const page = await listAccessLog(officer, query({ ...q, dir, ...cursor }));
    seen.push(...page.rows.map((r) => r.seq));
    const more = dir === "desc" ? page.hasOlder : page.hasNewer;
    if (!more) break;
    cursor = dir === "desc" ? { before: page.oldestSeq! } : { after: page.newestSeq! };
  }
  return seen;
}

describe("access log: keyset paging and filters", () => {
  it("pages with keyset cursors both ways, each event exactly once, in order, under a filter", async () => {
    const action = `test.paged_${Date.now() % 100000}`;
    const created: bigint[] = [];
    for (let i = 0; i < 123; i++) {
      created.push(await appendAccessEvent({ actor: doctor.actor, action: testAction(action), outcome: "ALLOWED", purpose: i % 3 === 0 ? "EMERGENCY" : "TREATMENT", details: { i } }, doctor.context));
    }
    const desc = await walk({ action }, "desc");
    expect(desc).toHaveLength(123);
    expect(new Set(desc).size).toBe(123);
    expect(desc.map(BigInt)).toEqual([...created].sort((a, b) => (a < b ? 1 : -1)));
    const asc = await walk({ action }, "asc");
    expect(asc).toEqual([...desc].reverse());

    const first = await listAccessLog(officer, query({ action }));
    expect(first.rows).toHaveLength(50);
    expect(first.hasNewer).toBe(false);
    expect(first.hasOlder).toBe(true);
    // Back from the second page to the first with the "newer" cursor: the same rows.
    const second = await listAccessLog(officer, query({ action, before: first.oldestSeq! }));
    const back = await listAccessLog(officer, query({ action, after: second.newestSeq! }));
    expect(back.rows.map((r) => r.seq)).toEqual(first.rows.map((r) => r.seq));

    const emergency = await walk({ action, purpose: "EMERGENCY" }, "desc");
    expect(emergency).toHaveLength(41);
  });

  it("narrows by staff, role, patient MRN, action, outcome, purpose and day", async () => {
    const patient = await patientByMrn("10000002");
    const action = `test.filtered_${Date.now() % 100000}`;
    await appendAccessEvent({ actor: doctor.actor, action: testAction(action), outcome: "DENIED", purpose: "TREATMENT", patientId: patient.id }, doctor.context);
    await appendAccessEvent({ actor: doctor.actor, action: testAction(action), outcome: "ALLOWED", purpose: "EMERGENCY", patientId: patient.id }, doctor.context);
    await appendAccessEvent({ actor: admin.actor, action: testAction(action), outcome: "ALLOWED", purpose: "OPERATIONS" }, admin.context);

    const rows = async (q: Record<string, string>) => (await listAccessLog(officer, query({ action, ...q }))).rows;
    expect(await rows({})).toHaveLength(3);
    expect((await rows({ staff: doctor.actor.id })).every((r) => r.actorId === doctor.actor.id)).toBe(true);
    expect(await rows({ staff: doctor.actor.id })).toHaveLength(2);
    expect(await rows({ role: "ADMIN" })).toHaveLength(1);
    const byMrn = await rows({ mrn: "10000002" });
    expect(byMrn).toHaveLength(2);
    expect(byMrn.every((r) => r.patientMrn === "10000002")).toBe(true);
    expect(await rows({ outcome: "DENIED" })).toHaveLength(1);
    expect(await rows({ purpose: "EMERGENCY" })).toHaveLength(1);
    expect(await rows({ purpose: "EMERGENCY", outcome: "DENIED" })).toHaveLength(0);
    const today = calendarDay(new Date(), env().DEFAULT_TIME_ZONE);
    expect(await rows({ from: today, to: today })).toHaveLength(3);
    expect(await rows({ from: nextDay(today) })).toHaveLength(0);
    expect(await rows({ to: "2000-01-01" })).toHaveLength(0);
    // An unknown MRN shows nothing (and says so), rather than ignoring the filter.
    const unknown = await listAccessLog(officer, query({ action, mrn: "99999999" }));
    expect(unknown.rows).toHaveLength(0);
    expect(unknown.unknownMrn).toBe(true);
    // Malformed parameters are dropped, not trusted.
    expect(query({ staff: "x'; drop", mrn: "<script>", purpose: "NOPE", after: "-1" })).toMatchObject({ staff: undefined, mrn: undefined, purpose: undefined, after: undefined });
  });

  it("logs each read with its filters, the patient by id and never by name", async () => {
    const patient = await db().patient.findUniqueOrThrow({ where: { mrn: "10000002" }, select: { id: true, name: true } });
    await listAccessLog(officer, query({ mrn: "10000002", purpose: "EMERGENCY" }));
    const event = await db().accessEvent.findFirstOrThrow({ where: { action: "access_log.viewed", actorId: officer.actor.id }, orderBy: { seq: "desc" } });
    expect(event.purpose).toBe("AUDIT");
    expect(event.details).toMatchObject({ filters: { patientId: patient.id, purpose: "EMERGENCY" } });
    expect(JSON.stringify(event.details)).not.toContain(patient.name);
  });

  it("hides the officer's own reading of the log unless asked, and names the patient beside the MRN", async () => {
    await listAccessLog(officer, query());
    await listAccessLog(officer, query());
    const own = (rows: { actorId: string | null; purpose: string | null }[]) => rows.filter((r) => r.actorId === officer.actor.id && r.purpose === "AUDIT");
    expect(own((await listAccessLog(officer, query())).rows)).toEqual([]);
    expect(own((await listAccessLog(officer, query({ mine: "1" }))).rows).length).toBeGreaterThan(0);
    // Asking for an action or for oneself by name is asking for them too.
    expect(own((await listAccessLog(officer, query({ action: "access_log.viewed" }))).rows).length).toBeGreaterThan(0);
    expect(own((await listAccessLog(officer, query({ staff: officer.actor.id }))).rows).length).toBeGreaterThan(0);
    // Another officer's reading is not "mine": it stays visible.
    const other = await callerFor("compliance2@demo.chartproof.local");
    await listAccessLog(other, query());
    expect((await listAccessLog(officer, query())).rows.some((r) => r.actorId === other.actor.id && r.purpose === "AUDIT")).toBe(true);

    const patient = await db().patient.findUniqueOrThrow({ where: { mrn: "10000002" }, select: { name: true } });
    const rows = (await listAccessLog(officer, query({ mrn: "10000002" }))).rows;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toMatchObject({ patientMrn: "10000002", patientName: patient.name });
  });

  it("lists staff for the filter", async () => {
    const staff = await listStaffOptions(officer);
    expect(staff.some((s) => s.id === doctor.actor.id)).toBe(true);
  });
});

describe("access log: one event and its integrity", () => {
  it("shows the event's metadata, a recomputing hash, a holding link, and logs the view", async () => {
    const patient = await patientByMrn("10000001");
    const seq = await appendAccessEvent({ actor: doctor.actor, action: testAction("test.detail"), outcome: "ALLOWED", purpose: "TREATMENT", patientId: patient.id, details: { recordIds: ["r-1", "r-2"], filters: { type: "Observation" } } }, doctor.context);
    const event = (await getAccessEvent(officer, seq.toString()))!;
    expect(event.actor).toMatchObject({ id: doctor.actor.id, role: "DOCTOR" });
    expect(event.patient).toEqual({ id: patient.id, mrn: "10000001" });
    expect(event.details).toEqual(expect.arrayContaining([{ key: "recordIds", value: "r-1, r-2" }, { key: "filters.type", value: "Observation" }]));
    expect(event.integrity.hashValid).toBe(true);
    expect(["holds", "genesis"]).toContain(event.integrity.link);
    const logged = await db().accessEvent.findFirstOrThrow({ where: { action: "access_log.event_viewed", actorId: officer.actor.id }, orderBy: { seq: "desc" } });
    expect(logged.details).toEqual({ seq: seq.toString() });
    expect(await getAccessEvent(officer, "999999999999")).toBeNull();
    expect(await getAccessEvent(officer, "1 OR 1=1")).toBeNull();
  });

  it("says when an event's stored fields no longer give its hash", async () => {
    const seq = await appendAccessEvent({ actor: doctor.actor, action: testAction("test.tampered"), outcome: "ALLOWED", purpose: "TREATMENT" }, doctor.context);
    await asOwner(`UPDATE "AccessEvent" SET action = 'test.innocent' WHERE seq = $1`, [seq.toString()]);
    restore.push(() => asOwner(`UPDATE "AccessEvent" SET action = 'test.tampered' WHERE seq = $1`, [seq.toString()]));
    const event = (await getAccessEvent(officer, seq.toString()))!;
    expect(event.integrity.hashValid).toBe(false);
  });

  it("runs the whole-log check and logs it", async () => {
    const result = await runIntegrityCheck(officer);
    expect(result.checkedEvents).toBeGreaterThan(0);
    expect(result.chains).toBeGreaterThan(0);
    const logged = await db().accessEvent.findFirstOrThrow({ where: { action: "access_log.integrity_checked" }, orderBy: { seq: "desc" } });
    expect(logged.details).toMatchObject({ checkedEvents: result.checkedEvents });
  });
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; text: string }> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) bytes.set(c, (at += c.length) - c.length);
  return { bytes, text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes) };
}

describe("CSV export", () => {
  it("neutralises spreadsheet formulas and quotes commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvField("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@SUM(1)")).toBe("'@SUM(1)");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField("\rx")).toBe("\"'\rx\"");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("=1,2")).toBe(`"'=1,2"`);
    expect(csvField(null)).toBe("");
    expect(csvField("plain")).toBe("plain");
  });

  it("streams the filtered log with a BOM, neutralised cells, and logs the export with its reason before any data", async () => {
    const action = `test.export_${Date.now() % 100000}`;
    const hostile = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)"];
    for (const ip of hostile) await appendAccessEvent({ actor: doctor.actor, action: testAction(action), outcome: "ALLOWED", purpose: "TREATMENT", details: { note: "a,b\nc" } }, { ip, requestId: 'x,"y"\nz' });

    const { stream, exportSeq } = await exportAccessLog(officer, { action }, "  Quarterly audit of test events  ");
    // Logged before a byte is read.
    const logged = await db().accessEvent.findUniqueOrThrow({ where: { seq: BigInt(exportSeq) } });
    expect(logged).toMatchObject({ action: "access_log.exported", purpose: "AUDIT", actorId: officer.actor.id });
    expect(logged.details).toMatchObject({ reason: "Quarterly audit of test events", filters: { action } });

    const { bytes, text } = await readAll(stream);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = text.slice(1);
    const [header] = body.split("\r\n");
    expect(header).toBe("seq,occurredAt,chain,chainSeq,actorKind,actorId,actorName,actorRole,action,patientId,patientMrn,outcome,purpose,ip,requestId,details,hash");
    for (const ip of hostile) expect(body).toContain(`,'${ip},`);
    expect(body).not.toMatch(/,[=+\-@][^,]*,/);
    expect(body).toContain(',"x,""y""\nz",');
    expect(body).toContain('"{""note"":""a,b\\nc""}"');
    // One header and four events (records end with CRLF; a quoted field may hold a bare LF).
    expect(body.split("\r\n").filter(Boolean)).toHaveLength(5);
  });

  it("refuses an export without a reason, and logs nothing", async () => {
    const before = await db().accessEvent.count({ where: { action: "access_log.exported" } });
    await expect(exportAccessLog(officer, {}, "  ab ")).rejects.toMatchObject({ name: "ExportRefusedError", code: "reason_too_short" });
    expect(await db().accessEvent.count({ where: { action: "access_log.exported" } })).toBe(before);
  });

  it("pages through more than one keyset page without loading the log at once", async () => {
    const action = `test.bulk_${Date.now() % 100000}`;
    await asOwner(
      `INSERT INTO "AccessEvent" (seq, chain, "chainSeq", "occurredAt", "actorKind", action, outcome, details, "prevHash", hash)
       SELECT nextval('accessevent_seq_seq'), 999, g, now(), 'SYSTEM', $1, 'ALLOWED', '{}', '0x', md5($1 || g::text) || g::text FROM generate_series(1, 2100) g`,
      [action],
    );
    restore.push(() => asOwner(`DELETE FROM "AccessEvent" WHERE chain = 999`));
    const { stream } = await exportAccessLog(officer, { action }, "bulk paging test");
    const { text } = await readAll(stream);
    expect(text.slice(1).split("\r\n").filter(Boolean)).toHaveLength(2101);
  });
});

describe("alerts and review", () => {
  it("lists an open alert with its linked events, reviews it once with a note, and logs the review", async () => {
    const seq = await appendAccessEvent({ actor: doctor.actor, action: testAction("test.alerted"), outcome: "ALLOWED", purpose: "TREATMENT" }, doctor.context);
    const alert = await db().alert.create({ data: { kind: "privacy.volume_spike", severity: "WARNING", details: { staffId: doctor.actor.id, distinctPatients: 40, eventSeqs: [seq.toString()] } }, select: { id: true } });
    const open = await listAlerts(officer, "open");
    const row = open.find((a) => a.id === alert.id)!;
    expect(row.eventSeqs).toEqual([seq.toString()]);
    // The staff id comes named and linked to their events; no bare id is left in the summary.
    expect(row.summary).toEqual(
      expect.arrayContaining([
        { key: "staffId", value: doctor.actor.name, href: `/compliance/access-log?staff=${doctor.actor.id}` },
        { key: "distinctPatients", value: "40" },
      ]),
    );
    expect(JSON.stringify(row.summary.map((d) => d.value))).not.toContain(doctor.actor.id);

    await reviewAlert(officer, alert.id, "Ward round list confirmed with the head nurse.");
    const stored = await db().alert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(stored.reviewedById).toBe(officer.actor.id);
    expect(stored.reviewNote).toBe("Ward round list confirmed with the head nurse.");
    expect(stored.reviewedAt).not.toBeNull();
    expect(stored.resolvedAt).not.toBeNull();
    await expect(reviewAlert(officer, alert.id, "again, again")).rejects.toMatchObject({ code: "already_reviewed" });
    await expect(reviewAlert(officer, "00000000-0000-4000-8000-000000000000", "nothing here")).rejects.toMatchObject({ code: "not_found" });
    expect((await listAlerts(officer, "open")).some((a) => a.id === alert.id)).toBe(false);
    expect((await listAlerts(officer, "reviewed")).find((a) => a.id === alert.id)?.reviewedBy).toBe(officer.actor.name);
    const logged = await db().accessEvent.findFirstOrThrow({ where: { action: "alert.reviewed" }, orderBy: { seq: "desc" } });
    expect(logged.details).toMatchObject({ alertId: alert.id, kind: "privacy.volume_spike" });
  });
});

describe("monthly sign-off", () => {
  it("signs off an ended month once, with its counts, and refuses the current or a future month", async () => {
    const period = "2020-03";
    // Leave no sign-off behind for other files.
    restore.push(() => asOwner(`DELETE FROM "AuditReview" WHERE period = $1`, [period]), () => asOwner(`DELETE FROM "Alert" WHERE kind = 'test.old'`));
    await db().alert.create({ data: { kind: "test.old", severity: "INFO", createdAt: new Date("2020-03-15T03:00:00Z") } });
    const review = await signOffMonth(officer, period, "Reviewed all emergency access for March.");
    expect(review).toMatchObject({ period, signedBy: officer.actor.name, summary: { events: 0, alertsRaised: 1, alertsOpen: 1 } });
    await expect(signOffMonth(officer, period, "A second time")).rejects.toMatchObject({ name: "SignOffRefusedError", code: "already_signed" });
    const current = calendarDay(new Date(), env().DEFAULT_TIME_ZONE).slice(0, 7);
    await expect(signOffMonth(officer, current, "Too early")).rejects.toMatchObject({ code: "period_not_ended" });
    await expect(signOffMonth(officer, "2999-01", "The future")).rejects.toMatchObject({ code: "period_not_ended" });
    const page = await getSignOffs(officer);
    expect(page.reviews.some((r) => r.period === period)).toBe(true);
    expect(page.defaultPeriod < current).toBe(true);
    const logged = await db().accessEvent.findFirstOrThrow({ where: { action: "access_log.review_signed" }, orderBy: { seq: "desc" } });
    expect(logged.details).toMatchObject({ period, events: 0, alertsRaised: 1 });
  });
});

describe("dashboard", () => {
  it("aggregates the last 30 days by day in the hospital zone, and the top accessors", async () => {
    const patient = await patientByMrn("10000001");
    await appendAccessEvent({ actor: doctor.actor, action: "patient.viewed", outcome: "ALLOWED", purpose: "TREATMENT", patientId: patient.id }, doctor.context);
    const dashboard = await getComplianceDashboard(officer);
    expect(dashboard.accessesPerDay).toHaveLength(30);
    expect(dashboard.accessesPerDay.at(-1)!.label).toBe(calendarDay(new Date(), env().DEFAULT_TIME_ZONE));
    expect(dashboard.accessesPerDay.at(-1)!.value).toBeGreaterThan(0);
    expect(dashboard.topAccessors.find((t) => t.staffId === doctor.actor.id)?.label).toBe(doctor.actor.name);
    expect(await db().accessEvent.count({ where: { action: "access_log.dashboard_viewed" } })).toBeGreaterThan(0);
    // "Emergency accesses" counts grants, not the events that each grant's views wrote.
    expect(dashboard.emergencyAccesses).toBe(await db().breakGlassGrant.count({ where: { openedAt: { gte: startOfDayInZone(dashboard.accessesPerDay[0]!.label, env().DEFAULT_TIME_ZONE) } } }));
  });
});

describe("only compliance officers", () => {
  for (const who of ["doctor", "admin"] as const) {
    it(`refuses a ${who} everywhere`, async () => {
      const caller = who === "doctor" ? doctor : admin;
      const denied = { name: "AccessDeniedError" };
      await expect(listAccessLog(caller, query())).rejects.toMatchObject(denied);
      await expect(listStaffOptions(caller)).rejects.toMatchObject(denied);
      await expect(getAccessEvent(caller, "1")).rejects.toMatchObject(denied);
      await expect(exportAccessLog(caller, {}, "I would like a copy")).rejects.toMatchObject(denied);
      await expect(runIntegrityCheck(caller)).rejects.toMatchObject(denied);
      await expect(listAlerts(caller)).rejects.toMatchObject(denied);
      await expect(reviewAlert(caller, "00000000-0000-4000-8000-000000000000", "looks fine")).rejects.toMatchObject(denied);
      await expect(signOffMonth(caller, "2020-04", "signed by the wrong person")).rejects.toMatchObject(denied);
      await expect(getSignOffs(caller)).rejects.toMatchObject(denied);
      await expect(getComplianceDashboard(caller)).rejects.toMatchObject(denied);
    });
  }
});

describe("alerts a person can act on", () => {
  it("lists critical alerts first, then the newest; names the patient and the record instead of their ids", async () => {
    const patient = await db().patient.findUniqueOrThrow({ where: { mrn: "10000001" }, select: { id: true, mrn: true, name: true } });
    const record = await db().medicalRecord.findFirstOrThrow({ where: { patientId: patient.id }, select: { id: true, resourceType: true, recordedAt: true } });
    const info = await db().alert.create({ data: { kind: "privacy.break_glass_used", severity: "INFO", details: {} }, select: { id: true } });
    const critical = await db().alert.create({
      data: { kind: "integrity.record_tampered", severity: "CRITICAL", details: { recordId: record.id, patientId: patient.id } },
      select: { id: true },
    });
    const warning = await db().alert.create({ data: { kind: "privacy.off_hours", severity: "WARNING", details: {} }, select: { id: true } });
    try {
      const open = await listAlerts(officer, "open");
      const order = open.map((a) => a.id).filter((id) => [info.id, critical.id, warning.id].includes(id));
      expect(order).toEqual([critical.id, warning.id, info.id]);
      const rank = { CRITICAL: 2, WARNING: 1, INFO: 0 } as const;
      for (let i = 1; i < open.length; i++) expect(rank[open[i - 1]!.severity]).toBeGreaterThanOrEqual(rank[open[i]!.severity]);
      const row = open.find((a) => a.id === critical.id)!;
      expect(row.summary).toEqual(
        expect.arrayContaining([
          { key: "recordId", value: `${record.resourceType} · ${record.recordedAt.toISOString().slice(0, 10)}` },
          { key: "patientId", value: `${patient.name} (${patient.mrn})`, href: `/compliance/access-log?mrn=${patient.mrn}` },
        ]),
      );
    } finally {
      await asOwner(`UPDATE "Alert" SET "resolvedAt" = now(), "reviewedAt" = now(), "reviewNote" = 'test' WHERE id = ANY($1::uuid[])`, [[info.id, critical.id, warning.id]]);
    }
  });
});
