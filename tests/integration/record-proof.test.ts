import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { createRecords } from "@/lib/jobs/create-records";
import { AccessDeniedError } from "@/lib/dal/caller";
import { exportRecordProof, getRecordProof, ProofNotExportableError } from "@/lib/dal/record-proof";
import { parseProofBundle, type ProofBundle } from "@/lib/integrity/proof-bundle";
import { isWithheldProof, type WithheldProof } from "@/lib/integrity/withheld";
import { isErasedProof, type ErasedProof } from "@/lib/integrity/tombstone";
import { forgetCachedRoots } from "@/lib/verification";
import { formatReport, verifyProofBundle } from "@/scripts/verify-proof";
import { asInsider, asOwner, callerFor, ensureDemo, patientByMrn, withPrivateChainStopped } from "./helpers";

const DOCTOR = "doctor@demo.chartproof.local";
const DOCTOR2 = "doctor2@demo.chartproof.local";
// Every row the chain has not condemned is also checked against its id's earliest creation event.
const allOk = { commitment: "ok", creation: "ok", batchPath: "ok", batchAnchor: "ok", checkpointPath: "ok", checkpointAnchor: "ok" };

const stack = inject("stack");
const rpcs = () => ({ rpcUrl: stack.private.rpcUrl, publicRpcUrl: stack.public.rpcUrl });

let patientId: string;
let otherPatientId: string;
let recordId: string;
let tmp: string;
const restore: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  await ensureDemo();
  patientId = (await patientByMrn("10000001")).id;
  otherPatientId = (await patientByMrn("10000002")).id;
  recordId = (await db().medicalRecord.findFirstOrThrow({ where: { patientId, resourceType: "Observation" }, orderBy: { recordedAt: "desc" }, select: { id: true } })).id;
  tmp = await mkdtemp(join(tmpdir(), "chartproof-proof-"));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

afterEach(async () => {
  while (restore.length) await restore.pop()!();
  forgetCachedRoots();
});

async function eventsSince(seq: bigint) {
  return db().accessEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: "asc" } });
}

async function lastSeq(): Promise<bigint> {
  return (await db().accessEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } }))?.seq ?? 0n;
}

/** A bundle as the recipient gets it: JSON text, parsed and validated. */
function received(bundle: ProofBundle | WithheldProof | ErasedProof): ProofBundle {
  if (isWithheldProof(bundle)) throw new Error(`withheld: ${bundle.failingLevel}`);
  if (isErasedProof(bundle)) throw new Error("erased");
  const parsed = parseProofBundle(JSON.parse(JSON.stringify(bundle)));
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.bundle;
}

/** Changes the record's content: its stored canonical bytes and, alike, its JSONB query copy. */
async function tamperResource(id: string) {
  const row = await db().medicalRecord.findUniqueOrThrow({ where: { id }, select: { canonical: true } });
  const forged = Buffer.from(Buffer.from(row.canonical!).toString("utf8").replace(/"status":"[a-z-]+"/, '"status":"entered-in-error"'), "utf8");
  const set = `UPDATE "MedicalRecord" SET "canonical" = $2, "resource" = convert_from($2, 'UTF8')::jsonb WHERE "id" = $1`;
  await asInsider(set, [id, forged]);
  restore.push(() => asInsider(set, [id, Buffer.from(row.canonical!)]));
}

