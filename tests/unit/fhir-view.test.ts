import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { checkAttachments, type AttachmentCheck } from "@/lib/fhir/attachment";
import { narrativeText } from "@/lib/fhir/narrative";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("base64");

const SUMMARY = "Discharge summary: admitted 2025-03-01 with community-acquired pneumonia; discharged 2025-03-05.";

function doc(...attachments: Record<string, unknown>[]) {
  return { resourceType: "DocumentReference", status: "current", content: attachments.map((attachment) => ({ attachment })) };
}

describe("checkAttachments", () => {
  it("matches inline data against its base64 SHA-1 and its size", () => {
    const [check] = checkAttachments(
      doc({ contentType: "text/plain", title: "summary.txt", data: b64(SUMMARY), hash: sha1(SUMMARY), size: Buffer.byteLength(SUMMARY) }),
    );
    expect(check).toEqual({ index: 0, title: "summary.txt", contentType: "text/plain", size: Buffer.byteLength(SUMMARY), state: "match" });
  });

  it("reports altered data as a mismatch", () => {
    const [check] = checkAttachments(doc({ data: b64(`${SUMMARY} Amended.`), hash: sha1(SUMMARY) }));
    expect(check?.state).toBe("mismatch");
  });

  it("reports a stated size that disagrees with the data as a mismatch, hashed or not", () => {
    const size = Buffer.byteLength(SUMMARY) + 1;
    expect(checkAttachments(doc({ data: b64(SUMMARY), hash: sha1(SUMMARY), size }))[0]?.state).toBe("mismatch");
    expect(checkAttachments(doc({ data: b64(SUMMARY), size }))[0]?.state).toBe("mismatch");
    // The size shown is what the data actually holds.
    expect(checkAttachments(doc({ data: b64(SUMMARY), size }))[0]?.size).toBe(Buffer.byteLength(SUMMARY));
  });

  it("calls inline data without a hash unhashed, and a URL-only attachment external", () => {
    expect(checkAttachments(doc({ data: b64(SUMMARY) }))[0]?.state).toBe("unhashed");
    const [external] = checkAttachments(doc({ url: "https://pacs.example.org/studies/1.2.840.1", hash: sha1(SUMMARY), size: 12 }));
    expect(external).toMatchObject({ state: "external", size: 12 });
  });

  it("calls data that is not base64, or a hash that is not a base64 SHA-1, invalid", () => {
    expect(checkAttachments(doc({ data: "not base64!!", hash: sha1(SUMMARY) }))[0]?.state).toBe("invalid");
    expect(checkAttachments(doc({ data: "QUJD=" }))[0]?.state).toBe("invalid"); // bad padding
    expect(checkAttachments(doc({ data: "" }))[0]?.state).toBe("invalid");
    const hex = createHash("sha1").update(SUMMARY).digest("hex");
    expect(checkAttachments(doc({ data: b64(SUMMARY), hash: hex }))[0]?.state).toBe("invalid");
    expect(checkAttachments(doc({ data: b64(SUMMARY), size: -3 }))[0]?.state).toBe("invalid");
  });

  it("accepts base64 broken over lines, as FHIR allows", () => {
    const wrapped = b64(SUMMARY).replace(/(.{20})/g, "$1\n");
    expect(checkAttachments(doc({ data: wrapped, hash: sha1(SUMMARY) }))[0]?.state).toBe("match");
  });

  it("checks a DiagnosticReport's presentedForm, keeps indexes, and ignores other types", () => {
    const checks = checkAttachments({
      resourceType: "DiagnosticReport",
      presentedForm: [{ url: "https://lis.example.org/r/1.pdf" }, { contentType: "text/plain", data: b64("CBC"), hash: sha1("CBC") }],
    });
    expect(checks.map((c) => [c.index, c.state])).toEqual([
      [0, "external"],
      [1, "match"],
    ]);
    expect(checkAttachments({ resourceType: "Observation", presentedForm: [{ data: b64("x") }] })).toEqual([]);
    expect(checkAttachments(null)).toEqual([]);
    expect(checkAttachments({ resourceType: "DocumentReference", content: "nonsense" })).toEqual([]);
  });
});

