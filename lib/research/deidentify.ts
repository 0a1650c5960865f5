// De-identification of a cohort's records into FHIR R4 NDJSON (one file per resource type, the bulk-data
// convention). An ALLOW-LIST per resource type: only fields known to be safe are copied (codes, values, units,
// statuses, the year of dates); everything else — names, identifiers, addresses, telecom, notes, narratives,
// attachments, references other than to the subject — is never read into the output. Pure apart from the random ids.
import { createHmac, randomUUID } from "node:crypto";
import { canonicalize } from "@/lib/integrity";
import { ageAt } from "./cohort";
import { provinceOf, SAFE_SYSTEMS, SAFE_TEXTS } from "./vocabulary";

export type ExportMode = "SAFE_HARBOR" | "PSEUDONYMISED";

export type ExportPatient = { id: string; birthDate: Date; sex: string; address: string | null };
export type ExportRecord = { id: string; patientId: string; resourceType: string; resource: unknown };

export type Pseudonymisation = {
  /** Kept outside the database (RESEARCH_PSEUDONYM_KEY): without it, pseudonyms cannot be recomputed or reversed. */
  key: Buffer;
  /** Pseudonyms are stable within one study (or the general research scope) and unrelated across studies. */
  scope: string;
};

export type DeidentifyInput = {
  mode: ExportMode;
  patients: readonly ExportPatient[];
  records: readonly ExportRecord[];
  now: Date;
  /** Required in PSEUDONYMISED mode, ignored in SAFE_HARBOR mode. */
  pseudonymisation?: Pseudonymisation;
};

export type NdjsonFile = { name: string; resourceType: string; content: string; lineCount: number };

export type DeidentifyResult = { files: NdjsonFile[]; patientCount: number; resourceCount: number; omittedByType: Record<string, number> };

/** Ages above this are exported as the single band "90+" (Safe Harbor), and no birth year is given. */
export const AGE_CEILING = 89;
export const AGE_BAND_EXTENSION = "https://chartproof.local/fhir/StructureDefinition/age-band";
/** Pseudonymised dates move by a per-patient whole number of days in ±MAX_SHIFT_DAYS, never 0. */
export const MAX_SHIFT_DAYS = 180;

type Json = Record<string, unknown>;
type Kind = "token" | "tokens" | "boolean" | "number" | "concept" | "concepts" | "coding" | "quantity" | "ranges" | "date" | "instant" | "period" | "reactions" | "attachmentTypes";

/** The whole allow-list: per resource type, each field that may be copied and how. A type not here is not exported. */
export const SAFE_FIELDS: Readonly<Record<string, Readonly<Record<string, Kind>>>> = {
  Observation: {
    status: "token",
    category: "concepts",
    code: "concept",
    valueQuantity: "quantity",
    valueCodeableConcept: "concept",
    valueBoolean: "boolean",
    valueInteger: "number",
    referenceRange: "ranges",
    interpretation: "concepts",
    effectiveDateTime: "date",
    effectivePeriod: "period",
    issued: "instant",
  },
  Condition: {
    clinicalStatus: "concept",
    verificationStatus: "concept",
    category: "concepts",
    severity: "concept",
    code: "concept",
    bodySite: "concepts",
    onsetDateTime: "date",
    abatementDateTime: "date",
    recordedDate: "date",
  },
  MedicationStatement: { status: "token", medicationCodeableConcept: "concept", effectiveDateTime: "date", effectivePeriod: "period", dateAsserted: "date" },
  MedicationRequest: { status: "token", intent: "token", medicationCodeableConcept: "concept", authoredOn: "date" },
  Encounter: { status: "token", class: "coding", type: "concepts", serviceType: "concept", priority: "concept", reasonCode: "concepts", period: "period" },
  Procedure: { status: "token", category: "concept", code: "concept", outcome: "concept", bodySite: "concepts", performedDateTime: "date", performedPeriod: "period" },
  AllergyIntolerance: {
    clinicalStatus: "concept",
    verificationStatus: "concept",
    type: "token",
    category: "tokens",
    criticality: "token",
    code: "concept",
    reaction: "reactions",
    onsetDateTime: "date",
    recordedDate: "date",
  },
  Immunization: { status: "token", vaccineCode: "concept", occurrenceDateTime: "date", primarySource: "boolean" },
  DiagnosticReport: { status: "token", category: "concepts", code: "concept", conclusionCode: "concepts", effectiveDateTime: "date", issued: "instant" },
  DocumentReference: { status: "token", docStatus: "token", type: "concept", category: "concepts", date: "instant", content: "attachmentTypes" },
  Device: { status: "token", type: "concept" },
};

