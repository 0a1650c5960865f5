import { describe, expect, it } from "vitest";
import { buildClinicalSummary, type BuildOptions } from "@/lib/chart-summary/build";
import { clinicalDate, testKey } from "@/lib/chart-summary/fhir-values";
import { flagFor } from "@/lib/chart-summary/flags";
import type { SummaryInputRecord } from "@/lib/chart-summary/types";
import { demoRecords } from "@/lib/jobs/demo-data";

const NOW = new Date("2026-12-07T09:00:00Z");
const options: BuildOptions = { ageYears: 68, shares: () => "all", completeness: "holds" };

function demo(): SummaryInputRecord[] {
  return demoRecords(0, NOW).map((r, i) => ({
    id: `r${String(i).padStart(3, "0")}`,
    resourceType: r.resourceType,
    recordedAt: r.recordedAt.toISOString(),
    source: "SEED",
    verification: "verified",
    resource: r.resource,
  }));
}

let seq = 0;
function record(resource: Record<string, unknown>, recordedAt: string, extra: Partial<SummaryInputRecord> = {}): SummaryInputRecord {
  seq += 1;
  return { id: `x${seq}`, resourceType: resource.resourceType as string, recordedAt, source: "SEED", verification: "verified", resource, ...extra };
}

function obs(code: Record<string, unknown>, value: number, unit: string, effective: string, extra: Record<string, unknown> = {}) {
  return { resourceType: "Observation", status: "final", code, valueQuantity: { value, unit }, effectiveDateTime: effective, ...extra };
}

const LOINC = "http://loinc.org";
const a1c = { coding: [{ system: LOINC, code: "4548-4", display: "Hemoglobin A1c" }] };
const hr = { coding: [{ system: LOINC, code: "8867-4", display: "Heart rate" }] };

describe("the demo patient's summary", () => {
  const summary = buildClinicalSummary(demo(), options);

  it("lists active problems newest first with their onset as recorded (partial dates stay partial), never a resolved one", () => {
    const titles = summary.problems.items.map((p) => p.title);
    expect(titles).toEqual(expect.arrayContaining(["Hypertension", "Type 2 diabetes mellitus", "Hyperlipidemia"]));
    expect(titles).not.toContain("Community-acquired pneumonia");
    const diabetes = summary.problems.items.find((p) => p.title === "Type 2 diabetes mellitus")!;
    expect(diabetes.onset).toMatchObject({ value: "2019-05", precision: "month" });
    expect(summary.problems.items.find((p) => p.title === "Hyperlipidemia")!.onset).toMatchObject({ value: "2021", precision: "year" });
  });

  it("lists current medications by their concept or contained Medication, with the dose text; never a stopped one", () => {
    const names = summary.medications.items.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(["Metformin 1000 mg tablet", "Atorvastatin 20 mg tablet", "Amlodipine 5 mg tablet"]));
    expect(names.some((n) => n.startsWith("Glimepiride"))).toBe(false);
    expect(summary.medications.items.find((m) => m.name.startsWith("Metformin"))!.dose).toBe("1 tablet by mouth twice daily with meals");
  });

  it("shows the allergy, the latest vitals with flags and the results table with trends", () => {
    expect(summary.allergies.items.map((a) => a.title)).toEqual(["Penicillin"]);
    const bp = summary.vitals.items.find((v) => v.kind === "bp")!;
    expect(bp.values[0]).toMatchObject({ text: "142/88", flag: { code: "H", source: "product" } });
    expect(bp.trend.length).toBeGreaterThanOrEqual(8);
    const hba1c = summary.results.items.find((r) => r.loinc === "4548-4")!;
    expect(hba1c.values[0]).toMatchObject({ text: "7.2", unit: "%", flag: { code: "H", source: "record" } });
    expect(hba1c.values.length).toBeGreaterThanOrEqual(3);
    expect(hba1c.trend.length).toBeGreaterThanOrEqual(9);
    expect(hba1c.change).toBeCloseTo(0.3);
    expect(summary.results.items.length).toBeLessThanOrEqual(8);
    expect(summary.results.more).toBeGreaterThan(0);
    expect(summary.encounters.items.length).toBe(5);
    expect(summary.immunizations.items.map((i) => i.title)).toContain("COVID-19 mRNA vaccine");
    expect(summary.immunizations.items.find((i) => i.title === "COVID-19 mRNA vaccine")!.date).toMatchObject({ value: "2024", precision: "year" });
  });

  it("lists every record whose content appears, trend points included", () => {
    const hba1c = summary.results.items.find((r) => r.loinc === "4548-4")!;
    for (const point of hba1c.trend) expect(summary.recordIds).toContain(point.recordId);
    for (const item of summary.problems.items) expect(summary.recordIds).toContain(item.recordId);
  });

  it("shows every results row when asked", () => {
    const all = buildClinicalSummary(demo(), { ...options, allResults: true });
    expect(all.results.more).toBe(0);
    expect(all.results.items.length).toBe(summary.results.items.length + summary.results.more);
  });
});

