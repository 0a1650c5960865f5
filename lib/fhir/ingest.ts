// Intake of FHIR R4 JSON and documents from outside the hospital's own chart (a patient's upload, a hospital system's
// transaction Bundle). Pure: bytes in, records out, or an IntakeRejectedError that names every bad entry and field.
// One path for both entry points, so the limits and checks cannot drift apart (docs/decisions/012-upload-and-intake.md).
import { createHash } from "node:crypto";
import { checkAttachments } from "./attachment";
import { validateFhirResource } from "./validate";

/** The hospital's MRN identifier system: how a hospital system names the patient a bundle is about. */
export const MRN_SYSTEM = "https://chartproof.example/fhir/mrn";

/** Resource types the chart stores and shows. A Patient entry is used to match the uploader, never stored. */
export const ACCEPTED_RESOURCE_TYPES = [
  "Observation", "Condition", "AllergyIntolerance", "MedicationStatement", "MedicationRequest", "Immunization",
  "Procedure", "DiagnosticReport", "Encounter", "DocumentReference", "Composition",
] as const;

export const PATIENT_BUNDLE_TYPES = ["document", "collection", "transaction", "batch", "searchset"] as const;

export type IntakeLimits = { maxBytes: number; maxDepth: number; maxEntries: number };

/** Why a whole upload was refused. Reason codes are what the audit log keeps: never the content. */
export type IntakeReason =
  | "empty"
  | "too_large"
  | "not_json"
  | "too_deep"
  | "too_many_entries"
  | "forbidden_key"
  | "not_fhir"
  | "bundle_type"
  | "invalid_entries"
  | "patient_mismatch"
  | "several_patients"
  | "patient_missing"
  | "content_type"
  | "forbidden_character";

/**
 * One thing wrong with one entry. `entry` is the index in Bundle.entry (null for the file itself, or a single resource
 * that is not in a Bundle: 0); `field` is the FHIRPath of the element.
 */
export type IntakeProblem = { entry: number | null; resourceType: string | null; field: string | null; message: string };

