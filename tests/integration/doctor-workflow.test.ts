import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { db } from "@/lib/db";
import { createPatient } from "@/lib/jobs/patient-identity";
import { seal } from "@/lib/auth/sealed-box";
import { env } from "@/lib/env";
import { AccessDeniedError } from "@/lib/dal/caller";
import { getPatientChart, searchPatients } from "@/lib/dal/patients";
import { getRecordProof } from "@/lib/dal/record-proof";
import { BreakGlassRefusedError, listBreakGlassGrants, openBreakGlass, reviewBreakGlass } from "@/lib/dal/break-glass";
import { listOwnAccessHistory } from "@/lib/dal/own-access";
import { CHART_PAGE_SIZE, patientListQuerySchema } from "@/lib/dto/patients";
import { createRecords } from "@/lib/jobs/create-records";
import { anchorEverything } from "@/lib/jobs/anchoring";
import { ledgers } from "@/lib/verification";
import { callerFor, ensureDemo, patientByMrn } from "./helpers";

const DOCTOR = "doctor@demo.chartproof.local";
const DOCTOR2 = "doctor2@demo.chartproof.local";
const COMPLIANCE = "compliance@demo.chartproof.local";

function query(input: Record<string, string> = {}, terms?: { q?: string; born?: string }) {
  return patientListQuerySchema.parse({ ...input, ...(terms ? { s: seal("patient-search-v1", JSON.stringify(terms), env().AUTH_SECRET) } : {}) });
}

async function lastEvent() {
  return db().accessEvent.findFirstOrThrow({ orderBy: { seq: "desc" } });
}

beforeAll(async () => {
  await ensureDemo();
});

// Other files share this database and expect doctor2 to meet these patients with no history of access: the grants
// opened here leave with the file (their events stay in the log, as they must).
afterAll(async () => {
  await db().breakGlassGrant.deleteMany({});
});

describe("patient search", () => {
  it("searches consented patients by name, MRN prefix and birth date, and never finds anyone else", async () => {
    const doctor = await callerFor(DOCTOR);
    expect((await searchPatients(doctor, query({}, { q: "정하은" }))).rows.map((p) => p.mrn)).toEqual(["10000001"]);
    expect((await searchPatients(doctor, query({}, { q: "jung ha" }))).rows.map((p) => p.mrn)).toEqual(["10000001"]);
    expect((await searchPatients(doctor, query({}, { q: "1000000" }))).total).toBe(4);
    expect((await searchPatients(doctor, query({}, { born: "1944-01-30" }))).rows.map((p) => p.mrn)).toEqual(["10000004"]);
    // 10000005 exists but gave no consent: an exact MRN or name search finds nothing, and counts nothing.
    expect((await searchPatients(doctor, query({}, { q: "10000005" }))).total).toBe(0);
    expect((await searchPatients(doctor, query({}, { q: "임서윤" }))).total).toBe(0);
    expect((await searchPatients(await callerFor(DOCTOR2), query({}, { q: "정하은" }))).total).toBe(0);
  });

  it("sorts and pages on the server, clamping a page past the end", async () => {
    const doctor = await callerFor(DOCTOR);
    const first = await searchPatients(doctor, query({ size: "10", sort: "birthDate", dir: "desc" }));
    expect(first.total).toBe(40);
    expect(first.rows).toHaveLength(10);
    const dates = first.rows.map((r) => r.birthDate);
    expect(dates).toEqual([...dates].sort().reverse());
    const last = await searchPatients(doctor, query({ size: "10", sort: "birthDate", dir: "desc", page: "4" }));
    expect(last.rows).toHaveLength(10);
    expect(new Set([...first.rows, ...last.rows].map((r) => r.id)).size).toBe(20);
    const beyond = await searchPatients(doctor, query({ size: "10", page: "99" }));
    expect(beyond.page).toBe(4);
  });

  it("logs one patients.searched event whose terms are an HMAC, never the words", async () => {
    await searchPatients(await callerFor(DOCTOR), query({}, { q: "정하은", born: "1958-03-14" }));
    const event = await lastEvent();
    expect(event).toMatchObject({ action: "patients.searched", outcome: "ALLOWED", purpose: "TREATMENT" });
    const text = JSON.stringify(event.details);
    expect(text).not.toContain("정하은");
    expect(text).not.toContain("1958-03-14");
    expect((event.details as { terms: string }).terms).toMatch(/^[0-9a-f]{64}$/);
  });

  it("treats an altered search link as no search, and says so", async () => {
    const page = await searchPatients(await callerFor(DOCTOR), query({ s: "v1.AAAA.BBBB.CCCC" }));
    expect(page.searchExpired).toBe(true);
    expect(page.terms).toBeNull();
  });

  it("follows a revoked or expired consent on the next request", async () => {
    const doctor = await callerFor(DOCTOR);
    const { id: patientId } = await patientByMrn("10000003");
    const consent = await db().consent.findFirstOrThrow({ where: { patientId, revokedAt: null } });
    await getPatientChart(doctor, patientId);
    await db().consent.update({ where: { id: consent.id }, data: { revokedAt: new Date() } });
    try {
      await expect(getPatientChart(doctor, patientId)).rejects.toBeInstanceOf(AccessDeniedError);
      expect((await searchPatients(doctor, query({}, { q: "10000003" }))).total).toBe(0);
      await db().consent.update({ where: { id: consent.id }, data: { revokedAt: null, validUntil: new Date(Date.now() - 1000) } });
      await expect(getPatientChart(doctor, patientId)).rejects.toBeInstanceOf(AccessDeniedError);
    } finally {
      await db().consent.update({ where: { id: consent.id }, data: { revokedAt: null, validUntil: null } });
    }
    await expect(getPatientChart(doctor, patientId)).resolves.toBeDefined();
  });
});

