// Step 6 of intake: what to store. Each entry gets a key scoped to the patient and the source (its fullUrl, else its
// resource id, else the hash of its canonical content) so that a re-send is recognised: the same content is a no-op
// that answers with the stored record, changed content is stored as a correction of it. Record ids are fixed here,
// before any content is committed, so that references between records can name them.
import { randomUUID } from "node:crypto";
import { canonicalize } from "@/lib/integrity/canonical-json";
import { bytesSha256 } from "./parse";
import { isObject, type IntakeProblem, type IntakeRecord, type Json, type TypeSummary } from "./model";
export type { TypeSummary };
import type { IntakeEntry, ReadUpload } from "./read";
import { displayOf, outsideReferences, resolveReferences, RFC3986, type Target, type Targets } from "./references";

/** A record stored by an earlier upload from the same patient and source. */
export type EarlierEntry = { entryKey: string; resourceRef: string | null; recordId: string; contentHash: string; resourceType: string };
/** A row of the shared directory. `identifiers` are `Type|system|value`. */
export type DirectoryRow = { id: string; resourceType: string; key: string; identifiers: string[]; display: string | null; resource: Json };

export type IntakeContext = { earlier: EarlierEntry[]; directory: DirectoryRow[] };
export const EMPTY_CONTEXT: IntakeContext = { earlier: [], directory: [] };

export type EntryOutcome =
  | { index: number; resourceType: string; outcome: "created" | "unchanged" | "corrected"; recordId: string }
  | { index: number; resourceType: string; outcome: "directory"; directoryId: string; created: boolean }
  | { index: number; resourceType: string; outcome: "skipped" }
  | { index: number; resourceType: string; outcome: "patient" }
  /** A batch entry with problems of its own: refused alone, the others stored (FHIR batch semantics). */
  | { index: number; resourceType: string; outcome: "refused"; problems: IntakeProblem[] };


export type IntakePlan = {
  /** New records (created or corrections), ids fixed, references resolved. */
  records: IntakeRecord[];
  /** Directory rows not stored yet. */
  directory: DirectoryRow[];
  outcomes: EntryOutcome[];
  summary: TypeSummary[];
};

// When the record is about, in the order FHIR resources state it; the first that parses wins.
const TIME_FIELDS = [
  "effectiveDateTime", "effectiveInstant", "effectivePeriod.start", "onsetDateTime", "onsetPeriod.start", "occurrenceDateTime",
  "performedDateTime", "performedPeriod.start", "recordedDate", "recorded", "authoredOn", "issued", "dateAsserted", "period.start",
  "billablePeriod.start", "created", "date",
] as const;

