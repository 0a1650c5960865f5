import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AccessDeniedError } from "@/lib/dal/caller";
import { getPatientChart, searchPatients } from "@/lib/dal/patients";
import { CHART_PAGE_SIZE, patientListQuerySchema } from "@/lib/dto/patients";
import { demoRecords } from "@/lib/jobs/demo-data";
import { getOwnRecords, OWN_RECORDS_PAGE_SIZE } from "@/lib/dal/own-records";
import { reportRecordToCompliance } from "@/lib/dal/record-report";
import { forgetCachedRoots, ledgers } from "@/lib/verification";
import { anchorRoot } from "@/lib/ledger";
import { asOwner, callerFor, ensureDemo, patientByMrn, withPrivateChainStopped } from "./helpers";

const DOCTOR = "doctor@demo.chartproof.local";
const DOCTOR2 = "doctor2@demo.chartproof.local";
/** The demo patient's (10000001) history: its length does not depend on the day it is seeded. */
const DEMO_RECORDS = demoRecords(0, new Date()).length;

let patientId: string;
const restore: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  await ensureDemo();
  patientId = (await patientByMrn("10000001")).id;
});

afterEach(async () => {
  while (restore.length) await restore.pop()!();
  forgetCachedRoots();
});

async function chart() {
  return getPatientChart(await callerFor(DOCTOR), patientId);
}

async function firstRecord() {
  return db().medicalRecord.findFirstOrThrow({
    // The newest clinical record (the identity record is checked for the header, never shown in the body).
    where: { patientId, resourceType: { not: "Patient" } },
    orderBy: { recordedAt: "desc" },
    select: { id: true, resource: true, salt: true, commitment: true, proof: true, batchId: true },
  });
}

/**
 * For tampering with a whole batch: a clinical record anchored in another batch than the patient's identity record.
 * Tampering with the identity's batch withholds the whole body (ADR 023) — tested on its own below — so a record in
 * that batch would never be shown at all.
 */
async function recordOutsideIdentityBatch() {
  const identity = await db().medicalRecord.findFirstOrThrow({ where: { patientId, resourceType: "Patient", supersededAt: null }, select: { batchId: true } });
  return db().medicalRecord.findFirstOrThrow({
    where: { patientId, resourceType: { not: "Patient" }, batchId: { not: identity.batchId } },
    orderBy: { recordedAt: "desc" },
    select: { id: true, batchId: true },
  });
}

function stateOf(result: Awaited<ReturnType<typeof chart>>, recordId: string) {
  return result.records.find((r) => r.id === recordId);
}

