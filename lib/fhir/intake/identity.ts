// Step 4 of intake: whom the upload is about. The Patient entry (if any) must be the bound patient; every reference to
// a Patient, in whatever form, must be the bound patient, and is re-pointed to our `Patient/<id>`; anything else refuses
// its entry, naming the reference. Problems are returned, not thrown, so they join every other problem in one answer.
import { isObject, MRN_SYSTEM, type IntakeProblem, type Json, type PatientIdentity } from "./model";
import type { IntakeEntry, ReadUpload } from "./read";

/** The value of the hospital MRN identifier on a Patient resource, or null. */
export function mrnOfPatient(resource: Json | undefined): string | null {
  const identifiers = resource?.identifier;
  if (!Array.isArray(identifiers)) return null;
  const mrn = identifiers.find((i) => isObject(i) && i.system === MRN_SYSTEM && typeof i.value === "string");
  return isObject(mrn) ? (mrn.value as string) : null;
}

/** Letters and digits only, case-folded and NFKC-normalised: "Jung Ha-eun" and "JUNG HAEUN" compare equal. */
export function normaliseName(name: string): string {
  return name.normalize("NFKC").toLocaleLowerCase("en").replace(/[^\p{L}\p{N}]/gu, "");
}

/**
 * Forms of a stored name that count as the name: the whole, each script run ("정하은 Jung Ha-eun" is also "정하은" and
 * "Jung Ha-eun": hospital records carry the Hangul name and its romanisation together), and each run's words reversed
 * (given-name-first exports of a family-name-first registration).
 */
function storedNameForms(name: string): Set<string> {
  const forms = new Set([normaliseName(name)]);
  for (const run of name.match(/[\p{Script=Hangul}]+|[^\p{Script=Hangul}]+/gu) ?? []) {
    const words = run.trim().split(/\s+/).filter(Boolean);
    for (const form of [normaliseName(run), normaliseName([...words].reverse().join(" "))]) if (form) forms.add(form);
  }
  return forms;
}

/** The ways one FHIR HumanName may be written out: its text, family then given names, given names then family. */
function humanNameForms(name: unknown): string[] {
  if (!isObject(name)) return [];
  const family = typeof name.family === "string" ? name.family : "";
  const given = Array.isArray(name.given) ? name.given.filter((g): g is string => typeof g === "string").join(" ") : "";
  return [typeof name.text === "string" ? name.text : "", `${family} ${given}`, `${given} ${family}`].map(normaliseName).filter((f) => f !== "");
}

/** Whether a Patient resource is this person: same birth date, and one of its names matches one of the stored forms. */
export function patientMatches(resource: Json, who: PatientIdentity): boolean {
  if (resource.birthDate !== who.birthDate) return false;
  const stored = storedNameForms(who.name);
  const names = Array.isArray(resource.name) ? resource.name : [];
  return names.some((n) => humanNameForms(n).some((form) => stored.has(form)));
}

/** Whether a display text names this person (a health app's `subject.display`). */
function displayNames(display: unknown, who: PatientIdentity): boolean {
  return typeof display === "string" && storedNameForms(who.name).has(normaliseName(display));
}

