import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyseUpload, decideIntake, IntakeRejectedError, MRN_SYSTEM, type IntakeLimits, type PatientIdentity } from "@/lib/fhir/ingest";
import { EMPTY_CONTEXT } from "@/lib/fhir/intake/plan";
import { validateFhirResource } from "@/lib/fhir/validate";
import { syntheaBundle } from "../fixtures/fhir/synthea-parts";

// Real exporters' files (tests/fixtures/fhir/README.md) through the pure intake: every type kept or skipped with a
// reason, references resolved, identity checked in every form, every problem of every entry reported at once.

beforeAll(() => {
  validateFhirResource({ resourceType: "Basic", code: { text: "warm-up" } });
}, 60_000);

const LIMITS: IntakeLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: 32, maxEntries: 1000 };
const WHO: PatientIdentity = { id: "22222222-2222-4222-8222-222222222222", name: "Gerlach374 Lindsay928", birthDate: "1950-10-24", mrn: "20000002" };
const NOW = new Date("2026-12-07T00:00:00Z");
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, "../fixtures/fhir", name), "utf8")) as Record<string, unknown>;
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function decide(value: unknown, bundleTypes: readonly string[] = ["transaction", "collection", "batch", "document", "searchset"]) {
  return decideIntake(analyseUpload(bytes(value), LIMITS, bundleTypes), WHO, EMPTY_CONTEXT, NOW);
}

