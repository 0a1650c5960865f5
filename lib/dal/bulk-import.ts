import "server-only";
// A hospital's backfill (issue #24, part 3): FHIR Bulk Data NDJSON files, streamed line by line through the same intake
// as POST /api/fhir — the same validation, identity (each Patient line matched to a registered patient by MRN, name and
// birth date), references (resolved to what is already stored from the same source), idempotency (intake keys) and
// one hash-chained creation event per record — acting as a named service credential on the web tier's restricted role.
// Records are stored per patient in chunks; after each chunk the caller is told how far every line is stored, so a
// crashed import resumes there, and a line stored again before the crash point is recognised by its key (nothing twice).
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import type { AuditContext } from "@/lib/audit";
import { Prisma } from "@/lib/generated/prisma/client";
import { IntakeRejectedError, MRN_SYSTEM, patientMatches, type Json, type PatientIdentity } from "@/lib/fhir/ingest";
import { ndjsonLines, ndjsonUpload, orderFiles, parseLine, patientOf } from "@/lib/fhir/intake/ndjson";
import { mrnOfPatient } from "@/lib/fhir/intake/identity";
import { directoryIdentity } from "@/lib/fhir/intake/plan";
import { displayOf } from "@/lib/fhir/intake/references";
import { dispositionOf } from "@/lib/fhir/intake/resource-types";
import { validateEntry } from "@/lib/fhir/intake/validate-entry";
import { databaseRoleStanding, runsUnrestricted } from "@/lib/jobs/database-role";
import { authenticateServiceToken, credentialCovers, type AuthenticatedCredential } from "./service-credentials";
import { intakeLimits, patientIdentity, planAndStore } from "./uploads";
import type { IntakeSource } from "./intake-store";

/** One NDJSON source: a file of a folder, or a request body. `resourceType` null: lines of any type, in the order sent. */
export type ImportSource = { name: string; resourceType: string | null; open: () => AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> };

