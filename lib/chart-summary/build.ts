// Builds the chart's clinical summary (IPS sections) from records verified in this request. Pure: the DAL hands in
// each record with its verdict; nothing here reads a database or a chain.
import {
  clinicalDate,
  conceptCode,
  conceptLabel,
  firstDate,
  hasCoding,
  list,
  LOINC,
  obj,
  quantity,
  str,
  testKey,
  type ClinicalDate,
  type Json,
  type Quantity,
} from "./fhir-values";
import { flagFor } from "./flags";
import {
  sourceKind,
  type AllergyItem,
  type ClinicalSummary,
  type EmptyReason,
  type EncounterItem,
  type ImmunizationItem,
  type ItemRef,
  type MedicationItem,
  type ProblemItem,
  type Section,
  type SeriesRow,
  type MissingCount,
  type Sharing,
  type SummaryInputRecord,
  type TrendPoint,
  type ValuePoint,
  type WithheldRef,
} from "./types";

export const SECTION_CAPS = { problems: 8, medications: 8, allergies: 8, vitals: 8, results: 8, encounters: 5, immunizations: 5 } as const;
/** Values shown per results row; older ones stay in the timeline and the trend graph. */
export const VALUES_PER_ROW = 4;
/** Points in a trend graph (the newest ones). */
export const TREND_POINTS = 24;

export type BuildOptions = {
  /** The patient's age in completed years today (product flags for vitals apply to adults only). */
  ageYears: number | null;
  /** How much of a resource type the viewer's consent shares. */
  shares: (resourceType: string) => Sharing;
  completeness: ClinicalSummary["completeness"];
  /**
   * Missing records the viewer's consent covers, by resource type (from the completeness check). A type named here
   * is never "none recorded"; an unknown type (a creation event without one) blocks "none recorded" everywhere.
   */
  missing?: Readonly<Record<string, number>>;
  /** Show every results row (the doctor asked for the whole table). */
  allResults?: boolean;
};

const IPS_ABSENT = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips";
const SNOMED = "http://snomed.info/sct";

/** IPS "no known …" and "no information" entries, by section (IPS absent-unknown codes and their SNOMED forms). */
const ASSERTIONS: Record<"problems" | "medications" | "allergies" | "immunizations", { noneKnown: [string, string][]; noInfo: [string, string][] }> = {
  problems: { noneKnown: [[IPS_ABSENT, "no-known-problems"], [SNOMED, "160245001"]], noInfo: [[IPS_ABSENT, "no-problem-info"]] },
  medications: { noneKnown: [[IPS_ABSENT, "no-known-medications"], [SNOMED, "787481004"]], noInfo: [[IPS_ABSENT, "no-medication-info"]] },
  allergies: {
    noneKnown: [[IPS_ABSENT, "no-known-allergies"], [SNOMED, "716186003"], [SNOMED, "409137002"], [SNOMED, "428607008"]],
    noInfo: [[IPS_ABSENT, "no-allergy-info"]],
  },
  immunizations: { noneKnown: [[IPS_ABSENT, "no-known-immunizations"]], noInfo: [[IPS_ABSENT, "no-immunization-info"]] },
};

function assertionOf(section: keyof typeof ASSERTIONS, concept: unknown): "noneKnown" | "noInfo" | null {
  const codes = ASSERTIONS[section];
  if (codes.noneKnown.some(([system, code]) => hasCoding(concept, system, code))) return "noneKnown";
  if (codes.noInfo.some(([system, code]) => hasCoding(concept, system, code))) return "noInfo";
  return null;
}

/** Vital signs by LOINC code. Diastolic pressure is read with the systolic (one "bp" row), never on its own. */
const VITALS: Record<string, { kind: string; order: number }> = {
  "85354-9": { kind: "bp", order: 0 },
  "55284-4": { kind: "bp", order: 0 },
  "8480-6": { kind: "bp", order: 0 },
  "8462-4": { kind: "bp", order: 0 },
  "8867-4": { kind: "hr", order: 1 },
  "9279-1": { kind: "rr", order: 2 },
  "8310-5": { kind: "temp", order: 3 },
  "8331-1": { kind: "temp", order: 3 },
  "59408-5": { kind: "spo2", order: 4 },
  "2708-6": { kind: "spo2", order: 4 },
  "29463-7": { kind: "weight", order: 5 },
  "3141-9": { kind: "weight", order: 5 },
  "8302-2": { kind: "height", order: 6 },
  "8306-3": { kind: "height", order: 6 },
  "39156-5": { kind: "bmi", order: 7 },
};

