import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { getPatientChart } from "@/lib/dal/patients";
import { getRecordProof } from "@/lib/dal/record-proof";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { createRecords } from "@/lib/jobs/create-records";
import { changePatientIdentity, createPatient } from "@/lib/jobs/patient-identity";
import { forgetCachedRoots, ledgers } from "@/lib/verification";
import { asOwner, callerFor, ensureDemo } from "./helpers";

/*
 * The chart against the owner of the database (issue #17 parts 5 and 7, #19; ADR 023): records deleted or hidden
 * are named as missing where they belong — never "no allergies" — with the alert raised in the same request; "None
 * recorded" only when that holds; and the header's identity is the anchored one, or the chart is withheld.
 */

const DOCTOR = "doctor@demo.chartproof.local";
const config: AnchoringConfig = { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
const SYSTEM_CONTEXT = { ip: null, requestId: null };
const restore: (() => Promise<unknown>)[] = [];
/** Other files count the demo doctor's patients: these are the doctor's only while this file runs. */
const consents: string[] = [];

type Patient = { id: string; allergyId: string; conditionId: string };
let first: Patient;
let second: Patient;

async function patientWithHistory(mrn: string, name: string, sex: "FEMALE" | "MALE", recordClasses: string[] = []): Promise<Patient> {
  const { id } = await createPatient({ mrn, name, birthDate: new Date(sex === "FEMALE" ? "1961-02-03T00:00:00Z" : "1972-04-05T00:00:00Z"), sex });
  const doctor = await db().staff.findUniqueOrThrow({ where: { email: DOCTOR }, select: { id: true } });
  const consent = await db().consent.create({ data: { patientId: id, scope: "TREATMENT", granteeStaffId: doctor.id, recordClasses, validFrom: new Date(Date.now() - 3600_000) }, select: { id: true } });
  consents.push(consent.id);
  const recordedAt = new Date(Date.now() - 24 * 3600_000);
  const [allergyId, conditionId] = await createRecords(
    [
      { patientId: id, resourceType: "AllergyIntolerance", resource: { resourceType: "AllergyIntolerance", criticality: "high", code: { text: "Penicillin" } }, recordedAt, source: "CLINICIAN" },
      { patientId: id, resourceType: "Condition", resource: { resourceType: "Condition", clinicalStatus: { coding: [{ code: "active" }] }, code: { text: "Hypertension" } }, recordedAt, source: "CLINICIAN" },
    ],
    "SYSTEM",
    SYSTEM_CONTEXT,
  );
  return { id, allergyId: allergyId!, conditionId: conditionId! };
}

async function chart(patientId: string) {
  return getPatientChart(await callerFor(DOCTOR), patientId);
}

function missingAlerts(recordId: string) {
  return db().alert.findMany({ where: { kind: "integrity.record_missing", details: { path: ["recordId"], equals: recordId } }, select: { id: true, severity: true } });
}

beforeAll(async () => {
  await ensureDemo();
  const stamp = Date.now().toString().slice(-6);
  first = await patientWithHistory(`CC1-${stamp}`, "완전성 첫째 Completeness One", "FEMALE");
  second = await patientWithHistory(`CC2-${stamp}`, "완전성 둘째 Completeness Two", "MALE");
  await anchorEverything(ledgers(), config);
});

afterAll(async () => {
  await db().consent.updateMany({ where: { id: { in: consents } }, data: { revokedAt: new Date() } });
});

afterEach(async () => {
  while (restore.length) await restore.pop()!();
  forgetCachedRoots();
});

describe("the chart's completeness check", () => {
  it("says None recorded only where every record is verified, the set is complete and the consent shares the type", async () => {
    const result = await chart(first.id);
    expect(result.identity).toEqual({ state: "verified", recordId: expect.any(String), withheld: false });
    expect(result.missing).toBe(0);
    expect(result.summary.completeness).toBe("holds");
    expect(result.summary.allergies.items.map((a) => a.recordId)).toEqual([first.allergyId]);
    expect(result.summary.immunizations.empty).toBe("noneRecorded");
    // The identity record is checked, never part of the body.
    expect(result.records.map((r) => r.resourceType).sort()).toEqual(["AllergyIntolerance", "Condition"]);
  });

  it("names a deleted allergy as missing in the allergy section, and raises one alert in the same request", async () => {
    await asOwner(`DELETE FROM "MedicalRecord" WHERE id = $1`, [first.allergyId]);
    const result = await chart(first.id);
    expect(result.summary.allergies.items).toEqual([]);
    expect(result.summary.allergies.empty).toBe("missing");
    expect(result.summary.allergies.missing).toEqual([{ resourceType: "AllergyIntolerance", count: 1 }]);
    expect(result.summary.completeness).toBe("broken");
    expect(result.missing).toBe(1);
    // Other sections stay honest: their own types are complete, but nothing says "None recorded" of allergies.
    expect(result.summary.problems.items).toHaveLength(1);
    expect(await missingAlerts(first.allergyId)).toEqual([{ id: expect.any(String), severity: "CRITICAL" }]);
    // Once per record, however often the chart is opened.
    await chart(first.id);
    expect(await missingAlerts(first.allergyId)).toHaveLength(1);
    const view = await db().accessEvent.findFirstOrThrow({ where: { action: "patient.viewed", patientId: first.id }, orderBy: { seq: "desc" } });
    expect((view.details as { missingRecordIds?: string[] }).missingRecordIds).toEqual([first.allergyId]);
  });

  it("names an allergy hidden by supersededAt (no successor names it) as missing", async () => {
    await asOwner(`UPDATE "MedicalRecord" SET "supersededAt" = now() WHERE id = $1`, [second.allergyId]);
    restore.push(() => asOwner(`UPDATE "MedicalRecord" SET "supersededAt" = NULL WHERE id = $1`, [second.allergyId]));
    const result = await chart(second.id);
    expect(result.summary.allergies.empty).toBe("missing");
    expect(result.summary.allergies.missing).toEqual([{ resourceType: "AllergyIntolerance", count: 1 }]);
    expect(await missingAlerts(second.allergyId)).toHaveLength(1);
  });

  it("says 'not shared with you' for a class the consent does not cover, never none or missing", async () => {
    const stamp = Date.now().toString().slice(-6);
    const limited = await patientWithHistory(`CC3-${stamp}`, "완전성 셋째 Completeness Three", "FEMALE", ["Condition"]);
    await anchorEverything(ledgers(), config);
    await asOwner(`DELETE FROM "MedicalRecord" WHERE id = $1`, [limited.allergyId]);
    const result = await chart(limited.id);
    expect(result.summary.allergies.empty).toBe("notShared");
    expect(result.summary.allergies.missing).toEqual([]);
    expect(result.missing).toBe(0);
    expect(result.summary.immunizations.empty).toBe("notShared");
    // Still alerted: the record is gone whoever looks.
    expect(await missingAlerts(limited.allergyId)).toHaveLength(1);
  });
});

describe("the chart header's identity", () => {
  it("withholds the chart behind a red header when two patients' names, birth dates and sexes are swapped", async () => {
    const swap = async () => {
      await asOwner(
        `UPDATE "Patient" p SET name = o.name, "birthDate" = o."birthDate", sex = o.sex
         FROM "Patient" o WHERE (p.id, o.id) IN (($1::uuid, $2::uuid), ($2::uuid, $1::uuid))`,
        [first.id, second.id],
      );
    };
    await swap();
    restore.push(swap);
    for (const patient of [first, second]) {
      const result = await chart(patient.id);
      expect(result.identity).toMatchObject({ state: "mismatch", withheld: true });
      expect(result.records).toEqual([]);
      expect(result.summary.allergies.items).toEqual([]);
    }
    // The record page shows a record under the patient's name: the same check, the content withheld.
    const page = await getRecordProof(await callerFor(DOCTOR), first.id, first.conditionId);
    expect(page.identity).toMatchObject({ state: "mismatch", withheld: true });
    expect(page.record.resource).toBeNull();
    const alerts = await db().alert.findMany({ where: { kind: "integrity.identity_unverified", details: { path: ["patientId"], equals: first.id } } });
    expect(alerts).toHaveLength(1);
    const view = await db().accessEvent.findFirstOrThrow({ where: { action: "patient.viewed", patientId: first.id }, orderBy: { seq: "desc" } });
    expect(view.details).toMatchObject({ recordIds: [], identity: "mismatch" });
  });

  it("withholds the chart when the identity record is tampered", async () => {
    const identity = (await chart(second.id)).identity.recordId!;
    const [original] = (await asOwner(`SELECT canonical, resource FROM "MedicalRecord" WHERE id = $1`, [identity])).rows;
    await asOwner(`UPDATE "MedicalRecord" SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '1972', '1971'), 'UTF8'), resource = jsonb_set(resource, '{birthDate}', '"1971-04-05"') WHERE id = $1`, [identity]);
    restore.push(() => asOwner(`UPDATE "MedicalRecord" SET canonical = $2, resource = $3 WHERE id = $1`, [identity, original!.canonical, original!.resource]));
    expect((await chart(second.id)).identity).toMatchObject({ state: "tampered", withheld: true });
  });

  it("withholds the chart when the identity record is gone from the patient (deleted, or moved to another)", async () => {
    const identity = (await chart(second.id)).identity.recordId!;
    await asOwner(`UPDATE "MedicalRecord" SET "patientId" = $2 WHERE id = $1`, [identity, first.id]);
    restore.push(() => asOwner(`UPDATE "MedicalRecord" SET "patientId" = $2 WHERE id = $1`, [identity, second.id]));
    expect((await chart(second.id)).identity).toMatchObject({ state: "missing", withheld: true });
    // The patient it was moved to now has two current identities: which one is theirs is unknown.
    expect((await chart(first.id)).identity).toMatchObject({ withheld: true });
  });

  it("commits a new anchored identity version when the desk changes the identity", async () => {
    const stamp = Date.now().toString().slice(-6);
    const renamed = await patientWithHistory(`CC4-${stamp}`, "개명 전 Before Rename", "FEMALE");
    await anchorEverything(ledgers(), config);
    const before = (await chart(renamed.id)).identity.recordId;
    await changePatientIdentity(renamed.id, { name: "개명 후 After Rename" }, "SYSTEM", SYSTEM_CONTEXT);
    const pending = await chart(renamed.id);
    expect(pending.identity).toMatchObject({ state: "pending", withheld: false });
    expect(pending.patient.name).toBe("개명 후 After Rename");
    await anchorEverything(ledgers(), config);
    const after = await chart(renamed.id);
    expect(after.identity).toMatchObject({ state: "verified", withheld: false });
    expect(after.identity.recordId).not.toBe(before);
    // The earlier version is history, not missing: the new version's creation event names it.
    expect(after.missing).toBe(0);
  });
});