describe("chart timeline", () => {
  it("shows only the record classes and data period a consent covers", async () => {
    const doctor = await callerFor(DOCTOR);
    const { id: patientId } = await patientByMrn("10000002");
    const consent = await db().consent.findFirstOrThrow({ where: { patientId } });
    const all = await getPatientChart(doctor, patientId);
    const cutoff = new Date(Date.now() - 150 * 86_400_000);
    await db().consent.update({ where: { id: consent.id }, data: { recordClasses: ["Observation", "AllergyIntolerance"], dataFrom: cutoff } });
    try {
      const limited = await getPatientChart(doctor, patientId);
      expect(limited.total).toBeLessThan(all.total);
      expect(limited.records.every((r) => ["Observation", "AllergyIntolerance"].includes(r.resourceType) && new Date(r.recordedAt) >= cutoff)).toBe(true);
      const event = await lastEvent();
      expect((event.details as { recordIds: string[] }).recordIds.sort()).toEqual(limited.records.map((r) => r.id).sort());
    } finally {
      await db().consent.update({ where: { id: consent.id }, data: { recordClasses: [], dataFrom: null } });
    }
  });

  it("filters by type, date range and verification state, counting every covered record by state", async () => {
    const doctor = await callerFor(DOCTOR);
    const { id: patientId } = await patientByMrn("10000001");
    const all = await getPatientChart(doctor, patientId);
    const observations = await getPatientChart(doctor, patientId, { type: "Observation" });
    expect(observations.records.length).toBeGreaterThan(0);
    expect(observations.records.every((r) => r.resourceType === "Observation")).toBe(true);
    expect(observations.counts).toEqual(all.counts);
    expect(observations.types).toEqual(all.types);
    const newest = all.records[0]!.recordedAt.slice(0, 10);
    const recent = await getPatientChart(doctor, patientId, { from: newest });
    expect(recent.records.length).toBeGreaterThan(0);
    expect(recent.records.length).toBeLessThan(all.records.length);
    expect((await getPatientChart(doctor, patientId, { status: "tampered" })).records).toEqual([]);
    // Allergies head the chart whatever the filter.
    expect(observations.allergies.map((a) => a.resourceType)).toEqual(["AllergyIntolerance"]);
  });
});