describe("narrativeText", () => {
  it("strips tags and puts paragraphs, list items, rows and breaks on their own lines", () => {
    const div =
      '<div xmlns="http://www.w3.org/1999/xhtml">\n  <p>Blood pressure <b>142/91</b>\n mmHg</p><ul><li>Repeat in 2 weeks</li><li>Low-salt diet</li></ul>' +
      "Seen by<br/>Dr Kim<table><tr><th>Test</th><th>Result</th></tr><tr><td>Hb</td><td>13.5 g/dL</td></tr></table></div>";
    expect(narrativeText(div)).toBe("Blood pressure 142/91 mmHg\nRepeat in 2 weeks\nLow-salt diet\nSeen by\nDr Kim\nTest | Result\nHb | 13.5 g/dL");
  });

  it("drops script and style elements with their content, and never returns a tag", () => {
    const text = narrativeText(
      '<div><script>alert(1)</script><p>Stable</p><img src=x onerror=alert(1)><style>p{}</style><SCRIPT type="text/javascript">alert(2)</SCRIPT ></div>',
    );
    expect(text).toBe("Stable");
    expect(narrativeText('<div><p title="a>b" onclick="alert(1)">ok</p><!-- <script>alert(1)</script> --></div>')).toBe("ok");
    expect(narrativeText('<div>ok<img src="x onerror=alert(1)')).toBe("ok");
  });

  it("decodes entities exactly once", () => {
    expect(narrativeText("<div>&lt;b&gt; &amp;lt;i&amp;gt; O&#39;Brien &#x27;q&#x27; 5&nbsp;&nbsp;mg &deg;C &unknown;</div>")).toBe(
      "<b> &lt;i&gt; O'Brien 'q' 5 mg °C &unknown;",
    );
    expect(narrativeText("<div>&#0;&#xD800;&#1;x</div>")).toBe("\ufffd\ufffd\ufffdx");
  });

  it("returns null for no text", () => {
    expect(narrativeText(undefined)).toBeNull();
    expect(narrativeText(42)).toBeNull();
    expect(narrativeText('<div xmlns="http://www.w3.org/1999/xhtml"> <p> </p> </div>')).toBeNull();
  });
});

// ---- rendering --------------------------------------------------------------------------------------------------
// Vitest's workers run with the react-server condition (as Next's server does), under which react-dom/server refuses
// to load. The view is rendered the way Next renders HTML instead: in a child process with the default conditions,
// through tsx (tsconfig paths, JSX), with the real catalogues and formats and a provider that throws on any missing
// message. One process renders every case.

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");

const RENDERER = `
import { readFileSync } from "node:fs";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { NextIntlClientProvider } from "next-intl";
import { FhirResourceView } from "./components/records/fhir-resource-view";
import { catalogues } from "./lib/i18n/catalogues";
import { formats } from "./lib/i18n/formats";
const jobs = JSON.parse(readFileSync(0, "utf8"));
const html = jobs.map(({ locale, resource, attachments }) =>
  renderToStaticMarkup(
    createElement(
      NextIntlClientProvider,
      { locale, messages: catalogues[locale], formats, timeZone: "Asia/Seoul", onError: (error) => { throw error; } },
      createElement(FhirResourceView, { resource, attachments }),
    ),
  ),
);
process.stdout.write(JSON.stringify(html));
`;

type Job = { locale: "en" | "ko"; resource: Record<string, unknown>; attachments: AttachmentCheck[] };
const jobs = new Map<string, Job>();
const rendered = new Map<string, string>();
let stderr = "";

function view(name: string, resource: Record<string, unknown>, locale: "en" | "ko" = "en") {
  jobs.set(name, { locale, resource, attachments: checkAttachments(resource) });
}

function html(name: string): string {
  const markup = rendered.get(name);
  if (markup === undefined) throw new Error(`not rendered: ${name}`);
  return markup;
}