export class IntakeRejectedError extends Error {
  override name = "IntakeRejectedError";
  constructor(
    readonly reason: IntakeReason,
    readonly problems: IntakeProblem[] = [],
  ) {
    super(problems.length ? `${reason}: ${problems.length} problem(s)` : reason);
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Keys that turn a later merge or spread into prototype pollution. Refused rather than dropped: FHIR has no element by
// these names, so a file carrying them was made to attack something.
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Deepest nesting of objects and arrays in JSON text, counted before parsing so that a hostile file is refused without
 * building it. Stops counting (and returns) as soon as `limit` is passed. Linear in the text.
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}

/**
 * The first forbidden key or NUL character in a parsed value, with its path, or null. Iterative: the depth is already
 * bounded. (PostgreSQL cannot store U+0000 in jsonb: refused here with a clear message rather than failing the insert.)
 */
function forbiddenContent(root: unknown): { kind: "key" | "character"; path: string } | null {
  const stack: { value: unknown; path: string }[] = [{ value: root, path: "" }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) return { kind: "character", path };
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]` }));
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        const child = path ? `${path}.${key}` : key;
        if (FORBIDDEN_KEYS.has(key)) return { kind: "key", path: child };
        if (key.includes("\u0000")) return { kind: "character", path: child };
        stack.push({ value: value[key], path: child });
      }
    }
  }
  return null;
}

/** Parses uploaded JSON within the limits: size, UTF-8, nesting depth, no prototype-polluting keys. */
export function parseJsonWithLimits(bytes: Uint8Array, limits: IntakeLimits): unknown {
  if (bytes.byteLength === 0) throw new IntakeRejectedError("empty");
  if (bytes.byteLength > limits.maxBytes) throw new IntakeRejectedError("too_large");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new IntakeRejectedError("not_json", [{ entry: null, resourceType: null, field: null, message: "The file is not UTF-8 text." }]);
  }
  if (jsonDepth(text, limits.maxDepth) > limits.maxDepth) {
    throw new IntakeRejectedError("too_deep", [{ entry: null, resourceType: null, field: null, message: `Objects and arrays nest deeper than ${limits.maxDepth} levels.` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parser's message names a position in the file, never its content.
    const message = error instanceof SyntaxError ? error.message.replace(/"[^"]*"/g, "…").slice(0, 200) : "not JSON";
    throw new IntakeRejectedError("not_json", [{ entry: null, resourceType: null, field: null, message }]);
  }
  const forbidden = forbiddenContent(parsed);
  if (forbidden?.kind === "key") {
    throw new IntakeRejectedError("forbidden_key", [{ entry: null, resourceType: null, field: forbidden.path, message: "This key is not part of FHIR and is refused." }]);
  }
  if (forbidden?.kind === "character") {
    throw new IntakeRejectedError("forbidden_character", [{ entry: null, resourceType: null, field: forbidden.path, message: "The text contains a NUL character (U+0000), which is not allowed." }]);
  }
  return parsed;
}

// --- Narrative: FHIR R4 invariant txt-1 forbids active content in Narrative.div. The chart renders narratives as text
// (lib/fhir/narrative.ts), so this is defence in depth; we refuse rather than strip, because the stored record is
// anchored as evidence of what was sent and must not be a silently edited copy.
const ACTIVE_ELEMENTS = /<\s*(script|style|iframe|frame|frameset|object|embed|applet|form|input|button|textarea|select|base|link|meta|svg|math|template)\b/i;
const EVENT_HANDLER = /<[^>]*\s(on[a-z]+)\s*=/i;
const SCRIPT_URL = /(?:href|src|action|formaction|xlink:href|style)\s*=\s*["']?\s*(?:javascript|vbscript|data)\s*:/i;
const STYLE_EXPRESSION = /expression\s*\(|url\s*\(\s*["']?\s*javascript:/i;

/** What active content a narrative carries (a short description for the error message), or null when it has none. */
export function activeNarrativeContent(div: string): string | null {
  const element = ACTIVE_ELEMENTS.exec(div);
  if (element) return `a <${element[1]!.toLowerCase()}> element`;
  const handler = EVENT_HANDLER.exec(div);
  if (handler) return `an event handler attribute (${handler[1]!.toLowerCase()})`;
  if (SCRIPT_URL.test(div)) return "a script URL";
  if (STYLE_EXPRESSION.test(div)) return "a script expression in a style";
  return null;
}

/** Every narrative in a resource (its own and its contained resources'), with its FHIRPath. */
function narratives(resource: Json, path: string): { path: string; div: string }[] {
  const found: { path: string; div: string }[] = [];
  const text = resource.text;
  if (isObject(text) && typeof text.div === "string") found.push({ path: `${path}.text.div`, div: text.div });
  if (Array.isArray(resource.contained)) {
    resource.contained.forEach((inner, i) => {
      if (isObject(inner)) found.push(...narratives(inner, `${path}.contained[${i}]`));
    });
  }
  return found;
}

// --- Reading the upload into entries.

export type IntakeEntry = { index: number; fullUrl: string | null; resource: Json };
export type ReadUpload = { bundleType: string | null; entries: IntakeEntry[]; patient: IntakeEntry | null };

/**
 * Reads a parsed upload: one resource, or a Bundle of an accepted type. Checks each entry — accepted type, the R4
 * definitions, active narrative content, attachment hashes, create-only requests — and refuses the whole upload with
 * every problem found, so one fix-and-retry covers them all.
 */
export function readUpload(parsed: unknown, limits: IntakeLimits, opts: { bundleTypes: readonly string[] }): ReadUpload {
  if (!isObject(parsed) || typeof parsed.resourceType !== "string") {
    throw new IntakeRejectedError("not_fhir", [{ entry: null, resourceType: null, field: "resourceType", message: "The file is JSON but not a FHIR resource (no resourceType)." }]);
  }
  let bundleType: string | null = null;
  let raw: { fullUrl: unknown; resource: unknown; request: unknown }[];
  if (parsed.resourceType === "Bundle") {
    bundleType = typeof parsed.type === "string" ? parsed.type : null;
    if (bundleType === null || !opts.bundleTypes.includes(bundleType)) {
      throw new IntakeRejectedError("bundle_type", [
        { entry: null, resourceType: "Bundle", field: "Bundle.type", message: `Bundle type "${String(bundleType ?? "")}" is not accepted here (accepted: ${opts.bundleTypes.join(", ")}).` },
      ]);
    }
    const entries = parsed.entry === undefined ? [] : parsed.entry;
    if (!Array.isArray(entries)) throw new IntakeRejectedError("not_fhir", [{ entry: null, resourceType: "Bundle", field: "Bundle.entry", message: "Bundle.entry must be an array." }]);
    if (entries.length > limits.maxEntries) {
      throw new IntakeRejectedError("too_many_entries", [{ entry: null, resourceType: "Bundle", field: "Bundle.entry", message: `The bundle has ${entries.length} entries; at most ${limits.maxEntries} are accepted.` }]);
    }
    if (entries.length === 0) throw new IntakeRejectedError("empty", [{ entry: null, resourceType: "Bundle", field: "Bundle.entry", message: "The bundle has no entries." }]);
    raw = entries.map((e) => (isObject(e) ? { fullUrl: e.fullUrl, resource: e.resource, request: e.request } : { fullUrl: undefined, resource: undefined, request: undefined }));
    // The envelope with each resource cut down to its type (so bundle rules like bdl-11 "a document starts with a
    // Composition" still hold); the resources themselves are checked one by one below, so each problem names its entry.
    const envelope = {
      ...parsed,
      entry: entries.map((e) => (isObject(e) && isObject(e.resource) ? { ...e, resource: { resourceType: e.resource.resourceType } } : e)),
    };
    const envelopeProblems = validateFhirResource(envelope).flatMap((p) => {
      const at = /^Bundle\.entry\[(\d+)\](\.resource)?/.exec(p.field);
      if (at?.[2]) return [];
      return [{ entry: at ? Number(at[1]) : null, resourceType: "Bundle", field: p.field, message: p.message }];
    });
    if (envelopeProblems.length) throw new IntakeRejectedError("invalid_entries", envelopeProblems);
  } else {
    raw = [{ fullUrl: undefined, resource: parsed, request: undefined }];
  }

  const problems: IntakeProblem[] = [];
  const entries: IntakeEntry[] = [];
  const patients: IntakeEntry[] = [];
  raw.forEach(({ fullUrl, resource, request }, index) => {
    const at = bundleType === null ? "" : `Bundle.entry[${index}]`;
    const problem = (field: string | null, message: string, resourceType: string | null = null) =>
      problems.push({ entry: index, resourceType, field, message });
    if (!isObject(resource) || typeof resource.resourceType !== "string") {
      problem(at ? `${at}.resource` : "resourceType", "The entry has no resource (or the resource has no resourceType).");
      return;
    }
    const type = resource.resourceType;
    const isPatient = type === "Patient";
    if (!isPatient && !(ACCEPTED_RESOURCE_TYPES as readonly string[]).includes(type)) {
      problem(`${type}.resourceType`, `Resource type ${type} is not accepted (accepted: ${ACCEPTED_RESOURCE_TYPES.join(", ")}; Patient to identify the patient).`, type);
      return;
    }
    if (isObject(request) && !isPatient && request.method !== "POST") {
      problem(`${at}.request.method`, "Only new records (POST) are accepted; records are never updated or deleted by an upload.", type);
    }
    for (const p of validateFhirResource(resource)) problem(p.field, p.message, type);
    for (const n of narratives(resource, type)) {
      const active = activeNarrativeContent(n.div);
      if (active) problem(n.path, `The narrative contains ${active}; active content is not allowed in FHIR narratives (txt-1).`, type);
    }
    for (const check of checkAttachments(resource)) {
      if (check.state === "mismatch" || check.state === "invalid") {
        const field = type === "DocumentReference" ? `DocumentReference.content[${check.index}].attachment` : `${type}.presentedForm[${check.index}]`;
        problem(field, check.state === "mismatch" ? "The attachment's data does not match its stated hash or size." : "The attachment's data, hash or size is malformed.", type);
      }
    }
    const entry = { index, fullUrl: typeof fullUrl === "string" ? fullUrl : null, resource };
    if (isPatient) patients.push(entry);
    else entries.push(entry);
  });
  if (problems.length) throw new IntakeRejectedError("invalid_entries", problems);
  if (patients.length > 1) {
    throw new IntakeRejectedError(
      "several_patients",
      patients.map((p) => ({ entry: p.index, resourceType: "Patient", field: "Patient", message: "The upload describes more than one patient; one patient's records per upload." })),
    );
  }
  if (entries.length === 0) throw new IntakeRejectedError("empty", [{ entry: null, resourceType: null, field: null, message: "The upload holds no records (only a Patient)." }]);
  return { bundleType, entries, patient: patients[0] ?? null };
}

// --- The patient the upload is about.

/** The value of the hospital MRN identifier on the upload's Patient, or null. */
export function mrnOf(upload: ReadUpload): string | null {
  const identifiers = upload.patient?.resource.identifier;
  if (!Array.isArray(identifiers)) return null;
  const mrn = identifiers.find((i) => isObject(i) && i.system === MRN_SYSTEM && typeof i.value === "string");
  return isObject(mrn) ? (mrn.value as string) : null;
}

/** Letters and digits only, case-folded and NFKC-normalised: "Jung Ha-eun" and "JUNG HAEUN" compare equal. */
export function normaliseName(name: string): string {
  return name.normalize("NFKC").toLocaleLowerCase("en").replace(/[^\p{L}\p{N}]/gu, "");
}

/**
 * Forms of a stored name that count as the name: the whole, and each script run ("정하은 Jung Ha-eun" is also
 * "정하은" and "Jung Ha-eun": hospital records carry the Hangul name and its romanisation together).
 */
function storedNameForms(name: string): Set<string> {
  const forms = new Set([normaliseName(name)]);
  for (const run of name.match(/[\p{Script=Hangul}]+|[^\p{Script=Hangul}]+/gu) ?? []) {
    const form = normaliseName(run);
    if (form) forms.add(form);
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

export type PatientIdentity = { id: string; name: string; birthDate: string; mrn: string };

/** Whether the upload's Patient is this person: same birth date, and one of its names matches one of the stored forms. */
export function patientMatches(resource: Json, who: PatientIdentity): boolean {
  if (resource.birthDate !== who.birthDate) return false;
  const stored = storedNameForms(who.name);
  const names = Array.isArray(resource.name) ? resource.name : [];
  return names.some((n) => humanNameForms(n).some((form) => stored.has(form)));
}

const PATIENT_REF = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

function conditionalMrn(reference: string): string | null {
  if (!reference.startsWith("Patient?")) return null;
  const params = new URLSearchParams(reference.slice("Patient?".length));
  const [system, value] = (params.get("identifier") ?? "").split("|");
  return system === MRN_SYSTEM && value ? value : null;
}

/** Every `reference` string in a resource, with a setter to re-point it. */
function references(root: unknown, path: string, found: { path: string; holder: Json }[] = []): { path: string; holder: Json }[] {
  if (Array.isArray(root)) root.forEach((item, i) => references(item, `${path}[${i}]`, found));
  else if (isObject(root)) {
    if (typeof root.reference === "string") found.push({ path: `${path}.reference`, holder: root });
    for (const [key, value] of Object.entries(root)) if (key !== "reference" && typeof value === "object") references(value, `${path}.${key}`, found);
  }
  return found;
}

export type IntakeRecord = { resourceType: string; resource: Json; recordedAt: Date };

/**
 * Binds the upload to the patient it must be about. With a Patient entry, it must match (name and birth date);
 * without one, every patient reference must name one and the same patient. References to that patient — `Patient/<id>`,
 * the Patient entry's fullUrl (`urn:uuid:` or absolute), an MRN conditional reference — are re-pointed to our
 * `Patient/<id>`; a reference to any other patient refuses the whole upload. Returns new objects: the input is not changed.
 */
export function bindToPatient(upload: ReadUpload, who: PatientIdentity, now: Date): IntakeRecord[] {
  if (upload.patient && !patientMatches(upload.patient.resource, who)) {
    throw new IntakeRejectedError("patient_mismatch", [
      { entry: upload.patient.index, resourceType: "Patient", field: "Patient.name / Patient.birthDate", message: "The Patient in the upload is not the patient it is being filed for (name and birth date must match)." },
    ]);
  }
  const theirs = new Set<string>();
  if (upload.patient) {
    const id = upload.patient.resource.id;
    if (typeof id === "string") theirs.add(`Patient/${id}`);
    if (upload.patient.fullUrl) theirs.add(upload.patient.fullUrl);
  }
  const records = upload.entries.map((entry) => ({ entry, resource: structuredClone(entry.resource) }));
  const problems: IntakeProblem[] = [];
  const ours = `Patient/${who.id}`;
  for (const { entry, resource } of records) {
    const type = resource.resourceType as string;
    for (const ref of references(resource, type)) {
      const value = ref.holder.reference as string;
      const bare = PATIENT_REF.exec(value);
      const mrn = conditionalMrn(value);
      const isOurs = theirs.has(value) || (bare !== null && theirs.has(`Patient/${bare[1]}`)) || mrn === who.mrn;
      if (!isOurs && !upload.patient && bare !== null && theirs.size === 0) {
        // No Patient entry: the first patient named is the one the upload is about; any other is someone else.
        theirs.add(`Patient/${bare[1]}`);
      } else if (!isOurs && (bare !== null || value.startsWith("Patient?"))) {
        problems.push({ entry: entry.index, resourceType: type, field: ref.path, message: "This refers to a different patient; an upload may only hold records about its own patient." });
        continue;
      } else if (!isOurs) {
        continue;
      }
      ref.holder.reference = ours;
    }
  }
  if (problems.length) throw new IntakeRejectedError(upload.patient ? "patient_mismatch" : "several_patients", problems);
  return records.map(({ resource }) => ({ resourceType: resource.resourceType as string, resource, recordedAt: clinicalTime(resource) ?? now }));
}

// When the record is about, in the order FHIR resources state it; the first that parses wins.
const TIME_FIELDS = [
  "effectiveDateTime", "effectiveInstant", "effectivePeriod.start", "onsetDateTime", "onsetPeriod.start", "occurrenceDateTime",
  "performedDateTime", "performedPeriod.start", "recordedDate", "recorded", "authoredOn", "issued", "dateAsserted", "period.start", "date",
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

// --- Documents.

export const DOCUMENT_TYPES = ["application/pdf", "image/jpeg", "image/png"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** The document type the bytes are, by their magic numbers, or null. The declared type is never trusted alone. */
export function sniffDocumentType(bytes: Uint8Array): DocumentType | null {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  return null;
}

/** A file name safe to keep as a title: no path, no control characters, at most 200 characters. */
export function safeFileName(name: string | null): string | null {
  if (!name) return null;
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.normalize("NFC").replace(/[\u0000-\u001f\u007f<>]/g, "").trim().slice(0, 200);
  return clean === "" ? null : clean;
}

/**
 * A document (PDF, JPEG, PNG) as a DocumentReference whose attachment carries the data inline with its SHA-1 hash
 * and size (as FHIR R4 defines Attachment.hash), so that the chart checks it like any attachment.
 */
export function documentRecord(bytes: Uint8Array, declaredType: string | null, fileName: string | null, who: PatientIdentity, now: Date, limits: IntakeLimits): IntakeRecord {
  if (bytes.byteLength === 0) throw new IntakeRejectedError("empty");
  if (bytes.byteLength > limits.maxBytes) throw new IntakeRejectedError("too_large");
  const sniffed = sniffDocumentType(bytes);
  const declared = (declaredType ?? "").split(";")[0]!.trim().toLowerCase();
  if (sniffed === null || (declared !== "" && declared !== "application/octet-stream" && declared !== sniffed)) {
    throw new IntakeRejectedError("content_type", [
      {
        entry: null,
        resourceType: null,
        field: null,
        message: sniffed === null ? `The file is not a PDF, JPEG or PNG (declared as ${declared || "unknown"}).` : `The file is declared as ${declared} but its content is ${sniffed}.`,
      },
    ]);
  }
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const title = safeFileName(fileName) ?? "document";
  const resource: Json = {
    resourceType: "DocumentReference",
    status: "current",
    type: { text: "Patient-provided document" },
    subject: { reference: `Patient/${who.id}` },
    date: now.toISOString(),
    description: title,
    content: [
      {
        attachment: {
          contentType: sniffed,
          data: data.toString("base64"),
          size: data.byteLength,
          hash: createHash("sha1").update(data).digest("base64"),
          title,
          creation: now.toISOString(),
        },
      },
    ],
  };
  // medplum refuses strings over 1 MB; the data is base64 we just encoded ourselves, so the rest is what is checked.
  const problems = validateFhirResource({ ...resource, content: [{ attachment: { ...(resource.content as Json[])[0]!.attachment as Json, data: "AA==" } }] });
  if (problems.length) throw new IntakeRejectedError("invalid_entries", problems.map((p) => ({ entry: 0, resourceType: "DocumentReference", field: p.field, message: p.message })));
  return { resourceType: "DocumentReference", resource, recordedAt: now };
}

/** Whether the bytes look like JSON (after an optional BOM and whitespace), to route a file to the JSON path. */
export function looksLikeJson(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x7b || bytes[i] === 0x5b;
}

/** sha256 (hex) of the bytes received, kept on the upload row. */
export function bytesSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * A patient's FHIR JSON upload, start to finish: parse within limits, read and validate every entry, bind to the
 * patient. Whole or nothing: any problem refuses the upload with every problem found.
 */
export function ingestPatientJson(bytes: Uint8Array, who: PatientIdentity, now: Date, limits: IntakeLimits): IntakeRecord[] {
  const upload = readUpload(parseJsonWithLimits(bytes, limits), limits, { bundleTypes: PATIENT_BUNDLE_TYPES });
  return bindToPatient(upload, who, now);
}
