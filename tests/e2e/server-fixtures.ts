// Data the end-to-end tests need beyond the demo, seeded by scripts/e2e-server.ts through the product's own paths
// (records created with their creation events and anchored like any other).
import { db } from "@/lib/db";
import { createRecords } from "@/lib/jobs/create-records";
import { createPatient } from "@/lib/jobs/patient-identity";
import { anchorEverything } from "@/lib/jobs/anchoring";
import { ledgers } from "@/lib/verification";
import { hashPassword } from "@/lib/auth/password";
import { DEMO_PASSWORD } from "@/lib/jobs/demo-data";
import { ERASURE_MRN, LONG_HISTORY, UPLOADER } from "./uploader";

export const HOSTILE_MRN = "10000900";
export const HOSTILE_PAYLOADS = ["<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">'] as const;

/** A consented patient whose records carry script and HTML payloads in every string a chart shows. */
export async function seedE2eFixtures(): Promise<void> {
  const [script, img] = HOSTILE_PAYLOADS;
  const doctor = await db().staff.findUniqueOrThrow({ where: { email: "doctor@demo.chartproof.local" }, select: { id: true } });
  const patient = await createPatient({ mrn: HOSTILE_MRN, name: `환자 Hostile ${img}`, birthDate: new Date("1990-01-01T00:00:00Z"), sex: "OTHER" });
  await db().consent.create({ data: { patientId: patient.id, scope: "TREATMENT", granteeStaffId: doctor.id, recordClasses: [], validFrom: new Date(Date.now() - 86_400_000) } });
  const now = Date.now();
  const resources: Record<string, unknown>[] = [
    {
      resourceType: "Observation",
      status: "final",
      code: { text: `Glucose ${script}` },
      valueString: `${img} high`,
      text: { status: "generated", div: `<div xmlns="http://www.w3.org/1999/xhtml">${script}<p>Narrative ${img}</p></div>` },
      note: [{ text: `Note ${script}` }],
    },
    { resourceType: "Condition", code: { text: `Condition ${img}` }, clinicalStatus: { coding: [{ code: "active" }] }, note: [{ text: script }] },
    {
      resourceType: "DocumentReference",
      status: "current",
      description: `Letter ${script}`,
      content: [{ attachment: { contentType: "text/html", title: `letter ${img}.html`, data: Buffer.from(script).toString("base64") } }],
    },
  ];
  await createRecords(
    resources.map((resource, i) => ({ patientId: patient.id, resourceType: resource.resourceType as string, resource, recordedAt: new Date(now - i * 3_600_000), source: "SEED" })),
    "SYSTEM",
    { ip: null, requestId: null },
  );
  await createPatient({
    mrn: UPLOADER.mrn,
    name: UPLOADER.name,
    birthDate: new Date(`${UPLOADER.birthDate}T00:00:00Z`),
    sex: "FEMALE",
    portalEmail: UPLOADER.email,
    portalPasswordHash: await hashPassword(DEMO_PASSWORD),
    portalActivatedAt: new Date(),
  });
  await createPatient({
    mrn: LONG_HISTORY.mrn,
    name: LONG_HISTORY.name,
    birthDate: new Date(`${LONG_HISTORY.birthDate}T00:00:00Z`),
    sex: "FEMALE",
    portalEmail: LONG_HISTORY.email,
    portalPasswordHash: await hashPassword(DEMO_PASSWORD),
    portalActivatedAt: new Date(),
  });
  // Consented to a cardiologist whose patient list no spec counts (doctor's and doctor2's lists are counted).
  const cardiologist = await db().staff.findUniqueOrThrow({ where: { email: "yoon.dohyun@demo.chartproof.local" }, select: { id: true } });
  const erasure = await createPatient({ mrn: ERASURE_MRN, name: "삭제 Erasure", birthDate: new Date("1975-05-05T00:00:00Z"), sex: "FEMALE" });
  await db().consent.create({ data: { patientId: erasure.id, scope: "TREATMENT", granteeStaffId: cardiologist.id, recordClasses: [], validFrom: new Date(Date.now() - 86_400_000) } });
  await createRecords(
    ["en", "ko"].map((locale, i) => ({
      patientId: erasure.id,
      resourceType: "Condition",
      resource: { resourceType: "Condition", code: { text: `Filed in the wrong chart (${locale})` }, clinicalStatus: { coding: [{ code: "active" }] } },
      recordedAt: new Date(now - (i + 1) * 86_400_000),
      source: "SEED",
    })),
    "SYSTEM",
    { ip: null, requestId: null },
  );
  await anchorEverything(ledgers(), { batchSize: 16, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 });
}
