import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { findActiveActor } from "@/lib/dal/actors";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { ingestHospitalBundle, IntakeRejectedError, listOwnUploads, ServiceAuthError, uploadOwnRecords, type IncomingFile } from "@/lib/dal/uploads";
import { listServiceCredentials, revokeServiceCredential } from "@/lib/dal/service-credentials";
import { requestPrivileged } from "@/lib/dal/privileged-requests";
import { MRN_SYSTEM } from "@/lib/fhir/ingest";
import { checkAttachments } from "@/lib/fhir/attachment";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { ledgers } from "@/lib/verification";
import { asOwner, callerFor, credentialParams, ensureDemo, requestApproved } from "./helpers";

// A patient of this file's own (a fresh MRN per run, no consents), so that the records it uploads — which stay, anchored,
// as every anchored record must — are invisible to the other files sharing this database.
const run = randomBytes(3).toString("hex");
const MRN = `U${run}`;
const NAME = "한지민 Han Ji-min";
const BIRTH = "1984-07-21";
const config: AnchoringConfig = { batchSize: 1024, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
const context = { ip: "127.0.0.1", requestId: "uploads-test" };

let patientId: string;
let patient: Caller;

function file(content: Uint8Array | string | object, contentType: string | null, fileName: string | null = "history.json"): IncomingFile {
  const bytes = content instanceof Uint8Array ? content : Buffer.from(typeof content === "string" ? content : JSON.stringify(content));
  return { body: new Blob([Buffer.from(bytes)]).stream(), declaredLength: bytes.byteLength, contentType, fileName };
}

type Entry = { fullUrl?: string; resource: Record<string, unknown>; request?: { method: string; url: string } };

function bundle(type = "collection", extra: Entry[] = []) {
  const entries: Entry[] = [
      { fullUrl: "urn:uuid:0d8e2a50-0000-4000-8000-00000000000a", resource: { resourceType: "Patient", id: "p1", name: [{ family: "Han", given: ["Ji-min"] }], birthDate: BIRTH, identifier: [{ system: MRN_SYSTEM, value: MRN }] }, request: { method: "PUT", url: "Patient/p1" } },
      { resource: { resourceType: "Observation", status: "final", code: { text: "HbA1c" }, subject: { reference: "Patient/p1" }, effectiveDateTime: "2023-04-05", valueQuantity: { value: 6.1, unit: "%" } }, request: { method: "POST", url: "Observation" } },
      { resource: { resourceType: "Condition", code: { text: "Type 2 diabetes" }, subject: { reference: "urn:uuid:0d8e2a50-0000-4000-8000-00000000000a" }, onsetDateTime: "2022" }, request: { method: "POST", url: "Condition" } },
      { resource: { resourceType: "Immunization", status: "completed", vaccineCode: { text: "Influenza" }, patient: { reference: "Patient/p1" }, occurrenceDateTime: "2024-10-01" }, request: { method: "POST", url: "Immunization" } },
    ...extra,
  ];
  // Requests belong in transactions and batches only (bdl-3).
  for (const e of entries) {
    if (type === "transaction" || type === "batch") e.request ??= { method: "POST", url: String(e.resource.resourceType) };
    else delete e.request;
  }
  return { resourceType: "Bundle", type, entry: entries };
}

async function counts() {
  return {
    records: await db().medicalRecord.count(),
    uploads: await db().recordUpload.count(),
    created: await db().accessEvent.count({ where: { action: "record.created" } }),
  };
}

async function lastEvent(action: string) {
  return db().accessEvent.findFirstOrThrow({ where: { action }, orderBy: { seq: "desc" } });
}

async function rejected(promise: Promise<unknown>): Promise<IntakeRejectedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntakeRejectedError);
  return error as IntakeRejectedError;
}

