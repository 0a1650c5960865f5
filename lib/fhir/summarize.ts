// Display helpers for FHIR R4 resources: a short, readable line per record. Anything unrecognised falls back to
// the resource type; the full resource stays available for a structured view.

type Json = Record<string, unknown>;

export type RecordSummary = { title: string; value: string | null; detail: string | null };

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

function observationValue(resource: Json): string | undefined {
  return (
    quantityText(resource.valueQuantity) ??
    conceptText(resource.valueCodeableConcept) ??
    str(resource.valueString) ??
    (typeof resource.valueBoolean === "boolean" ? String(resource.valueBoolean) : undefined)
  );
}

export function summarizeResource(resource: unknown): RecordSummary {
  const r = obj(resource) ?? {};
  const type = str(r.resourceType) ?? "Resource";
  switch (type) {
    case "Observation": {
      return { title: conceptText(r.code) ?? type, value: observationValue(r) ?? null, detail: conceptText(first(r.interpretation)) ?? null };
    }
    case "Condition":
      return { title: conceptText(r.code) ?? type, value: conceptText(r.clinicalStatus) ?? null, detail: null };
    case "AllergyIntolerance":
      return {
        title: conceptText(r.code) ?? type,
        value: str(r.criticality) ?? null,
        detail: conceptText(first(obj(first(r.reaction))?.manifestation)) ?? null,
      };
    case "MedicationStatement":
    case "MedicationRequest": {
      const dosage = obj(first(r.dosage) ?? first(r.dosageInstruction));
      return { title: conceptText(r.medicationCodeableConcept) ?? type, value: str(r.status) ?? null, detail: str(dosage?.text) ?? null };
    }
    case "Immunization":
      return { title: conceptText(r.vaccineCode) ?? type, value: str(r.status) ?? null, detail: null };
    case "Procedure":
      return { title: conceptText(r.code) ?? type, value: str(r.status) ?? null, detail: conceptText(r.outcome) ?? null };
    case "DiagnosticReport":
      return { title: conceptText(r.code) ?? type, value: str(r.status) ?? null, detail: str(r.conclusion) ?? null };
    case "Encounter":
      return { title: conceptText(first(r.type)) ?? type, value: str(r.status) ?? null, detail: null };
    default:
      return { title: type, value: null, detail: null };
  }
}
