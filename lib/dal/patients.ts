import "server-only";
import { consentFactsSelect } from "./consent-facts";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendAccessEvent } from "@/lib/audit";
import { can, consentCoversRecord, treatmentConsentCovers, type Actor } from "@/lib/authz";
import { AccessDeniedError, type Caller } from "./caller";
import { isUuid } from "./actors";
import type { PatientChartDto, PatientListItemDto } from "@/lib/dto";
import { countByVerification, loadVerifiedRecords } from "./verified-records";

type Doctor = Extract<Actor, { kind: "STAFF" }>;

function requireDoctor(caller: Caller, permission: "patient.list" | "chart.view"): Doctor {
  if (caller.actor.kind !== "STAFF" || !can(caller.actor, permission)) throw new AccessDeniedError();
  return caller.actor;
}

/** Prisma filter for the consents that let this doctor treat a patient right now (directly or via department). */
export function activeTreatmentConsent(doctor: Doctor, now: Date): Prisma.ConsentWhereInput {
  return {
    scope: "TREATMENT",
    validFrom: { lte: now },
    AND: [
      { OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
      { OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] },
      {
        OR: [
          { granteeStaffId: doctor.id },
          ...(doctor.departmentId ? [{ granteeDepartmentId: doctor.departmentId }] : []),
        ],
      },
    ],
  };
}

const patientSelect = { id: true, mrn: true, name: true, birthDate: true, sex: true } as const;

function toPatientDto(p: { id: string; mrn: string; name: string; birthDate: Date; sex: string }): PatientListItemDto {
  return { id: p.id, mrn: p.mrn, name: p.name, birthDate: p.birthDate.toISOString().slice(0, 10), sex: p.sex };
}

/** Patients whose active TREATMENT consent covers the calling doctor. */
export async function listConsentedPatients(caller: Caller): Promise<PatientListItemDto[]> {
  const doctor = requireDoctor(caller, "patient.list");
  const patients = await db().patient.findMany({
    where: { consents: { some: activeTreatmentConsent(doctor, new Date()) } },
    select: patientSelect,
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: 200,
  });
  await appendAccessEvent(
    { actor: doctor, action: "patient.listed", outcome: "ALLOWED", purpose: "TREATMENT", details: { patientIds: patients.map((p) => p.id) } },
    caller.context,
  );
  return patients.map(toPatientDto);
}

/**
 * A consented patient's chart, every record verified against the chain. Without consent: a DENIED event and
 * AccessDeniedError (the page answers 404). The view is logged before the data is returned; if the log write
 * fails, this throws and nothing is shown.
 */
export async function getPatientChart(caller: Caller, patientId: string): Promise<PatientChartDto> {
  const doctor = requireDoctor(caller, "chart.view");
  const now = new Date();
  const patient = isUuid(patientId)
    ? await db().patient.findUnique({
        where: { id: patientId },
        select: {
          ...patientSelect,
          consents: {
            where: activeTreatmentConsent(doctor, now),
            select: consentFactsSelect,
          },
        },
      })
    : null;
  const grantee = { staffId: doctor.id, departmentId: doctor.departmentId };
  const consents = patient?.consents.filter((c) => treatmentConsentCovers(c, grantee, now)) ?? [];

  if (!patient || consents.length === 0) {
    await appendAccessEvent(
      { actor: doctor, action: "patient.viewed", outcome: "DENIED", purpose: "TREATMENT", patientId: patient ? patient.id : null, details: { reason: patient ? "no_consent" : "not_found" } },
      caller.context,
    );
    throw new AccessDeniedError();
  }

  const records = await loadVerifiedRecords(patient.id, (record) => consents.some((c) => consentCoversRecord(c, record)));
  const counts = countByVerification(records);
  await appendAccessEvent(
    { actor: doctor, action: "patient.viewed", outcome: "ALLOWED", purpose: "TREATMENT", patientId: patient.id, details: { recordIds: records.map((r) => r.id), verification: counts } },
    caller.context,
  );
  return { patient: toPatientDto(patient), records, counts };
}