/** The clinical time a resource states (see TIME_FIELDS), or null. Partial dates ("2019", "2019-05") count from their start. */
export function clinicalTime(resource: Json): Date | null {
  for (const field of TIME_FIELDS) {
    const [head, tail] = field.split(".") as [string, string | undefined];
    const holder = resource[head];
    const value = tail ? (isObject(holder) ? holder[tail] : undefined) : holder;
    if (typeof value !== "string" || !/^\d{4}(-\d{2}(-\d{2}(T.*)?)?)?$/.test(value)) continue;
    const date = new Date(/^\d{4}$/.test(value) ? `${value}-01-01` : /^\d{4}-\d{2}$/.test(value) ? `${value}-01` : value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return null;
}

// An entry's hash is needed twice (the keys looked up before planning, then the plan): a received resource is never
// changed (identity and references work on copies), so it is canonicalized once.
const hashes = new WeakMap<Json, string>();

export function contentHashOf(resource: Json): string {
  let hash = hashes.get(resource);
  if (hash === undefined) hashes.set(resource, (hash = bytesSha256(canonicalize(resource))));
  return hash;
}

/** `Type/id` of an entry, when its resource has an id. */
function resourceRefOf(entry: IntakeEntry): string | null {
  return typeof entry.resource.id === "string" ? `${String(entry.resource.resourceType)}/${entry.resource.id}` : null;
}

export function entryKeyOf(entry: IntakeEntry, contentHash: string): string {
  if (entry.fullUrl) return `url:${entry.fullUrl}`;
  const ref = resourceRefOf(entry);
  return ref ? `id:${ref}` : `hash:${contentHash}`;
}

/** The keys the DAL must look up before planning: earlier entries and directory rows this upload may name. */
export function lookupKeys(upload: ReadUpload): { entryKeys: string[]; resourceRefs: string[]; directoryKeys: string[]; identifiers: string[] } {
  const entryKeys = new Set<string>();
  const resourceRefs = new Set<string>();
  const identifiers = new Set<string>();
  const directoryKeys = new Set<string>();
  for (const entry of upload.entries) {
    if (entry.disposition === "record") {
      entryKeys.add(entryKeyOf(entry, contentHashOf(entry.resource)));
      const outside = outsideReferences(entry.resource);
      for (const r of outside.references) {
        if (r.startsWith("urn:") || /^https?:/.test(r)) entryKeys.add(`url:${r}`);
        else resourceRefs.add(r);
      }
      for (const i of outside.identifiers) identifiers.add(`${i.type}|${i.system}|${i.value}`);
    } else if (entry.disposition === "directory") {
      const d = directoryIdentity(entry);
      directoryKeys.add(d.key);
      d.identifiers.forEach((i) => identifiers.add(i));
    }
  }
  return { entryKeys: [...entryKeys], resourceRefs: [...resourceRefs], directoryKeys: [...directoryKeys], identifiers: [...identifiers] };
}

export function directoryIdentity(entry: Pick<IntakeEntry, "resource">): { key: string; identifiers: string[] } {
  const type = String(entry.resource.resourceType);
  const identifiers = (Array.isArray(entry.resource.identifier) ? entry.resource.identifier : [])
    .filter((i): i is Json => isObject(i) && typeof i.system === "string" && typeof i.value === "string")
    .map((i) => `${type}|${String(i.system)}|${String(i.value)}`);
  return { key: identifiers[0] ?? `${type}|sha256|${contentHashOf(entry.resource)}`, identifiers };
}

/**
 * Decides every entry's fate and builds the records to create. `bound` holds each entry's resource with its patient
 * references already re-pointed (identity.ts); `ctx` what earlier uploads and the directory already hold; `refused`
 * (a batch only) the entries refused for their own problems — stored as nothing, and referenced like a skipped entry.
 */
export function planIntake(upload: ReadUpload, bound: Map<number, Json>, ctx: IntakeContext, now: Date, refused: ReadonlyMap<number, IntakeProblem[]> = new Map()): IntakePlan {
  const targets: Targets = { byReference: new Map(), byIdentifier: new Map() };
  const outcomes: EntryOutcome[] = [];
  const newDirectory: DirectoryRow[] = [];
  const pending: { entry: IntakeEntry; id: string; supersedesId: string | null; entryKey: string; contentHash: string }[] = [];
  const alias = (entry: IntakeEntry, target: Target) => {
    if (entry.fullUrl) targets.byReference.set(entry.fullUrl, target);
    const ref = resourceRefOf(entry);
    if (ref) targets.byReference.set(ref, target);
  };

  // Earlier uploads first, so that this upload's own entries override them.
  for (const e of ctx.earlier) {
    const target: Target = { kind: "record", type: e.resourceType, id: e.recordId };
    if (e.entryKey.startsWith("url:")) targets.byReference.set(e.entryKey.slice(4), target);
    if (e.resourceRef) targets.byReference.set(e.resourceRef, target);
  }
  for (const row of ctx.directory) {
    for (const i of row.identifiers) targets.byIdentifier.set(i, { kind: "directory", type: row.resourceType, id: row.id, display: row.display });
  }
  const earlierByKey = new Map(ctx.earlier.map((e) => [e.entryKey, e]));
  const directoryByKey = new Map(ctx.directory.map((d) => [`${d.resourceType}|${d.key}`, d]));

  for (const entry of upload.entries) {
    const type = String(entry.resource.resourceType);
    const problems = refused.get(entry.index);
    if (problems) {
      alias(entry, { kind: "skipped", type, display: displayOf(entry.resource), identifier: { system: RFC3986, value: entry.fullUrl ?? resourceRefOf(entry) ?? type } });
      outcomes.push({ index: entry.index, resourceType: type, outcome: "refused", problems });
    } else if (entry.disposition === "patient") {
      outcomes.push({ index: entry.index, resourceType: type, outcome: "patient" });
    } else if (entry.disposition === "directory") {
      const { key, identifiers } = directoryIdentity(entry);
      let row = directoryByKey.get(`${type}|${key}`) ?? identifiers.map((i) => targets.byIdentifier.get(i)).find((t) => t?.kind === "directory");
      let created = false;
      if (!row) {
        const fresh: DirectoryRow = { id: randomUUID(), resourceType: type, key, identifiers, display: displayOf(entry.resource), resource: entry.resource };
        newDirectory.push(fresh);
        directoryByKey.set(`${type}|${key}`, fresh);
        row = fresh;
        created = true;
      }
      const target: Target = { kind: "directory", type, id: row.id, display: row.display };
      alias(entry, target);
      for (const i of identifiers) targets.byIdentifier.set(i, target);
      outcomes.push({ index: entry.index, resourceType: type, outcome: "directory", directoryId: row.id, created });
    } else if (entry.disposition === "skipped") {
      const first = Array.isArray(entry.resource.identifier) ? entry.resource.identifier.find((i) => isObject(i) && typeof i.value === "string") : undefined;
      const identifier = isObject(first) ? { ...(typeof first.system === "string" ? { system: first.system } : {}), value: first.value } : { system: RFC3986, value: entry.fullUrl ?? resourceRefOf(entry) ?? type };
      alias(entry, { kind: "skipped", type, display: displayOf(entry.resource), identifier });
      outcomes.push({ index: entry.index, resourceType: type, outcome: "skipped" });
    } else {
      const contentHash = contentHashOf(entry.resource);
      const entryKey = entryKeyOf(entry, contentHash);
      const earlier = earlierByKey.get(entryKey);
      if (earlier && earlier.contentHash === contentHash) {
        alias(entry, { kind: "record", type, id: earlier.recordId });
        outcomes.push({ index: entry.index, resourceType: type, outcome: "unchanged", recordId: earlier.recordId });
        continue;
      }
      const id = randomUUID();
      alias(entry, { kind: "record", type, id });
      pending.push({ entry, id, supersedesId: earlier?.recordId ?? null, entryKey, contentHash });
      outcomes.push({ index: entry.index, resourceType: type, outcome: earlier ? "corrected" : "created", recordId: id });
    }
  }

  const records: IntakeRecord[] = pending.map(({ entry, id, supersedesId, entryKey, contentHash }) => {
    const resource = bound.get(entry.index) ?? structuredClone(entry.resource);
    resolveReferences(resource, targets);
    // Where the entry came from, inside the committed content: its fullUrl (a resource id is kept as `id` itself).
    if (entry.fullUrl) {
      const meta = isObject(resource.meta) ? resource.meta : {};
      if (typeof meta.source !== "string") resource.meta = { ...meta, source: entry.fullUrl };
      else resource.meta = { ...meta, tag: [...(Array.isArray(meta.tag) ? meta.tag : []), { system: `${RFC3986}#fullUrl`, code: entry.fullUrl }] };
    }
    return { id, resourceType: String(resource.resourceType), resource, recordedAt: clinicalTime(resource) ?? now, entry: entry.index, entryKey, contentHash, supersedesId };
  });
  return { records, directory: newDirectory, outcomes, summary: summarize(outcomes, []) };
}

/** Counts per resource type, in the order types first appear. `refused` lists the resource type of each refused entry. */
export function summarize(outcomes: readonly EntryOutcome[], refused: readonly { resourceType: string | null }[]): TypeSummary[] {
  const byType = new Map<string, TypeSummary>();
  const row = (type: string) => {
    let s = byType.get(type);
    if (!s) byType.set(type, (s = { resourceType: type, created: 0, unchanged: 0, corrected: 0, directory: 0, skipped: 0, refused: 0 }));
    return s;
  };
  for (const o of outcomes) {
    if (o.outcome === "patient") continue;
    row(o.resourceType)[o.outcome]++;
  }
  for (const r of refused) row(r.resourceType ?? "unknown").refused++;
  return [...byType.values()];
}