describe("a doctor's chart", () => {
  it("lists only consented patients, directly or through the department", async () => {
    const query = patientListQuerySchema.parse({ size: "100" });
    const mrns = (await searchPatients(await callerFor(DOCTOR), query)).rows.map((p) => p.mrn).sort();
    // Four named patients (three direct, one through IM) and the IM ward; never 10000005, who gave no consent.
    expect(mrns.filter((m) => m < "10000100")).toEqual(["10000001", "10000002", "10000003", "10000004"]);
    expect(mrns).toHaveLength(40);
    expect((await searchPatients(await callerFor(DOCTOR2), query)).rows).toEqual([]);
  });

  it("shows every consented record verified against the chain, and logs exactly one view with the record ids", async () => {
    const before = (await db().accessEvent.aggregate({ _max: { seq: true } }))._max.seq ?? 0n;
    const result = await chart();
    expect(result.total).toBe(DEMO_RECORDS);
    expect(result.records.length).toBe(Math.min(DEMO_RECORDS, CHART_PAGE_SIZE));
    expect(result.records.every((r) => r.verification === "verified" && r.summary !== null && r.anchor !== null)).toBe(true);
    const all = await db().accessEvent.findMany({ where: { seq: { gt: before } }, orderBy: { seq: "asc" } });
    // One view, and nothing else but the system's own alert events (a chart view raises an alert when an earlier
    // file's tampering left a condition open; that is the product working, not a second view).
    const events = all.filter((e) => e.action !== "alert.raised");
    expect(all.filter((e) => e.action === "alert.raised").every((e) => e.actorKind === "SYSTEM")).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "patient.viewed", outcome: "ALLOWED", patientId, purpose: "TREATMENT" });
    // Every record whose content appears is listed — the timeline's page, the summary's items and trend points — and
    // nothing else.
    const logged = (events[0]!.details as { recordIds: string[] }).recordIds;
    const hba1c = result.summary.results.items.find((row) => row.loinc === "4548-4")!;
    expect(hba1c.trend.length).toBeGreaterThanOrEqual(3);
    expect(logged).toEqual(expect.arrayContaining([...result.records.map((r) => r.id), ...result.summary.recordIds, ...hba1c.trend.map((p) => p.recordId)]));
    expect(logged.sort()).toEqual([...new Set([...result.records, ...result.allergies].map((r) => r.id).concat(result.summary.recordIds))].sort());
  });

  it("denies a doctor without consent, and logs the denial", async () => {
    await expect(getPatientChart(await callerFor(DOCTOR2), patientId)).rejects.toBeInstanceOf(AccessDeniedError);
    const last = await db().accessEvent.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "patient.viewed", outcome: "DENIED", patientId });
  });

  it("denies non-doctors and unknown ids without revealing anything", async () => {
    await expect(getPatientChart(await callerFor("admin@demo.chartproof.local"), patientId)).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(getPatientChart(await callerFor(DOCTOR), "not-a-uuid")).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(getPatientChart(await callerFor(DOCTOR), "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(AccessDeniedError);
  });
});

