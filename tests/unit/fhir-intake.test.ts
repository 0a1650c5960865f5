import { beforeAll, describe, expect, it } from "vitest";
import {
  activeNarrativeContent,
  analyseUpload,
  clinicalTime,
  decideIntake,
  documentRecord,
  ingestPatientJson,
  IntakeRejectedError,
  jsonDepth,
  MRN_SYSTEM,
  mrnOf,
  parseJsonWithLimits,
  type IntakeLimits,
  type PatientIdentity,
} from "@/lib/fhir/ingest";
import { checkAttachments } from "@/lib/fhir/attachment";
import { EMPTY_CONTEXT } from "@/lib/fhir/intake/plan";
import { validateFhirResource } from "@/lib/fhir/validate";

// Indexing the R4 definitions takes about a second, more on a busy machine: once, outside any one test's time limit.
beforeAll(() => {
  validateFhirResource({ resourceType: "Basic", code: { text: "warm-up" } });
}, 60_000);

const LIMITS: IntakeLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: 32, maxEntries: 50 };
const WHO: PatientIdentity = { id: "11111111-1111-4111-8111-111111111111", name: "정하은 Jung Ha-eun", birthDate: "1958-03-14", mrn: "10000001" };
const NOW = new Date("2026-11-26T00:00:00Z");

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

function rejection(run: () => unknown): IntakeRejectedError {
  try {
    run();
  } catch (error) {
    if (error instanceof IntakeRejectedError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

const patient = (over: Record<string, unknown> = {}) => ({
  fullUrl: "urn:uuid:7f2b6a1e-0000-4000-8000-000000000001",
  resource: { resourceType: "Patient", id: "ext-42", name: [{ family: "Jung", given: ["Ha-eun"] }], birthDate: "1958-03-14", ...over },
});

function goodBundle(type = "collection") {
  return {
    resourceType: "Bundle",
    type,
    entry: [
      patient(),
      {
        resource: {
          resourceType: "Observation",
          status: "final",
          code: { coding: [{ system: "http://loinc.org", code: "2339-0" }], text: "Glucose" },
          subject: { reference: "urn:uuid:7f2b6a1e-0000-4000-8000-000000000001" },
          effectiveDateTime: "2024-05-01T09:30:00+09:00",
          valueQuantity: { value: 98, unit: "mg/dL" },
        },
      },
      { resource: { resourceType: "Condition", subject: { reference: "Patient/ext-42" }, code: { text: "Hypertension" }, onsetDateTime: "2019" } },
      {
        resource: {
          resourceType: "AllergyIntolerance",
          clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code: "active" }] },
          patient: { reference: "Patient/ext-42" },
          code: { text: "Penicillin" },
          recordedDate: "2020-02-02",
        },
      },
    ],
  };
}

describe("a good bundle", () => {
  it("is accepted: the Patient matches, references are re-pointed to ours, clinical times are read", () => {
    const records = ingestPatientJson(bytes(goodBundle()), WHO, NOW, LIMITS);
    expect(records.map((r) => r.resourceType)).toEqual(["Observation", "Condition", "AllergyIntolerance"]);
    expect((records[0]!.resource.subject as { reference: string }).reference).toBe(`Patient/${WHO.id}`);
    expect((records[1]!.resource.subject as { reference: string }).reference).toBe(`Patient/${WHO.id}`);
    expect((records[2]!.resource.patient as { reference: string }).reference).toBe(`Patient/${WHO.id}`);
    expect(records[0]!.recordedAt.toISOString()).toBe("2024-05-01T00:30:00.000Z");
    expect(records[1]!.recordedAt.toISOString()).toBe("2019-01-01T00:00:00.000Z");
    expect(records[2]!.recordedAt.toISOString()).toBe("2020-02-02T00:00:00.000Z");
  });
  it("matches the Hangul name too, and a single resource without a Patient", () => {
    const hangul = goodBundle();
    hangul.entry[0] = patient({ name: [{ text: "정 하은" }] });
    expect(ingestPatientJson(bytes(hangul), WHO, NOW, LIMITS)).toHaveLength(3);
    // Without a Patient entry, an app's own patient id means nothing here: the reference must name the patient.
    const single = ingestPatientJson(bytes({ resourceType: "Condition", subject: { reference: "Patient/abc", display: "Jung Ha-eun" }, code: { text: "Asthma" } }), WHO, NOW, LIMITS);
    expect(single[0]!.recordedAt).toEqual(NOW);
    expect((single[0]!.resource.subject as { reference: string }).reference).toBe(`Patient/${WHO.id}`);
  });
  it("accepts each patient bundle type and refuses others", () => {
    for (const type of ["document", "collection", "transaction", "batch", "searchset"]) {
      const bundle = goodBundle(type);
      if (type === "transaction" || type === "batch") {
        for (const entry of bundle.entry as { resource: { resourceType: string }; request?: unknown }[]) entry.request = { method: "POST", url: entry.resource.resourceType };
      }
      if (type === "document") {
        Object.assign(bundle, { identifier: { system: "urn:ietf:rfc:3986", value: "urn:uuid:1" }, timestamp: "2024-01-01T00:00:00Z" });
        const composition = { resourceType: "Composition", status: "final", type: { text: "Summary" }, subject: { reference: "Patient/ext-42" }, date: "2024-01-01", author: [{ display: "Dr. A" }], title: "Summary" };
        bundle.entry.unshift({ resource: composition } as never);
      }
      expect(() => ingestPatientJson(bytes(bundle), WHO, NOW, LIMITS), type).not.toThrow();
    }
    expect(rejection(() => ingestPatientJson(bytes(goodBundle("history")), WHO, NOW, LIMITS)).reason).toBe("bundle_type");
  });
});

