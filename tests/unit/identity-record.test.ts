import { describe, expect, it } from "vitest";
import { canonicalBytes } from "@/lib/integrity/commitment";
import { identityMatches, identityResource } from "@/lib/fhir/identity-record";

const patient = { mrn: "10000001", name: "김민지 Kim Minji", birthDate: new Date("1961-02-03T00:00:00Z"), sex: "FEMALE", identityVersion: 1 };

describe("the committed patient identity", () => {
  it("matches the row it was made from, read back from its canonical bytes", () => {
    const stored = JSON.parse(canonicalBytes(identityResource(patient)).toString("utf8"));
    expect(identityMatches(stored, patient)).toBe(true);
  });

  it("fails on any field the header shows, and on the version", () => {
    const stored = identityResource(patient);
    expect(identityMatches(stored, { ...patient, name: "김민수 Kim Minsu" })).toBe(false);
    expect(identityMatches(stored, { ...patient, birthDate: new Date("1961-02-04T00:00:00Z") })).toBe(false);
    expect(identityMatches(stored, { ...patient, sex: "MALE" })).toBe(false);
    expect(identityMatches(stored, { ...patient, mrn: "10000002" })).toBe(false);
    expect(identityMatches(stored, { ...patient, identityVersion: 2 })).toBe(false);
    expect(identityMatches(null, patient)).toBe(false);
  });
});
