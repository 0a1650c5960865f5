import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { intakeJobStatus } from "@/lib/dal/intake-jobs";
import { acceptStreamedBundle } from "@/lib/dal/intake-stream";
import type { IncomingFile } from "@/lib/dal/uploads";
import { MRN_SYSTEM } from "@/lib/fhir/ingest";
import { syntheaBundle } from "../fixtures/fhir/synthea-parts";
import { callerFor, credentialParams, ensureDemo, requestApproved } from "./helpers";

// Issue #24, part 2 (large bodies): POST /api/fhir/stream reads a batch Bundle as it arrives — over the 25 MiB and
// 1,000-entry limits of POST /api/fhir — and answers 202 before storing; the job's answer covers every entry.

const run = randomBytes(3).toString("hex");
const MRN = `S${run}`;
const context = { ip: "127.0.0.1", requestId: "intake-stream" };
const patient = { family: "Gerlach374", given: "Lindsay928", birthDate: "1950-10-24", mrn: { system: MRN_SYSTEM, value: MRN } };
let patientId: string;
let token: string;

/** The body as a network delivers it: 64 KiB at a time, never as one buffer the handler could take whole. */
function streamed(text: string): IncomingFile {
  const bytes = Buffer.from(text);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(at, (at += 65_536))));
    },
  });
  return { body, declaredLength: null, contentType: "application/fhir+json", fileName: null };
}

async function answerOf(jobId: string) {
  const status = await intakeJobStatus(token, jobId, context);
  if (status?.state !== "done") throw new Error(`job ${jobId}: ${JSON.stringify(status)}`);
  return status as { httpStatus: number; result: { type?: string; entry?: { response: { status: string } }[]; issue?: { diagnostics?: string }[] } };
}

beforeAll(async () => {
  await ensureDemo();
  patientId = (await db().patient.create({ data: { mrn: MRN, name: "Gerlach374 Lindsay928", birthDate: new Date("1950-10-24T00:00:00Z"), sex: "MALE" }, select: { id: true } })).id;
  const admin = await callerFor("admin@demo.chartproof.local");
  token = (await requestApproved(admin, credentialParams(`Stream ${run}`))).credential.token;
});

describe("POST /api/fhir/stream", () => {
  it("a 10,000-entry batch streams whole: every entry answered in order, records stored", async () => {
    const bundle = syntheaBundle({ seed: 2424, encounters: 770, patient }) as { type: string; entry: { resource: { resourceType: string } }[] };
    bundle.type = "batch";
    bundle.entry = bundle.entry.slice(0, 10_000);
    const text = JSON.stringify(bundle);
    const accepted = await acceptStreamedBundle(token, streamed(text), context);
    // Answered (202) before anything is stored: the request never waits for intake.
    expect(await db().medicalRecord.count({ where: { patientId } })).toBe(0);
    await accepted.run();
    const answer = await answerOf(accepted.jobId);
    expect(answer.httpStatus).toBe(200);
    expect(answer.result.type).toBe("batch-response");
    const statuses = answer.result.entry!.map((e) => e.response.status);
    expect(statuses).toHaveLength(10_000);
    expect(statuses.filter((s) => s.startsWith("422"))).toHaveLength(0);
    const records = bundle.entry.filter((e) => !["Patient", "Practitioner", "Organization", "Location", "Device", "Medication"].includes(e.resource.resourceType)).length;
    expect(await db().medicalRecord.count({ where: { patientId } })).toBe(records);
  }, 240_000);

  it("refuses a transaction (all or nothing belongs on POST /api/fhir) and a Bundle whose type comes after its entries", async () => {
    const transaction = syntheaBundle({ seed: 2425, encounters: 1, patient });
    const first = await acceptStreamedBundle(token, streamed(JSON.stringify(transaction)), context);
    await first.run();
    expect(await answerOf(first.jobId)).toMatchObject({ httpStatus: 422 });
    const late = JSON.stringify({ resourceType: "Bundle", entry: (transaction as { entry: unknown[] }).entry, type: "batch" });
    const second = await acceptStreamedBundle(token, streamed(late), context);
    await second.run();
    const answer = await answerOf(second.jobId);
    expect(answer.httpStatus).toBe(422);
    expect(answer.result.issue?.map((i) => i.diagnostics).join(" ")).toMatch(/must come before Bundle\.entry/);
  });
});
