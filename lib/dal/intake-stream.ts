import "server-only";
// A hospital system's batch Bundle of any size (issue #24, part 2: large bodies), on POST /api/fhir/stream — a route
// the proxy does not buffer (proxy.ts), so nothing is cut at its 32 MB. The body is written to a temporary file as it
// arrives (memory stays bounded: one network chunk at a time), the job is recorded and 202 answered with its status
// URL; then the file is read back through the Bundle splitter (lib/fhir/intake/stream.ts), one entry at a time, and
// stored in chunks through exactly the intake of POST /api/fhir (read, validate, bind, plan, store) in batch mode. The
// answer kept on the job is the batch-response POST /api/fhir would have given.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { db } from "@/lib/db";
import type { AuditContext } from "@/lib/audit";
import { log } from "@/lib/log";
import { intakeResponse, IntakeRejectedError, MRN_SYSTEM, refusalOutcome, type EntryOutcome, type IntakeProblem, type Json, type PatientIdentity } from "@/lib/fhir/ingest";
import { mrnOfPatient } from "@/lib/fhir/intake/identity";
import { isObject } from "@/lib/fhir/intake/model";
import { summarize } from "@/lib/fhir/intake/plan";
import { readUpload } from "@/lib/fhir/intake/read";
import { splitBundle } from "@/lib/fhir/intake/stream";
import type { Prisma } from "@/lib/generated/prisma/client";
import { authenticateServiceToken, credentialCovers } from "./service-credentials";
import type { AcceptedIntake } from "./intake-jobs";
import type { IntakeSource } from "./intake-store";
import { intakeLimits, patientIdentity, planAndStore, type IncomingFile } from "./uploads";

/** The largest streamed Bundle (bytes on disk while it is read) and its most entries. */
export const STREAM_MAX_BYTES = 1024 * 1024 * 1024;
export const STREAM_MAX_ENTRIES = 1_000_000;
/**
 * Entries stored per transaction — the unit of memory and of a round of planning: at most CHUNK entries and about
 * CHUNK_BYTES of their JSON (a chunk is held several times over while it is planned and stored: parsed, bound,
 * canonicalized, sent), so that entries with large attachments do not take the web tier past its memory budget.
 */
const CHUNK = 1_000;
const CHUNK_BYTES = 2 * 1024 * 1024;

const JSON_TYPES = new Set(["application/json", "application/fhir+json"]);

/** Reads the body to a temporary file (with its sha256 and size), refusing past STREAM_MAX_BYTES. */
async function spool(body: ReadableStream<Uint8Array> | null, path: string): Promise<{ bytes: number; sha256: string }> {
  const out = createWriteStream(path, { flags: "wx", mode: 0o600 });
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    if (body) {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (bytes > STREAM_MAX_BYTES) {
          await reader.cancel().catch(() => undefined);
          throw new IntakeRejectedError("too_large");
        }
        hash.update(value);
        if (!out.write(value)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      }
    }
  } finally {
    out.end();
    await finished(out).catch(() => undefined);
  }
  if (bytes === 0) throw new IntakeRejectedError("empty");
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * Authenticates, spools the body and records the job; `run` (called after the 202) reads and stores it. Refusals of
 * the request itself (credential, media type, size) are answered at once; everything about the content is the job's.
 */
export async function acceptStreamedBundle(token: string | null, file: IncomingFile, context: AuditContext): Promise<AcceptedIntake> {
  const credential = await authenticateServiceToken(token, context);
  if (!JSON_TYPES.has((file.contentType ?? "").split(";")[0]!.trim().toLowerCase())) {
    throw new IntakeRejectedError("content_type", [{ entry: null, resourceType: null, field: null, message: "Send the Bundle as application/fhir+json (or application/json).", code: "not-supported" }]);
  }
  if (file.declaredLength !== null && file.declaredLength > STREAM_MAX_BYTES) throw new IntakeRejectedError("too_large");
  const path = join(tmpdir(), `chartproof-bundle-${randomUUID()}.json`);
  let received: { bytes: number; sha256: string };
  try {
    received = await spool(file.body, path);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  const job = await db().intakeJob.create({ data: { serviceCredentialId: credential.id, byteSize: received.bytes, sha256: received.sha256, phase: "queued" }, select: { id: true } });
  const finish = (status: "COMPLETED" | "FAILED", httpStatus: number, result: unknown) =>
    db().intakeJob.update({ where: { id: job.id }, data: { status, phase: null, httpStatus, result: result as Prisma.InputJsonValue, completedAt: new Date() } });
  const from: IntakeSource = { source: "HOSPITAL_SYSTEM", sourceKey: `credential:${credential.id}`, serviceCredentialId: credential.id };
  const run = async () => {
    try {
      const result = await storeStreamed(path, from, context, credential, async (entries) => {
        await db().intakeJob.update({ where: { id: job.id }, data: { status: "RUNNING", phase: "storing", entries } });
      });
      await finish("COMPLETED", 200, intakeResponse(result));
    } catch (error) {
      if (error instanceof IntakeRejectedError) {
        const refusal = refusalOutcome(error);
        await finish("COMPLETED", refusal.status, refusal.outcome).catch(() => undefined);
        return;
      }
      log.error({ requestId: context.requestId, jobId: job.id, err: error instanceof Error ? error.name : "unknown" }, "streamed intake failed");
      await finish("FAILED", 500, { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "exception", diagnostics: "The Bundle could not be processed to the end. Send it again: entries already stored are recognised and not stored twice." }] }).catch(() => undefined);
    } finally {
      await rm(path, { force: true });
    }
  };
  return { jobId: job.id, run };
}

