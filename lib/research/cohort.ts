// Which patients and records a cohort holds: research consent first, then the builder's criteria. Pure: the DAL
// loads the rows, this decides.
import { consentCoversRecord, consentIsActive, type ConsentFacts } from "@/lib/authz";
import { COHORT_RECORD_TYPES, type CohortCriteria } from "./criteria";

export type ResearchConsent = Pick<ConsentFacts, "recordClasses" | "dataFrom" | "dataUntil" | "validFrom" | "validUntil" | "revokedAt"> & {
  id: string;
  scope: "TREATMENT" | "RESEARCH";
  studyId: string | null;
};

export type CohortPatient = { id: string; birthDate: Date; sex: string; consents: readonly ResearchConsent[] };

export type CohortRecord = { id: string; patientId: string; resourceType: string; resource: unknown; recordedAt: Date };

/**
 * A RESEARCH consent admits a record into a cohort when it is active now (a revocation takes effect at its
 * timestamp), covers the record's class and date, and names this cohort's study or no study at all (the hospital's
 * research use in general). A study-bound consent never admits a cohort without that study.
 */
export function researchConsentAdmits(consent: ResearchConsent, record: Pick<CohortRecord, "resourceType" | "recordedAt">, studyId: string | null, now: Date): boolean {
  if (consent.scope !== "RESEARCH") return false;
  if (consent.studyId !== null && consent.studyId !== studyId) return false;
  return consentIsActive(consent, now) && consentCoversRecord(consent, record);
}

/** Whole years between birth and `now` (UTC calendar). */
export function ageAt(birthDate: Date, now: Date): number {
  let age = now.getUTCFullYear() - birthDate.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < birthDate.getUTCMonth() || (now.getUTCMonth() === birthDate.getUTCMonth() && now.getUTCDate() < birthDate.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

type Coding = { system?: unknown; code?: unknown; display?: unknown };
type Concept = { coding?: unknown; text?: unknown };

function concept(value: unknown): { codes: string[]; texts: string[] } {
  if (!value || typeof value !== "object") return { codes: [], texts: [] };
  const c = value as Concept;
  const codings = Array.isArray(c.coding) ? (c.coding as Coding[]) : [];
  return {
    codes: codings.map((x) => x?.code).filter((x): x is string => typeof x === "string"),
    texts: [c.text, ...codings.map((x) => x?.display)].filter((x): x is string => typeof x === "string"),
  };
}

const fold = (s: string) => s.normalize("NFC").toLowerCase();

function conceptMatches(value: unknown, term: string): boolean {
  const { codes, texts } = concept(value);
  const t = fold(term);
  return codes.some((c) => fold(c) === t) || texts.some((x) => fold(x).includes(t));
}

function field(resource: unknown, name: string): unknown {
  return resource && typeof resource === "object" ? (resource as Record<string, unknown>)[name] : undefined;
}

function observationValue(resource: unknown): number | null {
  const value = field(field(resource, "valueQuantity"), "value");
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

const dayStart = (day: string) => new Date(`${day}T00:00:00.000Z`);
const dayEnd = (day: string) => new Date(`${day}T23:59:59.999Z`);

/** Whether a record lies within the criteria's date range and types (the records a cohort is made of). */
export function recordInScope(record: Pick<CohortRecord, "resourceType" | "recordedAt">, criteria: CohortCriteria): boolean {
  const types: readonly string[] = criteria.types.length > 0 ? criteria.types : COHORT_RECORD_TYPES;
  if (!types.includes(record.resourceType)) return false;
  if (criteria.from && record.recordedAt < dayStart(criteria.from)) return false;
  if (criteria.to && record.recordedAt > dayEnd(criteria.to)) return false;
  return true;
}

export type CohortSelection = {
  /** Sorted internal patient ids (never shown; compared for the differencing control and exported de-identified). */
  patientIds: string[];
  /** The in-scope, consent-covered records of those patients. */
  records: CohortRecord[];
  /** The consents that admitted at least one of those records. */
  consentIds: string[];
};

/**
 * The cohort: patients with at least one consent-covered, in-scope record, whose demographics match, and who have
 * a matching record for every criterion list that is not empty (any item of a list; all lists). Only records a
 * consent covers are looked at, so a criterion can never match on data the patient did not release.
 */
export function selectCohort(
  patients: readonly CohortPatient[],
  records: readonly CohortRecord[],
  criteria: CohortCriteria,
  studyId: string | null,
  now: Date,
): CohortSelection {
  const byPatient = new Map<string, CohortRecord[]>();
  for (const r of records) {
    const list = byPatient.get(r.patientId);
    if (list) list.push(r);
    else byPatient.set(r.patientId, [r]);
  }
  const patientIds: string[] = [];
  const chosen: CohortRecord[] = [];
  const consentIds = new Set<string>();
  for (const patient of patients) {
    if (criteria.sex && patient.sex !== criteria.sex) continue;
    const age = ageAt(patient.birthDate, now);
    if (criteria.ageMin !== undefined && age < criteria.ageMin) continue;
    if (criteria.ageMax !== undefined && age > criteria.ageMax) continue;
    const covered: { record: CohortRecord; consents: string[] }[] = [];
    for (const record of byPatient.get(patient.id) ?? []) {
      if (!recordInScope(record, criteria)) continue;
      const admitting = patient.consents.filter((c) => researchConsentAdmits(c, record, studyId, now)).map((c) => c.id);
      if (admitting.length > 0) covered.push({ record, consents: admitting });
    }
    if (covered.length === 0) continue;
    const rs = covered.map((c) => c.record);
    if (criteria.conditions.length > 0 && !rs.some((r) => r.resourceType === "Condition" && criteria.conditions.some((t) => conceptMatches(field(r.resource, "code"), t)))) continue;
    if (
      criteria.medications.length > 0 &&
      !rs.some((r) => (r.resourceType === "MedicationStatement" || r.resourceType === "MedicationRequest") && criteria.medications.some((t) => conceptMatches(field(r.resource, "medicationCodeableConcept"), t)))
    )
      continue;
    if (
      criteria.observations.length > 0 &&
      !rs.some((r) => {
        if (r.resourceType !== "Observation") return false;
        const value = observationValue(r.resource);
        const { codes } = concept(field(r.resource, "code"));
        return criteria.observations.some(
          (o) => codes.includes(o.code) && (o.min === undefined || (value !== null && value >= o.min)) && (o.max === undefined || (value !== null && value <= o.max)),
        );
      })
    )
      continue;
    patientIds.push(patient.id);
    for (const c of covered) {
      chosen.push(c.record);
      for (const id of c.consents) consentIds.add(id);
    }
  }
  return { patientIds: patientIds.sort(), records: chosen, consentIds: [...consentIds].sort() };
}