describe("tampering by direct SQL is caught at the next render", () => {
  // Warm: the chart was just rendered, so final roots and proven (leaf, batch) pairs are cached when the change is
  // made; the render after it must still say tampered (no timestamp is touched by any change below).
  beforeEach(async () => {
    expect((await chart()).records.every((r) => r.verification === "verified")).toBe(true);
  });

  it("a changed resource renders tampered, with its content withheld", async () => {
    const record = await firstRecord();
    // The app's roles may not (insider-proof.test.ts); an owner past the triggers can, and the render catches it.
    await asOwner(`UPDATE "MedicalRecord" SET "resource" = jsonb_set("resource", '{status}', '"entered-in-error"') WHERE "id" = $1::uuid`, [record.id]);
    restore.push(() => asOwner(`UPDATE "MedicalRecord" SET "resource" = $1::jsonb WHERE "id" = $2::uuid`, [JSON.stringify(record.resource), record.id]));
    const result = await chart();
    expect(stateOf(result, record.id)).toMatchObject({ verification: "tampered", summary: null, anchor: null });
    expect(result.records.filter((r) => r.id !== record.id).every((r) => r.verification === "verified")).toBe(true);
  });

  it("the summary withholds a tampered result's row instead of passing an older value off as latest", async () => {
    const row = (await chart()).summary.results.items.find((r) => r.loinc === "4548-4")!;
    const newest = row.values[0]!.recordId;
    const { resource } = await db().medicalRecord.findUniqueOrThrow({ where: { id: newest }, select: { resource: true } });
    await asOwner(`UPDATE "MedicalRecord" SET "resource" = jsonb_set("resource", '{valueQuantity,value}', '5.1') WHERE "id" = $1::uuid`, [newest]);
    restore.push(() => asOwner(`UPDATE "MedicalRecord" SET "resource" = $1::jsonb WHERE "id" = $2::uuid`, [JSON.stringify(resource), newest]));
    const { summary } = await chart();
    const after = summary.results.items.find((r) => r.loinc === "4548-4")!;
    expect(after.latestWithheld).toMatchObject({ recordId: newest, verification: "tampered" });
    expect(after.values.map((v) => v.recordId)).not.toContain(newest);
    expect(after.values.map((v) => v.text)).not.toContain("5.1");
    expect(summary.results.withheld.map((w) => w.recordId)).toContain(newest);
    expect(summary.recordIds).toContain(newest);
  });

  it("a doctor reports a tampered record to compliance once; a verified record cannot be reported; no access, no report", async () => {
    const record = await firstRecord();
    const doctor = await callerFor(DOCTOR);
    const verifiedOne = (await chart()).records.find((r) => r.id !== record.id)!;
    expect(await reportRecordToCompliance(doctor, patientId, verifiedOne.id)).toBe("not_failing");
    await asOwner(`UPDATE "MedicalRecord" SET "resource" = jsonb_set("resource", '{status}', '"entered-in-error"') WHERE "id" = $1::uuid`, [record.id]);
    restore.push(() => asOwner(`UPDATE "MedicalRecord" SET "resource" = $1::jsonb WHERE "id" = $2::uuid`, [JSON.stringify(record.resource), record.id]));
    restore.push(() => db().alert.updateMany({ where: { kind: "integrity.record_reported", resolvedAt: null }, data: { resolvedAt: new Date() } }));
    await expect(reportRecordToCompliance(await callerFor(DOCTOR2), patientId, record.id)).rejects.toBeInstanceOf(AccessDeniedError);
    expect(await reportRecordToCompliance(doctor, patientId, record.id)).toBe("reported");
    expect(await reportRecordToCompliance(doctor, patientId, record.id)).toBe("already_open");
    const alerts = await db().alert.findMany({ where: { kind: "integrity.record_reported", resolvedAt: null } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: "CRITICAL", details: expect.objectContaining({ recordId: record.id, patientId, verification: "tampered" }) });
    const event = await db().accessEvent.findFirstOrThrow({ where: { action: "record.integrity_reported" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ outcome: "ALLOWED", patientId, purpose: "TREATMENT" });
  });

  it.each([
    ["salt", `'0x${"ab".repeat(32)}'`],
    ["commitment", `'0x${"cd".repeat(32)}'`],
    ["proof", `'[]'::jsonb`],
  ])("a changed %s renders tampered", async (column, value) => {
    const record = await firstRecord();
    await asOwner(`UPDATE "MedicalRecord" SET "${column}" = ${value} WHERE "id" = $1::uuid`, [record.id]);
    const original = record[column as "salt" | "commitment" | "proof"];
    restore.push(() =>
      asOwner(`UPDATE "MedicalRecord" SET "${column}" = $1${column === "proof" ? "::jsonb" : ""} WHERE "id" = $2::uuid`, [column === "proof" ? JSON.stringify(original) : original, record.id]),
    );
    expect(stateOf(await chart(), record.id)?.verification).toBe("tampered");
  });

  it("a record moved to another batch (changed batch id) is caught", async () => {
    const record = await firstRecord();
    const other = await db().anchorBatch.findFirstOrThrow({ where: { id: { not: record.batchId! }, status: "CONFIRMED" }, select: { id: true } });
    await asOwner(`UPDATE "MedicalRecord" SET "batchId" = $1 WHERE id = $2`, [other.id, record.id]);
    restore.push(() => asOwner(`UPDATE "MedicalRecord" SET "batchId" = $1 WHERE id = $2`, [record.batchId, record.id]));
    expect(stateOf(await chart(), record.id)?.verification).toBe("tampered");
  });

  it("a batch root edited in the database is caught", async () => {
    const record = await recordOutsideIdentityBatch();
    const batch = await db().anchorBatch.findUniqueOrThrow({ where: { id: record.batchId! }, select: { root: true } });
    await asOwner(`UPDATE "AnchorBatch" SET root = $1 WHERE id = $2`, [`0x${"ee".repeat(32)}`, record.batchId]);
    restore.push(() => asOwner(`UPDATE "AnchorBatch" SET root = $1 WHERE id = $2`, [batch.root, record.batchId]));
    const result = await chart();
    expect(stateOf(result, record.id)?.verification).toBe("tampered");
  });

  it("a batch whose root on chain differs from the one proven is caught", async () => {
    const record = await recordOutsideIdentityBatch();
    // Anchor an unrelated root under a fresh batch number, then point the record's batch at it.
    const batchNumber = 900_000n + BigInt(Date.now() % 100_000);
    await anchorRoot(ledgers().private.clients, { batchId: batchNumber, root: `0x${"11".repeat(32)}` });
    const batch = await db().anchorBatch.findUniqueOrThrow({ where: { id: record.batchId! }, select: { batchNumber: true } });
    await asOwner(`UPDATE "AnchorBatch" SET "batchNumber" = $1 WHERE id = $2`, [batchNumber.toString(), record.batchId]);
    restore.push(() => asOwner(`UPDATE "AnchorBatch" SET "batchNumber" = $1 WHERE id = $2`, [batch.batchNumber.toString(), record.batchId]));
    expect(stateOf(await chart(), record.id)?.verification).toBe("tampered");
  });

  it("a batch root edited under the identity record withholds the whole body (the header cannot be vouched for)", async () => {
    const identity = await db().medicalRecord.findFirstOrThrow({ where: { patientId, resourceType: "Patient", supersededAt: null }, select: { batchId: true } });
    const batch = await db().anchorBatch.findUniqueOrThrow({ where: { id: identity.batchId! }, select: { root: true } });
    await asOwner(`UPDATE "AnchorBatch" SET root = $1 WHERE id = $2`, [`0x${"ee".repeat(32)}`, identity.batchId]);
    restore.push(() => asOwner(`UPDATE "AnchorBatch" SET root = $1 WHERE id = $2`, [batch.root, identity.batchId]));
    const result = await chart();
    expect(result.identity).toMatchObject({ state: "tampered", withheld: true });
    expect(result.records).toEqual([]);
  });

  it("a batch the chain has no root for is caught", async () => {
    const record = await recordOutsideIdentityBatch();
    const batch = await db().anchorBatch.findUniqueOrThrow({ where: { id: record.batchId! }, select: { batchNumber: true } });
    await asOwner(`UPDATE "AnchorBatch" SET "batchNumber" = 800000000 WHERE id = $1`, [record.batchId]);
    restore.push(() => asOwner(`UPDATE "AnchorBatch" SET "batchNumber" = $1 WHERE id = $2`, [batch.batchNumber.toString(), record.batchId]));
    expect(stateOf(await chart(), record.id)?.verification).toBe("tampered");
  });
});

describe("failing closed", () => {
  it("with the chain stopped, records render unavailable (never verified) and the page still answers", async () => {
    forgetCachedRoots();
    await withPrivateChainStopped(async () => {
      const result = await chart();
      expect(result.records.length).toBeGreaterThan(0);
      expect(result.records.every((r) => r.verification === "unavailable")).toBe(true);
    });
    forgetCachedRoots();
    expect((await chart()).records.every((r) => r.verification === "verified")).toBe(true);
  });

  it("when the access event cannot be written, the chart is not returned", async () => {
    await asOwner(`ALTER TABLE "AccessEvent" ADD CONSTRAINT "test_block_writes" CHECK (false) NOT VALID`);
    try {
      await expect(chart()).rejects.toThrow();
    } finally {
      await asOwner(`ALTER TABLE "AccessEvent" DROP CONSTRAINT "test_block_writes"`);
    }
  });
});

describe("a patient's own records", () => {
  it("are verified the same way and logged as self access", async () => {
    const own = await getOwnRecords(await callerFor("patient@demo.chartproof.local", "PATIENT"));
    // One page is loaded and verified in the request; the rest are counted from the sweep's recorded verdicts.
    expect(own.records.length).toBe(Math.min(DEMO_RECORDS, OWN_RECORDS_PAGE_SIZE));
    expect(own.counts.verified).toBe(own.records.length);
    expect(own.total).toBe(DEMO_RECORDS);
    const { checkedAt: _, ...others } = own.others;
    expect(Object.values(others).reduce((a, b) => a + b, 0)).toBe(DEMO_RECORDS - own.records.length);
    const last = await db().accessEvent.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "own_records.viewed", purpose: "SELF_ACCESS", patientId });
  });
});
