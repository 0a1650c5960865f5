import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/fhir/jobs/[id]/route";
import { db } from "@/lib/db";
import { acceptHospitalBundle, intakeJobStatus } from "@/lib/dal/intake-jobs";
import type { IncomingFile } from "@/lib/dal/uploads";
import { MRN_SYSTEM } from "@/lib/fhir/ingest";
import { syntheaBundle } from "../fixtures/fhir/synthea-parts";
import { callerFor, credentialParams, ensureDemo, requestApproved } from "./helpers";

// Issue #24, part 2 (the asynchronous answer): `Prefer: respond-async` — the body is read and a job recorded before
// the 202; intake runs after the response through the synchronous path; the status URL answers 202 with progress, then
// the answer the synchronous request would have given, to the sending credential only.

const run = randomBytes(3).toString("hex");
const MRN = `A${run}`;
const context = { ip: "127.0.0.1", requestId: "intake-async" };
let patientId: string;
let token: string;
let otherToken: string;

function file(content: unknown): IncomingFile {
  const bytes = Buffer.from(JSON.stringify(content));
  return { body: new Blob([bytes]).stream(), declaredLength: bytes.byteLength, contentType: "application/fhir+json", fileName: null };
}

const bundle = (seed: number) => syntheaBundle({ seed, encounters: 3, patient: { family: "Gerlach374", given: "Lindsay928", birthDate: "1950-10-24", mrn: { system: MRN_SYSTEM, value: MRN } } }) as { entry: { resource: Record<string, unknown> }[] };

async function statusOf(jobId: string, bearer = token) {
  const response = await GET(new Request(`http://localhost/api/fhir/jobs/${jobId}`, { headers: { Authorization: `Bearer ${bearer}` } }), { params: Promise.resolve({ id: jobId }) });
  return { status: response.status, progress: response.headers.get("x-progress"), body: response.status === 202 ? null : ((await response.json()) as { type?: string; entry?: { response: { status: string }; resource: { resourceType: string; type?: string; entry?: { response: { status: string; location?: string } }[] } }[] }) };
}

beforeAll(async () => {
  await ensureDemo();
  patientId = (await db().patient.create({ data: { mrn: MRN, name: "Gerlach374 Lindsay928", birthDate: new Date("1950-10-24T00:00:00Z"), sex: "MALE" }, select: { id: true } })).id;
  const admin = await callerFor("admin@demo.chartproof.local");
  token = (await requestApproved(admin, credentialParams(`Async ${run}`))).credential.token;
  otherToken = (await requestApproved(admin, credentialParams(`Async other ${run}`))).credential.token;
});

describe("Prefer: respond-async", () => {
  it("accepts, shows progress, then answers what the synchronous request would have; only to its own credential", async () => {
    const accepted = await acceptHospitalBundle(token, file(bundle(61)), context);
    const waiting = await statusOf(accepted.jobId);
    expect(waiting).toMatchObject({ status: 202, progress: "queued" });
    expect(await db().medicalRecord.count({ where: { patientId } })).toBe(0);

    await accepted.run();
    const done = await statusOf(accepted.jobId);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ resourceType: "Bundle", type: "batch-response", entry: [{ response: { status: "200 OK" }, resource: { resourceType: "Bundle", type: "transaction-response" } }] });
    // Records, not directory entries (those may already be in the shared directory from another test file).
    const created = done.body!.entry![0]!.resource.entry!.filter((e) => e.response.status === "201 Created" && !/^(Practitioner|Organization|Location)\//.test(e.response.location ?? "")).length;
    expect(created).toBeGreaterThan(30);
    expect(await db().medicalRecord.count({ where: { patientId } })).toBe(created);

    // Another credential, or no such job: the same 404; no credential: 401.
    expect((await statusOf(accepted.jobId, otherToken)).status).toBe(404);
    expect((await statusOf("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await statusOf("not-a-uuid")).status).toBe(404);
    expect((await statusOf(accepted.jobId, "cps_wrong")).status).toBe(401);
  });

  it("keeps a refusal as the answer (status and OperationOutcome), storing nothing", async () => {
    const before = await db().medicalRecord.count({ where: { patientId } });
    const bad = bundle(62);
    bad.entry.find((e) => e.resource.resourceType === "Encounter")!.resource.status = "bogus";
    const accepted = await acceptHospitalBundle(token, file(bad), context);
    await accepted.run();
    const done = await statusOf(accepted.jobId);
    expect(done.body!.entry![0]!.response.status).toBe("422 Unprocessable Entity");
    expect(done.body!.entry![0]!.resource.resourceType).toBe("OperationOutcome");
    expect(await db().medicalRecord.count({ where: { patientId } })).toBe(before);
  });

  it("says a job left running by a restart was interrupted", async () => {
    const accepted = await acceptHospitalBundle(token, file(bundle(63)), context);
    const later = new Date(Date.now() + 60 * 60_000);
    expect(await intakeJobStatus(token, accepted.jobId, context, later)).toMatchObject({ state: "failed", httpStatus: 500 });
  });
});
