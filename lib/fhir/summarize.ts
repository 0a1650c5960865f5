// Display helpers for FHIR R4 resources: a short, readable line per record. Anything unrecognised falls back to
// the resource type; the full resource stays available for a structured view.

type Json = Record<string, unknown>;

/**
 * title/value/detail are the record's own words (shown as written); status, criticality and flag are FHIR codes,
 * which the UI translates.
 */
export type RecordSummary = {
  title: string;
  value: string | null;
  detail: string | null;
  status: string | null;
  criticality: string | null;
  /** Observation interpretation code (v3 ObservationInterpretation): H, L, N, A, HH, LL… */
  flag: string | null;
  /** Observation reference range as written, e.g. "4.0–10.0 10*3/uL". */
  range: string | null;
};

function obj(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** A CodeableConcept's text, else its first coding's display, else its code. */
export function conceptText(concept: unknown): string | undefined {
  const c = obj(concept);
  if (!c) return undefined;
  const coding = Array.isArray(c.coding) ? obj(c.coding[0]) : undefined;
  return str(c.text) ?? str(coding?.display) ?? str(coding?.code);
}

function quantityText(quantity: unknown): string | undefined {
  const q = obj(quantity);
  if (!q || typeof q.value !== "number") return undefined;
  const unit = str(q.unit) ?? str(q.code);
  return unit ? `${q.value} ${unit}` : String(q.value);
}

function rangeText(range: unknown): string | undefined {
  const r = obj(range);
  if (!r) return undefined;
  const low = obj(r.low);
  const high = obj(r.high);
  const unit = str(high?.unit) ?? str(low?.unit) ?? "";
  const lowValue = typeof low?.value === "number" ? String(low.value) : "";
  const highValue = typeof high?.value === "number" ? String(high.value) : "";
  const suffix = unit ? ` ${unit}` : "";
  if (lowValue && highValue) return `${lowValue}–${highValue}${suffix}`;
  if (highValue) return `≤ ${highValue}${suffix}`;
  if (lowValue) return `≥ ${lowValue}${suffix}`;
  return str(r.text);
}

function observationValue(resource: Json): string | undefined {
  return (
    quantityText(resource.valueQuantity) ??
    conceptText(resource.valueCodeableConcept) ??
    str(resource.valueString) ??
    (typeof resource.valueBoolean === "boolean" ? String(resource.valueBoolean) : undefined)
  );
}

/** The first coding's code of a CodeableConcept (FHIR codes are shown translated, not raw). */
function conceptCode(concept: unknown): string | undefined {
  return str(obj(first(obj(concept)?.coding))?.code);
}

export function summarizeResource(resource: unknown): RecordSummary {
  const r = obj(resource) ?? {};
  const type = str(r.resourceType) ?? "Resource";
  const base = { title: type, value: null, detail: null, status: str(r.status) ?? null, criticality: null, flag: null, range: null };
  switch (type) {
    case "Observation":
      return {
        ...base,
        title: conceptText(r.code) ?? type,
        value: observationValue(r) ?? null,
        flag: conceptCode(first(r.interpretation)) ?? null,
        range: rangeText(first(r.referenceRange)) ?? null,
      };
    case "Condition":
      return { ...base, title: conceptText(r.code) ?? type, status: conceptCode(r.clinicalStatus) ?? null };
    case "AllergyIntolerance":
      return {
        ...base,
        title: conceptText(r.code) ?? type,
        criticality: str(r.criticality) ?? null,
        detail: conceptText(first(obj(first(r.reaction))?.manifestation)) ?? null,
        status: conceptCode(r.clinicalStatus) ?? null,
      };
    case "MedicationStatement":
    case "MedicationRequest":
      return { ...base, title: conceptText(r.medicationCodeableConcept) ?? type, detail: str(obj(first(r.dosage) ?? first(r.dosageInstruction))?.text) ?? null };
    case "Immunization":
      return { ...base, title: conceptText(r.vaccineCode) ?? type };
    case "Procedure":
      return { ...base, title: conceptText(r.code) ?? type, detail: conceptText(r.outcome) ?? null };
    case "DiagnosticReport":
      return { ...base, title: conceptText(r.code) ?? type, detail: str(r.conclusion) ?? null };
    case "Encounter":
      return { ...base, title: conceptText(first(r.type)) ?? type };
    case "DocumentReference":
      // An uploaded document is known by its kind and its description (the file's name), not by its resource type.
      return { ...base, title: conceptText(r.type) ?? str(r.description) ?? type, detail: conceptText(r.type) ? (str(r.description) ?? null) : null };
    default:
      return base;
  }
}