/** The resource types the sections are built from (a missing record of another type is named on the chart line). */
const SECTION_TYPES = new Set(["Condition", "MedicationRequest", "MedicationStatement", "Medication", "AllergyIntolerance", "Observation", "Encounter", "Immunization"]);

const SYSTOLIC = "8480-6";
const DIASTOLIC = "8462-4";

function ref(record: SummaryInputRecord): ItemRef {
  return { recordId: record.id, verification: "verified", source: sourceKind(record.source) };
}

function withheldRef(record: SummaryInputRecord): WithheldRef {
  if (record.verification === "verified") throw new Error("a verified record is not withheld");
  return { recordId: record.id, resourceType: record.resourceType, recordedAt: record.recordedAt, verification: record.verification, source: sourceKind(record.source) };
}

function sharingOf(types: readonly string[], shares: BuildOptions["shares"]): Sharing {
  const each = types.map(shares);
  if (each.every((s) => s === "none")) return "none";
  if (each.every((s) => s === "all")) return "all";
  return "partial";
}

function byNewest<T>(key: (item: T) => number) {
  return (a: T, b: T) => key(b) - key(a);
}

function recordedKey(record: { recordedAt: string }): number {
  return Date.parse(record.recordedAt);
}

/** Section completeness: the missing records of its types, and whether "none recorded" may be said of it. */
type Completeness = { missing: MissingCount[]; known: boolean };

function finish<T>(items: T[], cap: number, withheld: WithheldRef[], sharing: Sharing, assertion: Section<T>["assertion"], completeness: Completeness): Section<T> {
  let empty: EmptyReason | null = null;
  // A type the consent does not share says so, whatever else is known: its records are not the viewer's to count.
  const missing = sharing === "none" ? [] : completeness.missing;
  if (items.length === 0) {
    if (sharing === "none") empty = "notShared";
    else if (missing.length > 0) empty = "missing";
    else if (withheld.length > 0) empty = "withheldOnly";
    else if (assertion) empty = assertion.kind;
    else if (sharing === "partial") empty = "partlyShared";
    else if (!completeness.known) empty = "noneFound";
    else empty = "noneRecorded";
  }
  return { items: items.slice(0, cap), more: Math.max(0, items.length - cap), withheld, missing, sharing, assertion, empty };
}

type Verified = SummaryInputRecord & { resource: Json };

function isVerified(record: SummaryInputRecord): record is Verified {
  return record.verification === "verified" && obj(record.resource) !== undefined;
}

// --- problems, medications, allergies, encounters, immunizations -----------------------------------------------

const ACTIVE_PROBLEM = new Set(["active", "recurrence", "relapse"]);
const REFUTED = new Set(["refuted", "entered-in-error"]);

function problem(record: Verified): ProblemItem | null {
  const r = record.resource;
  const status = conceptCode(r.clinicalStatus);
  if (!status || !ACTIVE_PROBLEM.has(status) || REFUTED.has(conceptCode(r.verificationStatus) ?? "")) return null;
  const onsetPeriod = obj(r.onsetPeriod);
  return {
    ...ref(record),
    title: conceptLabel(r.code) ?? "Condition",
    status,
    onset: firstDate(r.onsetDateTime, onsetPeriod?.start, r.recordedDate) ?? null,
    recordedAt: record.recordedAt,
  };
}