describe("limits", () => {
  it("refuses a file over the byte limit, before parsing", () => {
    expect(rejection(() => parseJsonWithLimits(new Uint8Array(1025), { ...LIMITS, maxBytes: 1024 })).reason).toBe("too_large");
    expect(rejection(() => parseJsonWithLimits(new Uint8Array(0), LIMITS)).reason).toBe("empty");
  });
  it("refuses nesting deeper than the limit, without building it", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(jsonDepth(deep, 32)).toBe(33);
    expect(rejection(() => parseJsonWithLimits(bytes(deep), LIMITS)).reason).toBe("too_deep");
    // Brackets inside strings are text.
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
  });
  it("refuses more entries than the limit", () => {
    const bundle = goodBundle();
    bundle.entry = Array.from({ length: 51 }, () => bundle.entry[1]!);
    expect(rejection(() => ingestPatientJson(bytes(bundle), WHO, NOW, LIMITS)).reason).toBe("too_many_entries");
  });
  it("refuses text that is not JSON or not UTF-8, naming no content", () => {
    const notJson = rejection(() => parseJsonWithLimits(bytes("{ secret diagnosis"), LIMITS));
    expect(notJson.reason).toBe("not_json");
    expect(JSON.stringify(notJson.problems)).not.toContain("diagnosis");
    expect(rejection(() => parseJsonWithLimits(new Uint8Array([0x7b, 0xff, 0x7d]), LIMITS)).reason).toBe("not_json");
    expect(rejection(() => ingestPatientJson(bytes({ hello: "world" }), WHO, NOW, LIMITS)).reason).toBe("not_fhir");
  });
});

