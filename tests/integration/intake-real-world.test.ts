import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { appendAccessEvent } from "@/lib/audit";
import { checkAccessLog } from "@/lib/audit/check-log";
import { db } from "@/lib/db";
import { findActiveActor } from "@/lib/dal/actors";
import type { Caller } from "@/lib/dal/caller";
import { ingestHospitalBundle, IntakeRejectedError, uploadOwnRecords, type IncomingFile } from "@/lib/dal/uploads";
import { bytesSha256, MRN_SYSTEM } from "@/lib/fhir/ingest";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { ledgers } from "@/lib/verification";
import { syntheaBundle } from "../fixtures/fhir/synthea-parts";
import { callerFor, credentialParams, ensureDemo, requestApproved, testAction } from "./helpers";

// Real exporters' files (tests/fixtures/fhir) through both paths, against real Postgres and a real chain: imported
// whole, references resolved to stored records, and a second send creates nothing (issue #25).

const run = randomBytes(3).toString("hex");
const MRN = `S${run}`;
const config: AnchoringConfig = { batchSize: 1024, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
const context = { ip: "127.0.0.1", requestId: "intake-real-world" };
let patientId: string;
let patient: Caller;

const fixture = () => JSON.parse(readFileSync(join(__dirname, "../fixtures/fhir/synthea-r4-first-encounter.json"), "utf8")) as { entry: { fullUrl: string; resource: Record<string, unknown> }[] };

function file(content: unknown, fileName: string | null = "export.json"): IncomingFile {
  const bytes = Buffer.from(JSON.stringify(content));
  return { body: new Blob([bytes]).stream(), declaredLength: bytes.byteLength, contentType: "application/fhir+json", fileName };
}

async function counts() {
  return { records: await db().medicalRecord.count({ where: { patientId } }), uploads: await db().recordUpload.count({ where: { patientId } }) };
}

beforeAll(async () => {
  await ensureDemo();
  // Registered family name first, as the hospital writes it; the export has given name first.
  const row = await db().patient.create({
    data: { mrn: MRN, name: "Gerlach374 Lindsay928", birthDate: new Date("1950-10-24T00:00:00Z"), sex: "MALE", portalEmail: `synthea.${run}@patient.example`, portalPasswordHash: "not-a-real-hash" },
    select: { id: true },
  });
  patientId = row.id;
  patient = { actor: (await findActiveActor("PATIENT", patientId))!, context };
});

describe("a patient uploads a Synthea R4 export", () => {
  it("imports it whole, resolves every reference to a stored record, and anchors what was received", async () => {
    const result = await uploadOwnRecords(patient, file(fixture(), "lindsay.json"));
    expect(result.recordCount).toBe(8);
    expect(result.summary.map((s) => [s.resourceType, s.created])).toEqual([
      ["Encounter", 1], ["Condition", 1], ["CareTeam", 1], ["CarePlan", 1], ["DiagnosticReport", 1], ["DocumentReference", 1], ["Claim", 1], ["ExplanationOfBenefit", 1],
    ]);
    const rows = await db().medicalRecord.findMany({ where: { uploadId: result.uploadId! }, select: { id: true, resourceType: true, resource: true } });
    const ids = new Set(rows.map((r) => `${r.resourceType}/${r.id}`));
    for (const row of rows) {
      const text = JSON.stringify(row.resource);
      expect(text).not.toContain('"reference":"urn:uuid:');
      for (const [, ref] of text.matchAll(/"reference":"((?:Encounter|Condition|Claim|CareTeam)\/[^"]+)"/g)) expect(ids.has(ref!)).toBe(true);
      expect((row.resource as { meta: { source: string } }).meta.source).toMatch(/^urn:uuid:/);
    }
    const event = await db().accessEvent.findFirstOrThrow({ where: { action: "records.uploaded", patientId }, orderBy: { seq: "desc" } });
    const bytes = Buffer.from(JSON.stringify(fixture()));
    expect(event.details).toMatchObject({ fileSha256: bytesSha256(bytes), byteSize: bytes.byteLength, fileNameSha256: bytesSha256("lindsay.json"), created: 8 });
    await anchorEverything(ledgers(), config);
  });

  it("stores nothing when the same file is sent again, and only the changed entry as a correction", async () => {
    const before = await counts();
    const again = await uploadOwnRecords(patient, file(fixture(), "lindsay.json"));
    expect(again).toMatchObject({ uploadId: null, recordCount: 0 });
    expect(again.summary.every((s) => s.created === 0 && s.unchanged === 1)).toBe(true);
    expect(await counts()).toEqual(before);

    const changed = fixture();
    (changed.entry[2]!.resource.code as { text: string }).text = "Prediabetes (confirmed)";
    const corrected = await uploadOwnRecords(patient, file(changed, "lindsay-v2.json"));
    expect(corrected.recordCount).toBe(1);
    expect(corrected.summary.find((s) => s.resourceType === "Condition")).toMatchObject({ corrected: 1, created: 0 });
    const [newest] = await db().medicalRecord.findMany({ where: { patientId, resourceType: "Condition" }, orderBy: { createdAt: "desc" }, take: 1, select: { supersedesId: true } });
    const old = await db().medicalRecord.findUniqueOrThrow({ where: { id: newest!.supersedesId! }, select: { supersededAt: true } });
    expect(old.supersededAt).not.toBeNull();
    expect(await counts()).toEqual({ records: before.records + 1, uploads: before.uploads + 1 });
    await anchorEverything(ledgers(), config);
  });

  it("resolves a later bundle's reference to an entry of an earlier one", async () => {
    const encounterUrl = fixture().entry[1]!.fullUrl;
    const later = { resourceType: "Bundle", type: "collection", entry: [{ fullUrl: "urn:uuid:0b0e0000-0000-4000-8000-00000000abcd", resource: { resourceType: "Observation", status: "final", code: { text: "Body weight" }, subject: { reference: `Patient/${patientId}` }, encounter: { reference: encounterUrl }, effectiveDateTime: "1979-01-02T11:50:00-05:00", valueQuantity: { value: 80, unit: "kg" } } }] };
    await uploadOwnRecords(patient, file(later));
    const encounter = await db().intakeEntry.findUniqueOrThrow({ where: { patientId_sourceKey_entryKey: { patientId, sourceKey: "patient", entryKey: `url:${encounterUrl}` } }, select: { recordId: true } });
    const obs = await db().medicalRecord.findFirstOrThrow({ where: { patientId, resourceType: "Observation" }, orderBy: { createdAt: "desc" }, select: { resource: true } });
    expect((obs.resource as { encounter: { reference: string } }).encounter.reference).toBe(`Encounter/${encounter.recordId}`);
  });

  it("writes a bundle's creation events in bulk, chained: one per record, one contiguous run of one chain, the log clean", async () => {
    // Single appends on other chains meanwhile, as page views would be: the bulk write locks only its own chain.
    const bundle = syntheaBundle({ seed: 77, encounters: 6, patient: { family: "Gerlach374", given: "Lindsay928", birthDate: "1950-10-24" } });
    const [result] = await Promise.all([
      uploadOwnRecords(patient, file(bundle)),
      ...Array.from({ length: 20 }, (_, i) => appendAccessEvent({ actor: "SYSTEM", action: testAction("test.noise"), outcome: "ALLOWED", details: { i } }, context)),
    ]);
    const records = await db().medicalRecord.findMany({ where: { uploadId: result.uploadId! }, select: { id: true, creationEventSeq: true, commitment: true } });
    expect(records.length).toBe(result.recordCount);
    const events = await db().accessEvent.findMany({ where: { action: "record.created", seq: { in: records.map((r) => r.creationEventSeq!) } }, orderBy: { seq: "asc" }, select: { chain: true, chainSeq: true, details: true } });
    expect(events).toHaveLength(records.length);
    expect(new Set(events.map((e) => e.chain)).size).toBe(1);
    events.forEach((e, i) => expect(e.chainSeq).toBe(events[0]!.chainSeq + BigInt(i)));
    const byId = new Map(records.map((r) => [r.id, r.commitment]));
    for (const e of events) expect(byId.get((e.details as { recordId: string }).recordId)).toBe((e.details as { commitment: string }).commitment);
    expect((await checkAccessLog({ ledger: ledgers().private, unsealedGraceSeconds: 600 })).firstBreak).toBeNull();
    await anchorEverything(ledgers(), config);
  });

  it("generated bundles (shuffled, Encounter ↔ Condition cycles) import whole and re-import as a no-op", async () => {
    for (let seed = 100; seed < 150; seed++) {
      const bundle = syntheaBundle({ seed, encounters: 1, shuffle: true, patient: { family: "Gerlach374", given: "Lindsay928", birthDate: "1950-10-24" } });
      const first = await uploadOwnRecords(patient, file(bundle));
      expect(first.recordCount, `seed ${seed}`).toBeGreaterThan(10);
      const before = await counts();
      const second = await uploadOwnRecords(patient, file(bundle));
      expect(second, `seed ${seed}`).toMatchObject({ uploadId: null, recordCount: 0 });
      expect(await counts()).toEqual(before);
    }
    await anchorEverything(ledgers(), config);
  }, 300_000);
});

describe("a hospital system posts the same export as a transaction", () => {
  it("imports it whole and answers a re-send with the records already stored", async () => {
    const admin = await callerFor("admin@demo.chartproof.local");
    const { credential: issued } = await requestApproved(admin, credentialParams(`Synthea ${run}`));
    const bundle = fixture();
    (bundle.entry[0]!.resource.identifier as unknown[]).push({ system: MRN_SYSTEM, value: MRN });
    const first = await ingestHospitalBundle(issued.token, file(bundle, null), context);
    expect(first.outcomes.filter((o) => o.outcome === "created")).toHaveLength(8);
    const second = await ingestHospitalBundle(issued.token, file(bundle, null), context);
    expect(second.uploadId).toBeNull();
    expect(second.outcomes.map((o) => o.outcome)).toEqual(["patient", ...Array(8).fill("unchanged")]);
    expect(second.outcomes.flatMap((o) => ("recordId" in o ? [o.recordId] : []))).toEqual(first.outcomes.flatMap((o) => ("recordId" in o ? [o.recordId] : [])));

    // An unknown MRN and a bad entry are reported in one answer.
    const wrong = fixture();
    (wrong.entry[0]!.resource.identifier as unknown[]).push({ system: MRN_SYSTEM, value: `X${run}` });
    wrong.entry[1]!.resource.status = "bogus";
    const error = await ingestHospitalBundle(issued.token, file(wrong, null), context).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(IntakeRejectedError);
    expect((error as IntakeRejectedError).reason).toBe("patient_missing");
    expect((error as IntakeRejectedError).problems.map((p) => [p.entry, p.field])).toEqual([[0, "Patient.identifier"], [1, "Encounter.status"]]);
    await anchorEverything(ledgers(), config);
  });
});
