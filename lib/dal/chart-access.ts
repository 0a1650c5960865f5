import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { can, consentCoversRecord, treatmentConsentCovers, type Actor } from "@/lib/authz";
import { consentFactsSelect } from "./consent-facts";
import { AccessDeniedError, type Caller } from "./caller";
import { isUuid } from "@/lib/ids";

export type Doctor = Extract<Actor, { kind: "STAFF" }>;

/** The caller as a staff member holding `permission`, or AccessDeniedError. */
export function requireStaff(caller: Caller, permission: "patient.list" | "chart.view" | "break_glass.open"): Doctor {
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

export const chartPatientSelect = { id: true, mrn: true, name: true, birthDate: true, sex: true, identityVersion: true } as const;

type ChartPatient = { id: string; mrn: string; name: string; birthDate: Date; sex: string; identityVersion: number };

type RecordFacts = { resourceType: string; recordedAt: Date };

/**
 * Why a doctor may open a chart right now: an active TREATMENT consent (limited to the record classes and data
 * period it names), or an unexpired emergency grant of their own (the whole chart, purpose EMERGENCY).
 */
export type ChartAccess =
  | { kind: "consent"; purpose: "TREATMENT"; covers: (record: RecordFacts) => boolean; shares: (resourceType: string) => Sharing }
  | {
      kind: "emergency";
      purpose: "EMERGENCY";
      covers: (record: RecordFacts) => boolean;
      shares: (resourceType: string) => Sharing;
      grant: { id: string; openedAt: Date; expiresAt: Date };
    };

/** How much of a record type the access shows: all of it, only a data period of it, or none (the summary says so). */
export type Sharing = "all" | "partial" | "none";

function sharingOf(consents: readonly { recordClasses: string[]; dataFrom: Date | null; dataUntil: Date | null }[], resourceType: string): Sharing {
  const covering = consents.filter((c) => c.recordClasses.length === 0 || c.recordClasses.includes(resourceType));
  if (covering.length === 0) return "none";
  return covering.some((c) => c.dataFrom === null && c.dataUntil === null) ? "all" : "partial";
}

export type ChartDecision =
  | { allowed: true; patient: ChartPatient; access: ChartAccess }
  | { allowed: false; patient: ChartPatient | null; reason: "not_found" | "no_consent" | "grant_expired" };

/**
 * The one access rule for a chart and everything under it (records, proofs, exports). Decided from the database at
 * each request, so a revocation, an expiry or the end of a grant takes effect on the next request.
 */
export async function decideChartAccess(doctor: Doctor, patientId: string, now: Date = new Date()): Promise<ChartDecision> {
  const patient = isUuid(patientId)
    ? await db().patient.findUnique({
        where: { id: patientId },
        select: {
          ...chartPatientSelect,
          consents: { where: activeTreatmentConsent(doctor, now), select: consentFactsSelect },
          breakGlassGrants: {
            where: { staffId: doctor.id },
            select: { id: true, openedAt: true, expiresAt: true },
            orderBy: { expiresAt: "desc" },
            take: 1,
          },
        },
      })
    : null;
  if (!patient) return { allowed: false, patient: null, reason: "not_found" };
  const { consents: candidates, breakGlassGrants, ...facts } = patient;

  const grantee = { staffId: doctor.id, departmentId: doctor.departmentId };
  const consents = candidates.filter((c) => treatmentConsentCovers(c, grantee, now));
  if (consents.length > 0) {
    return { allowed: true, patient: facts, access: {
        kind: "consent",
        purpose: "TREATMENT",
        covers: (r) => consents.some((c) => consentCoversRecord(c, r)),
        shares: (type) => sharingOf(consents, type),
      },
    };
  }
  const grant = breakGlassGrants[0];
  if (grant && grant.openedAt <= now && grant.expiresAt > now) {
    return { allowed: true, patient: facts, access: { kind: "emergency", purpose: "EMERGENCY", covers: () => true, shares: () => "all", grant } };
  }
  return { allowed: false, patient: facts, reason: grant ? "grant_expired" : "no_consent" };
}