describe("hostile input", () => {
  it("refuses prototype-pollution keys anywhere", () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const text = `{"resourceType":"Condition","code":{"text":"x","${key}":{"polluted":true}}}`;
      const error = rejection(() => parseJsonWithLimits(bytes(text), LIMITS));
      expect(error.reason).toBe("forbidden_key");
      expect(error.problems[0]!.field).toBe(`code.${key}`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it("refuses a NUL character (which the database could not store) with its path", () => {
    const error = rejection(() => parseJsonWithLimits(bytes('{"resourceType":"Condition","code":{"text":"a\\u0000b"}}'), LIMITS));
    expect(error.reason).toBe("forbidden_character");
    expect(error.problems[0]!.field).toBe("code.text");
  });
  it("refuses a raw NUL byte in the text, saying where it is, before parsing", () => {
    const error = rejection(() => parseJsonWithLimits(bytes('{"resourceType":"Condition",\n "code":{"text":"a\u0000b"}}'), LIMITS));
    expect(error.reason).toBe("forbidden_character");
    expect(error.problems[0]!.message).toMatch(/NUL character \(U\+0000\).*line 2, column 19/);
  });
  it("refuses an unpaired surrogate escape in a value or a key, with its path; a paired one is text", () => {
    for (const [json, field] of [
      ['{"resourceType":"Condition","code":{"text":"a\\ud800b"}}', "code.text"],
      ['{"resourceType":"Condition","code":{"text":"\\udc00"}}', "code.text"],
      ['{"resourceType":"Condition","note":[{"text":"ok"},{"text":"x\\ud83d"}]}', "note[1].text"],
      ['{"resourceType":"Condition","code":{"\\udfff":"x"}}', "code.?"],
      ['{"resourceType":"Condition","code":{"a\\u0000":"x"}}', "code.?"],
    ] as const) {
      const error = rejection(() => parseJsonWithLimits(bytes(json), LIMITS));
      expect(error.reason, json).toBe("forbidden_character");
      expect(error.problems[0]!.field, json).toBe(field);
      // The answer itself is well-formed text (no lone surrogate echoed back).
      expect(error.problems[0]!.field! + error.problems[0]!.message, json).not.toMatch(/[\uD800-\uDFFF]/);
    }
    expect(parseJsonWithLimits(bytes('{"resourceType":"Condition","code":{"text":"\\ud83d\\ude00"}}'), LIMITS)).toEqual({ resourceType: "Condition", code: { text: "😀" } });
  });
  it("refuses active content in a narrative, naming the entry and field", () => {
    for (const div of [
      '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>',
      '<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="alert(1)">x</p></div>',
      '<div xmlns="http://www.w3.org/1999/xhtml"><a href=" javascript:alert(1)">x</a></div>',
      '<div xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil"></iframe></div>',
    ]) {
      const bundle = goodBundle();
      Object.assign(bundle.entry[2]!.resource, { text: { status: "generated", div } });
      const error = rejection(() => ingestPatientJson(bytes(bundle), WHO, NOW, LIMITS));
      expect(error.reason, div).toBe("invalid_entries");
      expect(error.problems).toEqual([expect.objectContaining({ entry: 2, resourceType: "Condition", field: "Condition.text.div" })]);
    }
    expect(activeNarrativeContent('<div xmlns="http://www.w3.org/1999/xhtml"><p>Blood pressure <b>high</b> &lt;script&gt;</p></div>')).toBeNull();
  });
  it("refuses a bundle about someone else: another Patient, or a reference to another patient", () => {
    const other = goodBundle();
    other.entry[0] = patient({ name: [{ family: "Kang", given: ["Do-yun"] }] });
    const mismatch = rejection(() => ingestPatientJson(bytes(other), WHO, NOW, LIMITS));
    expect(mismatch.reason).toBe("patient_mismatch");
    expect(mismatch.problems[0]!.entry).toBe(0);

    const wrongBirth = goodBundle();
    wrongBirth.entry[0] = patient({ birthDate: "1958-03-15" });
    expect(rejection(() => ingestPatientJson(bytes(wrongBirth), WHO, NOW, LIMITS)).reason).toBe("patient_mismatch");

    const stray = goodBundle();
    (stray.entry[3]!.resource as Record<string, unknown>).patient = { reference: "Patient/somebody-else" };
    const foreign = rejection(() => ingestPatientJson(bytes(stray), WHO, NOW, LIMITS));
    expect(foreign.problems).toEqual([expect.objectContaining({ entry: 3, field: "AllergyIntolerance.patient.reference" })]);

    const two = goodBundle();
    two.entry.push({ ...patient({ id: "ext-43" }), fullUrl: "urn:uuid:7f2b6a1e-0000-4000-8000-000000000002" });
    expect(rejection(() => ingestPatientJson(bytes(two), WHO, NOW, LIMITS)).reason).toBe("several_patients");
  });
});

describe("per-entry messages", () => {
  it("names every bad entry and field at once, and stores nothing of a partly bad bundle", () => {
    const bundle = goodBundle();
    (bundle.entry[1]!.resource as Record<string, unknown>).status = undefined;
    (bundle.entry[1]!.resource as Record<string, unknown>).valueQuantity = { value: "ninety" };
    (bundle.entry[2]!.resource as Record<string, unknown>).onsetDateTime = "yesterday";
    bundle.entry.push({ resource: { resourceType: "Organization", name: "Elsewhere", active: "yes" } } as never);
    const error = rejection(() => ingestPatientJson(bytes(bundle), WHO, NOW, LIMITS));
    expect(error.reason).toBe("invalid_entries");
    expect(error.problems.map((p) => [p.entry, p.field])).toEqual([
      [1, "Observation.status"],
      [1, "Observation.value[x].value"],
      [2, "Condition.onset[x]"],
      [4, "Organization.active"],
    ]);
    for (const p of error.problems) expect(p.message.length).toBeGreaterThan(5);
  });
  it("refuses an attachment whose data contradicts its hash", () => {
    const doc = {
      resourceType: "DocumentReference",
      status: "current",
      content: [{ attachment: { contentType: "text/plain", data: Buffer.from("hello").toString("base64"), hash: Buffer.alloc(20).toString("base64") } }],
    };
    const error = rejection(() => ingestPatientJson(bytes(doc), WHO, NOW, LIMITS));
    expect(error.problems[0]!.field).toBe("DocumentReference.content[0].attachment");
  });
  it("reads the clinical time from the field each type uses", () => {
    expect(clinicalTime({ effectivePeriod: { start: "2021-03" } })?.toISOString()).toBe("2021-03-01T00:00:00.000Z");
    expect(clinicalTime({ date: "not a date" })).toBeNull();
  });
});

describe("documents", () => {
  const pdf = bytes("%PDF-1.4\n%\u00e2\u00e3\n1 0 obj<<>>endobj\n%%EOF\n");
  it("become a DocumentReference whose attachment hash checks", () => {
    const record = documentRecord(pdf, "application/pdf", "../../lab results.pdf", WHO, NOW, LIMITS);
    expect(record.resourceType).toBe("DocumentReference");
    expect(checkAttachments(record.resource)).toEqual([expect.objectContaining({ state: "match", contentType: "application/pdf", title: "lab results.pdf", size: pdf.byteLength })]);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    expect(documentRecord(png, "image/png", "x.png", WHO, NOW, LIMITS).resource.content).toBeDefined();
  });
  it("are refused when the content is not what is declared, or not a document at all", () => {
    expect(rejection(() => documentRecord(pdf, "image/png", "x.png", WHO, NOW, LIMITS)).reason).toBe("content_type");
    expect(rejection(() => documentRecord(bytes("<html><script>"), "application/pdf", "x.pdf", WHO, NOW, LIMITS)).reason).toBe("content_type");
    expect(rejection(() => documentRecord(new Uint8Array(2048), "application/pdf", "x.pdf", WHO, NOW, { ...LIMITS, maxBytes: 1024 })).reason).toBe("too_large");
  });
});

describe("hospital systems", () => {
  it("find the patient by the MRN identifier and may point at it with a conditional reference", () => {
    const bundle = {
      resourceType: "Bundle",
      type: "transaction",
      entry: [
        { fullUrl: "urn:uuid:p", resource: { resourceType: "Patient", identifier: [{ system: MRN_SYSTEM, value: "10000001" }], name: [{ text: "정하은" }], birthDate: "1958-03-14" }, request: { method: "PUT", url: "Patient?identifier=x" } },
        { resource: { resourceType: "Observation", status: "final", code: { text: "Hb" }, subject: { reference: `Patient?identifier=${MRN_SYSTEM}|10000001` } }, request: { method: "POST", url: "Observation" } },
        { resource: { resourceType: "Observation", status: "final", code: { text: "Hb" }, subject: { reference: "urn:uuid:p" } }, request: { method: "DELETE", url: "Observation/1" } },
      ],
    };
    const error = rejection(() => decideIntake(analyseUpload(bytes(bundle), LIMITS, ["transaction"]), WHO, EMPTY_CONTEXT, NOW));
    expect(error.problems).toEqual([expect.objectContaining({ entry: 2, field: "Bundle.entry[2].request.method" })]);
    bundle.entry[2]!.request.method = "POST";
    const analysed = analyseUpload(bytes(bundle), LIMITS, ["transaction"]);
    expect(mrnOf(analysed.upload)).toBe("10000001");
    const records = decideIntake(analysed, WHO, EMPTY_CONTEXT, NOW).plan.records;
    expect(records.map((r) => (r.resource.subject as { reference: string }).reference)).toEqual([`Patient/${WHO.id}`, `Patient/${WHO.id}`]);
  });
});