type RawEntry = { index: number; value: Json; bytes: Uint8Array };

function refuse(message: string, field: string | null = null, reason: "bundle_type" | "not_fhir" | "patient_missing" | "several_patients" = "not_fhir"): never {
  throw new IntakeRejectedError(reason, [{ entry: null, resourceType: "Bundle", field, message, code: reason === "patient_missing" ? "required" : "not-supported" }]);
}

/** The spooled Bundle, entry by entry, stored in chunks; returns what POST /api/fhir would answer for it as a batch. */
async function storeStreamed(
  path: string,
  from: IntakeSource,
  context: AuditContext,
  credential: Awaited<ReturnType<typeof authenticateServiceToken>>,
  onStored: (entries: number) => Promise<void>,
) {
  const base = intakeLimits();
  const limits = { maxBytes: STREAM_MAX_BYTES, maxDepth: base.maxDepth, maxEntries: STREAM_MAX_ENTRIES, maxEntryBytes: base.maxBytes };
  let type: unknown = undefined;
  let patient: RawEntry | null = null;
  let who: PatientIdentity | null = null;
  let chunk: RawEntry[] = [];
  let chunkBytes = 0;
  const outcomes: EntryOutcome[] = [];
  let stored = 0;

  const flush = async () => {
    if (!chunk.length) return;
    if (!patient || !who) refuse("A streamed Bundle must carry its Patient before its records (within the first 1,000 entries or 2 MiB).", "Bundle.entry", "patient_missing");
    const entries = [patient, ...chunk];
    const bundle = { resourceType: "Bundle", type: "batch", entry: entries.map((e) => e.value) };
    const analysed = readUpload(bundle, { ...base, maxBytes: STREAM_MAX_BYTES, maxEntries: CHUNK + 1 }, { bundleTypes: ["batch"] });
    const global = (local: number) => entries[local]!.index;
    try {
      const result = await planAndStore(analysed, who, from, { bytes: Buffer.concat(entries.map((e) => e.bytes)), fileName: null, contentType: "application/fhir+json" }, "SYSTEM", context, "each");
      for (const o of result.outcomes) {
        if (o.index === 0 && outcomes.some((x) => x.index === patient!.index)) continue;
        outcomes.push(o.outcome === "refused" ? { ...o, index: global(o.index), problems: o.problems.map((p) => ({ ...p, entry: p.entry === null ? null : global(p.entry) })) } : { ...o, index: global(o.index) });
      }
    } catch (error) {
      // The chunk itself was refused (its envelope, its Patient): before anything is stored that is the answer; after,
      // each of its entries says why, and what was stored stays stored (a batch: each entry on its own).
      if (!(error instanceof IntakeRejectedError) || stored === 0) throw error;
      const problems: IntakeProblem[] = error.problems;
      for (const e of chunk) outcomes.push({ index: e.index, resourceType: String(e.value.resource && isObject(e.value.resource) ? e.value.resource.resourceType : "unknown"), outcome: "refused", problems });
    }
    stored += chunk.length;
    chunk = [];
    chunkBytes = 0;
    await onStored(stored);
  };

  for await (const part of splitBundle(createReadStream(path, { highWaterMark: 1 << 20 }), limits)) {
    if (part.kind === "member") {
      if (part.name === "resourceType" && part.value !== "Bundle") refuse("The body is not a Bundle.", "resourceType");
      if (part.name === "type") {
        type = part.value;
        if (type !== "batch") {
          refuse(
            type === "transaction"
              ? "A transaction is all or nothing and must fit in one request to POST /api/fhir; send a large set as a batch here, or as NDJSON to POST /api/fhir/$import."
              : `Bundle type "${String(type)}" is not accepted here (accepted: batch).`,
            "Bundle.type",
            "bundle_type",
          );
        }
      }
      continue;
    }
    if (part.kind === "envelope") continue;
    if (type === undefined) refuse('Bundle.type ("batch") must come before Bundle.entry in a streamed Bundle.', "Bundle.type", "bundle_type");
    const value = isObject(part.value) ? part.value : {};
    const resource = isObject(value.resource) ? value.resource : null;
    if (resource?.resourceType === "Patient") {
      if (patient) refuse("The Bundle describes more than one patient; one patient's records per Bundle.", "Bundle.entry", "several_patients");
      patient = { index: part.index, value, bytes: part.bytes };
      who = await findPatient(resource, credential, context);
      continue;
    }
    chunk.push({ index: part.index, value, bytes: part.bytes });
    chunkBytes += part.bytes.byteLength;
    if (chunk.length >= CHUNK || chunkBytes >= CHUNK_BYTES) await flush();
  }
  await flush();
  if (!patient) refuse("The Bundle carries no Patient.", "Bundle.entry", "patient_missing");
  outcomes.sort((a, b) => a.index - b.index);
  return { bundleType: "batch" as const, patientId: who!.id, outcomes, summary: summarize(outcomes, []) };
}

/** The Patient entry's MRN names a registered patient within the credential's scope (identity itself is checked by intake). */
async function findPatient(resource: Json, credential: Awaited<ReturnType<typeof authenticateServiceToken>>, context: AuditContext): Promise<PatientIdentity> {
  const mrn = mrnOfPatient(resource);
  if (mrn === null) refuse(`The Bundle must carry the Patient with an identifier of system ${MRN_SYSTEM}.`, "Patient.identifier", "patient_missing");
  const found = await db().patient.findUnique({ where: { mrn }, select: { id: true, mrn: true } });
  const who = found && (await credentialCovers(credential, found, context)) ? await patientIdentity(found.id) : null;
  if (!who) refuse("No patient has this MRN.", "Patient.identifier", "patient_missing");
  return who;
}