describe("a record's verification path", () => {
  it("shows a consented doctor every level passing, and logs exactly one record.viewed", async () => {
    const before = await lastSeq();
    const proof = await getRecordProof(await callerFor(DOCTOR), patientId, recordId);

    expect(proof.record).toMatchObject({ id: recordId, verification: "verified", checkpoint: "public", resourceType: "Observation" });
    expect(proof.record.summary).not.toBeNull();
    expect(proof.levels).toEqual(allOk);
    expect(proof.exportable).toBe(true);
    const row = await db().medicalRecord.findUniqueOrThrow({
      where: { id: recordId },
      select: { commitment: true, salt: true, leafIndex: true, batch: { select: { root: true, batchNumber: true, txHash: true, checkpoint: { select: { root: true } } } } },
    });
    expect(proof.commitment).toBe(row.commitment);
    expect(proof.leafIndex).toBe(row.leafIndex);
    expect(proof.batch).toMatchObject({ root: row.batch!.root, number: row.batch!.batchNumber.toString(), txHash: row.batch!.txHash, chainId: stack.private.chainId });
    expect(proof.checkpoint).toMatchObject({ root: row.batch!.checkpoint!.root, chainId: stack.public.chainId });
    // The walked path ends at the roots.
    expect(proof.steps!.length).toBeGreaterThan(0);
    expect(proof.steps!.at(-1)!.node).toBe(row.batch!.root);
    const cpSteps = proof.checkpoint!.steps!;
    expect(cpSteps.length === 0 ? row.batch!.root : cpSteps.at(-1)!.node).toBe(row.batch!.checkpoint!.root);
    // The salt stays in the export.
    expect(JSON.stringify(proof)).not.toContain(row.salt.slice(2));

    const events = await eventsSince(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "record.viewed", outcome: "ALLOWED", purpose: "TREATMENT", patientId, details: { recordId, verification: "verified" } });
  });

  it("denies a doctor without consent, logging one DENIED record.viewed", async () => {
    const before = await lastSeq();
    await expect(getRecordProof(await callerFor(DOCTOR2), patientId, recordId)).rejects.toBeInstanceOf(AccessDeniedError);
    const events = await eventsSince(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "record.viewed", outcome: "DENIED", patientId, details: { recordId, reason: "no_consent" } });
  });

  it("denies a record that is not the patient's, even when both charts are consented", async () => {
    const foreign = await db().medicalRecord.findFirstOrThrow({ where: { patientId: otherPatientId }, select: { id: true } });
    const before = await lastSeq();
    await expect(getRecordProof(await callerFor(DOCTOR), patientId, foreign.id)).rejects.toBeInstanceOf(AccessDeniedError);
    expect(await eventsSince(before)).toMatchObject([{ action: "record.viewed", outcome: "DENIED", patientId, details: { recordId: foreign.id, reason: "record_not_found" } }]);
  });

  it("denies a record outside the consent's record classes, and allows one inside", async () => {
    const doctor2 = await db().staff.findUniqueOrThrow({ where: { email: DOCTOR2 }, select: { id: true } });
    const consent = await db().consent.create({
      data: { patientId, scope: "TREATMENT", granteeStaffId: doctor2.id, recordClasses: ["Condition"], validFrom: new Date(Date.now() - 60_000) },
      select: { id: true },
    });
    restore.push(() => db().consent.delete({ where: { id: consent.id } }));
    const condition = await db().medicalRecord.findFirstOrThrow({ where: { patientId, resourceType: "Condition" }, select: { id: true } });
    const caller = await callerFor(DOCTOR2);

    const before = await lastSeq();
    await expect(getRecordProof(caller, patientId, recordId)).rejects.toBeInstanceOf(AccessDeniedError);
    expect(await eventsSince(before)).toMatchObject([{ action: "record.viewed", outcome: "DENIED", details: { reason: "not_covered" } }]);
    expect((await getRecordProof(caller, patientId, condition.id)).record.verification).toBe("verified");
  });

  it("denies non-doctors and malformed or unknown ids without revealing anything", async () => {
    await expect(getRecordProof(await callerFor("admin@demo.chartproof.local"), patientId, recordId)).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(getRecordProof(await callerFor("patient@demo.chartproof.local", "PATIENT"), patientId, recordId)).rejects.toBeInstanceOf(AccessDeniedError);
    const doctor = await callerFor(DOCTOR);
    await expect(getRecordProof(doctor, "not-a-uuid", recordId)).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(getRecordProof(doctor, patientId, "not-a-uuid")).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(getRecordProof(doctor, patientId, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it("shows a tampered record as tampered, content withheld, and the failing level", async () => {
    expect((await getRecordProof(await callerFor(DOCTOR), patientId, recordId)).record.verification).toBe("verified"); // warm
    await tamperResource(recordId);
    const proof = await getRecordProof(await callerFor(DOCTOR), patientId, recordId);
    expect(proof.record).toMatchObject({ verification: "tampered", summary: null, resource: null });
    expect(proof.levels).toEqual({ ...allOk, commitment: "mismatch", creation: "skipped" });
  });

  it("shows a record whose JSONB query copy alone was changed as tampered, at the commitment", async () => {
    expect((await getRecordProof(await callerFor(DOCTOR), patientId, recordId)).record.verification).toBe("verified"); // warm
    const row = await db().medicalRecord.findUniqueOrThrow({ where: { id: recordId }, select: { resource: true } });
    // As an insider past the triggers: the web tier's own role may not change a committed column at all.
    await asInsider(`UPDATE "MedicalRecord" SET "resource" = jsonb_set("resource", '{status}', '"entered-in-error"') WHERE "id" = $1::uuid`, [recordId]);
    restore.push(() => asInsider(`UPDATE "MedicalRecord" SET "resource" = $1::jsonb WHERE "id" = $2::uuid`, [JSON.stringify(row.resource), recordId]));
    const proof = await getRecordProof(await callerFor(DOCTOR), patientId, recordId);
    expect(proof.record).toMatchObject({ verification: "tampered", summary: null, resource: null });
    expect(proof.levels).toEqual({ ...allOk, commitment: "mismatch", creation: "skipped" });
  });

  it("with the private chain stopped, the record is unavailable (never verified) and the page still answers", async () => {
    forgetCachedRoots();
    await withPrivateChainStopped(async () => {
      const proof = await getRecordProof(await callerFor(DOCTOR), patientId, recordId);
      expect(proof.record.verification).toBe("unavailable");
      expect(proof.levels).toMatchObject({ commitment: "ok", batchPath: "ok", batchAnchor: "unavailable" });
    });
  });

  it("returns nothing when the access event cannot be written", async () => {
    await asOwner(`ALTER TABLE "AccessEvent" ADD CONSTRAINT "test_block_writes" CHECK (false) NOT VALID`);
    try {
      await expect(getRecordProof(await callerFor(DOCTOR), patientId, recordId)).rejects.toThrow();
      await expect(exportRecordProof(await callerFor(DOCTOR), patientId, recordId)).rejects.toThrow();
    } finally {
      await asOwner(`ALTER TABLE "AccessEvent" DROP CONSTRAINT "test_block_writes"`);
    }
  });
});

describe("the proof export", () => {
  it("verifies against the real chains without the database, and is logged as record.proof_exported", async () => {
    const before = await lastSeq();
    const bundle = received(await exportRecordProof(await callerFor(DOCTOR), patientId, recordId));
    expect(await eventsSince(before)).toMatchObject([
      { action: "record.proof_exported", outcome: "ALLOWED", purpose: "TREATMENT", patientId, details: { recordId, verification: "verified" } },
    ]);
    expect(bundle.record).toMatchObject({ recordId, patientId, resourceType: "Observation" });
    expect(bundle.checkpoint).not.toBeNull();

    const report = await verifyProofBundle(bundle, rpcs());
    // Without our database there is no creation event to ask: the chain is the outsider's only witness.
    expect(report.levels).toEqual({ ...allOk, creation: "skipped" });
    expect(report.ok).toBe(true);
    const text = formatReport(bundle, report, { publicRpcGiven: true });
    expect(text).toContain("VERIFIED: the record is exactly what was anchored");
    expect(text).not.toContain(stack.private.rpcUrl);

    // Without the public chain: still verified on the private chain, the public level reported as not checked.
    const privateOnly = await verifyProofBundle(bundle, { rpcUrl: stack.private.rpcUrl });
    expect(privateOnly).toMatchObject({ ok: true, levels: { ...allOk, creation: "skipped", checkpointAnchor: "skipped" } });
  });

  it("fails when the RPC serves another chain than the bundle's", async () => {
    const bundle = received(await exportRecordProof(await callerFor(DOCTOR), patientId, recordId));
    const report = await verifyProofBundle(bundle, { rpcUrl: stack.public.rpcUrl });
    expect(report.ok).toBe(false);
    expect(report.levels.batchAnchor).toBe("unavailable");
    expect(report.batchChain.problem).toContain(`serves chain ${stack.public.chainId}`);
  });

  it("a tampered record's download is withheld: no content, salt or proof — only the id, the verdict and the failing level", async () => {
    await tamperResource(recordId);
    const download = await exportRecordProof(await callerFor(DOCTOR), patientId, recordId);
    expect(JSON.parse(JSON.stringify(download))).toEqual({ format: "chartproof-withheld/1", recordId, verification: "tampered", failingLevel: "commitment" });
    const text = JSON.stringify(download);
    expect(text).not.toContain("entered-in-error");
    expect(text).not.toContain("resource");
    const last = await db().accessEvent.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "record.proof_exported", details: { recordId, verification: "tampered" } });
  });

  it("a bundle whose batch the chain does not hold fails", async () => {
    const bundle = received(await exportRecordProof(await callerFor(DOCTOR), patientId, recordId));
    const report = await verifyProofBundle({ ...bundle, batch: { ...bundle.batch, batchNumber: "800000000" } }, rpcs());
    expect(report).toMatchObject({ ok: false, levels: { batchAnchor: "missing" } });
  });

  it("is denied (and logged) for a doctor without consent", async () => {
    const before = await lastSeq();
    await expect(exportRecordProof(await callerFor(DOCTOR2), patientId, recordId)).rejects.toBeInstanceOf(AccessDeniedError);
    expect(await eventsSince(before)).toMatchObject([{ action: "record.proof_exported", outcome: "DENIED", patientId }]);
  });

  it("is refused for a record not anchored yet, and nothing is logged as exported", async () => {
    // A fresh record (an anchored one reset to PENDING is no longer "not anchored yet" but tampered: insider-proof.test.ts).
    const [pendingId] = await createRecords(
      [{ patientId, resourceType: "Observation", resource: { resourceType: "Observation", status: "final", code: { text: "not anchored yet" } }, recordedAt: new Date("2001-01-01T00:00:00Z"), source: "CLINICIAN" }],
      "SYSTEM",
      { ip: null, requestId: null },
    );
    restore.push(() => asOwner(`DELETE FROM "MedicalRecord" WHERE id = $1`, [pendingId]));
    const before = await lastSeq();
    await expect(exportRecordProof(await callerFor(DOCTOR), patientId, pendingId!)).rejects.toBeInstanceOf(ProofNotExportableError);
    expect(await eventsSince(before)).toEqual([]);
  });
});

