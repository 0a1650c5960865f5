import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/fhir/route";
import { db } from "@/lib/db";
import { MRN_SYSTEM } from "@/lib/fhir/ingest";
import { syntheaBundle } from "../fixtures/fhir/synthea-parts";
import { callerFor, credentialParams, ensureDemo, requestApproved } from "./helpers";

// Issue #24, part 1: `batch` Bundles on POST /api/fhir — each entry succeeds or fails on its own, answered by a
// batch-response in order; a transaction stays all or nothing.

type Entry = { fullUrl: string; resource: Record<string, unknown>; request?: { method: string; url: string } };
type Answer = { resourceType: string; type?: string; entry?: { response: { status: string; location?: string; outcome?: { issue: { code: string; diagnostics: string; expression?: string[] }[] } } }[]; issue?: { diagnostics: string }[] };

const run = randomBytes(3).toString("hex");
const MRN = `B${run}`;
let patientId: string;
let token: string;

function bundleOf(type: "batch" | "transaction", seed: number) {
  const bundle = syntheaBundle({ seed, encounters: 2, patient: { family: "Gerlach374", given: "Lindsay928", birthDate: "1950-10-24", mrn: { system: MRN_SYSTEM, value: MRN } } }) as { type: string; entry: Entry[] };
  bundle.type = type;
  return bundle;
}

async function post(body: unknown): Promise<{ status: number; answer: Answer }> {
  const response = await POST(new Request("http://localhost/api/fhir", { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/fhir+json", Authorization: `Bearer ${token}` } }));
  return { status: response.status, answer: (await response.json()) as Answer };
}

const records = () => db().medicalRecord.count({ where: { patientId } });

beforeAll(async () => {
  await ensureDemo();
  patientId = (await db().patient.create({ data: { mrn: MRN, name: "Gerlach374 Lindsay928", birthDate: new Date("1950-10-24T00:00:00Z"), sex: "MALE" }, select: { id: true } })).id;
  token = (await requestApproved(await callerFor("admin@demo.chartproof.local"), credentialParams(`Batch ${run}`))).credential.token;
});

describe("a batch Bundle", () => {
  it("stores every good entry and refuses only the bad ones, each answered in its place", async () => {
    const bundle = bundleOf("batch", 41);
    const encounter = bundle.entry.findIndex((e) => e.resource.resourceType === "Encounter");
    const foreign = bundle.entry.findIndex((e, i) => i > encounter && e.resource.resourceType === "Condition");
    bundle.entry[encounter]!.resource.status = "bogus";
    (bundle.entry[foreign]!.resource.subject as { reference: string }).reference = "Patient/someone-else";
    const expected = bundle.entry.filter((e) => !["Patient", "Practitioner", "Organization", "Location", "Device", "Medication"].includes(String(e.resource.resourceType))).length - 2;

    const { status, answer } = await post(bundle);
    expect(status).toBe(200);
    expect(answer).toMatchObject({ resourceType: "Bundle", type: "batch-response" });
    expect(answer.entry).toHaveLength(bundle.entry.length);
    const statuses = answer.entry!.map((e) => e.response.status);
    expect(statuses[encounter]).toBe("422 Unprocessable Entity");
    expect(answer.entry![encounter]!.response.outcome!.issue).toEqual([expect.objectContaining({ code: "code-invalid", expression: [`Bundle.entry[${encounter}].resource.status`] })]);
    expect(statuses[foreign]).toBe("422 Unprocessable Entity");
    expect(answer.entry![foreign]!.response.outcome!.issue[0]!.diagnostics).toMatch(/Patient\/someone-else/);
    expect(statuses.filter((s) => s.startsWith("422"))).toHaveLength(2);
    expect(statuses.filter((s) => s === "201 Created").length).toBeGreaterThanOrEqual(expected);
    expect(await records()).toBe(expected);

    // Nothing stored points at a refused entry by its urn:uuid: those references became logical ones.
    const stored = await db().medicalRecord.findMany({ where: { patientId }, select: { resource: true } });
    for (const r of stored) expect(JSON.stringify(r.resource)).not.toContain('"reference":"urn:uuid:');
    const uploaded = await db().accessEvent.findFirstOrThrow({ where: { action: "records.uploaded", patientId }, orderBy: { seq: "desc" }, select: { details: true } });
    expect(uploaded.details).toMatchObject({ refused: 2, created: expected });

    // The same batch again: nothing new, the good entries answer with their stored records, the bad ones are refused again.
    const again = await post(bundle);
    expect(again.status).toBe(200);
    const second = again.answer.entry!.map((e) => e.response.status);
    expect(second.filter((s) => s.startsWith("422"))).toHaveLength(2);
    expect(second.filter((s) => s === "201 Created")).toHaveLength(0);
    expect(await records()).toBe(expected);

    // Fixed and sent again: only the two entries that were refused are stored now.
    bundle.entry[encounter]!.resource.status = "finished";
    (bundle.entry[foreign]!.resource.subject as { reference: string }).reference = bundle.entry[0]!.fullUrl;
    const fixed = await post(bundle);
    expect(fixed.answer.entry!.filter((e) => e.response.status === "201 Created")).toHaveLength(2);
    expect(await records()).toBe(expected + 2);
  });

  it("is refused whole when the problem is whose records these are (unknown MRN), or the file itself", async () => {
    const before = await records();
    const unknown = bundleOf("batch", 42);
    ((unknown.entry[0]!.resource.identifier as { system: string; value: string }[]).find((i) => i.system === MRN_SYSTEM)!).value = `X${run}`;
    const refused = await post(unknown);
    expect(refused.status).toBe(422);
    expect(refused.answer.resourceType).toBe("OperationOutcome");

    const batch = bundleOf("batch", 43);
    (batch as { timestamp?: string }).timestamp = "yesterday";
    expect((await post(batch)).status).toBe(422);
    expect(await records()).toBe(before);
  });

  it("a transaction with the same bad entry still stores nothing", async () => {
    const before = await records();
    const bundle = bundleOf("transaction", 44);
    bundle.entry.find((e) => e.resource.resourceType === "Encounter")!.resource.status = "bogus";
    const { status, answer } = await post(bundle);
    expect(status).toBe(422);
    expect(answer.resourceType).toBe("OperationOutcome");
    expect(await records()).toBe(before);
  });
});
