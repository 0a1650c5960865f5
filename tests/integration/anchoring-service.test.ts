import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createRecords } from "@/lib/jobs/create-records";
import { anchorEverything, anchoringTick, prepareCheckpoint, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { asInsider, asOwner, ensureDemo, withPrivateChainStopped } from "./helpers";
import { sweepAllRecords } from "@/lib/jobs/sweep";
import { reconcileWithChains } from "@/lib/jobs/reconcile";
import { canonicalBytes, computeCommitment } from "@/lib/integrity";
import { anchorRoot, recordAnchorAbi } from "@/lib/ledger";
import { forgetCachedRoots, ledgers, verifiableRecordSelect, verifyRecords } from "@/lib/verification";
import { SEAL_NUMBER_BASE } from "@/lib/audit/on-chain-seals";

const SYSTEM = { ip: null, requestId: null };
const config: AnchoringConfig = { batchSize: 1024, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
let patientId: string;

beforeAll(async () => {
  // The demo hospital first: other files rely on it, and the seed refuses a database that already has patients.
  await ensureDemo();
  const patient = await db().patient.create({
    data: { mrn: `AS-${Date.now()}`, name: "Anchoring Test", birthDate: new Date("1970-01-01T00:00:00Z"), sex: "UNKNOWN" },
    select: { id: true },
  });
  patientId = patient.id;
});

const spawned: ReturnType<typeof spawn>[] = [];

// A worker a failed test left behind must not outlive the run.
afterAll(() => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  forgetCachedRoots();
});

function newRecords(n: number, label: string) {
  return createRecords(
    Array.from({ length: n }, (_, i) => ({
      patientId,
      resourceType: "Observation",
      resource: { resourceType: "Observation", status: "final", code: { text: `${label} ${i}` }, valueQuantity: { value: i, unit: "mg/dL" } },
      recordedAt: new Date(),
      source: "CLINICIAN",
    })),
    "SYSTEM",
    SYSTEM,
  );
}

/** Every RootAnchored event on a chain, by number: a number anchored twice would show up twice. */
async function anchoredOnChain(which: "private" | "public"): Promise<Map<bigint, number>> {
  const ledger = which === "private" ? ledgers().private : ledgers().public!;
  const logs = await ledger.clients.publicClient.getContractEvents({
    address: ledger.contractAddress as `0x${string}`,
    abi: recordAnchorAbi,
    eventName: "RootAnchored",
    fromBlock: 0n,
    strict: true,
  });
  const counts = new Map<bigint, number>();
  for (const log of logs) counts.set(log.args.batchId, (counts.get(log.args.batchId) ?? 0) + 1);
  return counts;
}

/** The root chart-verification.test.ts anchors on purpose under a fresh number ("a batch whose root on chain differs"). */
const CHART_TEST_ROOT = `0x${"11".repeat(32)}`;

/** Numbers the tamper tests of other files anchored on the shared contract on purpose, recognised by their root. */
async function anchoredOnPurpose(): Promise<Set<bigint>> {
  const ledger = ledgers().private;
  const logs = await ledger.clients.publicClient.getContractEvents({
    address: ledger.contractAddress as `0x${string}`,
    abi: recordAnchorAbi,
    eventName: "RootAnchored",
    fromBlock: 0n,
    strict: true,
  });
  return new Set(logs.filter((log) => log.args.root.toLowerCase() === CHART_TEST_ROOT).map((log) => log.args.batchId));
}

/** The invariants of exactly-once anchoring, for these records and for the whole database. */
async function expectAnchoredExactlyOnce(recordIds: string[], foreign: bigint[] = []) {
  const records = await db().medicalRecord.findMany({ where: { id: { in: recordIds } }, select: { status: true, batchId: true } });
  expect(records.every((r) => r.status === "ANCHORED" && r.batchId !== null)).toBe(true);
  const batches = await db().anchorBatch.findMany({ where: { status: { not: "FAILED" } }, select: { batchNumber: true, root: true, status: true, recordCount: true, id: true } });
  expect(batches.every((b) => b.status === "CONFIRMED")).toBe(true);
  // Each confirmed batch holds exactly its members, and the chain holds each batch's root exactly once.
  for (const batch of batches) expect(await db().medicalRecord.count({ where: { batchId: batch.id } })).toBe(batch.recordCount);
  const onChain = await anchoredOnChain("private");
  for (const batch of batches) expect(onChain.get(batch.batchNumber)).toBe(1);
  // No root on chain that the index does not account for, ignoring the seal range and the numbers other files' tamper
  // tests anchor on purpose — recognised by their root, not by a size: chain-first numbering (ADR 022) continues above
  // them, so after such a test every batch number is large.
  const known = new Set(batches.map((b) => b.batchNumber));
  const onPurpose = await anchoredOnPurpose();
  expect([...onChain.keys()].filter((n) => n < SEAL_NUMBER_BASE && !known.has(n) && !onPurpose.has(n))).toEqual(foreign);
}

function runWorker(extraEnv: Record<string, string>) {
  // Node itself runs the worker (tsx as a loader, no wrapper process), so a SIGKILL is seen as such.
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", join(process.cwd(), "scripts", "worker.ts")], {
    env: { ...process.env, LOG_LEVEL: "warn", ANCHOR_WINDOW_SECONDS: "0", ...extraEnv },
    stdio: ["ignore", "ignore", "pipe"],
  });
  spawned.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("exactly-once anchoring", () => {
  for (const step of ["before-send", "after-send", "after-receipt"] as const) {
    it(`a worker killed with SIGKILL ${step} loses no record and anchors none twice`, async () => {
      const ids = await newRecords(5, `kill ${step}`);
      const worker = runWorker({ CHARTPROOF_FAULT_AT: step });
      const outcome = await worker.exited;
      expect(outcome.signal, outcome.stderr).toBe("SIGKILL");
      // The dead worker's job still holds the queue's one active slot; production frees it when the job expires
      // (60 s). Here it is expired at once, so the next worker can start.
      await db().$executeRawUnsafe(`UPDATE pgboss.job SET state = 'failed' WHERE name = 'anchoring' AND state = 'active'`);
      // Whatever was half done is in the database; the next run (same code as the worker) resumes it.
      await anchorEverything(ledgers(), config);
      await expectAnchoredExactlyOnce(ids);
    });
  }

  it("two workers on the same database do not double-anchor", async () => {
    const workers = [runWorker({ ANCHOR_BATCH_SIZE: "7" }), runWorker({ ANCHOR_BATCH_SIZE: "7" })];
    const ids: string[] = [];
    for (let round = 0; round < 4; round++) {
      ids.push(...(await newRecords(9, `two workers ${round}`)));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await waitFor(async () => (await db().medicalRecord.count({ where: { id: { in: ids }, status: "ANCHORED" } })) === ids.length, 60_000);
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    await expectAnchoredExactlyOnce(ids);
  });
});

describe("resilience and finality", () => {
  it("with the chain down, records stay PENDING and anchor when it returns", async () => {
    const ids = await newRecords(3, "chain down");
    await withPrivateChainStopped(async () => {
      await expect(anchoringTick(ledgers(), config)).rejects.toThrow();
      expect(await db().medicalRecord.count({ where: { id: { in: ids }, status: "PENDING" } })).toBe(3);
    });
    await anchorEverything(ledgers(), config);
    await expectAnchoredExactlyOnce(ids);
  });

  it("counts a batch as anchored only after the configured confirmations", async () => {
    const ids = await newRecords(2, "confirmations");
    const deep = { ...ledgers(), private: { ...ledgers().private, confirmations: 3 } };
    const first = await anchoringTick(deep, config);
    expect(first.waiting).toBeGreaterThan(0);
    expect(await db().medicalRecord.count({ where: { id: { in: ids }, status: "ANCHORED" } })).toBe(0);
    // Blocks come every second on the test chain.
    await waitFor(async () => {
      await anchoringTick(deep, config);
      return (await db().medicalRecord.count({ where: { id: { in: ids }, status: "ANCHORED" } })) === 2;
    }, 15_000);
  });

  it("checkpoints batch roots on the public chain, and verification reports the public level", async () => {
    const ids = await newRecords(4, "checkpoint");
    await anchorEverything(ledgers(), config);
    const rows = await db().medicalRecord.findMany({ where: { id: { in: ids } }, select: verifiableRecordSelect });
    const verdicts = await verifyRecords(rows);
    expect(verdicts.map((v) => [v.verification, v.checkpoint])).toEqual(ids.map(() => ["verified", "public"]));
    const checkpoints = await db().checkpoint.findMany({ where: { status: "CONFIRMED" }, select: { checkpointNumber: true } });
    const onChain = await anchoredOnChain("public");
    for (const c of checkpoints) expect(onChain.get(c.checkpointNumber)).toBe(1);

    // A checkpoint prepared but not yet on the public chain is "not checkpointed yet", never a contradiction.
    const more = await newRecords(2, "checkpoint pending");
    await anchorEverything(ledgers(), { ...config, checkpointEveryBatches: 1_000_000, checkpointEveryMinutes: 1_000_000 });
    expect(await prepareCheckpoint(ledgers().public!, { everyBatches: 1, everyMinutes: 0 })).not.toBeNull();
    const inFlight = await verifyRecords(await db().medicalRecord.findMany({ where: { id: { in: more } }, select: verifiableRecordSelect }));
    expect(inFlight.map((v) => [v.verification, v.checkpoint])).toEqual([["verified", "none"], ["verified", "none"]]);
    await anchorEverything(ledgers(), config);
    const landed = await verifyRecords(await db().medicalRecord.findMany({ where: { id: { in: more } }, select: verifiableRecordSelect }));
    expect(landed.map((v) => v.checkpoint)).toEqual(["public", "public"]);

    // A checkpoint root edited in the database contradicts the public chain: tampered.
    const batch = await db().anchorBatch.findFirstOrThrow({ where: { records: { some: { id: ids[0] } } }, select: { checkpointId: true } });
    const checkpoint = await db().checkpoint.findUniqueOrThrow({ where: { id: batch.checkpointId! }, select: { root: true } });
    await asOwner(`UPDATE "Checkpoint" SET root = $1 WHERE id = $2`, [`0x${"77".repeat(32)}`, batch.checkpointId]);
    try {
      const again = await verifyRecords(await db().medicalRecord.findMany({ where: { id: ids[0] }, select: verifiableRecordSelect }));
      expect(again[0]!.verification).toBe("tampered");
    } finally {
      await asOwner(`UPDATE "Checkpoint" SET root = $1 WHERE id = $2`, [checkpoint.root, batch.checkpointId]);
    }
  });
});

describe("attacks and audits", () => {
  it("skips a batch number squatted on chain by someone else (a leaked writer key), with an alert", async () => {
    await anchorEverything(ledgers(), config);
    // Record batches are numbered below the seal range (lib/audit/on-chain-seals.ts).
    const last = await db().anchorBatch.findFirstOrThrow({ where: { batchNumber: { lt: SEAL_NUMBER_BASE } }, orderBy: { batchNumber: "desc" }, select: { batchNumber: true } });
    const squatted = last.batchNumber + 1n;
    await anchorRoot(ledgers().private.clients, { batchId: squatted, root: `0x${"66".repeat(32)}` });
    const ids = await newRecords(2, "squatted");
    await anchorEverything(ledgers(), config);
    const batch = await db().anchorBatch.findFirstOrThrow({ where: { records: { some: { id: ids[0] } } }, select: { batchNumber: true, status: true } });
    expect(batch).toEqual({ batchNumber: squatted + 1n, status: "CONFIRMED" });
    expect(await db().alert.count({ where: { kind: "anchoring.number_squatted", details: { path: ["batchNumber"], equals: squatted.toString() } } })).toBe(1);
    await expectAnchoredExactlyOnce(ids, [squatted]);
  });

  it("a row edited and reset to PENDING is not anchored with forged content, and is flagged", async () => {
    const [id] = await newRecords(1, "reset attack");
    await anchorEverything(ledgers(), config);
    const row = await db().medicalRecord.findUniqueOrThrow({
      where: { id: id! },
      select: { patientId: true, resourceType: true, recordedAt: true, salt: true, source: true, supersedesId: true, identityVersion: true },
    });
    // An insider with SQL access and the salt forges content (bytes and JSONB copy alike), a matching commitment,
    // and resets the row.
    const forged = { resourceType: "Observation", status: "final", code: { text: "forged" }, valueQuantity: { value: 999, unit: "mg/dL" } };
    const commitment = computeCommitment({ ...row, recipe: 2, recordId: id!, resource: forged }, row.salt);
    await asInsider(
      `UPDATE "MedicalRecord" SET "canonical" = $2, "resource" = $3::jsonb, "commitment" = $4, "status" = 'PENDING', "batchId" = NULL, "proof" = NULL, "leafIndex" = NULL WHERE "id" = $1`,
      [id, canonicalBytes(forged), JSON.stringify(forged), commitment],
    );

    await anchorEverything(ledgers(), config);
    const after = await db().medicalRecord.findUniqueOrThrow({ where: { id: id! }, select: { status: true, batchId: true } });
    expect(after).toEqual({ status: "PENDING", batchId: null });
    const alert = await db().alert.findFirst({ where: { kind: "integrity.commitment_mismatch", details: { path: ["recordId"], equals: id } } });
    expect(alert?.severity).toBe("CRITICAL");
    const report = await sweepAllRecords();
    expect(report.tampered).toBeGreaterThanOrEqual(1);
  });

  it("the sweep re-verifies every record and raises an alert on a mismatch", async () => {
    const [id] = await newRecords(1, "sweep");
    await anchorEverything(ledgers(), config);
    const before = await db().medicalRecord.findUniqueOrThrow({ where: { id: id! }, select: { resource: true } });
    await asOwner(`UPDATE "MedicalRecord" SET "resource" = jsonb_set("resource", '{status}', '"amended"') WHERE "id" = $1::uuid`, [id]);
    try {
      const report = await sweepAllRecords({ pageSize: 7 });
      expect(report.checked).toBe(await db().medicalRecord.count());
      expect(report.tampered).toBeGreaterThanOrEqual(1);
      expect(await db().alert.count({ where: { kind: "integrity.record_tampered", details: { path: ["recordId"], equals: id } } })).toBe(1);
      // Deduplicated: a second sweep does not raise the same alert again.
      await sweepAllRecords();
      expect(await db().alert.count({ where: { kind: "integrity.record_tampered", details: { path: ["recordId"], equals: id } } })).toBe(1);
      const event = await db().accessEvent.findFirstOrThrow({ where: { action: "integrity.swept" }, orderBy: { seq: "desc" } });
      expect(event.actorKind).toBe("SYSTEM");
    } finally {
      await asOwner(`UPDATE "MedicalRecord" SET "resource" = $1::jsonb WHERE "id" = $2::uuid`, [JSON.stringify(before.resource), id]);
    }
  });

  it("reconciliation compares every batch and checkpoint with the chains", async () => {
    await anchorEverything(ledgers(), config);
    const clean = await reconcileWithChains(ledgers());
    expect(clean.batches.checked).toBeGreaterThan(0);
    expect(clean.checkpoints.checked).toBeGreaterThan(0);
    expect([clean.batches.missing, clean.batches.mismatched, clean.checkpoints.missing, clean.checkpoints.mismatched]).toEqual([[], [], [], []]);

    const batch = await db().anchorBatch.findFirstOrThrow({ where: { status: "CONFIRMED" }, select: { id: true, root: true, batchNumber: true } });
    await asOwner(`UPDATE "AnchorBatch" SET root = $1 WHERE id = $2`, [`0x${"55".repeat(32)}`, batch.id]);
    try {
      const report = await reconcileWithChains(ledgers());
      expect(report.batches.mismatched).toEqual([batch.batchNumber.toString()]);
      expect(await db().alert.count({ where: { kind: "integrity.reconcile_mismatch" } })).toBeGreaterThan(0);
    } finally {
      await asOwner(`UPDATE "AnchorBatch" SET root = $1 WHERE id = $2`, [batch.root, batch.id]);
    }
  });
});