function medicationName(r: Json, medications: Map<string, Verified>): { name: string | undefined; medicationRecordId: string | null } {
  const fromConcept = conceptLabel(r.medicationCodeableConcept);
  if (fromConcept) return { name: fromConcept, medicationRecordId: null };
  const reference = obj(r.medicationReference);
  const target = str(reference?.reference);
  if (target?.startsWith("#")) {
    const contained = list(r.contained).map(obj).find((c) => c?.resourceType === "Medication" && c.id === target.slice(1));
    const name = conceptLabel(contained?.code);
    if (name) return { name, medicationRecordId: null };
  } else if (target) {
    const id = target.replace(/^(?:.*\/)?Medication\//, "");
    const medication = medications.get(id);
    const name = conceptLabel(medication?.resource.code);
    if (medication && name) return { name, medicationRecordId: medication.id };
  }
  return { name: str(reference?.display), medicationRecordId: null };
}

function medication(record: Verified, medications: Map<string, Verified>): MedicationItem | null {
  const r = record.resource;
  if (str(r.status) !== "active") return null;
  const kind = record.resourceType === "MedicationRequest" ? "MedicationRequest" : "MedicationStatement";
  const { name, medicationRecordId } = medicationName(r, medications);
  const dosage = obj(list(r.dosage)[0] ?? list(r.dosageInstruction)[0]);
  return {
    ...ref(record),
    name: name ?? kind,
    dose: str(dosage?.text) ?? null,
    since: firstDate(r.authoredOn, r.effectiveDateTime, obj(r.effectivePeriod)?.start, r.dateAsserted) ?? null,
    kind,
    medicationRecordId,
  };
}

function allergy(record: Verified): AllergyItem | null {
  const r = record.resource;
  const status = conceptCode(r.clinicalStatus);
  if (status && status !== "active") return null;
  if (REFUTED.has(conceptCode(r.verificationStatus) ?? "")) return null;
  const reaction = obj(list(r.reaction)[0]);
  return {
    ...ref(record),
    title: conceptLabel(r.code) ?? "AllergyIntolerance",
    criticality: str(r.criticality) ?? null,
    reaction: conceptLabel(list(reaction?.manifestation)[0]) ?? null,
    category: str(list(r.category)[0]) ?? null,
  };
}

function encounter(record: Verified): EncounterItem | null {
  const r = record.resource;
  if (str(r.status) === "entered-in-error" || str(r.status) === "cancelled") return null;
  const period = obj(r.period);
  return {
    ...ref(record),
    title: conceptLabel(list(r.type)[0]) ?? str(obj(r.class)?.display) ?? "Encounter",
    kind: str(obj(r.class)?.code) ?? null,
    start: clinicalDate(period?.start) ?? null,
    end: clinicalDate(period?.end) ?? null,
    reason: conceptLabel(list(r.reasonCode)[0]) ?? null,
    recordedAt: record.recordedAt,
  };
}

function immunization(record: Verified): ImmunizationItem | null {
  const r = record.resource;
  if (str(r.status) === "entered-in-error") return null;
  return { ...ref(record), title: conceptLabel(r.vaccineCode) ?? "Immunization", date: firstDate(r.occurrenceDateTime, r.occurrenceString) ?? null, status: str(r.status) ?? null };
}

const dateKey = (date: ClinicalDate | null, record: { recordedAt: string }) => date?.sortKey ?? recordedKey(record);

// --- vitals and results -------------------------------------------------------------------------------------------

type Candidate = { record: SummaryInputRecord; date: ClinicalDate; point: ValuePoint | null };

function observationDate(r: Json, record: SummaryInputRecord): ClinicalDate {
  return firstDate(r.effectiveDateTime, obj(r.effectivePeriod)?.start, r.effectiveInstant, r.issued) ?? { value: record.recordedAt, precision: "time", sortKey: recordedKey(record) };
}

function quantityText(q: Quantity): string {
  return `${q.comparator ?? ""}${q.value}`;
}

function componentQuantity(r: Json, loinc: string): Quantity | undefined {
  const component = list(r.component)
    .map(obj)
    .find((c) => c && hasCoding(c.code, LOINC, loinc));
  return component ? quantity(component.valueQuantity) : undefined;
}

const FLAG_RANK: Record<string, number> = { N: 0, A: 1, H: 2, L: 2, HH: 3, LL: 3 };

function worse(a: ValuePoint["flag"], b: ValuePoint["flag"]): ValuePoint["flag"] {
  if (!a) return b;
  if (!b) return a;
  return (FLAG_RANK[b.code] ?? 0) > (FLAG_RANK[a.code] ?? 0) ? b : a;
}

function valueText(r: Json): string | undefined {
  return conceptLabel(r.valueCodeableConcept) ?? str(r.valueString) ?? (typeof r.valueBoolean === "boolean" ? String(r.valueBoolean) : undefined);
}

function point(record: Verified, date: ClinicalDate, vitalLoinc: string | null, ageYears: number | null): ValuePoint | null {
  const r = record.resource;
  const q = quantity(r.valueQuantity);
  const base = { recordId: record.id, verification: "verified" as const, source: sourceKind(record.source), date, recordedAt: record.recordedAt };
  if (q) {
    const flag = flagFor(r, q, vitalLoinc ? { loinc: vitalLoinc, ageYears } : null) ?? null;
    return { ...base, text: quantityText(q), numeric: q.comparator ? null : q.value, unit: q.unit, flag };
  }
  const text = valueText(r);
  return text ? { ...base, text, numeric: null, unit: null, flag: flagFor(r, undefined, null) ?? null } : null;
}

/** A blood pressure: a panel's components, or a systolic reading with the diastolic taken at the same time. */
function bloodPressure(record: Verified, date: ClinicalDate, diastolicAt: Map<string, Verified>, ageYears: number | null): ValuePoint | null {
  const r = record.resource;
  let systolic = componentQuantity(r, SYSTOLIC);
  let diastolic = componentQuantity(r, DIASTOLIC);
  let systolicFlag = systolic ? flagFor({}, systolic, { loinc: SYSTOLIC, ageYears }) : undefined;
  let diastolicFlag = diastolic ? flagFor({}, diastolic, { loinc: DIASTOLIC, ageYears }) : undefined;
  let pairedId: string | null = null;
  if (!systolic && hasCoding(r.code, LOINC, SYSTOLIC)) {
    systolic = quantity(r.valueQuantity);
    systolicFlag = systolic ? flagFor(r, systolic, { loinc: SYSTOLIC, ageYears }) : undefined;
    const paired = diastolicAt.get(date.value);
    if (paired) {
      diastolic = quantity(paired.resource.valueQuantity);
      diastolicFlag = diastolic ? flagFor(paired.resource, diastolic, { loinc: DIASTOLIC, ageYears }) : undefined;
      pairedId = paired.id;
    }
  }
  if (!systolic) return null;
  const interpretation = flagFor({ interpretation: r.interpretation }, undefined, null);
  return {
    recordId: record.id,
    verification: "verified",
    source: sourceKind(record.source),
    text: diastolic ? `${systolic.value}/${diastolic.value}` : quantityText(systolic),
    numeric: systolic.comparator ? null : systolic.value,
    unit: systolic.unit,
    date,
    recordedAt: record.recordedAt,
    flag: interpretation ?? worse(systolicFlag ?? null, diastolicFlag ?? null),
    ...(pairedId ? { pairedRecordId: pairedId } : {}),
  };
}

function seriesRow(key: string, loinc: string | null, kind: string | null, label: string, candidates: Candidate[], tampered: WithheldRef[]): SeriesRow {
  candidates.sort((a, b) => b.date.sortKey - a.date.sortKey || recordedKey(b.record) - recordedKey(a.record));
  const newest = candidates[0]!;
  let latestWithheld: WithheldRef | null = newest.record.verification === "verified" ? null : withheldRef(newest.record);
  const values = candidates.map((c) => c.point).filter((p): p is ValuePoint => p !== null);
  // A tampered observation's test is unknown (its content is untrusted): it may be this row's newest value, so a
  // row whose newest verified value is not newer than it shows no "latest" value.
  if (!latestWithheld && values[0]) {
    const newestVerified = recordedKey(values[0]);
    const shadow = tampered.find((t) => recordedKey(t) >= newestVerified);
    if (shadow) latestWithheld = shadow;
  }
  const unit = values[0]?.unit ?? null;
  const sameUnit = values.filter((v) => v.unit === unit && v.numeric !== null);
  const trend: TrendPoint[] = sameUnit
    .slice(0, TREND_POINTS)
    .map((v) => ({ recordId: v.recordId, value: v.numeric!, at: v.date.sortKey }))
    .reverse();
  const change = !latestWithheld && sameUnit.length >= 2 && sameUnit[0] === values[0] ? round(sameUnit[0]!.numeric! - sameUnit[1]!.numeric!) : null;
  return {
    key,
    loinc,
    kind,
    label,
    unit,
    values: values.slice(0, VALUES_PER_ROW),
    olderCount: Math.max(0, values.length - VALUES_PER_ROW),
    latestWithheld,
    change,
    trend,
  };
}

function newestOf(row: SeriesRow): number {
  const day = 86_400_000;
  const newest = Math.max(row.values[0]?.date.sortKey ?? 0, row.latestWithheld ? recordedKey(row.latestWithheld) : 0);
  return Math.floor(newest / day);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// --- the summary ----------------------------------------------------------------------------------------------

export function buildClinicalSummary(records: readonly SummaryInputRecord[], options: BuildOptions): ClinicalSummary {
  const { shares, completeness, ageYears } = options;
  const missingByType = options.missing ?? {};
  const unknownMissing = (missingByType.unknown ?? 0) > 0;
  // "None recorded" needs this request's completeness check to have run, and no missing record of the section's types.
  const complete = (...types: string[]): Completeness => {
    const missing = types.flatMap((type) => (missingByType[type] ? [{ resourceType: type, count: missingByType[type] }] : []));
    return { missing, known: completeness !== "unchecked" && !unknownMissing && missing.length === 0 };
  };
  const ofType = (...types: string[]) => records.filter((r) => types.includes(r.resourceType));
  const verifiedOf = (...types: string[]) => ofType(...types).filter(isVerified);
  const withheldOf = (...types: string[]) => ofType(...types).filter((r) => r.verification !== "verified").map(withheldRef);

  // Sections with IPS assertions: the assertion entries are not list items.
  function listSection<T>(section: keyof typeof ASSERTIONS, types: string[], code: (r: Json) => unknown, toItem: (r: Verified) => T | null, sortKey: (item: T) => number, cap: number): Section<T> {
    let assertion: Section<T>["assertion"] = null;
    const items: T[] = [];
    for (const record of verifiedOf(...types)) {
      const kind = assertionOf(section, code(record.resource));
      if (kind) {
        if (!assertion || kind === "noneKnown") assertion = { kind, ref: ref(record), text: conceptLabel(code(record.resource)) ?? kind };
        continue;
      }
      const item = toItem(record);
      if (item) items.push(item);
    }
    items.sort(byNewest(sortKey));
    return finish(items, cap, withheldOf(...types), sharingOf(types, shares), assertion, complete(...types, ...(section === "medications" ? ["Medication"] : [])));
  }

  const problems = listSection("problems", ["Condition"], (r) => r.code, problem, (p) => dateKey(p.onset, p), SECTION_CAPS.problems);

  const medicationRecords = new Map<string, Verified>();
  for (const m of verifiedOf("Medication")) {
    const id = str(m.resource.id);
    if (id) medicationRecords.set(id, m);
  }
  const medications = listSection(
    "medications",
    ["MedicationRequest", "MedicationStatement"],
    (r) => r.medicationCodeableConcept,
    (r) => medication(r, medicationRecords),
    (m) => dateKey(m.since, { recordedAt: records.find((r) => r.id === m.recordId)!.recordedAt }),
    SECTION_CAPS.medications,
  );
  const allergies = listSection("allergies", ["AllergyIntolerance"], (r) => r.code, allergy, (a) => recordedKey(records.find((r) => r.id === a.recordId)!), SECTION_CAPS.allergies);
  const immunizations = listSection("immunizations", ["Immunization"], (r) => r.vaccineCode, immunization, (i) => dateKey(i.date, records.find((r) => r.id === i.recordId)!), SECTION_CAPS.immunizations);

  const encounterItems = verifiedOf("Encounter")
    .map(encounter)
    .filter((e): e is EncounterItem => e !== null)
    .sort(byNewest((e) => dateKey(e.start, records.find((r) => r.id === e.recordId)!)));
  const encounters = finish(encounterItems, SECTION_CAPS.encounters, withheldOf("Encounter"), sharingOf(["Encounter"], shares), null, complete("Encounter"));

  // Observations: tampered ones cannot be placed (their code is untrusted); the others go to their vital or test.
  const observations = ofType("Observation");
  const tampered = observations.filter((r) => r.verification === "tampered").map(withheldRef);
  const diastolicAt = new Map<string, Verified>();
  for (const record of observations.filter(isVerified)) {
    if (hasCoding(record.resource.code, LOINC, DIASTOLIC)) diastolicAt.set(observationDate(record.resource, record).value, record);
  }
  const vitalGroups = new Map<string, { label: string; loinc: string; order: number; candidates: Candidate[] }>();
  const resultGroups = new Map<string, { label: string; loinc: string | null; candidates: Candidate[] }>();
  for (const record of observations) {
    const r = obj(record.resource);
    if (!r || record.verification === "tampered") continue;
    if (str(r.status) === "entered-in-error" || str(r.status) === "cancelled") continue;
    const test = testKey(r.code);
    if (!test) continue;
    const vital = test.loinc ? VITALS[test.loinc] : undefined;
    const date = observationDate(r, record);
    const verified = isVerified(record) ? record : null;
    if (vital) {
      if (test.loinc === DIASTOLIC && !componentQuantity(r, SYSTOLIC)) continue; // read with its systolic
      const p = verified ? (vital.kind === "bp" ? bloodPressure(verified, date, diastolicAt, ageYears) : point(verified, date, test.loinc, ageYears)) : null;
      const group = vitalGroups.get(vital.kind) ?? { label: test.label, loinc: test.loinc!, order: vital.order, candidates: [] };
      group.candidates.push({ record, date, point: p });
      vitalGroups.set(vital.kind, group);
    } else {
      const group = resultGroups.get(test.key) ?? { label: test.label, loinc: test.loinc, candidates: [] };
      group.candidates.push({ record, date, point: verified ? point(verified, date, null, ageYears) : null });
      resultGroups.set(test.key, group);
    }
  }
  const vitalRows = [...vitalGroups.entries()]
    .sort((a, b) => a[1].order - b[1].order)
    .map(([kind, g]) => seriesRow(kind, g.loinc, kind, g.label, g.candidates, tampered));
  const observationSharing = sharingOf(["Observation"], shares);
  const observationWithheld = (kinds: SeriesRow[]) => {
    // Withheld observations a row could not claim (tampered: the test is unknown) are listed with the section.
    const claimed = new Set(kinds.flatMap((k) => (k.latestWithheld ? [k.latestWithheld.recordId] : [])));
    return observations.filter((r) => r.verification !== "verified" && (r.verification === "tampered" || !claimed.has(r.id))).map(withheldRef);
  };
  const vitalsWithheld = observationWithheld(vitalRows).filter((w) => w.verification === "tampered" || vitalRows.some((row) => row.latestWithheld?.recordId === w.recordId));
  const vitals = finish(
    vitalRows.filter((row) => row.values.length > 0 || row.latestWithheld),
    SECTION_CAPS.vitals,
    vitalsWithheld,
    observationSharing,
    null,
    complete("Observation"),
  );

  const resultRows = [...resultGroups.entries()]
    .map(([key, g]) => seriesRow(key, g.loinc, null, g.label, g.candidates, tampered))
    .filter((row) => row.values.length > 0 || row.latestWithheld)
    // Newest first; among tests of the same day, the longer history first (the patient's tracked tests).
    .sort((a, b) => newestOf(b) - newestOf(a) || b.values.length + b.olderCount - (a.values.length + a.olderCount) || a.label.localeCompare(b.label));
  const vitalIds = new Set(vitalRows.flatMap((row) => (row.latestWithheld ? [row.latestWithheld.recordId] : [])));
  const resultsWithheld = observationWithheld(resultRows).filter((w) => w.verification === "tampered" || !vitalIds.has(w.recordId));
  const results = finish(resultRows, options.allResults ? resultRows.length : SECTION_CAPS.results, resultsWithheld, observationSharing, null, complete("Observation"));

  const summary = { problems, medications, allergies, vitals, results, encounters, immunizations };
  const missingElsewhere = Object.entries(missingByType)
    .filter(([type, count]) => count > 0 && !SECTION_TYPES.has(type))
    .map(([resourceType, count]) => ({ resourceType, count }));
  return { ...summary, completeness, missingElsewhere, recordIds: summaryRecordIds(summary) };
}

/** Every record whose content or state the summary shows (the access event lists them all). */
function summaryRecordIds(summary: Omit<ClinicalSummary, "completeness" | "recordIds" | "missingElsewhere">): string[] {
  const ids = new Set<string>();
  const add = (id: string | null | undefined) => {
    if (id) ids.add(id);
  };
  for (const section of Object.values(summary) as Section<unknown>[]) {
    for (const w of section.withheld) add(w.recordId);
    add(section.assertion?.ref.recordId);
    for (const item of section.items as Record<string, unknown>[]) {
      add(item.recordId as string | undefined);
      add(item.medicationRecordId as string | null | undefined);
      const row = item as Partial<SeriesRow>;
      for (const v of row.values ?? []) {
        add(v.recordId);
        add(v.pairedRecordId);
      }
      for (const t of row.trend ?? []) add(t.recordId);
      add(row.latestWithheld?.recordId);
    }
  }
  return [...ids];
}

