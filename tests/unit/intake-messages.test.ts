import { describe, expect, it } from "vitest";
import { catalogues } from "@/lib/i18n/catalogues";
import { ISSUE_CODES, PLAIN_PROBLEM_KINDS, plainProblem } from "@/lib/fhir/intake/model";
import { UPLOAD_REASONS } from "@/lib/dto/uploads";

// The intake's refusals carry a reason for the whole file and an issue code per problem; the patient reads a sentence
// for each, never only the code or the FHIRPath. Adding a code to lib/fhir/intake/model.ts without its two sentences
// fails here.
const languages = ["en", "ko"] as const;

function text(lang: (typeof languages)[number], key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), catalogues[lang].upload);
}

describe.each(languages)("every intake code has a sentence (%s)", (lang) => {
  it.each(UPLOAD_REASONS)("refusal reason %s", (reason) => {
    expect(text(lang, `reasons.${reason}`)).toEqual(expect.stringMatching(/\S/));
  });
  it.each(ISSUE_CODES)("issue code %s names its element", (code) => {
    const plain = plainProblem({ code, field: "Observation.valueQuantity.unit", resourceType: "Observation" });
    expect(plain).toEqual({ key: `issues.${code}`, element: "unit" });
    expect(text(lang, plain.key)).toEqual(expect.stringContaining("{element}"));
  });
  it.each(PLAIN_PROBLEM_KINDS)("sentence %s", (kind) => {
    expect(text(lang, `issues.${kind}`)).toEqual(expect.stringContaining("{element}"));
  });
  it("an unknown code gets the generic sentence, still naming the element", () => {
    const plain = plainProblem({ code: "throttled" as never, field: "Condition.code.coding[0]", resourceType: "Condition" });
    expect(plain).toEqual({ key: "issues.unknown", element: "coding" });
    expect(text(lang, plain.key)).toEqual(expect.stringContaining("{element}"));
  });
});

it("the validator's words refine its catch-all code", () => {
  const at = { field: "Observation.status", resourceType: "Observation" };
  expect(plainProblem({ ...at, code: "structure", message: "Missing required property" }).key).toBe("issues.required");
  expect(plainProblem({ ...at, code: "structure", message: "Invalid JSON type: expected string, but got number" }).key).toBe("issues.value");
  expect(plainProblem({ ...at, code: "structure", message: "Invalid number of values: expected 0..1, but found 2" }).key).toBe("issues.count");
  expect(plainProblem({ ...at, code: "structure", message: "Invalid additional property \"foo\"" }).key).toBe("issues.structure");
  expect(plainProblem({ ...at, code: "business-rule", message: "Missing required property" }).key).toBe("issues.business-rule");
});

it("a problem about the whole file names no element, and one without a code reads as invalid", () => {
  expect(plainProblem({ field: null, resourceType: null })).toEqual({ key: "issues.invalid", element: null });
  expect(plainProblem({ code: "required", field: null, resourceType: "Bundle" })).toEqual({ key: "issues.required", element: "Bundle" });
});

it("no sentence is a leftover of a code that no longer exists", () => {
  for (const lang of languages) {
    expect(Object.keys(catalogues[lang].upload.issues).sort()).toEqual([...PLAIN_PROBLEM_KINDS].sort());
  }
});
