import { describe, expect, it } from "vitest";
import { decideRelease, symmetricDifferenceSize } from "@/lib/research/suppression";
import { criteriaFromSearchParams, criteriaToSearchParams } from "@/lib/research/criteria";
import { researchConsentAdmits, selectCohort, type CohortPatient } from "@/lib/research/cohort";

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `p${String(from + i).padStart(4, "0")}`);

describe("small-cell suppression and the differencing control", () => {
  it("suppresses sets below the threshold", () => {
    expect(decideRelease(ids(0, 10), [], 11)).toEqual({ released: false, threshold: 11, reason: "small_cell" });
    expect(decideRelease(ids(0, 11), [], 11)).toEqual({ released: true, count: 11 });
    expect(decideRelease([], [], 11).released).toBe(false);
  });

  it("the classic attack: count(A), then count(A and not X) for one patient X, is suppressed", () => {
    const a = ids(0, 30);
    const aNotX = a.filter((id) => id !== "p0007");
    expect(decideRelease(a, [], 11)).toEqual({ released: true, count: 30 });
    expect(decideRelease(aNotX, [a], 11)).toMatchObject({ released: false, reason: "differencing" });
    // Added rather than removed: A plus one patient is refused too.
    expect(decideRelease([...a, "p9999"].sort(), [a], 11)).toMatchObject({ released: false, reason: "differencing" });
  });

  it("releases the same set again, and sets that differ by at least the threshold", () => {
    const a = ids(0, 30);
    expect(decideRelease(a, [a], 11)).toEqual({ released: true, count: 30 });
    expect(decideRelease(ids(0, 19), [a], 11)).toEqual({ released: true, count: 19 });
    expect(decideRelease(ids(11, 41), [a], 11)).toEqual({ released: true, count: 30 }); // 11 out, 11 in
    expect(decideRelease(ids(5, 35), [a], 11)).toMatchObject({ released: false }); // 5 out, 5 in
  });

  it("counts symmetric differences on sorted arrays, stopping at a limit", () => {
    expect(symmetricDifferenceSize(["a", "b", "c"], ["b", "c", "d"])).toBe(2);
    expect(symmetricDifferenceSize(ids(0, 100), [], 11)).toBe(11);
    expect(symmetricDifferenceSize([], [])).toBe(0);
  });
});

describe("criteria from the URL", () => {
  it("round-trips, and drops malformed parts one by one", () => {
    const c = criteriaFromSearchParams({ cond: ["Hypertension", ""], obs: "2345-7:100:200", med: "metformin", ageMin: "40", ageMax: "oops", sex: "FEMALE", from: "2025-01-01", to: "nope", type: ["Observation", "Bogus"] });
    expect(c).toEqual({ conditions: ["Hypertension"], observations: [{ code: "2345-7", min: 100, max: 200 }], medications: ["metformin"], ageMin: 40, sex: "FEMALE", from: "2025-01-01", types: ["Observation"] });
    const query = Object.fromEntries([...new Set(criteriaToSearchParams(c).keys())].map((k) => [k, criteriaToSearchParams(c).getAll(k)]));
    expect(criteriaFromSearchParams(query)).toEqual(c);
    expect(criteriaFromSearchParams({ ageMin: "60", ageMax: "30" })).toMatchObject({ ageMin: undefined, ageMax: undefined });
  });
});

describe("research consent at query time", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const base = { id: "c1", scope: "RESEARCH" as const, studyId: null, recordClasses: [], dataFrom: null, dataUntil: null, validFrom: new Date("2026-01-01"), validUntil: null, revokedAt: null };
  const record = { resourceType: "Observation", recordedAt: new Date("2026-02-01") };

  it("admits under an active general consent, for any study", () => {
    expect(researchConsentAdmits(base, record, null, now)).toBe(true);
    expect(researchConsentAdmits(base, record, "study-a", now)).toBe(true);
  });
  it("a study-bound consent admits only that study's cohorts", () => {
    expect(researchConsentAdmits({ ...base, studyId: "study-a" }, record, "study-a", now)).toBe(true);
    expect(researchConsentAdmits({ ...base, studyId: "study-a" }, record, null, now)).toBe(false);
    expect(researchConsentAdmits({ ...base, studyId: "study-a" }, record, "study-b", now)).toBe(false);
  });
  it("refuses revoked, expired, not-yet-valid, treatment, out-of-class and out-of-period", () => {
    expect(researchConsentAdmits({ ...base, revokedAt: new Date("2026-05-31") }, record, null, now)).toBe(false);
    expect(researchConsentAdmits({ ...base, validUntil: new Date("2026-05-01") }, record, null, now)).toBe(false);
    expect(researchConsentAdmits({ ...base, validFrom: new Date("2026-07-01") }, record, null, now)).toBe(false);
    expect(researchConsentAdmits({ ...base, scope: "TREATMENT" }, record, null, now)).toBe(false);
    expect(researchConsentAdmits({ ...base, recordClasses: ["Condition"] }, record, null, now)).toBe(false);
    expect(researchConsentAdmits({ ...base, dataUntil: new Date("2026-01-15") }, record, null, now)).toBe(false);
  });
  it("matches criteria only on records a consent covers", () => {
    const patient: CohortPatient = { id: "p1", birthDate: new Date("1970-01-01"), sex: "FEMALE", consents: [{ ...base, recordClasses: ["Observation"] }] };
    const records = [
      { id: "r1", patientId: "p1", resourceType: "Condition", resource: { code: { text: "Hypertension" } }, recordedAt: new Date("2026-02-01") },
      { id: "r2", patientId: "p1", resourceType: "Observation", resource: { code: { coding: [{ code: "2345-7" }] }, valueQuantity: { value: 150 } }, recordedAt: new Date("2026-02-01") },
    ];
    const empty = { conditions: [], observations: [], medications: [], types: [] };
    expect(selectCohort([patient], records, { ...empty, conditions: ["hypertension"] }, null, now).patientIds).toEqual([]);
    expect(selectCohort([patient], records, { ...empty, observations: [{ code: "2345-7", min: 140 }] }, null, now)).toMatchObject({ patientIds: ["p1"], consentIds: ["c1"] });
    expect(selectCohort([patient], records, { ...empty, observations: [{ code: "2345-7", max: 140 }] }, null, now).patientIds).toEqual([]);
    expect(selectCohort([patient], records, { ...empty, ageMin: 60 }, null, now).patientIds).toEqual([]);
  });
});