function refusal(value: unknown): IntakeRejectedError {
  try {
    decide(value);
  } catch (error) {
    if (error instanceof IntakeRejectedError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("a real Synthea R4 transaction (first encounter)", () => {
  it("imports whole: clinical and financial types stored, references resolved to the stored records, fullUrl kept", () => {
    const { plan } = decide(fixture("synthea-r4-first-encounter.json"));
    expect(plan.records.map((r) => r.resourceType)).toEqual(["Encounter", "Condition", "CareTeam", "CarePlan", "DiagnosticReport", "DocumentReference", "Claim", "ExplanationOfBenefit"]);
    const ids = new Map(plan.records.map((r) => [r.resourceType, r.id]));
    const text = JSON.stringify(plan.records.map((r) => r.resource));
    expect(text).not.toMatch(/"reference":"urn:uuid:/);
    expect(text).not.toMatch(/"reference":"(Practitioner|Organization|Location)\?/);
    const condition = plan.records.find((r) => r.resourceType === "Condition")!.resource;
    expect(condition.encounter).toEqual({ reference: `Encounter/${ids.get("Encounter")}` });
    expect(condition.subject).toEqual({ reference: `Patient/${WHO.id}` });
    expect(condition.meta).toMatchObject({ source: "urn:uuid:9a01d04d-86de-75e6-5c07-a4ba74966e68" });
    const encounter = plan.records.find((r) => r.resourceType === "Encounter")!.resource as { participant: { individual: unknown }[] };
    // A provider named only by NPI (not in the bundle) stays who it was, as a logical reference with its display.
    expect(encounter.participant[0]!.individual).toEqual({ display: "Dr. Alphonso102 Nienow652", type: "Practitioner", identifier: { system: "http://hl7.org/fhir/sid/us-npi", value: "9999962229" } });
    expect(plan.summary.find((s) => s.resourceType === "ExplanationOfBenefit")).toMatchObject({ created: 1, refused: 0 });
  });

  it("resolves references to directory entries with their names copied in, and to skipped entries as {display, identifier}", () => {
    const { plan } = decide(syntheaBundle({ seed: 7, encounters: 1, patient: { family: "Gerlach374", given: "Lindsay928", birthDate: "1950-10-24" } }));
    const practitioner = plan.outcomes.find((o) => o.resourceType === "Practitioner");
    expect(practitioner).toMatchObject({ outcome: "directory", created: true });
    const request = plan.records.find((r) => r.resourceType === "MedicationRequest")!.resource;
    expect(request.requester).toEqual({ reference: `Practitioner/${(practitioner as { directoryId: string }).directoryId}`, display: "Dr. Alphonso102 Nienow652" });
    expect(request.medicationReference).toMatchObject({ type: "Medication", display: "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", identifier: { system: "urn:ietf:rfc:3986" } });
    expect(plan.summary.find((s) => s.resourceType === "Medication")).toMatchObject({ skipped: 1, created: 0 });
    expect(plan.summary.find((s) => s.resourceType === "Device")).toMatchObject({ skipped: 1 });
    const report = plan.records.find((r) => r.resourceType === "DiagnosticReport" && Array.isArray(r.resource.result))!.resource as { result: { reference: string }[] };
    const observationIds = new Set(plan.records.filter((r) => r.resourceType === "Observation").map((r) => `Observation/${r.id}`));
    for (const ref of report.result) expect(observationIds.has(ref.reference)).toBe(true);
    const provenance = plan.records.find((r) => r.resourceType === "Provenance")!.resource as { target: Record<string, unknown>[] };
    expect(provenance.target.every((t) => typeof t.reference === "string" ? /^[A-Z][A-Za-z]+\/[0-9a-f-]{36}$/.test(t.reference) : "identifier" in t)).toBe(true);
  });
});

describe("fifty generated bundles (shuffled, Encounter ↔ Condition cycles)", () => {
  it("each imports whole, with no urn:uuid left in any record", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const bundle = syntheaBundle({ seed, encounters: 1 + (seed % 3), shuffle: true, patient: { family: "Gerlach374", given: "Lindsay928", birthDate: "1950-10-24" } });
      let plan;
      try {
        plan = decide(bundle).plan;
      } catch (error) {
        throw new Error(`seed ${seed}: ${JSON.stringify((error as IntakeRejectedError).problems)}`);
      }
      const entries = (bundle.entry as unknown[]).length;
      expect(plan.outcomes, `seed ${seed}`).toHaveLength(entries);
      expect(JSON.stringify(plan.records.map((r) => r.resource)), `seed ${seed}`).not.toMatch(/"reference":"urn:uuid:/);
    }
  }, 120_000);
});

describe("identity in every form", () => {
  const base = () => fixture("synthea-r4-first-encounter.json") as { entry: { resource: Record<string, unknown>; fullUrl: string }[] };
  it("refuses each foreign Patient reference form, naming the entry and the reference, all in one answer", () => {
    const bundle = base();
    const forms = ["Patient/another", "Patient/another/", "Patient/another#x", "https://other.example/fhir/Patient/another", `Patient?identifier=${MRN_SYSTEM}|99999999`, "Patient/_history"];
    forms.forEach((reference, i) => {
      bundle.entry[1 + i]!.resource[bundle.entry[1 + i]!.resource.resourceType === "Claim" || bundle.entry[1 + i]!.resource.resourceType === "ExplanationOfBenefit" ? "patient" : "subject"] = { reference };
    });
    const error = refusal(bundle);
    expect(error.reason).toBe("patient_mismatch");
    const foreign = error.problems.filter((p) => /not the patient the upload is filed for/.test(p.message));
    expect(foreign.map((p) => p.entry)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(foreign[1]!.message).toContain("Patient/another/");
    expect(foreign.every((p) => p.code === "business-rule")).toBe(true);
  });
  it("refuses a contained Patient who is someone else, and a second Patient entry's urn:uuid", () => {
    const bundle = base();
    bundle.entry[2]!.resource.contained = [{ resourceType: "Patient", id: "p", name: [{ family: "Other" }], birthDate: "1970-01-01" }];
    bundle.entry.push({ fullUrl: "urn:uuid:00000000-0000-4000-8000-0000000000ff", resource: { resourceType: "Patient", name: [{ family: "Other" }], birthDate: "1970-01-01" }, request: { method: "POST", url: "Patient" } } as never);
    bundle.entry[3]!.resource.subject = { reference: "urn:uuid:00000000-0000-4000-8000-0000000000ff" };
    const error = refusal(bundle);
    expect(error.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ entry: 2, field: "Condition.contained[0]" }),
      expect.objectContaining({ entry: 9, resourceType: "Patient" }),
    ]));
    expect(error.reason).toBe("several_patients");
  });
  it("reports identity problems in the same answer as validation problems, with registered values for the patient", () => {
    const bundle = base();
    bundle.entry[0]!.resource.birthDate = "1951-01-01";
    bundle.entry[1]!.resource.status = "bogus";
    const error = refusal(bundle);
    expect(error.problems.map((p) => [p.entry, p.code])).toEqual(expect.arrayContaining([[0, "business-rule"], [1, "code-invalid"]]));
    expect(error.registered).toEqual({ name: WHO.name, birthDate: WHO.birthDate });
  });
  it("tolerates name order, case, spacing and hyphens", () => {
    const bundle = base();
    bundle.entry[0]!.resource.name = [{ family: "GERLACH374", given: ["lindsay-928"] }];
    expect(() => decide(bundle)).not.toThrow();
  });
  it("refuses HL7's AllergyIntolerance example (Patient/example, no Patient entry) instead of filing it", () => {
    const error = refusal(fixture("hl7-allergyintolerance-example-r4.json"));
    expect(error.reason).toBe("patient_mismatch");
    expect(error.problems.map((p) => p.field)).toEqual(["AllergyIntolerance.patient.reference", "AllergyIntolerance.asserter.reference"]);
  });
  it("says an STU3 file is STU3", () => {
    const error = refusal(fixture("hl7-allergyintolerance-example-stu3.json"));
    expect(error.reason).toBe("fhir_version");
    expect(error.problems[0]!.message).toMatch(/FHIR STU3 \(AllergyIntolerance\.clinicalStatus as a code/);
  });
});

describe("complete validation, each rule on its own", () => {
  const encounter = (over: Record<string, unknown>) => ({ resourceType: "Encounter", status: "finished", class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB" }, subject: { reference: `Patient/${WHO.id}` }, ...over });
  it("per-1: a Period that starts after it ends", () => {
    const error = refusal(encounter({ period: { start: "2020-01-02T10:00:00+09:00", end: "2020-01-01T10:00:00+09:00" } }));
    expect(error.problems).toEqual([expect.objectContaining({ field: "Encounter.period", code: "invariant" })]);
    expect(() => decide(encounter({ period: { start: "2020-01-01", end: "2020-01-01T10:00:00+09:00" } }))).not.toThrow();
  });
  it("a required binding: Encounter.status outside its value set", () => {
    const error = refusal(encounter({ status: "bogus" }));
    expect(error.problems).toEqual([expect.objectContaining({ field: "Encounter.status", code: "code-invalid" })]);
    expect(error.problems[0]!.message).toContain("finished");
  });
  it("a dateTime with a time but no time zone", () => {
    const error = refusal(encounter({ period: { start: "2020-01-01T10:00:00" } }));
    expect(error.problems).toEqual([expect.objectContaining({ field: "Encounter.period.start", code: "value" })]);
  });
  it("min cardinality", () => {
    const error = refusal({ resourceType: "Encounter", status: "finished", subject: { reference: `Patient/${WHO.id}` } });
    expect(error.problems).toEqual([expect.objectContaining({ field: "Encounter.class" })]);
  });
  it("a resource with several errors reports every one", () => {
    const error = refusal(encounter({ status: "bogus", class: undefined, period: { start: "2020-01-02T10:00:00+09:00", end: "2020-01-01T10:00:00+09:00" }, participant: [{ period: { start: "2020-01-01T10:00:00" } }] }));
    expect(error.problems.map((p) => p.field).sort()).toEqual(["Encounter.class", "Encounter.participant[0].period.start", "Encounter.period", "Encounter.status"]);
  });
});
