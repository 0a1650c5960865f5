import { describe, expect, it } from "vitest";
import { DEMO_IDENTIFIER_PATIENT, DEMO_IDENTIFIERS, identifierPatientRecords, wardRecords, demoRecords } from "@/lib/jobs/demo-data";
import { AGE_BAND_EXTENSION, dateShiftDays, deidentify, MAX_SHIFT_DAYS, pseudonym, type ExportRecord } from "@/lib/research/deidentify";
import { provinceOf, SAFE_SYSTEMS } from "@/lib/research/vocabulary";
import { checkFiles, manifestHash, sha256Hex } from "@/lib/research/manifest";
import { scanForIdentifiers } from "../support/identifier-scan";

const now = new Date("2026-11-26T00:00:00Z");
const patient = { id: "6f1c1e0e-1111-4a2b-9c3d-000000000801", birthDate: new Date("1931-03-14T00:00:00Z"), sex: "FEMALE", address: DEMO_IDENTIFIER_PATIENT.address };
const young = { id: "6f1c1e0e-1111-4a2b-9c3d-000000000101", birthDate: new Date("1971-11-02T00:00:00Z"), sex: "MALE", address: "경기도 성남시 분당구 판교로 3" };
const records: ExportRecord[] = [
  ...identifierPatientRecords().map((r, i) => ({ id: `0b5c1a3e-2222-4c4d-8e8f-${String(i).padStart(12, "0")}`, patientId: patient.id, resourceType: r.resourceType, resource: r.resource })),
  ...[...demoRecords(1, now), ...wardRecords(3, now)].map((r, i) => ({ id: `0b5c1a3e-3333-4c4d-8e8f-${String(i).padStart(12, "0")}`, patientId: young.id, resourceType: r.resourceType, resource: r.resource })),
];
const allIds = [patient.id, young.id, ...records.map((r) => r.id)];
const key = Buffer.from("unit-test-pseudonym-key-of-32-bytes!!");
const lines = (content: string) => content.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the demo's identifier patient", () => {
  it("carries every one of the 18 identifier kinds, each value really present in the seeded data", () => {
    const seeded = JSON.stringify({ ...DEMO_IDENTIFIER_PATIENT, records: identifierPatientRecords().map((r) => ({ ...r, recordedAt: r.recordedAt.toISOString() })) });
    const found = scanForIdentifiers(seeded);
    const kinds = new Set(found.map((f) => f.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(18);
    for (const kind of ["names", "geography", "dates", "phones", "fax", "email", "ssn", "mrn", "healthPlan", "account", "licence", "vehicle", "device", "urls", "ip", "biometric", "photo", "other"]) {
      expect(kinds.has(kind), kind).toBe(true);
    }
    // Each listed value, not just one per kind, so the scan below cannot pass on a value the data never held.
    const values = new Set(found.map((f) => f.value));
    expect(Object.values(DEMO_IDENTIFIERS).flat().filter((v) => !values.has(v))).toEqual([]);
  });
});

describe("Safe Harbor export (allow-list)", () => {
  const result = deidentify({ mode: "SAFE_HARBOR", patients: [patient, young], records, now });
  const output = result.files.map((f) => f.content).join("");

  it("leaves none of the 18 identifier kinds seeded in the demo, nor any record or patient id", () => {
    expect(scanForIdentifiers(output, { recordIds: allIds })).toEqual([]);
  });

  it("writes one NDJSON file per resource type, every line valid JSON with a resourceType and fresh id", () => {
    expect(result.files.map((f) => f.name)).toEqual([...result.files.map((f) => f.name)].sort());
    expect(result.files.map((f) => f.name)).toContain("Patient.ndjson");
    for (const file of result.files) {
      for (const line of lines(file.content)) {
        expect(line.resourceType).toBe(file.resourceType);
        expect(line.id).toMatch(/^[0-9a-f-]{36}$/);
      }
      expect(file.lineCount).toBe(lines(file.content).length);
    }
  });

  it("keeps clinical meaning: codes, values, units and the year of dates", () => {
    const obs = result.files.find((f) => f.resourceType === "Observation")!;
    // Matched on the value itself: a fresh random id may contain "182" too.
    const glucose = lines(obs.content).find((o) => JSON.stringify(o).includes('"2345-7"') && (o.valueQuantity as { value?: number } | undefined)?.value === 182)!;
    expect(glucose).toMatchObject({ valueQuantity: { value: 182, unit: "mg/dL" }, effectiveDateTime: "2025" });
    expect(glucose).not.toHaveProperty("issued");
    expect(glucose).not.toHaveProperty("identifier");
    expect(glucose).not.toHaveProperty("note");
  });

  it("aggregates ages over 89 into 90+ with no birth year, and keeps only the province", () => {
    const patients = lines(result.files.find((f) => f.resourceType === "Patient")!.content);
    const old = patients.find((p) => p.extension)!;
    expect(old).toEqual({ resourceType: "Patient", id: old.id, gender: "female", extension: [{ url: AGE_BAND_EXTENSION, valueString: "90+" }], address: [{ state: "서울특별시", country: "KR" }] });
    expect(patients.find((p) => !p.extension)).toMatchObject({ birthDate: "1971", gender: "male", address: [{ state: "경기도", country: "KR" }] });
  });

  it("re-points every reference at the export's own patient ids, and omits types not on the allow-list", () => {
    const patientIds = new Set(lines(result.files.find((f) => f.resourceType === "Patient")!.content).map((p) => `Patient/${p.id}`));
    for (const file of result.files.filter((f) => f.resourceType !== "Patient")) {
      for (const line of lines(file.content)) expect(patientIds.has(((line.subject ?? line.patient) as { reference: string }).reference)).toBe(true);
    }
    expect(result.omittedByType).toEqual({ Coverage: 1 });
  });

  it("carries no free text at all: no CodeableConcept text, no display outside a known terminology", () => {
    // The ward's prescriptions are text only ("Metformin 500 mg tablet"), its encounter types and reasons too.
    const texts: string[] = [];
    const walk = (v: unknown, key = ""): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) if (k !== "extension") walk(x, k);
      else if (typeof v === "string" && (key === "text" || key === "valueString" || key === "description" || key === "conclusion")) texts.push(v);
    };
    for (const file of result.files) for (const line of lines(file.content)) walk(line);
    expect(texts).toEqual([]);
    const displays: { display: unknown; system: unknown }[] = [];
    const codings = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(codings);
      else if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if ("display" in o) displays.push({ display: o.display, system: o.system });
        Object.values(o).forEach(codings);
      }
    };
    for (const file of result.files) for (const line of lines(file.content)) codings(line);
    expect(displays.length).toBeGreaterThan(0);
    expect(displays.filter((d) => typeof d.system !== "string" || !SAFE_SYSTEMS.has(d.system))).toEqual([]);
  });

  it("never links two exports: ids are fresh each time", () => {
    const again = deidentify({ mode: "SAFE_HARBOR", patients: [patient, young], records, now });
    const ids = (r: typeof result) => new Set(r.files.flatMap((f) => lines(f.content).map((l) => l.id as string)));
    const first = ids(result);
    expect([...ids(again)].some((id) => first.has(id))).toBe(false);
  });
});

