import { db } from "@/lib/db";
import type { Prisma, Sex } from "@/lib/generated/prisma/client";
import type { AccessEventInput, AuditContext, AuditTx } from "@/lib/audit";
import { createRecords } from "./create-records";
import { identityResource, IDENTITY_RESOURCE_TYPE, IDENTITY_SOURCE } from "@/lib/fhir/identity-record";

export type PatientIdentity = { mrn: string; name: string; birthDate: Date; sex: Sex };

const SYSTEM_CONTEXT: AuditContext = { ip: null, requestId: null };

/**
 * Commits the patient's identity as it is now (name, birth date, sex, MRN, at `identityVersion`) as an identity
 * record: a FHIR Patient resource stored, committed, logged and anchored exactly like any record (ADR 023). A later
 * version supersedes the earlier one, so the chart always has one current identity to verify.
 */
export async function recordIdentityVersion(tx: AuditTx, patientId: string, actor: AccessEventInput["actor"], context: AuditContext = SYSTEM_CONTEXT): Promise<string> {
  const patient = await tx.patient.findUniqueOrThrow({ where: { id: patientId }, select: { mrn: true, name: true, birthDate: true, sex: true, identityVersion: true } });
  // One writer at a time per patient: two concurrent versions would both claim to supersede the same one.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`identity|${patientId}`}, 4243))`;
  const previous = await tx.medicalRecord.findFirst({
    where: { patientId, resourceType: IDENTITY_RESOURCE_TYPE, source: IDENTITY_SOURCE, supersededAt: null },
    select: { id: true },
    orderBy: { recordedAt: "desc" },
  });
  const now = new Date();
  const [id] = await createRecords(
    [{ patientId, resourceType: IDENTITY_RESOURCE_TYPE, resource: identityResource(patient), recordedAt: now, source: IDENTITY_SOURCE, supersedesId: previous?.id ?? null }],
    actor,
    context,
    { tx },
  );
  if (previous) await tx.medicalRecord.update({ where: { id: previous.id }, data: { supersededAt: now }, select: { id: true } });
  return id!;
}

/**
 * THE way a patient is created (demo data, bench and test fixtures, and any future registration path): the row and
 * its first anchored identity version in one transaction, so no chart ever shows an identity nothing vouches for.
 */
export async function createPatient(
  data: PatientIdentity & Omit<Prisma.PatientUncheckedCreateInput, "mrn" | "name" | "birthDate" | "sex" | "identityVersion">,
  actor: AccessEventInput["actor"] = "SYSTEM",
  context: AuditContext = SYSTEM_CONTEXT,
): Promise<{ id: string }> {
  return db().$transaction(async (tx) => {
    const patient = await tx.patient.create({ data, select: { id: true } });
    await recordIdentityVersion(tx, patient.id, actor, context);
    return patient;
  });
}

/**
 * The desk corrects a patient's identity: the row changes and a new identity version is committed and anchored in the
 * same transaction; records filed from now on bind the new version (recipe v2).
 */
export async function changePatientIdentity(patientId: string, change: Partial<PatientIdentity>, actor: AccessEventInput["actor"], context: AuditContext): Promise<string> {
  return db().$transaction(async (tx) => {
    await tx.patient.update({ where: { id: patientId }, data: { ...change, identityVersion: { increment: 1 } }, select: { id: true } });
    return recordIdentityVersion(tx, patientId, actor, context);
  });
}

/**
 * Gives every patient created before identity records (migration 20261208010000) a first identity version, so the
 * chart can verify it; run by the worker at start. Idempotent.
 */
export async function backfillIdentityRecords(limit = 500): Promise<number> {
  // Patients whose identity was never committed — judged by the hash-chained creation events, not by the rows: a
  // patient whose identity record was deleted must stay red on the chart, not be given a fresh identity that verifies.
  const patients = await db().$queryRaw<{ id: string }[]>`
    SELECT p.id FROM "Patient" p
    WHERE NOT EXISTS (SELECT 1 FROM "AccessEvent" e WHERE e.action = 'record.created' AND e."patientId" = p.id
      AND e.details ->> 'resourceType' = ${IDENTITY_RESOURCE_TYPE})
    LIMIT ${limit}`;
  for (const p of patients) await db().$transaction((tx) => recordIdentityVersion(tx, p.id, "SYSTEM"));
  return patients.length;
}