/** The field that points at the patient, per type (re-pointed to the export's own patient id). */
const SUBJECT_FIELD: Readonly<Record<string, string>> = {
  AllergyIntolerance: "patient",
  Immunization: "patient",
  Device: "patient",
};

/** FHIR required-binding codes (status, intent, criticality…): lower-case words, never digits. */
const TOKEN = /^[a-z][a-z-]{0,39}$/;
/** A code from a known terminology (LOINC 2345-7, SNOMED 38341003). */
const TERM_CODE = /^[A-Za-z0-9][A-Za-z0-9.\-]{0,31}$/;
/** Encounter classes (v3 ActEncounterCode) often come without their system; these alone pass without one. */
const SYSTEMLESS_CODES: ReadonlySet<string> = new Set(["AMB", "EMER", "FLD", "HH", "IMP", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "VR"]);
const UCUM = "http://unitsofmeasure.org";
const UNIT = /^[A-Za-z0-9%[\]{}/.*^'-]{1,24}$/;
const MIME = /^[a-z]+\/[a-z0-9.+\-]{1,60}$/;
const DATE = /^(\d{4})(-(\d{2})(-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const compact = (o: Json): Json | undefined => {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
};

class Transformer {
  constructor(
    private readonly mode: ExportMode,
    private readonly shiftDays: number,
  ) {}

  /**
   * Free text: Safe Harbor exports none at all (only codes, and displays from known terminologies); a pseudonymised
   * export keeps the reviewed clinical phrases of SAFE_TEXTS.
   */
  phrase(text: string): boolean {
    return this.mode !== "SAFE_HARBOR" && SAFE_TEXTS.has(text.toLowerCase());
  }

  token(v: unknown): string | undefined {
    return typeof v === "string" && TOKEN.test(v) ? v : undefined;
  }

  coding(v: unknown): Json | undefined {
    if (!isObject(v)) return undefined;
    const system = typeof v.system === "string" && SAFE_SYSTEMS.has(v.system) ? v.system : undefined;
    const display = typeof v.display === "string" && (system !== undefined || this.phrase(v.display)) && v.display.length <= 200 ? v.display : undefined;
    // A code from an unknown system could be anything (a local patient or device identifier): only known encounter
    // classes pass without one.
    const code = typeof v.code === "string" && (system ? TERM_CODE.test(v.code) : SYSTEMLESS_CODES.has(v.code)) ? v.code : undefined;
    return code || display ? compact({ system: code ? system : undefined, code, display }) : undefined;
  }

  concept(v: unknown): Json | undefined {
    if (!isObject(v)) return undefined;
    const coding = (Array.isArray(v.coding) ? v.coding : []).map((c) => this.coding(c)).filter((c): c is Json => c !== undefined);
    const displays = new Set(coding.map((c) => (typeof c.display === "string" ? c.display.toLowerCase() : "")));
    const text = typeof v.text === "string" && (this.phrase(v.text) || (this.mode !== "SAFE_HARBOR" && displays.has(v.text.toLowerCase()))) ? v.text : undefined;
    return compact({ coding, text });
  }

  concepts(v: unknown): Json[] | undefined {
    if (!Array.isArray(v)) return undefined;
    const out = v.map((c) => this.concept(c)).filter((c): c is Json => c !== undefined);
    return out.length > 0 ? out : undefined;
  }

  quantity(v: unknown): Json | undefined {
    if (!isObject(v) || typeof v.value !== "number" || !Number.isFinite(v.value)) return undefined;
    // Units only from UCUM: a free-text unit is free text.
    const system = v.system === UCUM ? UCUM : undefined;
    const unit = system && typeof v.unit === "string" && UNIT.test(v.unit) ? v.unit : undefined;
    const code = system && typeof v.code === "string" && UNIT.test(v.code) ? v.code : undefined;
    return compact({ value: v.value, unit, system, code });
  }

  /** Safe Harbor: the year only. Pseudonymised: the same precision, moved by the patient's shift. */
  date(v: unknown): string | undefined {
    if (typeof v !== "string") return undefined;
    const m = DATE.exec(v);
    if (!m) return undefined;
    if (this.mode === "SAFE_HARBOR") return m[1];
    if (!m[3]) return m[1];
    if (!m[5]) return m[1] + "-" + m[3];
    const shifted = new Date(Date.parse(m[6] ? v : `${v}T00:00:00Z`) + this.shiftDays * 86_400_000);
    if (Number.isNaN(shifted.getTime())) return undefined;
    return m[6] ? shifted.toISOString() : shifted.toISOString().slice(0, 10);
  }

  /** An instant must carry a full time: Safe Harbor drops it; pseudonymised mode shifts it. */
  instant(v: unknown): string | undefined {
    if (this.mode === "SAFE_HARBOR" || typeof v !== "string") return undefined;
    const m = DATE.exec(v);
    return m?.[6] ? this.date(v) : undefined;
  }

  value(kind: Kind, v: unknown): unknown {
    switch (kind) {
      case "token":
        return this.token(v);
      case "tokens":
        return Array.isArray(v) ? v.map((t) => this.token(t)).filter(Boolean) : undefined;
      case "boolean":
        return typeof v === "boolean" ? v : undefined;
      case "number":
        return typeof v === "number" && Number.isFinite(v) ? v : undefined;
      case "concept":
        return this.concept(v);
      case "concepts":
        return this.concepts(v);
      case "coding":
        return this.coding(v);
      case "quantity":
        return this.quantity(v);
      case "ranges":
        return Array.isArray(v)
          ? v.filter(isObject).map((r) => compact({ low: this.quantity(r.low), high: this.quantity(r.high) })).filter(Boolean)
          : undefined;
      case "date":
        return this.date(v);
      case "instant":
        return this.instant(v);
      case "period":
        return isObject(v) ? compact({ start: this.date(v.start), end: this.date(v.end) }) : undefined;
      case "reactions":
        return Array.isArray(v)
          ? v.filter(isObject).map((r) => compact({ manifestation: this.concepts(r.manifestation), severity: this.token(r.severity) })).filter(Boolean)
          : undefined;
      case "attachmentTypes":
        // What kind of document it was, never its bytes, title, URL, size or hash (a photo's hash identifies it).
        return Array.isArray(v)
          ? v
              .filter(isObject)
              .map((c) => (isObject(c.attachment) && typeof c.attachment.contentType === "string" && MIME.test(c.attachment.contentType) ? { attachment: { contentType: c.attachment.contentType } } : undefined))
              .filter(Boolean)
          : undefined;
    }
  }

  resource(resourceType: string, source: unknown, id: string, patientRef: string): Json | null {
    const fields = SAFE_FIELDS[resourceType];
    if (!fields || !isObject(source)) return null;
    const out: Json = { resourceType, id };
    for (const [name, kind] of Object.entries(fields)) {
      const v = this.value(kind, source[name]);
      if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[name] = v;
    }
    out[SUBJECT_FIELD[resourceType] ?? "subject"] = { reference: patientRef };
    return out;
  }
}

function hmac(key: Buffer, ...parts: string[]): Buffer {
  return createHmac("sha256", key).update(parts.join("\u0000")).digest();
}

/** A pseudonymous id: HMAC(key, scope ‖ kind ‖ real id), 32 hex characters (a valid FHIR id). */
export function pseudonym(p: Pseudonymisation, kind: string, realId: string): string {
  return hmac(p.key, "id", p.scope, kind, realId).toString("hex").slice(0, 32);
}

/** The patient's date shift in days: deterministic per (key, scope, patient), in ±MAX_SHIFT_DAYS, never 0. */
export function dateShiftDays(p: Pseudonymisation, patientId: string): number {
  const n = hmac(p.key, "shift", p.scope, patientId).readUInt32BE(0) % (2 * MAX_SHIFT_DAYS);
  return n < MAX_SHIFT_DAYS ? n - MAX_SHIFT_DAYS : n - MAX_SHIFT_DAYS + 1;
}

function patientResource(patient: ExportPatient, id: string, now: Date, mode: ExportMode, shiftDays: number): Json {
  const sex = patient.sex.toLowerCase();
  const gender = ["female", "male", "other", "unknown"].includes(sex) ? sex : "unknown";
  const out: Json = { resourceType: "Patient", id, gender };
  if (ageAt(patient.birthDate, now) > AGE_CEILING) {
    // Safe Harbor: ages over 89 and every date element indicating them fall into one band; no birth year at all.
    out.extension = [{ url: AGE_BAND_EXTENSION, valueString: "90+" }];
  } else if (mode === "SAFE_HARBOR") {
    out.birthDate = String(patient.birthDate.getUTCFullYear());
  } else {
    out.birthDate = new Date(patient.birthDate.getTime() + shiftDays * 86_400_000).toISOString().slice(0, 10);
  }
  const province = provinceOf(patient.address);
  if (province) out.address = [{ state: province, country: "KR" }];
  return out;
}

/**
 * The export's NDJSON files. Safe Harbor: every id is fresh and random (no linkage to the hospital's records or to
 * any other export), references point at those fresh ids, lines are in random order. Pseudonymised: ids and a
 * per-patient date shift come from a keyed HMAC, so exports within one scope link up; everything else is the same
 * allow-list. Records of a type not on the list are counted in omittedByType and not exported.
 */
export function deidentify(input: DeidentifyInput): DeidentifyResult {
  const { mode, now } = input;
  const p = input.pseudonymisation;
  if (mode === "PSEUDONYMISED" && !p) throw new TypeError("PSEUDONYMISED mode needs a pseudonymisation key and scope");
  const patientIds = new Map<string, string>();
  const shifts = new Map<string, number>();
  for (const patient of input.patients) {
    patientIds.set(patient.id, mode === "SAFE_HARBOR" ? randomUUID() : pseudonym(p!, "Patient", patient.id));
    shifts.set(patient.id, mode === "SAFE_HARBOR" ? 0 : dateShiftDays(p!, patient.id));
  }
  const lines = new Map<string, { id: string; line: string }[]>();
  const push = (type: string, id: string, resource: Json) => {
    const list = lines.get(type) ?? [];
    list.push({ id, line: canonicalize(resource) });
    lines.set(type, list);
  };
  for (const patient of input.patients) {
    const id = patientIds.get(patient.id)!;
    push("Patient", id, patientResource(patient, id, now, mode, shifts.get(patient.id)!));
  }
  const omittedByType: Record<string, number> = {};
  let resourceCount = input.patients.length;
  for (const record of input.records) {
    const patientId = patientIds.get(record.patientId);
    if (!patientId) throw new TypeError("a record of a patient outside the cohort");
    const id = mode === "SAFE_HARBOR" ? randomUUID() : pseudonym(p!, record.resourceType, record.id);
    const out = new Transformer(mode, shifts.get(record.patientId)!).resource(record.resourceType, record.resource, id, `Patient/${patientId}`);
    if (!out) {
      omittedByType[record.resourceType] = (omittedByType[record.resourceType] ?? 0) + 1;
      continue;
    }
    push(record.resourceType, id, out);
    resourceCount += 1;
  }
  const files = [...lines.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([resourceType, entries]) => {
      // Ordered by id: random in Safe Harbor (no order by date or by hospital id to read anything from), stable otherwise.
      const sorted = entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { name: `${resourceType}.ndjson`, resourceType, content: sorted.map((e) => e.line + "\n").join(""), lineCount: sorted.length };
    });
  return { files, patientCount: input.patients.length, resourceCount, omittedByType };
}
