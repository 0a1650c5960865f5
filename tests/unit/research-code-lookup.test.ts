import { describe, expect, it } from "vitest";
import { codeLookup } from "@/lib/research/code-lookup";

const SNOMED = "http://snomed.info/sct";
const LOINC = "http://loinc.org";
const condition = (patientId: string, code: string, display: string, system = SNOMED) => ({
  patientId,
  resourceType: "Condition",
  resource: { code: { coding: [{ system, code, display }], text: display } },
});
const many = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

describe("the cohort builder's code look-up", () => {
  it("lists a code only when at least the threshold of different patients hold it", () => {
    const records = [
      ...many(11, (i) => condition(`p${i}`, "38341003", "Hypertension")),
      ...many(10, (i) => condition(`q${i}`, "195967001", "Asthma")),
      // Two records of one patient count once.
      condition("q0", "195967001", "Asthma"),
    ];
    expect(codeLookup(records, 11).conditions).toEqual([{ value: "38341003", display: "Hypertension", system: SNOMED }]);
  });

  it("never lists a code from an unknown system (it could be a local identifier)", () => {
    const records = many(20, (i) => condition(`p${i}`, "PRB-7731", "Problem list entry", "urn:oid:1.2.410.200.1.7"));
    // Its text, shared by 20 patients, is a catalogue phrase and may be offered; the local code never is.
    expect(codeLookup(records, 11).conditions).toEqual([{ value: "Problem list entry", display: "Problem list entry", system: null }]);
  });

  it("offers observations by LOINC code and text-only medications by their text", () => {
    const records = [
      ...many(12, (i) => ({ patientId: `p${i}`, resourceType: "Observation", resource: { code: { coding: [{ system: LOINC, code: "2160-0", display: "Creatinine" }] } } })),
      ...many(12, (i) => ({ patientId: `p${i}`, resourceType: "MedicationRequest", resource: { medicationCodeableConcept: { text: "Metformin 500 mg tablet" } } })),
      ...many(12, (i) => ({ patientId: `p${i}`, resourceType: "Observation", resource: { code: { text: "free text only" } } })),
    ];
    const lookup = codeLookup(records, 11);
    expect(lookup.observations).toEqual([{ value: "2160-0", display: "Creatinine", system: LOINC }]);
    expect(lookup.medications).toEqual([{ value: "Metformin 500 mg tablet", display: "Metformin 500 mg tablet", system: null }]);
  });
});
