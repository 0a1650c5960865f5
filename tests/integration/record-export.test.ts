import { beforeAll, describe, expect, it, inject } from "vitest";
import { db } from "@/lib/db";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { exportOwnRecords } from "@/lib/dal/own-records";
import { parseRecordExport } from "@/lib/integrity/record-export";
import { verifyRecordExport } from "@/scripts/verify-proof";
import { forgetCachedRoots } from "@/lib/verification";
import { asOwner, callerFor, ensureDemo } from "./helpers";

const stack = inject("stack");
const rpcs = () => ({ rpcUrl: stack.private.rpcUrl, publicRpcUrl: stack.public.rpcUrl });
let patient: Caller;

beforeAll(async () => {
  await ensureDemo();
  patient = await callerFor("patient@demo.chartproof.local", "PATIENT");
});

describe("a patient's export of all their records", () => {
  it("is a FHIR Bundle whose every anchored record verifies against the chains with the standalone verifier", async () => {
    const exported = await exportOwnRecords(patient);
    const parsed = parseRecordExport(exported);
    if (!parsed.ok) throw new Error(parsed.problem);
    const count = await db().medicalRecord.count({ where: { patientId: patient.actor.id } });
    expect(parsed.entries).toHaveLength(count);
    const anchored = await db().medicalRecord.count({ where: { patientId: patient.actor.id, status: "ANCHORED" } });
    expect(parsed.entries.filter((e) => e.state === "anchored" || e.state === "superseded")).toHaveLength(anchored);
    const report = await verifyRecordExport(
      parsed.entries.filter((e) => e.state !== "pending"),
      rpcs(),
    );
    expect(report).toMatchObject({ verified: anchored, failed: [] });
    const event = await db().accessEvent.findFirst({ where: { action: "own_records.exported", actorId: patient.actor.id }, orderBy: { seq: "desc" }, select: { details: true, purpose: true } });
    expect(event).toMatchObject({ purpose: "SELF_ACCESS", details: { recordCount: count } });
  });

  it("fails an export whose shown resource was changed after download, naming the record", async () => {
    const exported = (await exportOwnRecords(patient)) as { entry: { fullUrl: string; resource: Record<string, unknown> }[] };
    const victim = exported.entry.find((e) => e.resource.resourceType === "Observation") ?? exported.entry[0]!;
    victim.resource = { ...victim.resource, note: [{ text: "edited after export" }] };
    const parsed = parseRecordExport(exported);
    if (!parsed.ok) throw new Error(parsed.problem);
    const report = await verifyRecordExport(parsed.entries, rpcs());
    expect(report.ok).toBe(false);
    expect(report.failed).toEqual([{ recordId: victim.fullUrl.slice(9), problem: "the resource shown differs from the resource the proof covers" }]);
  });

  it("carries no content, salt or proof for a tampered record: only its id and state", async () => {
    const row = await db().medicalRecord.findFirstOrThrow({ where: { patientId: patient.actor.id, status: "ANCHORED" }, select: { id: true, resource: true } });
    // An owner past the triggers rewrites it (the app's roles cannot: insider-proof.test.ts).
    await asOwner(`UPDATE "MedicalRecord" SET resource = jsonb_set(resource, '{id}', '"forged-by-insider"') WHERE id = $1`, [row.id]);
    try {
      const exported = (await exportOwnRecords(patient)) as { entry: { fullUrl: string; resource?: unknown; extension: unknown[] }[] };
      const entry = exported.entry.find((e) => e.fullUrl === `urn:uuid:${row.id}`)!;
      expect(entry).toEqual({ fullUrl: `urn:uuid:${row.id}`, extension: [{ url: expect.stringContaining("record-state"), valueCode: "tampered" }] });
      expect(JSON.stringify(exported)).not.toContain("forged-by-insider");
      const parsed = parseRecordExport(exported);
      if (!parsed.ok) throw new Error(parsed.problem);
      const report = await verifyRecordExport(parsed.entries.filter((e) => e.state !== "pending"), rpcs());
      expect(report.ok).toBe(false);
      expect(report.failed).toEqual([{ recordId: row.id, problem: expect.stringContaining("tampered") }]);
    } finally {
      await asOwner(`UPDATE "MedicalRecord" SET resource = $1 WHERE id = $2`, [JSON.stringify(row.resource), row.id]);
      forgetCachedRoots();
    }
  });

  it("is only for the patient", async () => {
    await expect(exportOwnRecords(await callerFor("doctor@demo.chartproof.local"))).rejects.toBeInstanceOf(AccessDeniedError);
  });
});