describe("proven, not assumed", () => {
  const history = () => [
    record(obs(a1c, 6.1, "%", "2025-01-10"), "2025-01-10T01:00:00Z"),
    record(obs(a1c, 6.4, "%", "2025-06-10"), "2025-06-10T01:00:00Z"),
    record(obs(hr, 70, "/min", "2025-06-10"), "2025-06-10T01:00:00Z"),
  ];

  it("a tampered newest candidate withholds the row's latest value: no older value is passed off as latest", () => {
    const tampered = record({}, "2025-09-01T01:00:00Z", { resourceType: "Observation", verification: "tampered", resource: null });
    const summary = buildClinicalSummary([...history(), tampered], options);
    const row = summary.results.items.find((r) => r.loinc === "4548-4")!;
    expect(row.latestWithheld).toMatchObject({ recordId: tampered.id, verification: "tampered" });
    expect(row.change).toBeNull();
    expect(summary.results.withheld.map((w) => w.recordId)).toContain(tampered.id);
    expect(summary.vitals.items.find((v) => v.kind === "hr")!.latestWithheld?.recordId).toBe(tampered.id);
    expect(summary.recordIds).toContain(tampered.id);
  });

  it("an older tampered observation leaves newer verified values as latest", () => {
    const tampered = record({}, "2024-01-01T01:00:00Z", { resourceType: "Observation", verification: "tampered", resource: null });
    const row = buildClinicalSummary([...history(), tampered], options).results.items.find((r) => r.loinc === "4548-4")!;
    expect(row.latestWithheld).toBeNull();
    expect(row.values[0]!.text).toBe("6.4");
  });

  it("a pending or unverifiable newest value is withheld in its own row", () => {
    for (const verification of ["pending", "unavailable"] as const) {
      const newest = record(obs(a1c, 9.9, "%", "2025-09-01"), "2025-09-01T01:00:00Z", { verification });
      const summary = buildClinicalSummary([...history(), newest], options);
      const row = summary.results.items.find((r) => r.loinc === "4548-4")!;
      expect(row.latestWithheld).toMatchObject({ recordId: newest.id, verification });
      expect(row.values.map((v) => v.text)).not.toContain("9.9");
      expect(summary.vitals.items.find((v) => v.kind === "hr")!.latestWithheld).toBeNull();
    }
  });

  it("a tampered problem, medication or allergy is listed as withheld, and the section never says none", () => {
    const tampered = record({}, "2025-01-01T00:00:00Z", { resourceType: "AllergyIntolerance", verification: "tampered", resource: null });
    const summary = buildClinicalSummary([tampered], options);
    expect(summary.allergies.items).toEqual([]);
    expect(summary.allergies.empty).toBe("withheldOnly");
    expect(summary.allergies.withheld).toEqual([expect.objectContaining({ recordId: tampered.id, verification: "tampered" })]);
  });

  it('says "none recorded" only when the record set is complete and the consent shares the type', () => {
    expect(buildClinicalSummary([], options).problems.empty).toBe("noneRecorded");
    expect(buildClinicalSummary([], { ...options, completeness: "unchecked" }).problems.empty).toBe("noneFound");
    expect(buildClinicalSummary([], { ...options, shares: (t) => (t === "Condition" ? "none" : "all") }).problems.empty).toBe("notShared");
    expect(buildClinicalSummary([], { ...options, shares: () => "partial" }).medications.empty).toBe("partlyShared");
    const mixed = buildClinicalSummary([], { ...options, shares: (t) => (t === "MedicationRequest" ? "none" : "all") });
    expect(mixed.medications.sharing).toBe("partial");
  });

  it("names missing records in the sections they belong to, never none; a type not shared stays 'not shared'", () => {
    const allergy = record({ resourceType: "AllergyIntolerance", code: { text: "Penicillin" } }, "2025-01-01T00:00:00Z");
    const missingAllergy = { ...options, completeness: "broken" as const, missing: { AllergyIntolerance: 1 } };
    expect(buildClinicalSummary([], missingAllergy).allergies).toMatchObject({ items: [], empty: "missing", missing: [{ resourceType: "AllergyIntolerance", count: 1 }] });
    // One allergy shown, another missing: the shown one is listed and the section still says one is missing.
    expect(buildClinicalSummary([allergy], missingAllergy).allergies).toMatchObject({ items: [{ recordId: allergy.id }], empty: null, missing: [{ count: 1 }] });
    // The other sections of a broken set may still say none recorded: their own types are complete.
    expect(buildClinicalSummary([], missingAllergy).problems.empty).toBe("noneRecorded");
    // A missing observation's test is unknown: both vitals and results say so.
    const missingObservation = buildClinicalSummary([], { ...options, completeness: "broken", missing: { Observation: 2 } });
    expect([missingObservation.vitals.empty, missingObservation.results.empty]).toEqual(["missing", "missing"]);
    // A creation event without a type: nothing may be called complete.
    expect(buildClinicalSummary([], { ...options, completeness: "broken", missing: { unknown: 1 } }).problems.empty).toBe("noneFound");
    // Not shared wins over missing: the viewer is told neither that records exist nor that there are none.
    const unshared = buildClinicalSummary([], { ...missingAllergy, shares: (t) => (t === "AllergyIntolerance" ? "none" : "all") });
    expect(unshared.allergies).toMatchObject({ empty: "notShared", missing: [] });
    // Types no section shows are counted for the chart line.
    expect(buildClinicalSummary([], { ...options, completeness: "broken", missing: { Procedure: 1 } }).missingElsewhere).toEqual([{ resourceType: "Procedure", count: 1 }]);
  });

  it('shows an IPS "no known allergies" entry as such, distinct from "no information"', () => {
    const ips = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips";
    const none = record({ resourceType: "AllergyIntolerance", code: { coding: [{ system: ips, code: "no-known-allergies", display: "No known allergies" }] } }, "2025-01-01T00:00:00Z");
    const noInfo = record({ resourceType: "MedicationStatement", status: "active", medicationCodeableConcept: { coding: [{ system: ips, code: "no-medication-info" }] } }, "2025-01-01T00:00:00Z");
    const summary = buildClinicalSummary([none, noInfo], { ...options, completeness: "unchecked" });
    expect(summary.allergies).toMatchObject({ items: [], empty: "noneKnown", assertion: { kind: "noneKnown", text: "No known allergies" } });
    expect(summary.medications).toMatchObject({ items: [], empty: "noInfo" });
  });
});