async function* chunksOf(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (!("getReader" in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** How far each source is stored: its last line stored (every line before it too), or "done". */
export type ImportCheckpoint = Record<string, number | "done">;

export type BadLine = { file: string; line: number; problems: string[] };

export type ImportCounts = { lines: number; created: number; unchanged: number; corrected: number; directory: number; skipped: number; refused: number; patients: number; resumedPast: number };

export type ImportProgress = ImportCounts & { file: string; bytesRead: number };

export type ImportOptions = {
  checkpoint?: ImportCheckpoint;
  onCheckpoint?: (checkpoint: ImportCheckpoint) => Promise<void> | void;
  onProgress?: (progress: ImportProgress) => void;
  onBadLine?: (bad: BadLine) => void;
  /** Record lines held before they are stored (all patients together); memory stays bounded by this. */
  chunkSize?: number;
};

/** The import runs as the owner or a superuser: refused before anything is read or written. */
export class ImportRefusedError extends Error {
  override name = "ImportRefusedError";
}

type KnownPatient = { who: PatientIdentity; resource: Json };
type PendingLine = { file: string; line: number; resource: Json; bytes: Uint8Array; patientId: string };

const CHUNK = 5_000;
const PARALLEL = 3;

/**
 * Imports the sources (files ordered by dependency: patients first) as the credential `token` names. Bad lines are
 * reported (file, line, what is wrong) and skipped; the import goes on. Throws ImportRefusedError on the owner's or a
 * superuser's connection, ServiceAuthError for a bad credential.
 */
export async function importNdjson(token: string | null, sources: readonly ImportSource[], context: AuditContext, options: ImportOptions = {}): Promise<ImportCounts & { badLines: number }> {
  // Fail closed, before anything is read or written: as the owner the import could bypass what the restricted role may
  // not do (rewrite history), so a backfill must never run there, whoever started it.
  const standing = await databaseRoleStanding();
  if (runsUnrestricted(standing)) {
    throw new ImportRefusedError(
      `Refused: this connection is the database ${standing.superuser ? "superuser" : "owner"} (${standing.user}). Run the import with the web tier's restricted connection (DATABASE_URL of chartproof_app).`,
    );
  }
  const credential = await authenticateServiceToken(token, context);
  const limits = intakeLimits();
  const lineLimits = { ...limits, maxEntries: 1 };
  const from: IntakeSource = { source: "HOSPITAL_SYSTEM", sourceKey: `credential:${credential.id}`, serviceCredentialId: credential.id };
  const checkpoint: ImportCheckpoint = { ...(options.checkpoint ?? {}) };
  const chunkSize = options.chunkSize ?? CHUNK;
  const counts: ImportCounts = { lines: 0, created: 0, unchanged: 0, corrected: 0, directory: 0, skipped: 0, refused: 0, patients: 0, resumedPast: 0 };
  let badLines = 0;
  let bytesRead = 0;
  let current = "";
  const patients = new Map<string, KnownPatient | null>();
  const bad = (file: string, line: number, problems: string[]) => {
    badLines++;
    counts.refused++;
    options.onBadLine?.({ file, line, problems });
  };
  const progress = () => options.onProgress?.({ ...counts, file: current, bytesRead });

  // Pending lines span files (a chunk of one patient's Encounters, Conditions, Observations… is one transaction, not
  // one per type): when a chunk is stored, every line read so far is, so each file read is stored up to its last line
  // read — or whole, once read to its end.
  let pending: PendingLine[] = [];
  const readUpTo = new Map<string, number>();
  const readWhole = new Set<string>();
  const flush = async () => {
    if (pending.length) {
      await storeChunk(pending, patients, from, context, counts, bad);
      pending = [];
    }
    for (const [file, line] of readUpTo) {
      if (checkpoint[file] === "done") continue;
      checkpoint[file] = readWhole.has(file) ? "done" : Math.max(line, typeof checkpoint[file] === "number" ? checkpoint[file] : 0);
    }
    await options.onCheckpoint?.({ ...checkpoint });
    progress();
  };

  const typed = orderFiles(sources.filter((s): s is ImportSource & { resourceType: string } => s.resourceType !== null));
  for (const source of [...typed, ...sources.filter((s) => s.resourceType === null)]) {
    current = source.name;
    const done = checkpoint[source.name];
    // Patients are read again on a resume (they store nothing, and every record needs them); other files resume.
    if (done === "done" && source.resourceType !== "Patient") continue;
    const resumeAfter = typeof done === "number" ? done : 0;
    let lastLine = 0;
    let directory: Json[] = [];
    const counted = async function* () {
      for await (const chunk of chunksOf(source.open())) {
        bytesRead += chunk.byteLength;
        yield chunk;
      }
    };
    for await (const { line, bytes, tooLong } of ndjsonLines(counted(), limits.maxBytes)) {
      lastLine = line;
      readUpTo.set(source.name, line);
      if (line <= resumeAfter && source.resourceType !== "Patient") {
        counts.resumedPast++;
        continue;
      }
      counts.lines++;
      if (tooLong) {
        bad(source.name, line, [`The line is longer than ${limits.maxBytes} bytes.`]);
        continue;
      }
      const parsed = parseLine(bytes, lineLimits, source.resourceType);
      if ("problem" in parsed) {
        bad(source.name, line, [parsed.problem]);
        continue;
      }
      const resource = parsed.resource;
      const type = String(resource.resourceType);
      const disposition = dispositionOf(type);
      if (disposition === "patient") {
        const problem = await registerPatient(resource, patients, credential, context);
        if (problem) bad(source.name, line, [problem]);
        else counts.patients++;
      } else if (disposition === "directory") {
        const problems = validateEntry(resource, 0).map(problemText);
        if (problems.length) bad(source.name, line, problems);
        else directory.push(resource);
        if (directory.length >= chunkSize) {
          counts.directory += await storeDirectory(directory);
          directory = [];
        }
      } else if (disposition === "skipped") {
        counts.skipped++;
      } else {
        const patientId = patientOf(resource, (id) => patients.has(id));
        const known = patientId === null ? null : patients.get(patientId);
        if (!known || patientId === null) {
          bad(source.name, line, [patientId === null ? "The record names no patient of this import (its Patient line must come first, in Patient.ndjson)." : "The record's patient was refused (see its Patient line)."]);
          continue;
        }
        pending.push({ file: source.name, line, resource, bytes, patientId });
        if (pending.length >= chunkSize) await flush();
      }
      if (counts.lines % 500 === 0) progress();
    }
    if (directory.length) counts.directory += await storeDirectory(directory);
    readUpTo.set(source.name, lastLine);
    readWhole.add(source.name);
    // Nothing waiting to be stored: the file is done now (else the next chunk stored says so).
    if (!pending.length) await flush();
  }
  await flush();
  return { ...counts, badLines };
}

function problemText(p: { field: string | null; message: string }): string {
  return p.field ? `${p.field}: ${p.message}` : p.message;
}

/** A Patient line names a registered patient (MRN, name and birth date, within the credential's scope), or says why not. */
async function registerPatient(resource: Json, patients: Map<string, KnownPatient | null>, credential: AuthenticatedCredential, context: AuditContext): Promise<string | null> {
  if (typeof resource.id !== "string") return "The Patient has no id, so no record can name it.";
  const problems = validateEntry(resource, 0);
  // Known even when refused, so its records are reported as the patient's, not as naming nobody.
  patients.set(resource.id, null);
  if (problems.length) return problems.map(problemText).join("; ");
  const mrn = mrnOfPatient(resource);
  if (mrn === null) return `The Patient carries no identifier of system ${MRN_SYSTEM}.`;
  const patient = await db().patient.findUnique({ where: { mrn }, select: { id: true, mrn: true } });
  // Out of a scoped credential's scope reads exactly like an unknown MRN (and alerts).
  const who = patient && (await credentialCovers(credential, patient, context)) ? await patientIdentity(patient.id) : null;
  if (!who) return "No patient has this MRN.";
  if (!patientMatches(resource, who)) return "The Patient is not the patient registered under this MRN (name and birth date must match).";
  patients.set(resource.id, { who, resource });
  return null;
}

/** Directory lines (Organization, Practitioner…): kept once in the shared directory, keyed as intake keys them. */
async function storeDirectory(resources: Json[]): Promise<number> {
  const rows = resources.map((resource) => {
    const { key, identifiers } = directoryIdentity({ resource });
    return { id: randomUUID(), resourceType: String(resource.resourceType), key, identifiers, display: displayOf(resource), resource: resource as Prisma.InputJsonValue };
  });
  const stored = await db().directoryResource.createMany({ data: rows, skipDuplicates: true });
  return stored.count;
}

/** Stores one chunk: per patient, its lines as one upload (each line refused alone when it has problems of its own). */
async function storeChunk(
  lines: PendingLine[],
  patients: Map<string, KnownPatient | null>,
  from: IntakeSource,
  context: AuditContext,
  counts: ImportCounts,
  bad: (file: string, line: number, problems: string[]) => void,
): Promise<void> {
  const byPatient = new Map<string, PendingLine[]>();
  for (const l of lines) {
    let group = byPatient.get(l.patientId);
    if (!group) byPatient.set(l.patientId, (group = []));
    group.push(l);
  }
  // A few patients at once, each in its own transaction (each locks a free audit chain): one patient's round trips
  // to the database overlap another's validation and planning.
  const queue = [...byPatient];
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await storeGroup(next[0], next[1]);
  }));

  async function storeGroup(patientId: string, group: PendingLine[]) {
    const known = patients.get(patientId)!;
    const analysed = ndjsonUpload(known.resource, group);
    const bytes = Buffer.concat(group.flatMap((l) => [l.bytes, NEWLINE]));
    try {
      const result = await planAndStore(analysed, known.who, from, { bytes, fileName: null, contentType: "application/fhir+ndjson" }, "SYSTEM", context, "each");
      for (const o of result.outcomes) {
        if (o.outcome === "patient") continue;
        const l = group[o.index - 1]!;
        if (o.outcome === "refused") bad(l.file, l.line, o.problems.map(problemText));
        else counts[o.outcome]++;
      }
    } catch (error) {
      if (!(error instanceof IntakeRejectedError)) throw error;
      // The group itself was refused (its Patient): every line says why.
      for (const l of group) bad(l.file, l.line, error.problems.map(problemText));
    }
  }
}

const NEWLINE = Buffer.from("\n");