describe("scripts/verify-proof.ts as a command", () => {
  const run = async (args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(join("node_modules", ".bin", "tsx"), ["scripts/verify-proof.ts", ...args], { timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  };

  it("exits 0 for a good bundle, 1 for a tampered one, 2 for bad input", async () => {
    const bundle = received(await exportRecordProof(await callerFor(DOCTOR), patientId, recordId));
    const good = join(tmp, "good.json");
    const bad = join(tmp, "tampered.json");
    const notBundle = join(tmp, "not-a-bundle.json");
    await writeFile(good, JSON.stringify(bundle));
    await writeFile(bad, JSON.stringify({ ...bundle, record: { ...bundle.record, resource: { ...bundle.record.resource, status: "amended" } } }));
    await writeFile(notBundle, JSON.stringify({ hello: "world" }));

    const ok = await run([good, "--rpc", stack.private.rpcUrl, "--public-rpc", stack.public.rpcUrl]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/PASS\s+1\. Commitment/);
    expect(ok.stdout).toMatch(/PASS\s+5\. Checkpoint root on the public chain/);
    expect(ok.stdout).toContain("VERIFIED");

    const tampered = await run([bad, "--rpc", stack.private.rpcUrl]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/FAIL\s+1\. Commitment/);
    expect(tampered.stdout).toContain("NOT VERIFIED");

    const invalid = await run([notBundle, "--rpc", stack.private.rpcUrl]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("is not a Chartproof proof bundle");
    expect((await run([good])).code).toBe(2);
    expect((await run([join(tmp, "missing.json"), "--rpc", stack.private.rpcUrl])).stderr).toContain("Cannot read");
  });
});