/** The markup's text, as a reader sees it (tags removed, the escapes React writes undone). */
function textOf(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

const coding = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const LOINC = "http://loinc.org";
const SNOMED = "http://snomed.info/sct";
const V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
const XSS = '<script>alert(1)</script><img src=x onerror=alert(1)>';
const patient = { reference: "Patient/7b4e8a4e", display: "Kim Minji" };

view("bloodPressure", {
  resourceType: "Observation",
  id: "bp-2025-03-14",
  status: "final",
  category: [coding("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")],
  code: { ...coding(LOINC, "85354-9", "Blood pressure panel with all children optional"), text: "Blood pressure" },
  subject: patient,
  effectiveDateTime: "2025-03-14T09:30:00+09:00",
  interpretation: [coding(V3_INTERPRETATION, "H")],
  component: [
    {
      code: coding(LOINC, "8480-6", "Systolic blood pressure"),
      valueQuantity: { value: 142, unit: "mmHg", system: "http://unitsofmeasure.org", code: "mm[Hg]" },
      interpretation: [coding(V3_INTERPRETATION, "H")],
      referenceRange: [{ high: { value: 120, unit: "mmHg" } }],
    },
    {
      code: coding(LOINC, "8462-4", "Diastolic blood pressure"),
      valueQuantity: { value: 78, unit: "mmHg", system: "http://unitsofmeasure.org", code: "mm[Hg]" },
      interpretation: [coding(V3_INTERPRETATION, "N")],
    },
  ],
});

const potassium = {
  resourceType: "Observation",
  status: "final",
  category: [coding("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")],
  code: { ...coding(LOINC, "2823-3", "Potassium [Moles/volume] in Serum or Plasma"), text: "Potassium" },
  subject: patient,
  effectiveDateTime: "2025-03-14T07:05:00+09:00",
  issued: "2025-03-14T01:12:30.000Z",
  valueQuantity: { value: 5.9, unit: "mmol/L", system: "http://unitsofmeasure.org", code: "mmol/L" },
  interpretation: [coding(V3_INTERPRETATION, "H")],
  referenceRange: [{ low: { value: 3.5, unit: "mmol/L" }, high: { value: 5.1, unit: "mmol/L" } }],
  specimen: { display: "Serum" },
  text: { status: "generated", div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Potassium 5.9 mmol/L (H)</p></div>' },
};
view("potassium", potassium);
view("potassiumKo", potassium, "ko");

view("condition", {
  resourceType: "Condition",
  clinicalStatus: coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
  verificationStatus: coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"),
  category: [coding("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")],
  severity: coding(SNOMED, "6736007", "Moderate"),
  code: { ...coding(SNOMED, "44054006", "Diabetes mellitus type 2"), text: "Type 2 diabetes mellitus" },
  bodySite: [coding(SNOMED, "113331007", "Endocrine system")],
  subject: patient,
  onsetDateTime: "2019-06-01",
  recordedDate: "2019-06-12T10:20:00+09:00",
  note: [{ text: "HbA1c 7.8% at diagnosis; started on metformin." }],
});

view("allergy", {
  resourceType: "AllergyIntolerance",
  clinicalStatus: coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
  verificationStatus: coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed"),
  type: "allergy",
  category: ["medication"],
  criticality: "high",
  code: { ...coding("http://www.nlm.nih.gov/research/umls/rxnorm", "7980", "Penicillin G"), text: "Penicillin" },
  patient,
  recordedDate: "2020-02-11",
  reaction: [
    { manifestation: [coding(SNOMED, "39579001", "Anaphylaxis")], severity: "severe", onset: "2020-02-10T14:00:00+09:00" },
    { manifestation: [coding(SNOMED, "247472004", "Hives")], severity: "moderate" },
  ],
});

view("medicationRequest", {
  resourceType: "MedicationRequest",
  status: "active",
  intent: "order",
  medicationCodeableConcept: { ...coding("http://www.nlm.nih.gov/research/umls/rxnorm", "861007"), text: "Metformin 500 mg tablet" },
  subject: patient,
  authoredOn: "2025-01-10T11:00:00+09:00",
  requester: { display: "Dr. Lee Jiwon" },
  reasonCode: [{ text: "Type 2 diabetes mellitus" }],
  dosageInstruction: [
    {
      text: "500 mg twice daily with meals",
      timing: { repeat: { frequency: 2, period: 1, periodUnit: "d" } },
      route: coding(SNOMED, "26643006", "Oral route"),
      doseAndRate: [{ doseQuantity: { value: 500, unit: "mg", system: "http://unitsofmeasure.org", code: "mg" } }],
    },
  ],
});

view("medicationStatement", {
  resourceType: "MedicationStatement",
  status: "active",
  medicationCodeableConcept: { text: "Atorvastatin 20 mg tablet" },
  subject: patient,
  effectivePeriod: { start: "2024-11-02" },
  dateAsserted: "2025-03-14T09:00:00+09:00",
  dosage: [
    { text: "20 mg at night", timing: { repeat: { frequency: 1, period: 1, periodUnit: "d", when: ["HS"] } } },
    { text: "Hold if myalgia", asNeededBoolean: true },
  ],
});

view("immunization", {
  resourceType: "Immunization",
  status: "completed",
  vaccineCode: { ...coding("http://hl7.org/fhir/sid/cvx", "141", "Influenza, seasonal, injectable"), text: "Influenza vaccine 2024–25" },
  patient,
  occurrenceDateTime: "2024-10-15T10:40:00+09:00",
  lotNumber: "AAJN11K",
  expirationDate: "2025-06-30",
  site: coding("http://terminology.hl7.org/CodeSystem/v3-ActSite", "LA", "Left arm"),
  route: coding("http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", "IM", "Intramuscular"),
  doseQuantity: { value: 0.5, unit: "mL" },
  protocolApplied: [{ doseNumberPositiveInt: 2, seriesDosesPositiveInt: 2 }],
});

view("procedure", {
  resourceType: "Procedure",
  status: "completed",
  code: { ...coding(SNOMED, "80146002", "Appendectomy"), text: "Laparoscopic appendectomy" },
  subject: patient,
  performedPeriod: { start: "2023-08-02T13:10:00+09:00", end: "2023-08-02T14:25:00+09:00" },
  bodySite: [coding(SNOMED, "66754008", "Appendix structure")],
  outcome: coding(SNOMED, "385669000", "Successful"),
  note: [{ text: "No complications. Discharged on day 2." }],
});

const CBC_REPORT = "CBC: Hb 10.9 g/dL (L), WBC 6.1, Plt 250.";
view("diagnosticReport", {
  resourceType: "DiagnosticReport",
  status: "final",
  category: [coding("http://terminology.hl7.org/CodeSystem/v2-0074", "HM", "Hematology")],
  code: { ...coding(LOINC, "58410-2", "CBC panel - Blood by Automated count"), text: "Complete blood count" },
  subject: patient,
  effectiveDateTime: "2025-03-14T07:05:00+09:00",
  issued: "2025-03-14T02:00:00Z",
  result: [{ reference: "Observation/hb" }, { reference: "Observation/wbc" }, { reference: "Observation/plt" }],
  conclusion: "Mild normocytic anaemia.",
  conclusionCode: [coding(SNOMED, "300980002", "Normocytic anaemia")],
  presentedForm: [{ contentType: "text/plain", title: "CBC report", data: b64(CBC_REPORT), hash: sha1(CBC_REPORT) }],
});

view("encounter", {
  resourceType: "Encounter",
  status: "finished",
  class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB", display: "ambulatory" },
  type: [{ text: "Outpatient follow-up" }],
  subject: patient,
  period: { start: "2025-03-14T09:00:00+09:00", end: "2025-03-14T09:40:00+09:00" },
  reasonCode: [{ text: "Chest pain" }],
  serviceProvider: { display: "Seoul General Hospital" },
});

view("documentReference", {
  resourceType: "DocumentReference",
  status: "current",
  type: { ...coding(LOINC, "18842-5", "Discharge summary"), text: "Discharge summary" },
  category: [{ text: "Clinical note" }],
  subject: patient,
  date: "2025-03-05T16:00:00+09:00",
  description: "Pneumonia admission, March 2025",
  content: [
    { attachment: { contentType: "text/plain", title: "summary.txt", data: b64(SUMMARY), hash: sha1(SUMMARY), size: Buffer.byteLength(SUMMARY) } },
    { attachment: { contentType: "text/plain", title: "addendum.txt", data: b64("Addendum: edited later"), hash: sha1("Addendum") } },
    { attachment: { contentType: "application/pdf", title: "scan.pdf", url: "https://docs.example.org/scan.pdf" } },
    { attachment: { contentType: "text/plain", title: "notes.txt", data: b64("Notes") } },
  ],
});

view("fallback", {
  resourceType: "FamilyMemberHistory",
  status: "completed",
  patient,
  relationship: coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "FTH", "father"),
  condition: [{ code: { text: "Myocardial infarction" }, onsetAge: { value: 56, unit: "yr" } }],
  deceasedBoolean: true,
  extension: [{ url: "http://example.org/a", extension: [{ url: "b", extension: [{ url: "c", valueString: "deep" }] }] }],
  text: { status: "generated", div: '<div xmlns="http://www.w3.org/1999/xhtml">Father: MI at 56</div>' },
});

// Hostile strings in every place a string is shown: each must come out as text.
view("xssObservation", {
  resourceType: "Observation",
  status: "final",
  code: { text: XSS },
  valueString: XSS,
  note: [{ text: XSS }],
  text: { status: "generated", div: `<div xmlns="http://www.w3.org/1999/xhtml">${XSS}<p>&lt;script&gt;alert(1)&lt;/script&gt;</p></div>` },
});
view("xssCondition", { resourceType: "Condition", code: { text: XSS }, note: [{ text: XSS }], severity: { text: XSS } });
view("xssDocument", {
  resourceType: "DocumentReference",
  status: "current",
  description: XSS,
  content: [{ attachment: { title: XSS, contentType: XSS, data: b64(XSS), hash: sha1(XSS) } }],
});
view("xssFallback", { resourceType: "Basic", code: { text: XSS }, [XSS]: XSS, text: { div: XSS } });

// Wrong shapes everywhere (stored records are validated, but the view must not depend on it).
const TYPED = ["Observation", "Condition", "AllergyIntolerance", "MedicationStatement", "MedicationRequest", "Immunization", "Procedure", "DiagnosticReport", "Encounter", "DocumentReference"];
const JUNK = {
  status: 7, code: "x", category: "y", component: [null, 1, { code: 3, valueQuantity: "1" }], interpretation: {}, referenceRange: [null, { low: "a" }],
  valueQuantity: "1", effectivePeriod: [], issued: "2025-13-45", note: "n", reaction: [null, { manifestation: "m", severity: 3 }],
  criticality: 9, clinicalStatus: "active", verificationStatus: { coding: "c" }, onsetDateTime: "not a date", dosageInstruction: [1, null, { timing: { repeat: { period: "1" } } }],
  dosage: {}, protocolApplied: [{ doseNumberPositiveInt: "2" }], performedPeriod: "p", result: "r", presentedForm: [null, 5], content: [null, { attachment: 3 }],
  class: "AMB", type: 4, period: { start: 5 }, text: { div: 5 }, medicationCodeableConcept: [], vaccineCode: null, lotNumber: 12,
};
for (const type of TYPED) view(`junk${type}`, { resourceType: type, ...JUNK });

beforeAll(() => {
  const names = [...jobs.keys()];
  const result = spawnSync(process.execPath, [tsxCli, "-e", RENDERER], {
    cwd: root,
    input: JSON.stringify(names.map((name) => jobs.get(name))),
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", NODE_ENV: "development" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`renderer failed (${result.status}): ${result.stderr || result.error}`);
  stderr = result.stderr;
  const markups = JSON.parse(result.stdout) as string[];
  names.forEach((name, i) => rendered.set(name, markups[i]!));
}, 120_000);

describe("FhirResourceView", () => {
  it("renders without React warnings or missing messages", () => {
    expect(stderr).toBe("");
    expect(rendered.size).toBe(jobs.size);
  });

  it("shows an Observation's value, flag, reference range, components, category and time", () => {
    const bp = textOf(html("bloodPressure"));
    expect(bp).toContain("Blood pressure");
    expect(bp).toContain("Systolic blood pressure: 142 mmHg");
    expect(bp).toContain("Diastolic blood pressure: 78 mmHg");
    expect(bp).toContain("≤ 120 mmHg");
    expect(bp).toContain("Vital Signs");
    expect(bp).toContain("03/14/2025, 09:30");
    expect(bp).toContain("Final");

    const k = html("potassium");
    expect(textOf(k)).toContain("5.9 mmol/L");
    expect(textOf(k)).toContain("Reference range 3.5–5.1 mmol/L");
    expect(textOf(k)).toContain("Abnormal: High");
    expect(k).toMatch(/class="[^"]*text-danger[^"]*"><span aria-hidden="true">⚠<\/span><span class="sr-only">Abnormal: <\/span>High/);
    // The narrative, as text, behind a toggle; the raw JSON behind another.
    expect(k).toMatch(/<details[^>]*><summary[^>]*>Narrative<\/summary><p[^>]*>Potassium 5.9 mmol\/L \(H\)<\/p><\/details>/);
    expect(k).toMatch(/<summary[^>]*>Raw JSON<\/summary><pre tabindex="0"[^>]*>\{\n {2}&quot;resourceType&quot;: &quot;Observation&quot;/);
    // Fields not shown above are still there, structured.
    expect(textOf(k)).toContain("Other fields (2)");
    expect(textOf(k)).toContain("Specimen");
  });

  it("speaks Korean in the ko locale", () => {
    const ko = textOf(html("potassiumKo"));
    expect(ko).toContain("참고 범위");
    expect(ko).toContain("원문 JSON");
    expect(ko).toContain("서술문");
    expect(ko).toContain("확정");
    expect(ko).toContain("비정상: 높음");
  });

  it("shows a Condition's code, statuses, severity, onset, body site and note", () => {
    const text = textOf(html("condition"));
    for (const expected of [
      "Type 2 diabetes mellitus",
      "Clinical status Active",
      "Verification status Confirmed",
      "Severity Moderate",
      "Onset June 1, 2019",
      "Endocrine system",
      "HbA1c 7.8% at diagnosis; started on metformin.",
      "Problem List Item",
      "06/12/2019, 10:20",
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("highlights a high-criticality allergy and a severe reaction", () => {
    const markup = html("allergy");
    const text = textOf(markup);
    for (const expected of ["Penicillin", "High risk", "Type Allergy", "Category Medication", "Anaphylaxis", "Severity: Severe", "Hives", "Severity: Moderate", "February 11, 2020", "Active", "Confirmed"]) {
      expect(text).toContain(expected);
    }
    expect(markup).toMatch(/border-danger bg-danger-soft text-danger[^"]*"><span aria-hidden="true">⚠<\/span>High risk/);
    expect(markup).toMatch(/text-danger[^"]*"><span aria-hidden="true">⚠<\/span>Severity: Severe/);
  });

  it("shows a prescription's medication, status, intent, dosage, route, frequency, dose, date and reason", () => {
    const text = textOf(html("medicationRequest"));
    for (const expected of [
      "Metformin 500 mg tablet",
      "Status Active",
      "Intent Order",
      "500 mg twice daily with meals",
      "Route Oral route",
      "Frequency 2 times every day",
      "Dose 500 mg",
      "Prescribed 01/10/2025, 11:00",
      "Type 2 diabetes mellitus",
      "Dr. Lee Jiwon",
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("lists several dosages of a MedicationStatement", () => {
    const markup = html("medicationStatement");
    const text = textOf(markup);
    for (const expected of ["Atorvastatin 20 mg tablet", "20 mg at night", "Once every day · HS", "Hold if myalgia", "As needed Yes", "November 2, 2024 – ongoing"]) {
      expect(text).toContain(expected);
    }
    expect(markup).toContain('<ol class="list-decimal');
  });

  it("shows an immunization's vaccine, date, lot, site, route and dose number", () => {
    const text = textOf(html("immunization"));
    for (const expected of ["Influenza vaccine 2024–25", "Completed", "10/15/2024, 10:40", "AAJN11K", "Left arm", "Intramuscular", "Dose 2 of 2", "0.5 mL", "June 30, 2025"]) {
      expect(text).toContain(expected);
    }
  });

  it("shows a procedure's code, status, period, body site, outcome and note", () => {
    const text = textOf(html("procedure"));
    for (const expected of ["Laparoscopic appendectomy", "Completed", "08/02/2023, 13:10 – 08/02/2023, 14:25", "Appendix structure", "Successful", "No complications."]) {
      expect(text).toContain(expected);
    }
  });

  it("shows a diagnostic report's conclusion, result count and checked attachment", () => {
    const markup = html("diagnosticReport");
    const text = textOf(markup);
    for (const expected of ["Complete blood count", "Final", "Hematology", "03/14/2025, 07:05", "03/14/2025, 11:00", "Mild normocytic anaemia.", "Normocytic anaemia", "3 results referenced", "CBC report", "Matches its hash"]) {
      expect(text).toContain(expected);
    }
    expect(markup).toContain('data-attachment-state="match"');
  });

  it("shows an encounter's status, class, type, period, reason and provider", () => {
    const text = textOf(html("encounter"));
    for (const expected of ["Outpatient follow-up", "Finished", "Class Outpatient", "03/14/2025, 09:00 – 03/14/2025, 09:40", "Chest pain", "Seoul General Hospital"]) {
      expect(text).toContain(expected);
    }
  });

  it("shows each document attachment with its hash check, a mismatch as a red warning", () => {
    const markup = html("documentReference");
    const text = textOf(markup);
    for (const expected of ["Discharge summary", "Clinical note", "Pneumonia admission, March 2025", "Current", "03/05/2025, 16:00", "summary.txt", `text/plain · ${Buffer.byteLength(SUMMARY)} bytes`, "scan.pdf"]) {
      expect(text).toContain(expected);
    }
    expect(markup).toMatch(/data-attachment-state="match"[^>]*>.*?summary\.txt.*?text-ok[^"]*"><span aria-hidden="true">✓<\/span>Matches its hash/s);
    expect(markup).toMatch(
      /data-attachment-state="mismatch" class="[^"]*border-danger bg-danger-soft[^"]*">.*?addendum\.txt.*?text-danger[^"]*"><span aria-hidden="true">⚠<\/span>Attachment does not match its hash/s,
    );
    expect(markup).toMatch(/data-attachment-state="external"[^>]*>.*?scan\.pdf.*?text-ink-muted[^"]*"><span aria-hidden="true">↗<\/span>Stored outside this record/s);
    expect(markup).toMatch(/data-attachment-state="unhashed"[^>]*>.*?notes\.txt.*?No hash recorded/s);
    // No data URL, link or embed of the content.
    expect(markup).not.toMatch(/<(a|iframe|object|embed|img)\b/);
  });

  it("falls back to a structured view for other types, keys humanised, arrays numbered, depth limited", () => {
    const markup = html("fallback");
    const text = textOf(markup);
    for (const expected of [
      "Status Completed",
      "Patient Kim Minji",
      "Relationship father",
      "Condition Code Myocardial infarction Onset age 56 yr",
      "Deceased boolean Yes",
      "Extension URL http://example.org/a",
      "Nested further: see Raw JSON",
      "Father: MI at 56",
    ]) {
      expect(text).toContain(expected);
    }
    expect(markup).toContain('<ol class="list-decimal');
    expect(markup).toContain("<dl");
  });

  it("renders resources of the wrong shape without failing, keeping their fields visible", () => {
    for (const type of TYPED) {
      const markup = html(`junk${type}`);
      expect(markup, type).toContain("Raw JSON");
      expect(textOf(markup), type).toMatch(/Other fields \(\d+\)/);
    }
    expect(textOf(html("junkCondition"))).toContain("not a date");
  });

  it("never turns a record's strings into markup", () => {
    for (const name of ["xssObservation", "xssCondition", "xssDocument", "xssFallback"]) {
      const markup = html(name);
      expect(markup, name).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
      expect(markup, name).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    }
    // The narrative's own markup is stripped; what it spelled out as text stays text.
    const narrative = /<summary[^>]*>Narrative<\/summary><p[^>]*>(.*?)<\/p>/s.exec(html("xssObservation"))?.[1];
    expect(narrative).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