describe("a long chart", () => {
  it("verifies and counts every record but renders and logs one page of the timeline at a time", async () => {
    const doctor = await callerFor(DOCTOR);
    const patient = await createPatient({ mrn: "10000777", name: "긴차트 Long Chart", birthDate: new Date("1950-05-05T00:00:00Z"), sex: "FEMALE" });
    const consent = await db().consent.create({ data: { patientId: patient.id, scope: "TREATMENT", granteeStaffId: doctor.actor.id, recordClasses: [], validFrom: new Date(Date.now() - 86_400_000) } });
    // Other files count the demo doctor's patients: this one is theirs only for the length of this test.
    onTestFinished(async () => {
      await db().consent.update({ where: { id: consent.id }, data: { revokedAt: new Date() } });
    });
    const now = Date.now();
    await createRecords(
      Array.from({ length: 120 }, (_, i) => ({
        patientId: patient.id,
        resourceType: "Observation",
        resource: { resourceType: "Observation", status: "final", code: { text: `Glucose ${i}` }, valueQuantity: { value: 90 + i, unit: "mg/dL" } },
        recordedAt: new Date(now - i * 3_600_000),
        source: "SEED",
      })),
      "SYSTEM",
      { ip: null, requestId: null },
    );
    const first = await getPatientChart(doctor, patient.id);
    expect(first).toMatchObject({ total: 120, matching: 120, page: 1, pageCount: 3 });
    expect(first.records).toHaveLength(CHART_PAGE_SIZE);
    expect(first.counts.pending).toBe(120);
    expect(((await lastEvent()).details as { recordIds: string[] }).recordIds.sort()).toEqual(first.records.map((r) => r.id).sort());
    const last = await getPatientChart(doctor, patient.id, {}, 3);
    expect(last.records).toHaveLength(20);
    expect(new Set([...first.records, ...last.records].map((r) => r.id)).size).toBe(70);
    expect((await getPatientChart(doctor, patient.id, {}, 99)).page).toBe(3);
    // Leave no pending backlog behind for the other files sharing this database.
    await anchorEverything(ledgers(), { batchSize: 256, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 });
  });
});

