import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createPatient } from "@/lib/jobs/patient-identity";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { correctOwnRecord, getCorrectableRecord } from "@/lib/dal/corrections";
import { getOwnRecords } from "@/lib/dal/own-records";
import { getPatientChart } from "@/lib/dal/patients";
import { getRecordProof } from "@/lib/dal/record-proof";
import { uploadOwnRecords } from "@/lib/dal/uploads";
import { IntakeRejectedError } from "@/lib/fhir/ingest";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { ledgers } from "@/lib/verification";
import { callerFor, ensureDemo } from "./helpers";

// A patient of this file's own, so the records it adds (which stay, anchored) are invisible to other files.
const run = randomBytes(3).toString("hex");
const config: AnchoringConfig = { batchSize: 1024, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
let patient: Caller;
let doctor: Caller;
let conditionId: string;

// No Patient entry: the app's own patient id is only accepted with the patient's name beside it (issue #25).
const condition = (text: string) => ({ resourceType: "Condition", code: { text }, subject: { reference: "Patient/x", display: "정정 환자" }, onsetDateTime: "2021-06-01" });

beforeAll(async () => {
  await ensureDemo();
  const portalEmail = `corr.${run}@patients.example`;
  const row = await createPatient({ mrn: `CR${run}`, name: "정정 환자", birthDate: new Date("1990-02-03"), sex: "FEMALE", portalEmail, portalPasswordHash: "x" });
  patient = await callerFor(portalEmail, "PATIENT");
  const text = JSON.stringify(condition("Asthma (childhood)"));
  await uploadOwnRecords(patient, { body: new Blob([text]).stream(), declaredLength: Buffer.byteLength(text), contentType: "application/fhir+json", fileName: "condition.json" });
  conditionId = (await db().medicalRecord.findFirstOrThrow({ where: { patientId: row.id, resourceType: "Condition" }, select: { id: true } })).id;
  const doc = await db().staff.create({
    data: { email: `corr-doc.${run}@hospital.example`, name: "Dr Correction", passwordHash: "", role: "DOCTOR", status: "ACTIVE", licenceNumber: "L-CORR" },
    select: { id: true, email: true },
  });
  await db().consent.create({ data: { patientId: row.id, scope: "TREATMENT", granteeStaffId: doc.id, recordClasses: [] } });
  doctor = await callerFor(doc.email);
  await anchorEverything(ledgers(), config);
});

describe("correcting a record", () => {
  it("adds a new version and keeps the old one; both verify, and the doctor sees the current version with its history", async () => {
    const start = await getCorrectableRecord(patient, conditionId);
    expect(JSON.parse(start.json)).toMatchObject({ code: { text: "Asthma (childhood)" } });
    const newId = await correctOwnRecord(patient, conditionId, JSON.stringify(condition("Asthma, resolved in 2019")));
    const [oldRow, newRow] = await Promise.all([
      db().medicalRecord.findUniqueOrThrow({ where: { id: conditionId }, select: { supersededAt: true, status: true, commitment: true } }),
      db().medicalRecord.findUniqueOrThrow({ where: { id: newId }, select: { supersedesId: true, status: true, commitment: true, resource: true } }),
    ]);
    expect(oldRow.supersededAt).not.toBeNull();
    expect(newRow).toMatchObject({ supersedesId: conditionId, status: "PENDING" });
    expect(newRow.commitment).not.toBe(oldRow.commitment);
    expect((newRow.resource as { subject: { reference: string } }).subject.reference).toBe(`Patient/${patient.actor.id}`);

    await anchorEverything(ledgers(), config);
    const own = await getOwnRecords(patient);
    expect(own.records.map((r) => [r.id, r.verification])).toEqual([[newId, "verified"]]);
    expect(own.earlierVersions.map((r) => [r.id, r.verification])).toEqual([[conditionId, "verified"]]);

    const chart = await getPatientChart(doctor, patient.actor.id);
    expect(chart.records.map((r) => r.id)).toEqual([newId]);
    const proof = await getRecordProof(doctor, patient.actor.id, newId);
    expect(proof.versions.map((v) => [v.id, v.verification, v.current])).toEqual([
      [conditionId, "verified", false],
      [newId, "verified", true],
    ]);
    const old = await getRecordProof(doctor, patient.actor.id, conditionId);
    expect(old.record.verification).toBe("verified");
    expect(old.versions).toHaveLength(2);
    const event = await db().accessEvent.findFirstOrThrow({ where: { action: "record.corrected", patientId: patient.actor.id }, select: { details: true } });
    expect(event.details).toMatchObject({ recordId: newId, supersedes: conditionId });
  });

  it("refuses bad corrections with a reason and stores nothing", async () => {
    const current = (await db().medicalRecord.findFirstOrThrow({ where: { patientId: patient.actor.id, supersededAt: null, resourceType: "Condition" }, select: { id: true } })).id;
    const before = await db().medicalRecord.count({ where: { patientId: patient.actor.id } });
    await expect(correctOwnRecord(patient, conditionId, JSON.stringify(condition("again")))).rejects.toMatchObject({ code: "already_superseded" });
    await expect(correctOwnRecord(patient, current, JSON.stringify({ resourceType: "Observation", status: "final", code: { text: "x" } }))).rejects.toMatchObject({ code: "type_changed" });
    await expect(correctOwnRecord(patient, current, "{ not json")).rejects.toBeInstanceOf(IntakeRejectedError);
    await expect(correctOwnRecord(patient, current, JSON.stringify({ resourceType: "Condition", code: { text: 5 } }))).rejects.toBeInstanceOf(IntakeRejectedError);
    await expect(
      correctOwnRecord(patient, current, JSON.stringify({ ...condition("x"), text: { status: "generated", div: '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>' } })),
    ).rejects.toBeInstanceOf(IntakeRejectedError);
    expect(await db().medicalRecord.count({ where: { patientId: patient.actor.id } })).toBe(before);
    expect((await db().medicalRecord.findUniqueOrThrow({ where: { id: current }, select: { supersededAt: true } })).supersededAt).toBeNull();
  });

  it("only the patient's own uploaded records, and only by the patient", async () => {
    const demo = await callerFor("patient@demo.chartproof.local", "PATIENT");
    const seeded = await db().medicalRecord.findFirstOrThrow({ where: { patientId: demo.actor.id }, select: { id: true } });
    await expect(correctOwnRecord(demo, seeded.id, JSON.stringify(condition("x")))).rejects.toMatchObject({ code: "not_correctable" });
    const current = (await db().medicalRecord.findFirstOrThrow({ where: { patientId: patient.actor.id, supersededAt: null, resourceType: "Condition" }, select: { id: true } })).id;
    await expect(correctOwnRecord(demo, current, JSON.stringify(condition("x")))).rejects.toMatchObject({ code: "not_found" });
    await expect(correctOwnRecord(doctor, current, JSON.stringify(condition("x")))).rejects.toBeInstanceOf(AccessDeniedError);
  });
});