// `Patient/<id>` with anything a sender may hang on it: a base URL, `/_history/<v>`, a trailing slash, a fragment.
const PATIENT_PATH = /^(?:(.*)\/)?Patient\/([^/?#]+)(?:\/_history\/[^/?#]+)?\/?(?:#.*)?$/;

/** Every Reference in a value (objects with `reference` or a Patient `identifier`), with its FHIRPath. */
export function referencesIn(root: unknown, path: string, found: { path: string; holder: Json }[] = []): { path: string; holder: Json }[] {
  if (Array.isArray(root)) root.forEach((item, i) => referencesIn(item, `${path}[${i}]`, found));
  else if (isObject(root)) {
    if (typeof root.reference === "string" || (root.type === "Patient" && isObject(root.identifier))) found.push({ path, holder: root });
    for (const [key, value] of Object.entries(root)) if (typeof value === "object" && value !== null) referencesIn(value, `${path}.${key}`, found);
  }
  return found;
}

export type IdentityCheck = { problems: IntakeProblem[]; bound: Map<number, Json> };

/**
 * Binds every entry to `who` (null when the patient could not be found: every Patient reference is then reported).
 * Returns, per entry index, a copy of the resource with each reference to the patient re-pointed to `Patient/<who.id>`.
 */
export function bindEntries(upload: ReadUpload, who: PatientIdentity | null): IdentityCheck {
  const problems: IntakeProblem[] = [];
  const bound = new Map<number, Json>();
  const ours = new Set<string>();
  const patientUrls = new Set<string>();
  for (const p of upload.patients) {
    if (p.fullUrl) patientUrls.add(p.fullUrl);
    if (upload.patients.length > 1) {
      problems.push({ entry: p.index, resourceType: "Patient", field: "Patient", message: "The upload describes more than one patient; one patient's records per upload.", code: "business-rule" });
    } else if (who && !patientMatches(p.resource, who)) {
      problems.push({ entry: p.index, resourceType: "Patient", field: "Patient.name / Patient.birthDate", message: "The Patient in the upload is not the patient it is being filed for (name and birth date must match).", code: "business-rule" });
    } else {
      if (typeof p.resource.id === "string") ours.add(p.resource.id);
      if (p.fullUrl) ours.add(p.fullUrl);
    }
  }
  const single = upload.patients.length === 1 ? upload.patients[0]! : null;
  // "covered": a reference to a Patient entry already reported as not matching; one problem says it for all of them.
  const isOurs = (holder: Json, value: string | null): boolean | null | "covered" => {
    if (value === null) {
      // A logical reference: { type: "Patient", identifier }.
      const id = holder.identifier as Json;
      return id.system === MRN_SYSTEM ? (who !== null && id.value === who.mrn) : null;
    }
    if (value.startsWith("Patient?")) {
      const [system, v] = (new URLSearchParams(value.slice("Patient?".length)).get("identifier") ?? "").split("|");
      return who !== null && system === MRN_SYSTEM && v === who.mrn;
    }
    if (ours.has(value)) return true;
    if (patientUrls.has(value)) return "covered";
    const path = PATIENT_PATH.exec(value);
    if (path) {
      const [, base, id] = path;
      if (who && !base && id === who.id && value === `Patient/${id}`) return true;
      // The Patient entry's own id, written relative (`Patient/p1`), is ours; decorated or at another base it is not.
      if (!base && value === `Patient/${id}` && ours.has(id!)) return true;
      if (!base && value === `Patient/${id}` && upload.patients.some((p) => p.resource.id === id)) return "covered";
      if (single?.fullUrl && value === single.fullUrl) return ours.has(single.fullUrl);
      // No Patient entry: a health app names the patient by display only; its id means nothing here.
      if (!single && who && !base && value === `Patient/${id}` && displayNames(holder.display, who)) return true;
      return false;
    }
    return null; // not a Patient reference
  };
  for (const entry of upload.entries) {
    if (entry.disposition === "patient") continue;
    const resource = structuredClone(entry.resource);
    const type = String(resource.resourceType);
    const containedPatients = new Set<string>();
    if (Array.isArray(resource.contained)) {
      resource.contained.forEach((inner, i) => {
        if (!isObject(inner) || inner.resourceType !== "Patient") return;
        if (who && patientMatches(inner, who)) containedPatients.add(`#${String(inner.id)}`);
        else problems.push({ entry: entry.index, resourceType: type, field: `${type}.contained[${i}]`, message: "This contained Patient is not the patient the upload is filed for.", code: "business-rule" });
      });
    }
    for (const ref of referencesIn(resource, type)) {
      const value = typeof ref.holder.reference === "string" ? ref.holder.reference : null;
      if (value?.startsWith("#")) {
        if (containedPatients.has(value)) ref.holder.reference = `Patient/${who!.id}`;
        continue;
      }
      const verdict = value !== null && value.startsWith("urn:uuid:") && !patientUrls.has(value) ? null : isOurs(ref.holder, value);
      if (verdict === true && who) ref.holder.reference = `Patient/${who.id}`;
      else if (verdict === false) problems.push(foreign(entry, type, ref.path, value));
    }
    bound.set(entry.index, resource);
  }
  return { problems, bound };
}

function foreign(entry: IntakeEntry, type: string, path: string, value: string | null): IntakeProblem {
  const shown = value === null ? "an identifier" : value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return { entry: entry.index, resourceType: type, field: `${path}.reference`, message: `This refers to a patient (${shown}) who is not the patient the upload is filed for; an upload may only hold records about its own patient.`, code: "business-rule" };
}
