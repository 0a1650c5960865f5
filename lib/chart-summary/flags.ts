import { codings, list, num, obj, type Quantity } from "./fhir-values";

/**
 * A result's flag and who said so: the record's own interpretation, the record's own reference range, or the
 * product's range for a vital sign (labelled as the product's, see docs/decisions/018-chart-summary.md).
 */
export type Flag = { code: "H" | "L" | "HH" | "LL" | "A" | "N"; source: "record" | "range" | "product" };

const INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
const KNOWN: Record<string, Flag["code"]> = { H: "H", HH: "HH", HU: "HH", L: "L", LL: "LL", LU: "LL", A: "A", AA: "A", N: "N", ">": "H", "<": "L" };

/** The record's own interpretation (v3 ObservationInterpretation, or any coding using its codes). */
export function interpretationFlag(interpretation: unknown): Flag | undefined {
  for (const concept of list(interpretation)) {
    for (const c of codings(concept)) {
      if (!c.code) continue;
      if (c.system !== undefined && c.system !== INTERPRETATION && !c.system.endsWith("v2-0078")) continue;
      const code = KNOWN[c.code];
      if (code) return { code, source: "record" };
    }
  }
  return undefined;
}

/** Compares with the record's own first reference range, when its unit agrees with the value's. */
export function rangeFlag(value: Quantity, referenceRange: unknown): Flag | undefined {
  const range = obj(list(referenceRange)[0]);
  if (!range) return undefined;
  const low = obj(range.low);
  const high = obj(range.high);
  const sameUnit = (q: Record<string, unknown> | undefined) => {
    const unit = typeof q?.unit === "string" ? q.unit : typeof q?.code === "string" ? q.code : null;
    return unit === null || value.unit === null || unit === value.unit;
  };
  const lowValue = sameUnit(low) ? num(low?.value) : undefined;
  const highValue = sameUnit(high) ? num(high?.value) : undefined;
  if (lowValue === undefined && highValue === undefined) return undefined;
  if (lowValue !== undefined && value.value < lowValue) return { code: "L", source: "range" };
  if (highValue !== undefined && value.value > highValue) return { code: "H", source: "range" };
  return { code: "N", source: "range" };
}

/**
 * The product's own ranges, for vital signs only and for adults only: children's normal vitals depend on age in
 * ways a single table gets wrong (an infant's heart rate of 140 is normal), so under 18 the product flags nothing
 * and shows the value as recorded. Listed in docs/decisions/018-chart-summary.md.
 */
export const ADULT_VITAL_RANGES: Record<string, { low: number; high: number; unit: string }> = {
  "8480-6": { low: 90, high: 139, unit: "mm[Hg]" }, // systolic
  "8462-4": { low: 60, high: 89, unit: "mm[Hg]" }, // diastolic
  "8867-4": { low: 60, high: 100, unit: "/min" }, // heart rate
  "9279-1": { low: 12, high: 20, unit: "/min" }, // respiratory rate
  "8310-5": { low: 36, high: 37.9, unit: "Cel" }, // body temperature
  "59408-5": { low: 94, high: 100, unit: "%" }, // SpO2 (pulse oximetry)
  "2708-6": { low: 94, high: 100, unit: "%" }, // SaO2
  "39156-5": { low: 18.5, high: 24.9, unit: "kg/m2" }, // BMI
};

const UNIT_ALIASES: Record<string, string> = { mmhg: "mm[Hg]", "mm[hg]": "mm[Hg]", "bpm": "/min", "beats/min": "/min", "/min": "/min", "breaths/min": "/min", cel: "Cel", "°c": "Cel", c: "Cel", "%": "%", "kg/m2": "kg/m2", "kg/m²": "kg/m2" };

function normalUnit(unit: string | null): string | null {
  return unit === null ? null : (UNIT_ALIASES[unit.toLowerCase()] ?? unit);
}

export function productVitalFlag(loinc: string, value: Quantity, ageYears: number | null): Flag | undefined {
  const range = ADULT_VITAL_RANGES[loinc];
  if (!range || ageYears === null || ageYears < 18) return undefined;
  if (normalUnit(value.unit) !== range.unit) return undefined;
  if (value.value < range.low) return { code: "L", source: "product" };
  if (value.value > range.high) return { code: "H", source: "product" };
  return { code: "N", source: "product" };
}

/** The record's interpretation first, then its own range; the product's range only for vitals without either. */
export function flagFor(resource: { interpretation?: unknown; referenceRange?: unknown }, value: Quantity | undefined, vital: { loinc: string; ageYears: number | null } | null): Flag | undefined {
  const own = interpretationFlag(resource.interpretation);
  if (own) return own;
  if (!value) return undefined;
  const ranged = rangeFlag(value, resource.referenceRange);
  if (ranged) return ranged;
  return vital ? productVitalFlag(vital.loinc, value, vital.ageYears) : undefined;
}
