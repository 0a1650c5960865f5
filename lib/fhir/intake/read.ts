// Step 2 of intake: a parsed upload to its entries — one resource, or a Bundle of an accepted type — each with what
// becomes of it (resource-types.ts) and every problem it has (validate-entry.ts). Collects; never stops at the first.
import { validateFhirResource } from "../validate";
import { IntakeRejectedError, isObject, type IntakeLimits, type IntakeProblem, type Json } from "./model";
import { dispositionOf, type EntryDisposition } from "./resource-types";
import { olderVersionHint } from "./rules";
import { validateEntry } from "./validate-entry";

export const PATIENT_BUNDLE_TYPES = ["document", "collection", "transaction", "batch", "searchset"] as const;

export type IntakeEntry = { index: number; fullUrl: string | null; resource: Json; disposition: EntryDisposition };
export type ReadUpload = { bundleType: string | null; entries: IntakeEntry[]; patients: IntakeEntry[] };

/** The upload's entries and every problem found in them; refuses outright only what has no entries to speak of. */
export function readUpload(parsed: unknown, limits: IntakeLimits, opts: { bundleTypes: readonly string[] }): { upload: ReadUpload; problems: IntakeProblem[]; olderVersion: string | null } {
  if (!isObject(parsed) || typeof parsed.resourceType !== "string") {
    throw new IntakeRejectedError("not_fhir", [{ entry: null, resourceType: null, field: "resourceType", message: "The file is JSON but not a FHIR resource (no resourceType).", code: "structure" }]);
  }
  const problems: IntakeProblem[] = [];
  let bundleType: string | null = null;
  let raw: { fullUrl: unknown; resource: unknown; request: unknown }[];
  if (parsed.resourceType === "Bundle") {
    bundleType = typeof parsed.type === "string" ? parsed.type : null;
    if (bundleType === null || !opts.bundleTypes.includes(bundleType)) {
      throw new IntakeRejectedError("bundle_type", [
        { entry: null, resourceType: "Bundle", field: "Bundle.type", message: `Bundle type "${String(bundleType ?? "")}" is not accepted here (accepted: ${opts.bundleTypes.join(", ")}).`, code: "not-supported" },
      ]);
    }
    const entries = parsed.entry === undefined ? [] : parsed.entry;
    if (!Array.isArray(entries)) throw new IntakeRejectedError("not_fhir", [{ entry: null, resourceType: "Bundle", field: "Bundle.entry", message: "Bundle.entry must be an array.", code: "structure" }]);
    if (entries.length > limits.maxEntries) {
      throw new IntakeRejectedError("too_many_entries", [{ entry: null, resourceType: "Bundle", field: "Bundle.entry", message: `The bundle has ${entries.length} entries; at most ${limits.maxEntries} are accepted.`, code: "too-costly" }]);
    }
    if (entries.length === 0) throw new IntakeRejectedError("empty", [{ entry: null, resourceType: "Bundle", field: "Bundle.entry", message: "The bundle has no entries.", code: "required" }]);
    raw = entries.map((e) => (isObject(e) ? { fullUrl: e.fullUrl, resource: e.resource, request: e.request } : { fullUrl: undefined, resource: undefined, request: undefined }));
    // The envelope with each resource cut down to its type (so bundle rules like bdl-11 "a document starts with a
    // Composition" still hold); the resources themselves are checked one by one, so each problem names its entry.
    const envelope = {
      ...parsed,
      entry: entries.map((e) => (isObject(e) && isObject(e.resource) ? { ...e, resource: { resourceType: e.resource.resourceType } } : e)),
    };
    for (const p of validateFhirResource(envelope)) {
      const at = /^Bundle\.entry\[(\d+)\](\.resource)?/.exec(p.field);
      if (!at?.[2]) problems.push({ entry: at ? Number(at[1]) : null, resourceType: "Bundle", field: p.field, message: p.message, code: "invalid" });
    }
  } else {
    raw = [{ fullUrl: undefined, resource: parsed, request: undefined }];
  }

  const entries: IntakeEntry[] = [];
  const patients: IntakeEntry[] = [];
  const hints = new Map<string, string>();
  raw.forEach(({ fullUrl, resource, request }, index) => {
    const at = bundleType === null ? "" : `Bundle.entry[${index}]`;
    if (!isObject(resource) || typeof resource.resourceType !== "string") {
      problems.push({ entry: index, resourceType: null, field: at ? `${at}.resource` : "resourceType", message: "The entry has no resource (or the resource has no resourceType).", code: "required" });
      return;
    }
    const type = resource.resourceType;
    const hint = olderVersionHint(resource);
    if (hint) hints.set(hint.version, hint.why);
    const disposition = dispositionOf(type);
    if (isObject(request) && disposition === "record" && request.method !== "POST") {
      problems.push({ entry: index, resourceType: type, field: `${at}.request.method`, message: "Only new records (POST) are accepted; records are never updated or deleted by an upload.", code: "business-rule" });
    }
    problems.push(...validateEntry(resource, index));
    const entry = { index, fullUrl: typeof fullUrl === "string" ? fullUrl : null, resource, disposition };
    if (disposition === "patient") patients.push(entry);
    entries.push(entry);
  });
  const olderVersion = hints.size ? [...hints].map(([version, why]) => `FHIR ${version} (${why})`).join("; ") : null;
  if (olderVersion) {
    problems.unshift({ entry: null, resourceType: null, field: null, message: `This file looks like ${olderVersion}, not FHIR R4. Export it again as FHIR R4.`, code: "not-supported" });
  }
  if (!entries.some((e) => e.disposition !== "patient") && problems.length === 0) {
    throw new IntakeRejectedError("empty", [{ entry: null, resourceType: null, field: null, message: "The upload holds no records (only a Patient).", code: "required" }]);
  }
  return { upload: { bundleType, entries, patients }, problems, olderVersion };
}
