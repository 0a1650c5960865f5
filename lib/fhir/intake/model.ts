// The vocabulary every intake step shares: limits, problems, the refusal. Pure.

/** The hospital's MRN identifier system: how a hospital system names the patient a bundle is about. */
export const MRN_SYSTEM = "https://chartproof.example/fhir/mrn";

export type IntakeLimits = { maxBytes: number; maxDepth: number; maxEntries: number };

/** Why a whole upload was refused. Reason codes are what the audit log keeps: never the content. Listed once here so
 * that every reason has a sentence for the patient in each language (tests/unit/intake-messages.test.ts). */
export const INTAKE_REASONS = [
  "empty",
  "too_large",
  "not_json",
  "too_deep",
  "too_many_entries",
  "forbidden_key",
  "not_fhir",
  "fhir_version",
  "bundle_type",
  "invalid_entries",
  "patient_mismatch",
  "several_patients",
  "patient_missing",
  "content_type",
  "forbidden_character",
] as const;
export type IntakeReason = (typeof INTAKE_REASONS)[number];

/**
 * FHIR OperationOutcome issue codes (http://hl7.org/fhir/issue-type) a problem may carry: `invalid` and its children
 * for content that breaks R4, `business-rule` for identity, `not-supported` for what is valid but not kept.
 */
export const ISSUE_CODES = ["invalid", "structure", "required", "value", "invariant", "code-invalid", "business-rule", "security", "not-supported", "too-costly"] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

/**
 * One thing wrong with one entry. `entry` is the index in Bundle.entry (0-based, as in the FHIRPath `Bundle.entry[i]`;
 * null for the file itself; 0 for a single resource that is not in a Bundle); `field` is the FHIRPath of the element.
 */
export type IntakeProblem = { entry: number | null; resourceType: string | null; field: string | null; message: string; code?: IssueCode };

/** What became of the entries of one resource type. */
export type TypeSummary = { resourceType: string; created: number; unchanged: number; corrected: number; directory: number; skipped: number; refused: number };

export class IntakeRejectedError extends Error {
  override name = "IntakeRejectedError";
  /** The import summary of the refused upload (entries refused per type), filled in where the upload was read. */
  summary: TypeSummary[] = [];
  constructor(
    readonly reason: IntakeReason,
    readonly problems: IntakeProblem[] = [],
    /** For identity refusals: what the patient is registered as, shown to that patient only (never logged). */
    readonly registered: { name: string; birthDate: string } | null = null,
  ) {
    super(problems.length ? `${reason}: ${problems.length} problem(s)` : reason);
  }
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export type PatientIdentity = { id: string; name: string; birthDate: string; mrn: string };

/**
 * A record to store: its resource as it will be committed, when it is about, and — for entries of a Bundle — the
 * entry it came from and the keys that make a re-send idempotent (lib/fhir/intake/plan.ts).
 */
export type IntakeRecord = {
  resourceType: string;
  resource: Json;
  recordedAt: Date;
  /** Id fixed before the commitment so that other records can reference it; null lets record creation choose. */
  id?: string;
  entry?: number;
  entryKey?: string;
  contentHash?: string;
  /** Set when this entry re-sends one stored before with different content: the record it corrects. */
  supersedesId?: string | null;
};

/**
 * Where a problem is, as one FHIRPath from the top of the file (`Bundle.entry[3].resource.status`), and its entry as
 * people count (`3` → "entry 4"). Both answers — the API's OperationOutcome and the patient's screen — use these two,
 * so the same problem is numbered the same way on both paths.
 */
export function problemLocation(p: IntakeProblem, inBundle = true): { expression: string | null; entryNumber: number | null } {
  const entryNumber = p.entry === null ? null : p.entry + 1;
  if (p.entry === null || !inBundle) return { expression: p.field, entryNumber };
  if (p.field?.startsWith("Bundle.")) return { expression: p.field, entryNumber };
  const inner = p.field && p.resourceType && p.field.startsWith(p.resourceType) ? p.field.slice(p.resourceType.length) : "";
  return { expression: `Bundle.entry[${p.entry}].resource${inner}`, entryNumber };
}

// The R4 validator (@medplum/core) files nearly everything under `structure`; its words tell what kind of problem it is.
const VALIDATOR_KINDS: [RegExp, string][] = [
  [/^Missing required property/i, "required"],
  [/number of values|^Expected (array of values|single value)/i, "count"],
  [/^Invalid (JSON type|numeric value|empty value|null value|empty non-primitive)|^Expected number|^Value did not match|^String (cannot|must)/i, "value"],
];

/** Every sentence a problem can be read as: one per issue code, the validator's `count`, and the generic one. */
export const PLAIN_PROBLEM_KINDS = [...ISSUE_CODES, "count", "unknown"] as const;

/**
 * What the patient reads for one problem: the message key of its kind (`upload.issues.<kind>`: its issue code, refined
 * by the validator's words, or `unknown` for a code this list does not know) and the element it is about, as its last
 * FHIR name (`Observation.valueQuantity.unit` → `unit`). The FHIRPath and the validator's own words stay as the detail.
 */
export function plainProblem(p: Pick<IntakeProblem, "field" | "code" | "resourceType"> & { message?: string }): { key: string; element: string | null } {
  let kind: string = p.code && (ISSUE_CODES as readonly string[]).includes(p.code) ? p.code : p.code ? "unknown" : "invalid";
  if ((kind === "structure" || kind === "invalid") && p.message) kind = VALIDATOR_KINDS.find(([pattern]) => pattern.test(p.message!))?.[1] ?? kind;
  const last = p.field?.split(/\s*\/\s*|\./).filter(Boolean).pop()?.replace(/\[\d+\]$/, "") ?? null;
  return { key: `issues.${kind}`, element: last || p.resourceType || null };
}