describe("break-glass", () => {
  it("refuses an unknown MRN, logging the attempt", async () => {
    await expect(openBreakGlass(await callerFor(DOCTOR2), { mrn: "99999999", reason: "Unconscious patient in ED" })).rejects.toBeInstanceOf(BreakGlassRefusedError);
    expect(await lastEvent()).toMatchObject({ action: "break_glass.opened", outcome: "DENIED", purpose: "EMERGENCY" });
  });

  it("opens one patient's whole chart for a limited time, logs every view as EMERGENCY, and ends on expiry", async () => {
    const doctor2 = await callerFor(DOCTOR2);
    const { id: patientId } = await patientByMrn("10000005");
    const { id: otherId } = await patientByMrn("10000001");
    await expect(getPatientChart(doctor2, patientId)).rejects.toBeInstanceOf(AccessDeniedError);

    const grant = await openBreakGlass(doctor2, { mrn: "10000005", reason: "Collapsed in ED, allergies unknown" });
    expect(new Date(grant.expiresAt).getTime() - Date.now()).toBeGreaterThan(3.9 * 3_600_000);
    expect(await lastEvent()).toMatchObject({ action: "break_glass.opened", outcome: "ALLOWED", purpose: "EMERGENCY", patientId });

    const chart = await getPatientChart(doctor2, patientId);
    expect(chart.access).toMatchObject({ kind: "emergency", grantId: grant.grantId });
    expect(chart.total).toBe(10);
    expect(await lastEvent()).toMatchObject({ action: "patient.viewed", outcome: "ALLOWED", purpose: "EMERGENCY", details: expect.objectContaining({ grantId: grant.grantId }) });
    await getRecordProof(doctor2, patientId, chart.records[0]!.id);
    expect(await lastEvent()).toMatchObject({ action: "record.viewed", purpose: "EMERGENCY" });
    // One patient only: the grant does not open anyone else, nor put anyone in the consented list.
    await expect(getPatientChart(doctor2, otherId)).rejects.toBeInstanceOf(AccessDeniedError);
    const list = await searchPatients(doctor2, query());
    expect(list.total).toBe(0);
    // The list page names the grant's patient (to find the chart again), so its one event says so.
    expect(list.grants.map((g) => g.patientId)).toEqual([patientId]);
    expect((await lastEvent()).details).toMatchObject({ emergencyGrantPatientIds: [patientId] });

    await db().breakGlassGrant.update({ where: { id: grant.grantId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(getPatientChart(doctor2, patientId)).rejects.toBeInstanceOf(AccessDeniedError);
    expect(await lastEvent()).toMatchObject({ action: "patient.viewed", outcome: "DENIED", details: { reason: "grant_expired" } });
    await expect(getRecordProof(doctor2, patientId, chart.records[0]!.id)).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it("queues every grant for compliance review, and the patient sees the access with its reason", async () => {
    const doctor2 = await callerFor(DOCTOR2);
    const grant = await openBreakGlass(doctor2, { mrn: "10000001", reason: "Transferred unconscious from another hospital" });
    const chart = await getPatientChart(doctor2, grant.patientId);

    const compliance = await callerFor(COMPLIANCE);
    const queue = await listBreakGlassGrants(compliance, "open");
    const item = queue.find((g) => g.id === grant.grantId)!;
    expect(item).toMatchObject({ patient: { mrn: "10000001" }, reason: "Transferred unconscious from another hospital", views: 1, reviewedAt: null });
    await reviewBreakGlass(compliance, grant.grantId, "Checked against ED admission record.");
    await expect(reviewBreakGlass(compliance, grant.grantId, "again")).rejects.toBeInstanceOf(AccessDeniedError);
    expect((await listBreakGlassGrants(compliance, "reviewed")).some((g) => g.id === grant.grantId)).toBe(true);
    await expect(listBreakGlassGrants(doctor2)).rejects.toBeInstanceOf(AccessDeniedError);

    const history = await listOwnAccessHistory(await callerFor("patient@demo.chartproof.local", "PATIENT"));
    const emergencyView = history.find((e) => e.action === "patient.viewed" && e.emergency);
    expect(emergencyView).toMatchObject({ staffName: "이서연 Lee Seo-yeon", purpose: "EMERGENCY", reason: "Transferred unconscious from another hospital" });
    // Every record whose content the chart showed: the timeline's page, the allergies and the summary's items.
    expect(emergencyView!.recordCount).toBe(new Set([...chart.records, ...chart.allergies].map((r) => r.id).concat(chart.summary.recordIds)).size);
    expect(history.some((e) => e.action === "patient.viewed" && !e.emergency)).toBe(true);
  });

  it("alerts compliance when one doctor opens more than three grants in 24 hours", async () => {
    const doctor = await callerFor(DOCTOR);
    const before = await db().alert.count({ where: { kind: "break_glass.frequent" } });
    for (const mrn of ["10000005", "10000101", "10000102"]) await openBreakGlass(doctor, { mrn, reason: "Mass casualty triage in ED" });
    expect(await db().alert.count({ where: { kind: "break_glass.frequent" } })).toBe(before);
    await openBreakGlass(doctor, { mrn: "10000103", reason: "Mass casualty triage in ED" });
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "break_glass.frequent" }, orderBy: { createdAt: "desc" } });
    expect(alert.details).toMatchObject({ staffId: doctor.actor.id, grantsIn24h: 4, limit: 3 });
  });

  it("is refused to roles that may not open charts", async () => {
    for (const email of ["admin@demo.chartproof.local", COMPLIANCE]) {
      await expect(openBreakGlass(await callerFor(email), { mrn: "10000005", reason: "I am curious about this" })).rejects.toBeInstanceOf(AccessDeniedError);
    }
  });
});
