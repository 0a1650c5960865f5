// FHIR Bulk Data NDJSON (issue #24, part 3): one resource per line, one resource type per file, as Bulk Data exports
// are laid out. Pure: lines of bytes in, entries of the same intake (read → validate → bind → plan) out. A bad line is
// a problem of that line (its file and line number), never of the import; the DAL (lib/dal/bulk-import.ts) stores.
import { IntakeRejectedError, isObject, type IntakeLimits, type IntakeProblem, type Json } from "./model";
import { parseJsonWithLimits } from "./parse";
import type { AnalysedUpload } from "../ingest";
import { dispositionOf } from "./resource-types";
import { olderVersionHint } from "./rules";
import { validateEntry } from "./validate-entry";
import type { IntakeEntry } from "./read";

/** One line of an NDJSON source, numbered from 1 as editors count. */
export type NdjsonLine = { line: number; bytes: Uint8Array };

/**
 * The non-empty lines of a byte stream, one at a time: only the current line is held. A line over `maxLineBytes` is
 * yielded as `tooLong` (its bytes dropped as they come) so the import reports it and goes on.
 */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array>, maxLineBytes: number): AsyncGenerator<NdjsonLine & { tooLong?: boolean }> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let line = 1;
  let tooLong = false;
  const emit = function* () {
    if (tooLong) yield { line, bytes: new Uint8Array(0), tooLong: true };
    else if (size > 0) {
      const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      // CRLF files: the CR belongs to the line break. Whitespace-only lines are blank.
      const end = bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
      const trimmed = bytes.subarray(0, end);
      if (trimmed.some((c) => c !== 0x20 && c !== 0x09)) yield { line, bytes: trimmed };
    }
    parts = [];
    size = 0;
    tooLong = false;
  };
  for await (const chunk of body) {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      take(chunk.subarray(from, nl));
      yield* emit();
      line++;
      from = nl + 1;
    }
    take(chunk.subarray(from));
  }
  yield* emit();

  function take(bytes: Uint8Array) {
    if (bytes.byteLength === 0 || tooLong) return;
    size += bytes.byteLength;
    if (size > maxLineBytes) {
      tooLong = true;
      parts = [];
      return;
    }
    // Copied: the reader may reuse the chunk's buffer.
    parts.push(bytes.slice());
  }
}

/**
 * The order files are imported in, so that references resolve to what is already stored: the patients first (whom
 * every record is about), the shared directory next, then encounters (most records name one), then everything else,
 * and last the types that point at many others (Provenance, Composition, documents).
 */
const FIRST = ["Patient", "Organization", "Location", "Practitioner", "PractitionerRole", "Encounter", "EpisodeOfCare", "Condition", "AllergyIntolerance", "Procedure", "MedicationRequest"];
const LAST = ["DiagnosticReport", "DocumentReference", "Composition", "CarePlan", "CareTeam", "Claim", "ExplanationOfBenefit", "Provenance"];

export function importRank(resourceType: string): number {
  const first = FIRST.indexOf(resourceType);
  if (first >= 0) return first;
  const last = LAST.indexOf(resourceType);
  return last >= 0 ? 1000 + last : 500;
}

/**
 * The resource type a Bulk Data file holds, from its name: `Patient.ndjson`, `Patient.2.ndjson`, `Patient-000.ndjson`,
 * `1.Patient.ndjson` (exports split a large type over several files). Null: not an NDJSON file of one type.
 */
export function resourceTypeOfFile(name: string): string | null {
  if (!/\.ndjson$/i.test(name)) return null;
  const words = name.replace(/\.ndjson$/i, "").split(/[.\-_]/);
  return words.find((w) => /^[A-Z][A-Za-z]+$/.test(w)) ?? null;
}

/** Files in import order (importRank, then name, so split files keep their order). */
export function orderFiles<T extends { name: string; resourceType: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => importRank(a.resourceType) - importRank(b.resourceType) || a.name.localeCompare(b.name, "en", { numeric: true }));
}

/** A line parsed: a FHIR resource, or why not (with the line's own words). */
export function parseLine(bytes: Uint8Array, limits: IntakeLimits, expectedType: string | null): { resource: Json } | { problem: string } {
  let value: unknown;
  try {
    value = parseJsonWithLimits(bytes, limits);
  } catch (error) {
    if (error instanceof IntakeRejectedError) return { problem: error.problems[0]?.message ?? `The line was refused (${error.reason}).` };
    throw error;
  }
  if (!isObject(value) || typeof value.resourceType !== "string") return { problem: "The line is JSON but not a FHIR resource (no resourceType)." };
  if (value.resourceType === "Bundle") return { problem: "A Bundle is not a Bulk Data line: send it to POST /api/fhir." };
  if (expectedType && value.resourceType !== expectedType) return { problem: `A ${value.resourceType} in a file of ${expectedType} resources (one type per file).` };
  return { resource: value };
}

/**
 * The patient a record line is about: the first reference in it to one of the import's patients (`Patient/<id>` or
 * `urn:uuid:<id>`, as exports write them), by the Patient's id as sent. Null: it names none of them.
 */
export function patientOf(resource: Json, known: (id: string) => boolean): string | null {
  let found: string | null = null;
  const visit = (value: unknown): void => {
    if (found !== null) return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
    } else if (isObject(value)) {
      const ref = value.reference;
      if (typeof ref === "string") {
        const id = ref.startsWith("Patient/") ? ref.slice("Patient/".length) : ref.startsWith("urn:uuid:") ? ref.slice("urn:uuid:".length) : null;
        if (id !== null && known(id)) {
          found = id;
          return;
        }
      }
      for (const [key, v] of Object.entries(value)) if (key !== "contained" && typeof v === "object" && v !== null) visit(v);
    }
  };
  visit(resource);
  return found;
}

/**
 * Record lines of one patient as one upload of the shared intake: entry 0 is the patient's Patient (already matched to
 * the registered patient), entries 1… the lines, each validated like a Bundle entry. An entry's problems refuse that
 * line alone (the DAL plans in "each" mode, as for a batch). The Patient's `urn:uuid:<id>` counts as its own name
 * beside `Patient/<id>`, as exports write either.
 */
export function ndjsonUpload(patient: Json, lines: readonly { resource: Json }[]): AnalysedUpload {
  const problems: IntakeProblem[] = [];
  const patientEntry: IntakeEntry = { index: 0, fullUrl: typeof patient.id === "string" ? `urn:uuid:${patient.id}` : null, resource: patient, disposition: "patient" };
  const entries: IntakeEntry[] = [patientEntry];
  lines.forEach(({ resource }, i) => {
    const index = i + 1;
    const type = String(resource.resourceType);
    const hint = olderVersionHint(resource);
    if (hint) problems.push({ entry: index, resourceType: type, field: null, message: `This looks like FHIR ${hint.version} (${hint.why}), not FHIR R4.`, code: "not-supported" });
    else problems.push(...validateEntry(resource, index));
    entries.push({ index, fullUrl: null, resource, disposition: dispositionOf(type) });
  });
  return { upload: { bundleType: "batch", entries, patients: [patientEntry] }, problems, olderVersion: null };
}