beforeAll(async () => {
  await ensureDemo();
  const row = await db().patient.create({
    data: { mrn: MRN, name: NAME, birthDate: new Date(`${BIRTH}T00:00:00Z`), sex: "FEMALE", portalEmail: `upload.${run}@patient.example`, portalPasswordHash: "not-a-real-hash" },
    select: { id: true },
  });
  patientId = row.id;
  const actor = await findActiveActor("PATIENT", patientId);
  patient = { actor: actor!, context };
});

describe("a patient's upload", () => {
  it("stores a bundle whole, PENDING, then anchored by the worker's path and shown verified", async () => {
    const before = await counts();
    const started = performance.now();
    const result = await uploadOwnRecords(patient, file(bundle(), "application/fhir+json"));
    const ms = performance.now() - started;
    expect(result.recordCount).toBe(3);
    const after = await counts();
    expect(after).toEqual({ records: before.records + 3, uploads: before.uploads + 1, created: before.created + 3 });

    const rows = await db().medicalRecord.findMany({ where: { uploadId: result.uploadId }, select: { status: true, source: true, patientId: true, resource: true, resourceType: true } });
    expect(rows.map((r) => r.status)).toEqual(["PENDING", "PENDING", "PENDING"]);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set(["PATIENT_UPLOAD"]));
    for (const r of rows) expect(JSON.stringify(r.resource)).toContain(`Patient/${patientId}`);
    const event = await lastEvent("records.uploaded");
    expect(event).toMatchObject({ actorId: patientId, patientId, outcome: "ALLOWED" });
    expect(event.details).toMatchObject({ uploadId: result.uploadId, recordCount: 3 });

    let listed = await listOwnUploads(patient);
    expect(listed.uploads[0]!.records.map((r) => r.verification)).toEqual(["pending", "pending", "pending"]);
    await anchorEverything(ledgers(), config);
    listed = await listOwnUploads(patient);
    expect(listed.uploads[0]!.records.map((r) => r.verification)).toEqual(["verified", "verified", "verified"]);
    console.info(`bundle of 3 validated and stored in ${ms.toFixed(0)} ms`);
  });

  it("refuses a bundle with one bad entry and stores nothing; the refusal is logged by reason only", async () => {
    const before = await counts();
    const bad = bundle("collection", [{ resource: { resourceType: "Observation", code: { text: "secret-lab-value" }, subject: { reference: "Patient/p1" } } }]);
    const error = await rejected(uploadOwnRecords(patient, file(bad, "application/json")));
    expect(error.reason).toBe("invalid_entries");
    expect(error.problems).toEqual([expect.objectContaining({ entry: 4, field: "Observation.status" })]);
    expect(await counts()).toEqual(before);
    const event = await lastEvent("records.upload_rejected");
    expect(event).toMatchObject({ actorId: patientId, outcome: "DENIED" });
    expect(event.details).toEqual({ reason: "invalid_entries", problems: 1 });
    expect(JSON.stringify(event.details)).not.toContain("secret-lab-value");
  });

  it("leaves nothing behind when the database fails half-way through storing an upload", async () => {
    // An insider's trigger (or a full disk) failing the third record's insert, after two records and the upload row.
    await asOwner(`CREATE OR REPLACE FUNCTION upload_test_fail() RETURNS trigger AS $$ BEGIN
      IF NEW.resource->'code'->>'text' = 'FAIL-ME-${run}' THEN RAISE EXCEPTION 'simulated failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await asOwner(`CREATE TRIGGER upload_test_fail BEFORE INSERT ON "MedicalRecord" FOR EACH ROW EXECUTE FUNCTION upload_test_fail()`);
    try {
      const before = await counts();
      const failing = bundle("collection", [{ resource: { resourceType: "Condition", code: { text: `FAIL-ME-${run}` }, subject: { reference: "Patient/p1" } } }]);
      await expect(uploadOwnRecords(patient, file(failing, "application/fhir+json"))).rejects.toThrow(/simulated failure/);
      expect(await counts()).toEqual(before);
    } finally {
      await asOwner(`DROP TRIGGER IF EXISTS upload_test_fail ON "MedicalRecord"`);
      await asOwner(`DROP FUNCTION IF EXISTS upload_test_fail()`);
    }
  });

  it("refuses a bundle about someone else, a hostile narrative, a wrong content type and an oversized file", async () => {
    const before = await counts();
    const other = bundle();
    other.entry[0]!.resource.name = [{ family: "Kang", given: ["Do-yun"] }];
    expect((await rejected(uploadOwnRecords(patient, file(other, "application/fhir+json")))).reason).toBe("patient_mismatch");
    const hostile = bundle();
    Object.assign(hostile.entry[2]!.resource, { text: { status: "generated", div: '<div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></div>' } });
    expect((await rejected(uploadOwnRecords(patient, file(hostile, "application/fhir+json")))).reason).toBe("invalid_entries");
    expect((await rejected(uploadOwnRecords(patient, file("<html><script>alert(1)</script></html>", "text/html", "x.html")))).reason).toBe("content_type");
    expect((await rejected(uploadOwnRecords(patient, file(Buffer.from("%PDF-1.7\n"), "image/png", "x.png")))).reason).toBe("content_type");
    const tooBig = new Uint8Array(10 * 1024 * 1024 + 1);
    tooBig.set(Buffer.from("%PDF-1.7\n"));
    expect((await rejected(uploadOwnRecords(patient, { ...file(tooBig, "application/pdf", "big.pdf"), declaredLength: null }))).reason).toBe("too_large");
    expect((await rejected(uploadOwnRecords(patient, file(tooBig, "application/pdf", "big.pdf")))).reason).toBe("too_large");
    expect(await counts()).toEqual(before);
  });

  it("stores a 10 MB PDF as a DocumentReference whose attachment hash checks", async () => {
    const pdf = Buffer.alloc(10 * 1024 * 1024, 0x20);
    pdf.write("%PDF-1.4\n");
    pdf.write("%%EOF\n", pdf.length - 6);
    const started = performance.now();
    const result = await uploadOwnRecords(patient, file(pdf, "application/pdf", "scan.pdf"));
    const ms = performance.now() - started;
    const row = await db().medicalRecord.findFirstOrThrow({ where: { uploadId: result.uploadId }, select: { resourceType: true, resource: true } });
    expect(row.resourceType).toBe("DocumentReference");
    expect(checkAttachments(row.resource)).toEqual([expect.objectContaining({ state: "match", size: pdf.length, contentType: "application/pdf", title: "scan.pdf" })]);
    expect(await db().recordUpload.findUniqueOrThrow({ where: { id: result.uploadId! }, select: { byteSize: true, fileName: true } })).toEqual({ byteSize: pdf.length, fileName: "scan.pdf" });
    console.info(`10 MB PDF validated and stored in ${ms.toFixed(0)} ms`);
    await anchorEverything(ledgers(), config);
  });

  it("is for the patient themself only", async () => {
    const doctor = await callerFor("doctor@demo.chartproof.local");
    await expect(uploadOwnRecords(doctor, file(bundle(), "application/json"))).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(listOwnUploads(doctor)).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it("validates and stores a bundle of 1,000 entries in one transaction", async () => {
    const many = bundle(
      "collection",
      Array.from({ length: 996 }, (_, i) => ({ resource: { resourceType: "Observation", status: "final", code: { text: `Glucose ${i}` }, subject: { reference: "Patient/p1" }, effectiveDateTime: "2024-01-01", valueQuantity: { value: 90 + (i % 20), unit: "mg/dL" } } })),
    );
    const started = performance.now();
    const result = await uploadOwnRecords(patient, file(many, "application/fhir+json"));
    const ms = performance.now() - started;
    // The three entries of the first upload are the same content again: answered with the records already stored.
    expect(result.recordCount).toBe(996);
    expect(result.summary.find((s) => s.resourceType === "Observation")).toMatchObject({ created: 996, unchanged: 1 });
    console.info(`bundle of 1,000 entries validated and stored in ${ms.toFixed(0)} ms`);
    await anchorEverything(ledgers(), config);
  });
});

describe("hospital systems", () => {
  it("post a transaction bundle with an issued credential; a revoked one is refused on the next request", async () => {
    const admin = await callerFor("admin@demo.chartproof.local");
    await expect(requestPrivileged(await callerFor("doctor@demo.chartproof.local"), credentialParams("EHR"))).rejects.toBeInstanceOf(AccessDeniedError);
    const { credential: issued } = await requestApproved(admin, credentialParams(`Lab ${run}`));
    expect(issued.token).toMatch(/^cps_/);
    const stored = await db().serviceCredential.findUniqueOrThrow({ where: { id: issued.id }, select: { tokenHash: true } });
    expect(stored.tokenHash).not.toContain(issued.token.slice(4));
    expect((await lastEvent("service_credential.issued")).details).toMatchObject({ credentialId: issued.id });

    const result = await ingestHospitalBundle(issued.token, file(bundle("transaction"), "application/fhir+json"), context);
    expect(result).toMatchObject({ patientId, recordIds: expect.any(Array) });
    expect(result.recordIds).toHaveLength(3);
    expect(result.outcomes).toEqual([
      { index: 0, resourceType: "Patient", outcome: "patient" },
      ...result.recordIds.map((recordId, i) => ({ index: i + 1, resourceType: ["Observation", "Condition", "Immunization"][i], outcome: "created", recordId })),
    ]);
    const upload = await db().recordUpload.findUniqueOrThrow({ where: { id: result.uploadId! }, select: { source: true, serviceCredentialId: true } });
    expect(upload).toEqual({ source: "HOSPITAL_SYSTEM", serviceCredentialId: issued.id });
    const event = await lastEvent("records.uploaded");
    expect(event).toMatchObject({ actorKind: "SYSTEM", patientId });
    expect(event.details).toMatchObject({ serviceCredentialId: issued.id });
    expect((await listServiceCredentials(admin)).find((c) => c.id === issued.id)?.lastUsedAt).not.toBeNull();

    // Not a transaction, an unknown MRN, the wrong media type: refused, nothing stored.
    const before = await counts();
    expect((await rejected(ingestHospitalBundle(issued.token, file(bundle("collection"), "application/fhir+json"), context))).reason).toBe("bundle_type");
    const unknown = bundle("transaction");
    unknown.entry[0]!.resource.identifier = [{ system: MRN_SYSTEM, value: `X${randomUUID().slice(0, 8)}` }];
    expect((await rejected(ingestHospitalBundle(issued.token, file(unknown, "application/fhir+json"), context))).reason).toBe("patient_missing");
    expect((await rejected(ingestHospitalBundle(issued.token, file(bundle("transaction"), "text/plain"), context))).reason).toBe("content_type");
    expect(await counts()).toEqual(before);

    await revokeServiceCredential(admin, issued.id);
    expect((await lastEvent("service_credential.revoked")).details).toMatchObject({ credentialId: issued.id });
    await expect(ingestHospitalBundle(issued.token, file(bundle("transaction"), "application/fhir+json"), context)).rejects.toBeInstanceOf(ServiceAuthError);
    await expect(ingestHospitalBundle(null, file(bundle("transaction"), "application/fhir+json"), context)).rejects.toBeInstanceOf(ServiceAuthError);
    await expect(ingestHospitalBundle("cps_" + "a".repeat(43), file(bundle("transaction"), "application/fhir+json"), context)).rejects.toBeInstanceOf(ServiceAuthError);
    expect(await counts()).toEqual(before);
    await anchorEverything(ledgers(), config);
  });
});
