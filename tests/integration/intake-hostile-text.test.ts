import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/fhir/route";
import { db } from "@/lib/db";
import { findActiveActor } from "@/lib/dal/actors";
import type { Caller } from "@/lib/dal/caller";
import { IntakeRejectedError, uploadOwnRecords } from "@/lib/dal/uploads";
import { MRN_SYSTEM } from "@/lib/fhir/ingest";
import { callerFor, credentialParams, ensureDemo, requestApproved } from "./helpers";

// NUL characters and unpaired surrogates inside an uploaded FHIR JSON (neither can be stored by PostgreSQL) are a
// clear refusal on both entry points — 400 with an OperationOutcome naming the element, logged as refused — never a
// 500, and nothing is stored.

const run = randomBytes(3).toString("hex");
const MRN = `H${run}`;
const context = { ip: "127.0.0.1", requestId: "intake-hostile-text" };
let patientId: string;
let patient: Caller;
let token: string;

// Each body as raw JSON text: the escapes stay escapes, as a hostile or broken exporter writes them.
const patientEntry = `{"fullUrl":"urn:uuid:11111111-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","identifier":[{"system":"${MRN_SYSTEM}","value":"${MRN}"}],"name":[{"family":"Hostile","given":["Text"]}],"birthDate":"1970-01-01"},"request":{"method":"POST","url":"Patient"}}`;
const condition = (text: string) =>
  `{"fullUrl":"urn:uuid:11111111-0000-4000-8000-000000000002","resource":{"resourceType":"Condition","subject":{"reference":"urn:uuid:11111111-0000-4000-8000-000000000001"},"code":{"text":"${text}"}},"request":{"method":"POST","url":"Condition"}}`;
const bundle = (text: string) => `{"resourceType":"Bundle","type":"transaction","entry":[${patientEntry},${condition(text)}]}`;

const CASES = [
  ["an escaped NUL", "a\\u0000b", "Bundle"],
  ["a raw NUL byte", "a\u0000b", null],
  ["an unpaired high surrogate", "a\\ud800b", "Bundle"],
  ["an unpaired low surrogate", "\\udc00", "Bundle"],
] as const;

async function counts() {
  return { records: await db().medicalRecord.count({ where: { patientId } }), uploads: await db().recordUpload.count({ where: { patientId } }) };
}

beforeAll(async () => {
  await ensureDemo();
  const row = await db().patient.create({
    data: { mrn: MRN, name: "Hostile Text", birthDate: new Date("1970-01-01T00:00:00Z"), sex: "FEMALE", portalEmail: `hostile.${run}@patient.example`, portalPasswordHash: "not-a-real-hash" },
    select: { id: true },
  });
  patientId = row.id;
  patient = { actor: (await findActiveActor("PATIENT", patientId))!, context };
  const admin = await callerFor("admin@demo.chartproof.local");
  token = (await requestApproved(admin, credentialParams(`Hostile text ${run}`))).credential.token;
});

describe("POST /api/fhir", () => {
  it.each(CASES)("answers %s with 400 and an OperationOutcome, logs the refusal and stores nothing", async (_, text, expression) => {
    const before = await counts();
    const rejected = await db().accessEvent.count({ where: { action: "records.upload_rejected" } });
    const response = await POST(
      new Request("http://localhost/api/fhir", { method: "POST", body: bundle(text), headers: { "Content-Type": "application/fhir+json", Authorization: `Bearer ${token}` } }),
    );
    expect(response.status).toBe(400);
    const outcome = (await response.json()) as { resourceType: string; issue: { severity: string; code: string; diagnostics: string; expression?: string[] }[] };
    expect(outcome.resourceType).toBe("OperationOutcome");
    expect(outcome.issue[0]).toMatchObject({ severity: "error", code: "structure" });
    expect(outcome.issue[1]!.diagnostics).toMatch(/NUL character|unpaired surrogate/);
    if (expression) expect(outcome.issue[1]!.expression).toEqual(["entry[1].resource.code.text"]);
    expect(await counts()).toEqual(before);
    expect(await db().accessEvent.count({ where: { action: "records.upload_rejected" } })).toBe(rejected + 1);
  });

  it("still imports the same bundle with ordinary text (and a paired surrogate, an emoji)", async () => {
    const response = await POST(
      new Request("http://localhost/api/fhir", { method: "POST", body: bundle("fine \\ud83d\\ude00"), headers: { "Content-Type": "application/fhir+json", Authorization: `Bearer ${token}` } }),
    );
    expect(response.status).toBe(200);
    const stored = await db().medicalRecord.findFirstOrThrow({ where: { patientId, resourceType: "Condition" }, select: { resource: true } });
    expect((stored.resource as { code: { text: string } }).code.text).toBe("fine 😀");
  });
});

describe("a patient's upload", () => {
  it.each(CASES)("refuses %s as forbidden_character, naming where, logged as refused", async (_, text) => {
    const before = await counts();
    const body = Buffer.from(bundle(text).replace('"type":"transaction"', '"type":"collection"'));
    const error = await uploadOwnRecords(patient, { body: new Blob([body]).stream(), declaredLength: body.byteLength, contentType: "application/fhir+json", fileName: "export.json" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IntakeRejectedError);
    expect((error as IntakeRejectedError).reason).toBe("forbidden_character");
    expect(await counts()).toEqual(before);
    const logged = await db().accessEvent.findFirstOrThrow({ where: { action: "records.upload_rejected", patientId }, orderBy: { seq: "desc" }, select: { outcome: true, details: true } });
    expect(logged).toMatchObject({ outcome: "DENIED", details: { reason: "forbidden_character" } });
  });
});
