import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { hashPassword } from "@/lib/auth/password";
import { sealTotpSecret } from "@/lib/auth/totp";
import { env } from "@/lib/env";
import { createRecords } from "./create-records";
import { createPatient } from "./patient-identity";
import {
  DEMO_DEPARTMENTS,
  DEMO_IDENTIFIER_PATIENT,
  DEMO_PASSWORD,
  DEMO_PATIENTS,
  DEMO_STAFF,
  DEMO_STUDIES,
  DEMO_TOTP_SECRETS,
  DEMO_WARD_PATIENTS,
  demoRecords,
  identifierPatientRecords,
  wardRecords,
} from "./demo-data";
import { DEMO_RESEARCH_PATIENTS, researchRecords } from "./demo-research";
import type { Ledger } from "@/lib/verification";
import { anchorEverything } from "./anchoring";

export type SeedResult = { seeded: boolean; records: number; batches: number };

const SYSTEM_CONTEXT = { ip: null, requestId: null };

/**
 * Seeds the demo hospital into an EMPTY database only (never over real data), then anchors its records in
 * batches through the same code path as the product.
 */
export async function seedDemo(ledgers: { private: Ledger; public: Ledger | null }, opts: { batchSize?: number } = {}): Promise<SeedResult> {
  const [staffCount, patientCount] = await Promise.all([db().staff.count(), db().patient.count()]);
  if (staffCount > 0 || patientCount > 0) return { seeded: false, records: 0, batches: 0 };

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = new Date();

  const departments = new Map<string, string>();
  for (const d of DEMO_DEPARTMENTS) {
    departments.set(d.code, (await db().department.create({ data: d, select: { id: true } })).id);
  }

  const staffIds = new Map<string, string>();
  for (const s of DEMO_STAFF) {
    // Roles that require a second factor are enrolled with the demo's published TOTP secret.
    const totp = DEMO_TOTP_SECRETS[s.email];
    const created = await db().staff.create({
      data: {
        email: s.email,
        name: s.name,
        role: s.role,
        status: s.status ?? "ACTIVE",
        // An account awaiting activation has no usable password until its holder sets one with a code.
        passwordHash: s.status === "PENDING" ? await hashPassword(randomBytes(32).toString("base64url")) : passwordHash,
        licenceNumber: s.licenceNumber ?? null,
        departmentId: s.department ? departments.get(s.department)! : null,
        ...(totp ? { totpSecret: sealTotpSecret(totp, env().AUTH_SECRET), totpEnabledAt: now } : {}),
      },
      select: { id: true },
    });
    staffIds.set(s.email, created.id);
  }
  const doctorId = staffIds.get("doctor@demo.chartproof.local")!;

  const studies = new Map<string, string>();
  for (const study of DEMO_STUDIES) studies.set(study.code, (await db().researchStudy.create({ data: study, select: { id: true } })).id);

  let recordCount = 0;
  const patients = [
    ...DEMO_PATIENTS.map((p, index) => ({ p, records: demoRecords(index, now) })),
    ...DEMO_WARD_PATIENTS.map((p, index) => ({ p, records: wardRecords(index, now) })),
    { p: DEMO_IDENTIFIER_PATIENT, records: identifierPatientRecords() },
    ...DEMO_RESEARCH_PATIENTS.map((p, index) => ({ p, records: researchRecords(index, now) })),
  ];
  for (const { p, records } of patients) {
    const patient = await createPatient({
      mrn: p.mrn,
      name: p.name,
      birthDate: new Date(`${p.birthDate}T00:00:00Z`),
      sex: p.sex,
      address: p.address,
      phone: p.phone,
      portalEmail: p.portalEmail ?? null,
      // The identifier patient's address is data to be removed, not a portal account.
      portalPasswordHash: p.portalEmail && p !== DEMO_IDENTIFIER_PATIENT ? passwordHash : null,
    });
    if (p.consent !== "none") {
      await db().consent.create({
        data: {
          patientId: patient.id,
          scope: "TREATMENT",
          granteeStaffId: p.consent === "doctor" ? doctorId : null,
          granteeDepartmentId: p.consent === "department" ? departments.get("IM")! : null,
          recordClasses: [],
          validFrom: new Date(now.getTime() - 365 * 24 * 3600 * 1000),
        },
      });
    }
    const research = p.research ?? { kind: "none" };
    if (research.kind !== "none") {
      await db().consent.create({
        data: {
          patientId: patient.id,
          scope: "RESEARCH",
          recordClasses: research.kind === "general" ? (research.recordClasses ?? []) : [],
          studyId: research.kind === "study" ? studies.get(research.study)! : null,
          validFrom: new Date(now.getTime() - 200 * 24 * 3600 * 1000),
          revokedAt: research.kind === "revoked" ? new Date(now.getTime() - 10 * 24 * 3600 * 1000) : null,
        },
      });
    }
    const ids = await createRecords(
      records.map((r) => ({ patientId: patient.id, resourceType: r.resourceType, resource: r.resource, recordedAt: r.recordedAt, source: "SEED" })),
      "SYSTEM",
      SYSTEM_CONTEXT,
    );
    recordCount += ids.length;
  }

  // Small batches so the demo shows several; every batch of the demo goes into a public checkpoint at once.
  await anchorEverything(ledgers, { batchSize: opts.batchSize ?? 16, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 });
  const batches = await db().anchorBatch.count({ where: { status: "CONFIRMED" } });
  await appendAccessEvent(
    { actor: "SYSTEM", action: "demo.seeded", outcome: "ALLOWED", purpose: "OPERATIONS", details: { records: recordCount, batches } },
    SYSTEM_CONTEXT,
  );
  return { seeded: true, records: recordCount, batches };
}
