/**
 * The realistic-mix charts of `npm run bench -- --mix` (issue #20 part 4, #19): MIX.patients patients of
 * MIX.recordsPerPatient records each, as a chronic outpatient's chart looks after four years — quarterly visits with
 * vitals, HbA1c, a lipid panel DiagnosticReport with its result Observations, a metabolic panel and blood count, yearly
 * thyroid and urine tests; conditions active and resolved, medications started and stopped, allergies, immunizations,
 * procedures, care plans and family history. Deterministic per patient index; values vary by patient and over time.
 */
import { observation } from "@/lib/jobs/demo-data";

export const MIX = { patients: 20, recordsPerPatient: 1_000, years: 4 } as const;

type Resource = Record<string, unknown>;
export type MixRecord = { resourceType: string; resource: Resource; recordedAt: Date };

const LOINC = "http://loinc.org";
const SNOMED = "http://snomed.info/sct";
const DAY = 86_400_000;
const clinical = (code: string) => ({ coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code }] });

/** [LOINC, display, base value, unit, low, high] of the panels drawn at each visit. */
type Lab = readonly [string, string, number, string, number | undefined, number | undefined];
const METABOLIC: readonly Lab[] = [
  ["2345-7", "Glucose [Mass/volume] in Serum or Plasma", 128, "mg/dL", 70, 99],
  ["2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 1.1, "mg/dL", 0.6, 1.2],
  ["33914-3", "eGFR", 68, "mL/min/1.73m2", 60, undefined],
  ["3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", 18, "mg/dL", 7, 20],
  ["2951-2", "Sodium [Moles/volume] in Serum or Plasma", 140, "mmol/L", 135, 145],
  ["2823-3", "Potassium [Moles/volume] in Serum or Plasma", 4.3, "mmol/L", 3.5, 5.1],
  ["2075-0", "Chloride [Moles/volume] in Serum or Plasma", 102, "mmol/L", 98, 107],
  ["2028-9", "Carbon dioxide, total [Moles/volume] in Serum or Plasma", 25, "mmol/L", 22, 29],
  ["17861-6", "Calcium [Mass/volume] in Serum or Plasma", 9.4, "mg/dL", 8.6, 10.3],
  ["1742-6", "ALT [Enzymatic activity/volume] in Serum or Plasma", 28, "U/L", 7, 56],
  ["1920-8", "AST [Enzymatic activity/volume] in Serum or Plasma", 24, "U/L", 10, 40],
  ["6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma", 80, "U/L", 44, 147],
  ["1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", 0.7, "mg/dL", 0.1, 1.2],
  ["1751-7", "Albumin [Mass/volume] in Serum or Plasma", 4.2, "g/dL", 3.5, 5],
  ["2885-8", "Protein [Mass/volume] in Serum or Plasma", 7.1, "g/dL", 6, 8.3],
];
const BLOOD_COUNT: readonly Lab[] = [
  ["6690-2", "Leukocytes [#/volume] in Blood", 6.8, "10*3/uL", 4, 11],
  ["789-8", "Erythrocytes [#/volume] in Blood", 4.6, "10*6/uL", 4.2, 5.9],
  ["718-7", "Hemoglobin [Mass/volume] in Blood", 13.4, "g/dL", 12, 17],
  ["4544-3", "Hematocrit [Volume Fraction] of Blood", 40, "%", 36, 50],
  ["777-3", "Platelets [#/volume] in Blood", 250, "10*3/uL", 150, 400],
  ["787-2", "MCV [Entitic volume]", 89, "fL", 80, 100],
];
const LIPIDS: readonly Lab[] = [
  ["2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", 205, "mg/dL", undefined, 200],
  ["2085-9", "HDL Cholesterol [Mass/volume] in Serum or Plasma", 45, "mg/dL", 40, undefined],
  ["18262-6", "LDL Cholesterol [Mass/volume] in Serum or Plasma by Direct assay", 125, "mg/dL", undefined, 100],
  ["2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", 160, "mg/dL", undefined, 150],
];
const YEARLY: readonly Lab[] = [
  ["3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", 2.1, "m[IU]/L", 0.4, 4],
  ["9318-7", "Albumin/Creatinine [Mass Ratio] in Urine", 22, "mg/g", undefined, 30],
  ["1989-3", "Vitamin D 25-Hydroxy [Mass/volume] in Serum or Plasma", 24, "ng/mL", 30, 100],
  ["3084-1", "Urate [Mass/volume] in Serum or Plasma", 6.1, "mg/dL", 3.5, 7.2],
  ["2276-4", "Ferritin [Mass/volume] in Serum or Plasma", 110, "ng/mL", 24, 336],
  ["1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", 3.2, "mg/L", undefined, 10],
];

/**
 * `MIX.recordsPerPatient` records for patient `index`, the newest at `now`, spread over MIX.years: the chart's history
 * first (problems, medications, allergies, family history), then visit after visit until the count is reached.
 */
export function mixRecords(index: number, now: Date, count: number = MIX.recordsPerPatient): MixRecord[] {
  const start = now.getTime() - MIX.years * 365 * DAY;
  const at = (days: number) => new Date(start + days * DAY + index * 3_600_000);
  const out: MixRecord[] = [];
  const push = (recordedAt: Date, resource: Resource) => out.push({ resourceType: resource.resourceType as string, resource, recordedAt });
  // A little wobble per patient, visit and analyte, deterministic.
  const wobble = (visit: number, k: number) => 1 + 0.08 * Math.sin(index * 7.1 + visit * 1.3 + k * 0.7);
  const lab = (days: number, visit: number, k: number, [code, display, base, unit, low, high]: Lab, id?: string) => {
    const when = at(days);
    const resource = { ...(id ? { id } : {}), ...observation(code, display, base * wobble(visit, k), unit, low, high), effectiveDateTime: when.toISOString() };
    push(when, resource);
  };
  const vital = (days: number, code: string, display: string, value: number, unit: string) =>
    push(at(days), {
      resourceType: "Observation", status: "final",
      category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs" }] }],
      code: { coding: [{ system: LOINC, code, display }], text: display },
      effectiveDateTime: at(days).toISOString(),
      valueQuantity: { value: Math.round(value * 10) / 10, unit, system: "http://unitsofmeasure.org", code: unit },
    });

  // The history: problems (active and resolved), medications (active and stopped), allergies, family history.
  const condition = (days: number, code: string, display: string, status: "active" | "resolved") =>
    push(at(days), { resourceType: "Condition", clinicalStatus: clinical(status), code: { coding: [{ system: SNOMED, code, display }], text: display }, onsetDateTime: at(days).toISOString().slice(0, 10), ...(status === "resolved" ? { abatementDateTime: at(days + 40).toISOString().slice(0, 10) } : {}) });
  condition(1, "44054006", "Type 2 diabetes mellitus", "active");
  condition(2, "38341003", "Hypertension", "active");
  condition(3, "55822004", "Hyperlipidemia", "active");
  condition(200, "233604007", "Pneumonia", "resolved");
  condition(500, "68566005", "Urinary tract infection", "resolved");
  condition(900, "195662009", "Acute viral pharyngitis", "resolved");
  const medication = (days: number, text: string, dose: string, status: "active" | "stopped") =>
    push(at(days), { resourceType: "MedicationRequest", status, intent: "order", medicationCodeableConcept: { text }, authoredOn: at(days).toISOString().slice(0, 10), dosageInstruction: [{ text: dose }] });
  medication(1, "Metformin 1000 mg tablet", "1 tablet by mouth twice daily with meals", "active");
  medication(2, "Amlodipine 5 mg tablet", "1 tablet by mouth once daily", "active");
  medication(3, "Atorvastatin 20 mg tablet", "1 tablet by mouth at bedtime", "active");
  medication(200, "Amoxicillin 500 mg capsule", "1 capsule three times daily for 7 days", "stopped");
  push(at(4), { resourceType: "MedicationStatement", status: "active", medicationCodeableConcept: { text: "Aspirin 100 mg tablet" }, dosage: [{ text: "1 tablet daily" }] });
  push(at(5), { resourceType: "AllergyIntolerance", criticality: "high", code: { text: index % 2 === 0 ? "Penicillin" : "Iodinated contrast" }, reaction: [{ manifestation: [{ text: index % 2 === 0 ? "Hives" : "Anaphylaxis" }] }] });
  push(at(6), { resourceType: "AllergyIntolerance", criticality: "low", code: { text: "Shellfish" }, reaction: [{ manifestation: [{ text: "Itching" }] }] });
  push(at(7), { resourceType: "FamilyMemberHistory", status: "completed", relationship: { text: "Father" }, condition: [{ code: { text: "Myocardial infarction" } }] });
  push(at(8), { resourceType: "CarePlan", status: "active", intent: "plan", title: "Diabetes self-management", description: "HbA1c every 3 months, lipids every 3 months, yearly eye and foot exams" });

  // Visits every ~2 weeks until the count is reached (the history above plus ~38 records per full visit).
  const span = MIX.years * 365 - 20;
  const visits = Math.max(1, Math.ceil((count - out.length) / 38));
  for (let v = 0; out.length < count; v++) {
    const d = 10 + Math.floor((v * span) / visits);
    push(at(d), { resourceType: "Encounter", status: "finished", class: { code: "AMB", display: "ambulatory" }, type: [{ text: v % 4 === 0 ? "Chronic disease review" : "Follow-up" }], period: { start: at(d).toISOString() } });
    vital(d, "8480-6", "Systolic blood pressure", 132 * wobble(v, 1), "mm[Hg]");
    vital(d, "8462-4", "Diastolic blood pressure", 82 * wobble(v, 2), "mm[Hg]");
    vital(d, "8867-4", "Heart rate", 74 * wobble(v, 3), "/min");
    vital(d, "29463-7", "Body weight", 82 - v * 0.05 + 2 * Math.sin(v), "kg");
    vital(d, "39156-5", "Body mass index (BMI) [Ratio]", 28.4 * wobble(v, 4), "kg/m2");
    lab(d, v, 5, ["4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", 7.1, "%", undefined, 5.6]);
    // The lipid panel as a DiagnosticReport with its result Observations.
    const ids = LIPIDS.map((_, k) => `mix-${index}-${v}-lipid-${k}`);
    LIPIDS.forEach((l, k) => lab(d, v, 10 + k, l, ids[k]));
    push(at(d), {
      resourceType: "DiagnosticReport", status: "final",
      category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0074", code: "CH", display: "Chemistry" }] }],
      code: { coding: [{ system: LOINC, code: "57698-3", display: "Lipid panel with direct LDL - Serum or Plasma" }], text: "Lipid panel" },
      effectiveDateTime: at(d).toISOString(), issued: at(d).toISOString(),
      result: ids.map((id) => ({ reference: `Observation/${id}` })),
    });
    METABOLIC.forEach((l, k) => lab(d, v, 20 + k, l));
    BLOOD_COUNT.forEach((l, k) => lab(d, v, 40 + k, l));
    if (v % 8 === 0) YEARLY.forEach((l, k) => lab(d, v, 50 + k, l));
    if (v % 12 === 3) push(at(d), { resourceType: "Immunization", status: "completed", vaccineCode: { text: "Influenza vaccine" }, occurrenceDateTime: at(d).toISOString() });
    if (v % 20 === 7) push(at(d), { resourceType: "Procedure", status: "completed", code: { text: v % 40 === 7 ? "Diabetic retinal examination" : "Colonoscopy" }, outcome: { text: "No abnormal findings" } });
  }
  return out.slice(0, count);
}
