// The clinical summary at the top of a chart (IPS sections), as plain data for components. Built by ./build.ts from
// records verified in the same request; see docs/decisions/018-chart-summary.md.
import type { Verification } from "@/lib/integrity/judge";
import type { ClinicalDate } from "./fhir-values";
import type { Flag } from "./flags";

export type { ClinicalDate, Flag };

/** Where a record came from — which is not whether it is clinically confirmed. */
export type SourceKind = "hospital" | "patient" | "system";

export const SOURCE_KINDS: readonly SourceKind[] = ["hospital", "patient", "system"];

export function sourceKind(source: string): SourceKind {
  if (source === "PATIENT_UPLOAD") return "patient";
  if (source === "HOSPITAL_SYSTEM") return "system";
  return "hospital";
}

/** What the summary is built from: one record with its verdict of this request; `resource` is null when tampered. */
export type SummaryInputRecord = {
  id: string;
  resourceType: string;
  recordedAt: string;
  source: string;
  verification: Verification;
  resource: unknown;
};

export type ItemRef = { recordId: string; verification: "verified"; source: SourceKind };

/** A record that may belong to a section but is not verified in this request: listed by id and state only. */
export type WithheldRef = { recordId: string; resourceType: string; recordedAt: string; verification: Exclude<Verification, "verified">; source: SourceKind };

export type SectionName = "problems" | "medications" | "allergies" | "vitals" | "results" | "encounters" | "immunizations";

export const SECTION_NAMES: readonly SectionName[] = ["problems", "medications", "allergies", "vitals", "results", "encounters", "immunizations"];

/** How much of this section's record types the viewer's consent shares. */
export type Sharing = "all" | "partial" | "none";

/**
 * Why a section has no entries. "noneRecorded" only when every record of its types is verified, the record set is
 * known complete and the consent shares the types; otherwise the section says what it cannot vouch for.
 */
export type EmptyReason = "noneRecorded" | "noneFound" | "notShared" | "partlyShared" | "withheldOnly" | "missing" | "noneKnown" | "noInfo";

/** Records of a section's type that the hash-chained creation events account for but the database does not show. */
export type MissingCount = { resourceType: string; count: number };

export type Section<T> = {
  items: T[];
  /** Entries beyond the cap, not shown. */
  more: number;
  withheld: WithheldRef[];
  /** Anchored records of the section's types that are missing from the database (issue #17): said loudly. */
  missing: MissingCount[];
  sharing: Sharing;
  /** An IPS "no known …" or "no information" entry, verified. */
  assertion: { kind: "noneKnown" | "noInfo"; ref: ItemRef; text: string } | null;
  /** Set when `items` is empty. */
  empty: EmptyReason | null;
};

export type ProblemItem = ItemRef & { title: string; status: string; onset: ClinicalDate | null; recordedAt: string };

export type MedicationItem = ItemRef & {
  name: string;
  dose: string | null;
  since: ClinicalDate | null;
  kind: "MedicationRequest" | "MedicationStatement";
  /** A referenced Medication record whose content names the drug (also shown, so also logged). */
  medicationRecordId: string | null;
};

export type AllergyItem = ItemRef & { title: string; criticality: string | null; reaction: string | null; category: string | null };

export type ValuePoint = {
  recordId: string;
  verification: Verification;
  source: SourceKind;
  /** The value as a doctor reads it, with its comparator ("<5", "128/82"). */
  text: string;
  numeric: number | null;
  unit: string | null;
  date: ClinicalDate;
  recordedAt: string;
  flag: Flag | null;
  /** A blood pressure's diastolic reading, when it is a record of its own. */
  pairedRecordId?: string;
};

export type TrendPoint = { recordId: string; value: number; at: number };

/** One test (results) or one vital sign: its values newest first, and the withheld newest candidate if any. */
export type SeriesRow = {
  key: string;
  loinc: string | null;
  /** For vitals: bp, hr, rr, temp, spo2, weight, height, bmi. */
  kind: string | null;
  label: string;
  unit: string | null;
  values: ValuePoint[];
  /** Values not shown in the row (older than the ones shown). */
  olderCount: number;
  /** Set when the newest candidate is not verified: then no value is "latest". */
  latestWithheld: WithheldRef | null;
  /** Change from the previous value in the same unit, when the latest is shown. */
  change: number | null;
  /** Numeric values in the latest value's unit, oldest first; the graph never mixes units. */
  trend: TrendPoint[];
};

export type EncounterItem = ItemRef & {
  title: string;
  kind: string | null;
  start: ClinicalDate | null;
  end: ClinicalDate | null;
  reason: string | null;
  /** When the record was made: the only date of an encounter without a period. */
  recordedAt: string;
};

export type ImmunizationItem = ItemRef & { title: string; date: ClinicalDate | null; status: string | null };

export type ClinicalSummary = {
  problems: Section<ProblemItem>;
  medications: Section<MedicationItem>;
  allergies: Section<AllergyItem>;
  vitals: Section<SeriesRow>;
  results: Section<SeriesRow>;
  encounters: Section<EncounterItem>;
  immunizations: Section<ImmunizationItem>;
  /**
   * Whether the record set was checked in this request against the patient's creation events: "holds" (none missing),
   * "broken" (some missing; sections name them) or "unchecked".
   */
  completeness: "holds" | "unchecked" | "broken";
  /** Missing records of types no section shows (the chart line names them). */
  missingElsewhere: MissingCount[];
  /** Every record whose content or state appears in the summary: the access event lists them. */
  recordIds: string[];
};