describe("pseudonymised export", () => {
  const p = { key, scope: "study-a" };
  const run = () => deidentify({ mode: "PSEUDONYMISED", patients: [patient, young], records, now, pseudonymisation: p });

  it("is identical when repeated (same pseudonyms, same shifted dates), and differs under another study", () => {
    expect(run().files).toEqual(run().files);
    const other = deidentify({ mode: "PSEUDONYMISED", patients: [patient, young], records, now, pseudonymisation: { key, scope: "study-b" } });
    expect(other.files.find((f) => f.name === "Patient.ndjson")!.content).not.toBe(run().files.find((f) => f.name === "Patient.ndjson")!.content);
  });

  it("shifts each patient's dates by one keyed offset within ±180 days, never 0", () => {
    const shift = dateShiftDays(p, young.id);
    expect(Math.abs(shift)).toBeGreaterThan(0);
    expect(Math.abs(shift)).toBeLessThanOrEqual(MAX_SHIFT_DAYS);
    const patients = lines(run().files.find((f) => f.name === "Patient.ndjson")!.content);
    const shifted = patients.find((x) => x.id === pseudonym(p, "Patient", young.id))!;
    expect(shifted.birthDate).toBe(new Date(young.birthDate.getTime() + shift * 86_400_000).toISOString().slice(0, 10));
    const offsets = new Set(Array.from({ length: 200 }, (_, i) => dateShiftDays(p, `patient-${i}`)));
    expect(offsets.has(0)).toBe(false);
    expect(offsets.size).toBeGreaterThan(100);
  });

  it("still removes every direct identifier (names, contacts, MRN, notes, serials, photos)", () => {
    const output = run().files.map((f) => f.content).join("");
    const findings = scanForIdentifiers(output, { recordIds: allIds }).filter((f) => f.kind !== "full date" && f.kind !== "dates");
    expect(findings).toEqual([]);
  });

  it("refuses to run without a key", () => {
    expect(() => deidentify({ mode: "PSEUDONYMISED", patients: [patient], records: [], now })).toThrow(/key/);
  });
});

describe("geography and manifest helpers", () => {
  it("keeps a province only when the address starts with one", () => {
    expect(provinceOf("서울특별시 종로구 율곡로 99")).toBe("서울특별시");
    expect(provinceOf("종로구 율곡로 99")).toBeNull();
    expect(provinceOf(null)).toBeNull();
  });

  it("hashes the canonical manifest, whatever the key order", () => {
    expect(manifestHash({ b: 1, a: 2 }).hash).toBe(manifestHash({ a: 2, b: 1 }).hash);
    expect(manifestHash({ a: 1 }).hash).toBe(`0x${sha256Hex('{"a":1}')}`);
  });

  it("finds a changed, missing or extra file", () => {
    const manifest = { files: [{ name: "A.ndjson", resourceType: "A", sha256: sha256Hex("a\n"), lines: 1, bytes: 2 }, { name: "B.ndjson", resourceType: "B", sha256: sha256Hex("b\n"), lines: 1, bytes: 2 }] };
    const checks = checkFiles(manifest, [{ name: "A.ndjson", content: "a\n" }, { name: "C.ndjson", content: "c\n" }]);
    expect(checks.map((c) => [c.name, c.ok])).toEqual([["A.ndjson", true], ["B.ndjson", false], ["C.ndjson", false]]);
  });
});
