import { describe, expect, it } from "vitest";
import { ndjsonLines, orderFiles, parseLine, patientOf, resourceTypeOfFile } from "@/lib/fhir/intake/ndjson";

const LIMITS = { maxBytes: 1_000, maxDepth: 32, maxEntries: 1 };

async function lines(text: string, size: number, max = 1_000) {
  const bytes = Buffer.from(text);
  const chunks = async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  };
  const out: { line: number; text: string; tooLong?: boolean }[] = [];
  for await (const l of ndjsonLines(chunks(), max)) out.push({ line: l.line, text: Buffer.from(l.bytes).toString(), ...(l.tooLong ? { tooLong: true } : {}) });
  return out;
}

describe("Bulk Data NDJSON", () => {
  it.each([1, 3, 64])("numbers lines as editors do, skipping blank ones, whatever the chunk size (%i bytes)", async (size) => {
    expect(await lines('{"a":1}\r\n\n  \n{"b":"é"}\n{"c":3}', size)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":"é"}' },
      { line: 5, text: '{"c":3}' },
    ]);
  });

  it("reports a line over the limit without holding it, and goes on", async () => {
    expect(await lines(`{"a":1}\n${"x".repeat(50)}\n{"b":2}\n`, 7, 20)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: "", tooLong: true },
      { line: 3, text: '{"b":2}' },
    ]);
  });

  it("orders files by dependency: patients, directory, encounters, the rest, provenance last", () => {
    const names = ["Provenance.ndjson", "Observation.2.ndjson", "Observation.10.ndjson", "Encounter.ndjson", "Practitioner.ndjson", "Patient.ndjson", "Immunization.ndjson", "notes.txt"];
    const files = names.flatMap((name) => {
      const resourceType = resourceTypeOfFile(name);
      return resourceType ? [{ name, resourceType }] : [];
    });
    expect(orderFiles(files).map((f) => f.name)).toEqual(["Patient.ndjson", "Practitioner.ndjson", "Encounter.ndjson", "Immunization.ndjson", "Observation.2.ndjson", "Observation.10.ndjson", "Provenance.ndjson"]);
    expect(resourceTypeOfFile("1.Observation.ndjson")).toBe("Observation");
  });

  it("says what is wrong with a line: not JSON, not FHIR, a Bundle, the wrong type for its file", () => {
    expect(parseLine(Buffer.from('{"resourceType": '), LIMITS, null)).toHaveProperty("problem");
    expect(parseLine(Buffer.from("[1]"), LIMITS, null)).toEqual({ problem: "The line is JSON but not a FHIR resource (no resourceType)." });
    expect(parseLine(Buffer.from('{"resourceType":"Bundle"}'), LIMITS, null)).toHaveProperty("problem");
    expect(parseLine(Buffer.from('{"resourceType":"Condition"}'), LIMITS, "Observation")).toEqual({ problem: "A Condition in a file of Observation resources (one type per file)." });
    expect(parseLine(Buffer.from('{"resourceType":"Observation","id":"\\u0000"}'), LIMITS, null)).toHaveProperty("problem");
    expect(parseLine(Buffer.from('{"resourceType":"Observation"}'), LIMITS, "Observation")).toEqual({ resource: { resourceType: "Observation" } });
  });

  it("finds the patient a record is about, as Patient/<id> or urn:uuid:<id>, and only among the import's patients", () => {
    const known = (id: string) => id === "p1" || id === "p2";
    expect(patientOf({ resourceType: "Observation", performer: [{ reference: "Practitioner/x" }], subject: { reference: "Patient/p2" } }, known)).toBe("p2");
    expect(patientOf({ resourceType: "Immunization", patient: { reference: "urn:uuid:p1" } }, known)).toBe("p1");
    expect(patientOf({ resourceType: "Observation", subject: { reference: "Patient/other" } }, known)).toBeNull();
  });
});
