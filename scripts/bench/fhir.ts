/**
 * Realistic content for the benchmark (scripts/bench.ts, scripts/bench/records-large.ts): FHIR R4 laboratory
 * Observations of ~1.9 KB (canonical JSON), with narrative text.
 */

const LABS = [
  ["2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 99, 60, 180],
  ["4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4, 5.6, 4.5, 9.5],
  ["718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12, 17, 9, 18],
  ["2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.2, 0.4, 3.1],
  ["2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 120, 200, 110, 290],
  ["6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4, 10, 2.5, 16],
  ["2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5, 5.1, 2.9, 6.1],
  ["1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 7, 56, 5, 140],
] as const;

export function observation(i: number, patientId: string, recordedAt: Date): Record<string, unknown> {
  const [code, display, unit, low, high, min, max] = LABS[i % LABS.length]!;
  const value = Math.round((min + (((i * 7919) % 1000) / 1000) * (max - min)) * 10) / 10;
  const flag = value < low ? "L" : value > high ? "H" : "N";
  const word = { L: "Low", H: "High", N: "Normal" }[flag];
  const when = recordedAt.toISOString();
  const ucum = { unit, system: "http://unitsofmeasure.org", code: unit };
  return {
    resourceType: "Observation",
    id: `obs-${i}`,
    meta: { profile: ["http://hl7.org/fhir/StructureDefinition/Observation"], lastUpdated: when },
    text: {
      status: "generated",
      div:
        `<div xmlns="http://www.w3.org/1999/xhtml"><p><b>${display}</b> (LOINC ${code}) measured on ${when}: <b>${value} ${unit}</b>, ` +
        `reference range ${low}–${high} ${unit}, interpreted as ${word}.</p><p>Specimen collected by venipuncture in the outpatient ` +
        "phlebotomy room, processed within 45 minutes on the central laboratory analyser; no haemolysis, lipaemia or icterus was " +
        "reported. 검체 채취 후 45분 이내 분석.</p></div>",
    },
    identifier: [{ system: "urn:oid:1.2.410.200000.1.1", value: `LAB-${20260000 + i}` }],
    status: "final",
    category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory", display: "Laboratory" }] }],
    code: { coding: [{ system: "http://loinc.org", code, display }], text: display },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: when,
    issued: new Date(recordedAt.getTime() + 3_600_000).toISOString(),
    performer: [{ display: "Central Laboratory, Department of Laboratory Medicine" }],
    valueQuantity: { value, ...ucum },
    interpretation: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", code: flag, display: word }], text: word }],
    referenceRange: [{ low: { value: low, ...ucum }, high: { value: high, ...ucum }, text: `${low}-${high} ${unit}` }],
    specimen: { display: "Venous blood specimen" },
    note: [{ text: "Fasting sample. Repeat in three months if the trend persists." }],
  };
}