describe("results rows and flags", () => {
  it("keys a test by LOINC, else its first system|code, else its text: never dropped", () => {
    expect(testKey({ coding: [{ system: "urn:local", code: "K1" }, { system: LOINC, code: "2160-0" }] })).toMatchObject({ key: "2160-0", loinc: "2160-0" });
    expect(testKey({ coding: [{ system: "urn:oid:1.2.3", code: "GLU" }], text: "Glucose" })).toMatchObject({ key: "urn:oid:1.2.3|GLU", loinc: null, label: "Glucose" });
    expect(testKey({ text: "Ferritin" })).toMatchObject({ key: "text|ferritin", label: "Ferritin" });
    const summary = buildClinicalSummary(
      [record(obs({ text: "Ferritin" }, 30, "ng/mL", "2025-01-01"), "2025-01-01T00:00:00Z"), record(obs({ coding: [{ system: "urn:x", code: "Q" }] }, 3, "U", "2025-01-01"), "2025-01-01T00:00:00Z")],
      options,
    );
    expect(summary.results.items.map((r) => r.key).sort()).toEqual(["text|ferritin", "urn:x|Q"]);
  });

  it("never mixes units in a trend or a change", () => {
    const rows = [
      record(obs({ text: "Glucose" }, 5.5, "mmol/L", "2024-01-01"), "2024-01-01T00:00:00Z"),
      record(obs({ text: "Glucose" }, 100, "mg/dL", "2024-06-01"), "2024-06-01T00:00:00Z"),
      record(obs({ text: "Glucose" }, 110, "mg/dL", "2025-01-01"), "2025-01-01T00:00:00Z"),
    ];
    const row = buildClinicalSummary(rows, options).results.items[0]!;
    expect(row.unit).toBe("mg/dL");
    expect(row.trend.map((p) => p.value)).toEqual([100, 110]);
    expect(row.change).toBe(10);
    expect(row.values.map((v) => v.unit)).toEqual(["mg/dL", "mg/dL", "mmol/L"]);
  });

  it("flags from the record's interpretation, then its reference range; product ranges for adult vitals only", () => {
    const q = { value: 140, unit: "/min", comparator: null };
    expect(flagFor({ interpretation: [{ coding: [{ code: "L" }] }] }, q, { loinc: "8867-4", ageYears: 40 })).toEqual({ code: "L", source: "record" });
    expect(flagFor({ referenceRange: [{ low: { value: 100 }, high: { value: 160 } }] }, q, { loinc: "8867-4", ageYears: 40 })).toEqual({ code: "N", source: "range" });
    expect(flagFor({}, q, { loinc: "8867-4", ageYears: 40 })).toEqual({ code: "H", source: "product" });
    // An infant's heart rate of 140 is normal: the product's adult ranges never flag a child.
    expect(flagFor({}, q, { loinc: "8867-4", ageYears: 0 })).toBeUndefined();
    expect(flagFor({}, { value: 9, unit: "%", comparator: null }, null)).toBeUndefined();
  });

  it("reads partial dates as partial, date-only as a day, never inventing a time", () => {
    expect(clinicalDate("2024")).toMatchObject({ precision: "year" });
    expect(clinicalDate("2024-05")).toMatchObject({ precision: "month" });
    expect(clinicalDate("2024-05-03")).toMatchObject({ precision: "day", sortKey: Date.UTC(2024, 4, 3) });
    expect(clinicalDate("2024-05-03T10:00:00+09:00")).toMatchObject({ precision: "time", sortKey: Date.UTC(2024, 4, 3, 1) });
    expect(clinicalDate("May 2024")).toBeUndefined();
  });

  it("names a medication from a referenced Medication record, and logs that record too", () => {
    const med = record({ resourceType: "Medication", id: "med-1", code: { text: "Insulin glargine 100 U/mL" } }, "2025-01-01T00:00:00Z");
    const request = record({ resourceType: "MedicationRequest", status: "active", intent: "order", medicationReference: { reference: "Medication/med-1" }, dosageInstruction: [{ text: "10 U at night" }] }, "2025-01-02T00:00:00Z");
    const summary = buildClinicalSummary([med, request], options);
    expect(summary.medications.items[0]).toMatchObject({ name: "Insulin glargine 100 U/mL", medicationRecordId: med.id, dose: "10 U at night" });
    expect(summary.recordIds).toEqual(expect.arrayContaining([med.id, request.id]));
  });
});
