// Issue #20: the patient's own records are paged (≤ 50 a page); only the shown page is loaded and verified in the
// request; the rest are counted from the sweep's recorded verdicts, and a record off the page that is changed by SQL
// is counted tampered after the sweep — never shown verified.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { Caller } from "@/lib/dal/caller";
import { reviewAlert } from "@/lib/dal/compliance";
import { getOwnRecords, OWN_RECORDS_PAGE_SIZE } from "@/lib/dal/own-records";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { createRecords } from "@/lib/jobs/create-records";
import { sweepAllRecords } from "@/lib/jobs/sweep";
import { forgetCachedRoots, ledgers, serverTimingEntry, withVerificationTiming } from "@/lib/verification";
import { asInsider, callerFor, ensureDemo } from "./helpers";

const run = randomBytes(3).toString("hex");
const config: AnchoringConfig = { batchSize: 1024, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
const RECORDS = OWN_RECORDS_PAGE_SIZE + 8;
let patient: Caller;
let patientId: string;
/** Record ids, newest first (the order the pages show). */
let ids: string[] = [];

beforeAll(async () => {
  await ensureDemo();
  const email = `paging-${run}@test.chartproof.local`;
  patientId = (
    await db().patient.create({
      data: { mrn: `PG-${run}`, name: "Paging Test", birthDate: new Date("1980-02-02T00:00:00Z"), sex: "UNKNOWN", portalEmail: email, portalPasswordHash: "x", portalActivatedAt: new Date() },
      select: { id: true },
    })
  ).id;
  const base = Date.UTC(2025, 0, 1);
  await createRecords(
    Array.from({ length: RECORDS }, (_, i) => ({
      patientId,
      resourceType: "Observation",
      resource: { resourceType: "Observation", status: "final", code: { text: `paging ${run} ${i}` }, valueQuantity: { value: i, unit: "mg/dL" } },
      recordedAt: new Date(base + i * 3_600_000),
      source: "HOSPITAL_SYSTEM",
    })),
    "SYSTEM",
    { ip: null, requestId: null },
  );
  await anchorEverything(ledgers(), config);
  ids = (await db().medicalRecord.findMany({ where: { patientId }, orderBy: [{ recordedAt: "desc" }, { id: "asc" }], select: { id: true } })).map((r) => r.id);
  patient = await callerFor(email, "PATIENT");
});

afterAll(() => forgetCachedRoots());

describe("a patient's own records, paged", () => {
  it("loads and verifies one page; the rest are counted as not yet checked, never as verified", async () => {
    const own = await getOwnRecords(patient);
    expect(own.records).toHaveLength(OWN_RECORDS_PAGE_SIZE);
    expect(own.records.map((r) => r.id)).toEqual(ids.slice(0, OWN_RECORDS_PAGE_SIZE));
    expect(own.records.every((r) => r.verification === "verified")).toBe(true);
    expect(own).toMatchObject({ total: RECORDS, page: 1, pageCount: 2, counts: { verified: OWN_RECORDS_PAGE_SIZE } });
    expect(own.others).toMatchObject({ verified: 0, unchecked: RECORDS - OWN_RECORDS_PAGE_SIZE, checkedAt: null });
    // Exactly the shown rows went through the one verification function, in one call; its time is the request's
    // Server-Timing entry.
    const timing = await withVerificationTiming(async (t) => (await getOwnRecords(patient), t));
    expect(timing).toMatchObject({ calls: 1, rows: OWN_RECORDS_PAGE_SIZE });
    expect(serverTimingEntry(timing)).toMatch(/^verify;dur=\d+\.\d{2};desc="50 rows in 1 calls"$/);
    // The view's event names exactly the records shown.
    const event = await db().accessEvent.findFirstOrThrow({ where: { action: "own_records.viewed", patientId }, orderBy: { seq: "desc" } });
    expect((event.details as { recordIds: string[] }).recordIds).toEqual(ids.slice(0, OWN_RECORDS_PAGE_SIZE));
  });

  it("after the sweep, the records off the page are counted by its verdicts, with when it checked them", async () => {
    await sweepAllRecords();
    const own = await getOwnRecords(patient);
    expect(own.others).toMatchObject({ verified: RECORDS - OWN_RECORDS_PAGE_SIZE, unchecked: 0, tampered: 0 });
    expect(Date.parse(own.others.checkedAt!)).toBeGreaterThan(Date.now() - 10 * 60_000);
    const second = await getOwnRecords(patient, 2);
    expect(second.records.map((r) => r.id)).toEqual(ids.slice(OWN_RECORDS_PAGE_SIZE));
    expect(second.others).toMatchObject({ verified: OWN_RECORDS_PAGE_SIZE });
    // A page past the end shows the last one.
    expect((await getOwnRecords(patient, 99)).page).toBe(2);
  });

  it("a record off the shown page changed by SQL is counted tampered after the sweep, and is tampered when its page is shown", async () => {
    const target = ids.at(-1)!; // the oldest: on page 2
    await asInsider(`UPDATE "MedicalRecord" SET "canonical" = convert_to(replace(convert_from("canonical", 'UTF8'), '"unit":"mg/dL"', '"unit":"g/dL"'), 'UTF8'),
      "resource" = jsonb_set("resource", '{valueQuantity,unit}', '"g/dL"') WHERE "id" = $1`, [target]);
    try {
      // Not shown on page 1, and not verified in this request: never counted as verified by this request.
      const before = await getOwnRecords(patient);
      expect(before.records.some((r) => r.id === target)).toBe(false);
      expect(before.counts.verified).toBe(OWN_RECORDS_PAGE_SIZE);
      await sweepAllRecords();
      const after = await getOwnRecords(patient);
      expect(after.others).toMatchObject({ tampered: 1, verified: RECORDS - OWN_RECORDS_PAGE_SIZE - 1 });
      // Shown: verified in the request, tampered.
      const page2 = await getOwnRecords(patient, 2);
      expect(page2.records.find((r) => r.id === target)).toMatchObject({ verification: "tampered", summary: null });
      expect(page2.counts.tampered).toBe(1);
    } finally {
      await asInsider(`UPDATE "MedicalRecord" SET "canonical" = convert_to(replace(convert_from("canonical", 'UTF8'), '"unit":"g/dL"', '"unit":"mg/dL"'), 'UTF8'),
        "resource" = jsonb_set("resource", '{valueQuantity,unit}', '"mg/dL"') WHERE "id" = $1`, [target]);
      const alerts = await db().alert.findMany({ where: { resolvedAt: null, details: { path: ["recordId"], equals: target } }, select: { id: true } });
      const officer = await callerFor("compliance@demo.chartproof.local");
      for (const alert of alerts) await reviewAlert(officer, alert.id, "Restored in a test.");
      await sweepAllRecords();
    }
    // Put back, reviewed and swept: counted verified again.
    expect((await getOwnRecords(patient)).others).toMatchObject({ tampered: 0, verified: RECORDS - OWN_RECORDS_PAGE_SIZE });
  });
});
