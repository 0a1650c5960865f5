// A Synthea-sized FHIR R4 history (≥ 300 entries, resolved and active conditions, ≥ 20 LOINC codes) for a patient to
// upload through the portal; deterministic, dated relative to `now`. Shaped like Synthea's output: a visit every
// few months with its vitals and labs, conditions that come and go, medications, immunizations.
import { LONG_HISTORY } from "./uploader";

const LOINC = "http://loinc.org";
const SNOMED = "http://snomed.info/sct";

/** [code, display, unit, base, step, low, high]: values drift by `step` per visit around `base`. */
const LABS: [string, string, string, number, number, number | null, number | null][] = [
  ["4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 6.4, 0.1, null, 5.6],
  ["2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 118, 2, 70, 99],
  ["2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.9, 0.02, 0.5, 1.1],
  ["33914-3", "Glomerular filtration rate/1.73 sq M.predicted", "mL/min/{1.73_m2}", 74, -1, 60, null],
  ["2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 214, -3, null, 199],
  ["18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", 136, -3, null, 99],
  ["2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", 46, 0.3, 40, null],
  ["2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 176, -2, null, 149],
  ["718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 13.2, -0.05, 12, 16],
  ["6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 6.8, 0.05, 4, 10],
  ["777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 248, 1, 150, 400],
  ["2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 140, 0, 135, 145],
  ["2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 4.3, 0.02, 3.5, 5.1],
  ["3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", 15, 0.3, 7, 20],
  ["1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 24, 0.5, 7, 35],
  ["1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 22, 0.4, 8, 35],
  ["14959-1", "Microalbumin/Creatinine [Mass Ratio] in Urine", "mg/g", 18, 1.5, null, 30],
  ["3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L", 2.1, 0.05, 0.4, 4.5],
];
const VITALS: [string, string, string, number, number][] = [
  ["8867-4", "Heart rate", "/min", 76, 0.5],
  ["29463-7", "Body weight", "kg", 68, 0.2],
  ["39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 26.5, 0.08],
  ["8310-5", "Body temperature", "Cel", 36.6, 0],
];

type Entry = { resource: Record<string, unknown> };

export function longHistoryBundle(now: Date): { resourceType: "Bundle"; type: "collection"; entry: Entry[] } {
  const day = 86_400_000;
  const iso = (daysAgo: number) => new Date(now.getTime() - daysAgo * day).toISOString();
  const subject = { reference: "Patient/long-history" };
  const entry: Entry[] = [{ resource: { resourceType: "Patient", id: "long-history", name: [{ family: "Oh", given: ["Ha-neul"] }], birthDate: LONG_HISTORY.birthDate } }];
  const condition = (code: string, display: string, onset: string, status: "active" | "resolved", abated?: string) =>
    entry.push({
      resource: {
        resourceType: "Condition",
        clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: status }] },
        code: { coding: [{ system: SNOMED, code, display }], text: display },
        subject,
        onsetDateTime: onset,
        ...(abated ? { abatementDateTime: abated } : {}),
      },
    });
  condition("44054006", "Diabetes mellitus type 2", "2016", "active");
  condition("59621000", "Essential hypertension", "2014-09", "active");
  condition("55822004", "Hyperlipidemia", "2017-03-02", "active");
  condition("162864005", "Body mass index 25-29 - overweight", "2015", "active");
  condition("195662009", "Acute viral pharyngitis", iso(700).slice(0, 10), "resolved", iso(690).slice(0, 10));
  condition("10509002", "Acute bronchitis", iso(500).slice(0, 10), "resolved", iso(480).slice(0, 10));
  condition("444814009", "Viral sinusitis", iso(300).slice(0, 10), "resolved", iso(285).slice(0, 10));
  condition("70704007", "Sprain of wrist", iso(200).slice(0, 10), "resolved", iso(170).slice(0, 10));

  const meds: [string, string][] = [
    ["Metformin hydrochloride 500 mg oral tablet", "1 tablet twice daily"],
    ["Lisinopril 10 mg oral tablet", "1 tablet once daily"],
    ["Atorvastatin 20 mg oral tablet", "1 tablet at bedtime"],
  ];
  for (const [name, dose] of meds) {
    entry.push({ resource: { resourceType: "MedicationRequest", status: "active", intent: "order", subject, medicationCodeableConcept: { text: name }, authoredOn: iso(900).slice(0, 10), dosageInstruction: [{ text: dose }] } });
  }
  entry.push({ resource: { resourceType: "MedicationRequest", status: "completed", intent: "order", subject, medicationCodeableConcept: { text: "Amoxicillin 500 mg oral capsule" }, authoredOn: iso(500).slice(0, 10), dosageInstruction: [{ text: "1 capsule three times daily for 7 days" }] } });
  entry.push({ resource: { resourceType: "AllergyIntolerance", clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code: "active" }] }, code: { text: "Shellfish" }, patient: subject, criticality: "low", reaction: [{ manifestation: [{ text: "Urticaria" }] }] } });

  // Fourteen visits over about three years, each with its vitals and a lab panel.
  for (let visit = 0; visit < 14; visit++) {
    const daysAgo = 1_050 - visit * 78;
    const at = iso(daysAgo);
    entry.push({ resource: { resourceType: "Encounter", status: "finished", class: { code: "AMB", display: "ambulatory" }, type: [{ text: "General examination of patient (procedure)" }], subject, period: { start: at, end: at } } });
    entry.push({
      resource: {
        resourceType: "Observation",
        status: "final",
        category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs" }] }],
        code: { coding: [{ system: LOINC, code: "85354-9", display: "Blood pressure panel with all children optional" }] },
        subject,
        effectiveDateTime: at,
        component: [
          { code: { coding: [{ system: LOINC, code: "8480-6", display: "Systolic blood pressure" }] }, valueQuantity: { value: 128 + (visit % 4) * 4, unit: "mm[Hg]" } },
          { code: { coding: [{ system: LOINC, code: "8462-4", display: "Diastolic blood pressure" }] }, valueQuantity: { value: 80 + (visit % 3) * 3, unit: "mm[Hg]" } },
        ],
      },
    });
    for (const [code, display, unit, base, step] of VITALS) {
      entry.push({
        resource: {
          resourceType: "Observation",
          status: "final",
          category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs" }] }],
          code: { coding: [{ system: LOINC, code, display }] },
          subject,
          effectiveDateTime: at,
          valueQuantity: { value: Math.round((base + step * visit) * 10) / 10, unit },
        },
      });
    }
    for (const [code, display, unit, base, step, low, high] of LABS) {
      const value = Math.round((base + step * visit) * 100) / 100;
      entry.push({
        resource: {
          resourceType: "Observation",
          status: "final",
          category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory" }] }],
          code: { coding: [{ system: LOINC, code, display }] },
          subject,
          effectiveDateTime: at,
          valueQuantity: { value, unit },
          ...(low !== null || high !== null ? { referenceRange: [{ ...(low !== null ? { low: { value: low, unit } } : {}), ...(high !== null ? { high: { value: high, unit } } : {}) }] } : {}),
        },
      });
    }
  }
  for (const [text, daysAgo] of [["Influenza, seasonal, injectable, preservative free", 800], ["Influenza, seasonal, injectable, preservative free", 430], ["Influenza, seasonal, injectable, preservative free", 70], ["Td (adult) preservative free", 600]] as const) {
    entry.push({ resource: { resourceType: "Immunization", status: "completed", vaccineCode: { text }, patient: subject, occurrenceDateTime: iso(daysAgo) } });
  }
  return { resourceType: "Bundle", type: "collection", entry };
}
