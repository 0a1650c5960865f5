/**
 * Load and faults (issue #8), on services of the suite's own (tests/resilience/stack.ts): the built app and the
 * anchoring worker as child processes, doctors signed in by minted session cookies, load from one closed loop per
 * doctor (tests/resilience/load.ts). The scenarios run in order on one stack; each leaves it running and healthy.
 *
 * What is asserted is behaviour — statuses, pages, access events, anchoring invariants. Timings belong to
 * `npm run bench`; they are printed here only to explain a run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { sessionCookie } from "../../scripts/bench/http";
import { countBy, drive, fetchPage, type Sample } from "./load";
import { startStack, type Stack } from "./stack";

const LOAD = {
  /** Issue #8: 50 concurrent doctors for 60 s. RESILIENCE_LOAD_SECONDS shortens it for a quick local run. */
  doctors: 50,
  seconds: Number(process.env.RESILIENCE_LOAD_SECONDS ?? 60),
  chartRecords: 100,
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => console.log(`[resilience] ${line}`);

let stack: Stack;
let doctors: { id: string }[] = [];
let cookies: string[] = [];
const patients = { steady: "", cold: "" };

// The test process seeds and counts through the product's own modules, pointed at the suite's database (as owner).
const lib = async () => ({
  ...(await import("@/lib/db")),
  ...(await import("@/lib/jobs/create-records")),
  ...(await import("@/lib/jobs/patient-identity")),
  ...(await import("@/lib/jobs/anchoring")),
  ...(await import("@/lib/verification")),
  ...(await import("@/lib/ledger")),
});

function observation(i: number, label: string) {
  return {
    resourceType: "Observation",
    status: "final",
    code: { coding: [{ system: "http://loinc.org", code: "2345-7", display: "Glucose [Mass/volume] in Serum or Plasma" }], text: `${label} ${i}` },
    valueQuantity: { value: 80 + (i % 40), unit: "mg/dL", system: "http://unitsofmeasure.org", code: "mg/dL" },
  };
}

async function newPatient(mrn: string, records: number, label: string): Promise<{ id: string; recordIds: string[] }> {
  const { createRecords, createPatient } = await lib();
  const { id } = await createPatient({ mrn, name: `Resilience ${label}`, birthDate: new Date("1970-01-01T00:00:00Z"), sex: "UNKNOWN" });
  const recordIds: string[] = [];
  for (let from = 0; from < records; from += 500) {
    const inputs = Array.from({ length: Math.min(500, records - from) }, (_, k) => ({
      patientId: id,
      resourceType: "Observation",
      resource: observation(from + k, label),
      recordedAt: new Date(Date.UTC(2025, 0, 1) + (from + k) * 3_600_000),
      source: "HOSPITAL_SYSTEM" as const,
    }));
    recordIds.push(...(await createRecords(inputs, "SYSTEM", { ip: null, requestId: null })));
  }
  return { id, recordIds };
}

async function consent(patientId: string, doctorIds: readonly string[]) {
  const { db } = await lib();
  await db().consent.createMany({
    data: doctorIds.map((granteeStaffId) => ({ patientId, granteeStaffId, scope: "TREATMENT" as const, recordClasses: [], validFrom: new Date(Date.now() - 86_400_000) })),
  });
}

/** Every 200 chart response must have exactly one `patient.viewed` event with its request id, by its doctor. */
async function expectOneEventPerServedView(samples: readonly Sample[], patientId: string) {
  const { db } = await lib();
  const served = samples.filter((s) => s.status === 200);
  expect(served.every((s) => s.requestId !== null), "every response carries X-Request-Id").toBe(true);
  const events = await db().accessEvent.findMany({
    where: { action: "patient.viewed", requestId: { in: served.map((s) => s.requestId!) } },
    select: { requestId: true, actorId: true, patientId: true, outcome: true },
  });
  const byRequest = new Map<string, typeof events>();
  for (const e of events) byRequest.set(e.requestId!, [...(byRequest.get(e.requestId!) ?? []), e]);
  const wrong = served.filter((s) => {
    const mine = byRequest.get(s.requestId!) ?? [];
    return mine.length !== 1 || mine[0]!.actorId !== doctors[s.doctor]!.id || mine[0]!.patientId !== patientId || mine[0]!.outcome !== "ALLOWED";
  });
  expect(wrong.map((s) => ({ requestId: s.requestId, events: byRequest.get(s.requestId!)?.length ?? 0 }))).toEqual([]);
  return { served: served.length, events: events.length };
}

/** Access events by these doctors for this patient in a time window (the views the log holds). */
async function eventsInWindow(patientId: string, from: number, to: number) {
  const { db } = await lib();
  return db().accessEvent.findMany({
    where: { action: "patient.viewed", patientId, actorId: { in: doctors.map((d) => d.id) }, occurredAt: { gte: new Date(from), lte: new Date(to + 1_000) } },
    select: { requestId: true },
  });
}

function summary(samples: readonly Sample[]) {
  const served = samples.filter((s) => s.status === 200).map((s) => s.finishedAt - s.startedAt).sort((a, b) => a - b);
  const p = (q: number) => served[Math.min(served.length - 1, Math.max(0, Math.ceil(q * served.length) - 1))] ?? Number.NaN;
  return `${samples.length} responses ${JSON.stringify(countBy(samples, (s) => s.status))}; 200s p50 ${p(0.5)} ms, p95 ${p(0.95)} ms`;
}

beforeAll(async () => {
  const started = Date.now();
  stack = await startStack();
  Object.assign(process.env, { ...stack.workerEnv, DATABASE_URL: stack.ownerUrl, LOG_LEVEL: "error" });
  const { db, anchorEverything, ledgers } = await lib();
  const created = await db().staff.createManyAndReturn({
    data: Array.from({ length: LOAD.doctors }, (_, k) => ({
      email: `resilience-doctor-${String(k).padStart(2, "0")}@resilience.invalid`,
      name: `Resilience doctor ${k}`,
      passwordHash: "",
      role: "DOCTOR" as const,
      licenceNumber: `RES-${k}`,
    })),
    select: { id: true, email: true },
  });
  doctors = created.sort((a, b) => a.email.localeCompare(b.email));
  // Each cookie names a live server-side session, as a real sign-in's does (a token without one is signed out).
  cookies = await Promise.all(
    doctors.map(async (d) => sessionCookie(d, stack.authSecret, (await db().authSession.create({ data: { actorKind: "STAFF", actorId: d.id }, select: { id: true } })).id)),
  );
  const anchoring = { batchSize: 40, windowSeconds: 0, checkpointEveryBatches: 2, checkpointEveryMinutes: 0 };
  // Anchored apart, so that no batch holds records of both charts (a root read for one would be cached for the other).
  const steady = await newPatient("R0000001", LOAD.chartRecords, "steady");
  await anchorEverything(ledgers(), anchoring, 120_000);
  const cold = await newPatient("R0000002", 30, "cold");
  await anchorEverything(ledgers(), anchoring, 120_000);
  patients.steady = steady.id;
  patients.cold = cold.id;
  await consent(steady.id, doctors.map((d) => d.id));
  await consent(cold.id, doctors.slice(0, 5).map((d) => d.id));
  await stack.startWeb();
  stack.startWorker();
  say(`stack up and seeded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${doctors.length} doctors, charts of ${LOAD.chartRecords} and 30 records`);
}, 900_000);

afterAll(async () => {
  const { disconnectDb } = await import("@/lib/db");
  await disconnectDb().catch(() => {});
  await stack?.stop();
});

/** Fails with the app's and worker's output when a child died. */
function expectAlive() {
  expect(stack.web?.process.exitCode, `the web tier exited:\n${stack.web?.tail()}`).toBeNull();
  expect(stack.worker?.process.exitCode, `the worker exited:\n${stack.worker?.tail()}`).toBeNull();
}

describe("under load", () => {
  it(`${LOAD.doctors} concurrent doctors for ${LOAD.seconds} s on a chart: no 5xx, every view verified and logged exactly once`, async () => {
    const path = `/patients/${patients.steady}`;
    const first = await fetchPage(`${stack.webUrl}${path}`, cookies[0]!);
    expect(first.status).toBe(200);
    const from = Date.now();
    const samples = await drive(stack.webUrl, cookies, () => path, LOAD.seconds).done;
    const to = Date.now();
    say(`steady load: ${summary(samples)}`);
    expect(countBy(samples, (s) => s.status)).toEqual({ 200: samples.length });
    // Every rendered record verified (the chain is up); a page renders 50 of the chart's records.
    expect(samples.filter((s) => s.verification.verified !== 50 || Object.keys(s.verification).length !== 1)).toEqual([]);
    const counted = await expectOneEventPerServedView(samples, patients.steady);
    // And nothing else: the log holds no view by these doctors in the window beyond the served ones (one was the probe).
    expect((await eventsInWindow(patients.steady, from, to)).length).toBe(counted.served);
    expectAlive();
  });
});

describe("PostgreSQL restarted under load", () => {
  it("answers 503 with a friendly page while it is down, recovers without an app restart, and loses no access event of a served view", async () => {
    const path = `/patients/${patients.steady}`;
    const webPid = stack.web!.process.pid;
    const load = drive(stack.webUrl, cookies.slice(0, 20), () => path);
    await sleep(6_000);
    const stoppedAt = Date.now();
    await stack.stopPostgres();
    say("PostgreSQL stopped");
    await sleep(6_000);
    await stack.startPostgres();
    const restartedAt = Date.now();
    say(`PostgreSQL started again after ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s`);
    // Recovered: views served again, from requests sent after the restart.
    const deadline = Date.now() + 90_000;
    while (load.samples.filter((s) => s.startedAt > restartedAt && s.status === 200).length < 20 && Date.now() < deadline) await sleep(500);
    const samples = await load.stop();
    say(`PostgreSQL restart: ${summary(samples)}`);
    const during = samples.filter((s) => s.finishedAt >= stoppedAt && s.startedAt <= restartedAt);
    say(`  answered during the outage: ${JSON.stringify(countBy(during, (s) => s.status))}`);
    const failed = samples.filter((s) => s.status === 500);
    say(`  500s: sent at ${failed.map((s) => s.startedAt - stoppedAt).join(", ")} ms from the stop; answered at ${failed.map((s) => s.finishedAt - stoppedAt).join(", ")}`);
    if (failed[0]) say(`  a 500's page: ${failed[0].body.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").slice(0, 400)}`);

    expect(stack.web!.process.pid).toBe(webPid);
    expectAlive();
    // Only views and clean refusals, no dropped connection. A request already being rendered when the database went
    // away may fail with a 500 (a page cannot set its own status; it gets the error page, never data without its
    // event): every 500 must have been sent before the stop. Everything sent during the outage is a 503.
    const unclean = samples.filter((s) => !(s.status === 200 || s.status === 503 || (s.status === 500 && s.startedAt < stoppedAt)));
    expect(unclean.map((s) => ({ status: s.status, sentAfterStopMs: s.startedAt - stoppedAt, error: s.error, body: s.body.slice(0, 300) }))).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(20); // at most one per doctor: those in flight at the stop
    // The refusal is the friendly, localized page (Korean: the suite asks for it), without internals.
    const refused = samples.filter((s) => s.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body).toContain("일시적으로");
      expect(r.body).not.toMatch(/Error:|at .*\.js|ECONNREFUSED|prisma|postgres/i);
    }
    expect(samples.filter((s) => s.startedAt > restartedAt && s.status === 200).length).toBeGreaterThanOrEqual(20);
    await expectOneEventPerServedView(samples, patients.steady);
  });
});

describe("chain stopped under load", () => {
  it("renders records `unavailable`, never `verified` without a root read from the chain, never a 5xx; the worker anchors what came meanwhile once it returns", async () => {
    const { db } = await lib();
    const steadyPath = `/patients/${patients.steady}`;
    const coldPath = `/patients/${patients.cold}`;
    // The steady chart's roots were read from the chain before (final roots may be cached: ADR 007); the cold chart's
    // never were, so while the chain is down nothing can prove its records.
    const warm = drive(stack.webUrl, cookies.slice(5, 15), () => steadyPath, Infinity, 5);
    await sleep(3_000);
    const stoppedAt = Date.now();
    await stack.stopChain("private");
    await stack.stopChain("public");
    say("both chains stopped");
    const cold = drive(stack.webUrl, cookies.slice(0, 5), () => coldPath);
    // New records while the chain is down: they wait, PENDING, and the worker's ticks fail and are retried.
    const during = await newPatient("R0000003", 25, "while the chain is down");
    await sleep(8_000);
    const coldSamples = await cold.stop();
    expect(await db().medicalRecord.count({ where: { id: { in: during.recordIds }, status: "PENDING" } })).toBe(25);
    await stack.startChain("private");
    await stack.startChain("public");
    const restartedAt = Date.now();
    say(`chains started again after ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s, same state`);
    await sleep(3_000);
    const warmSamples = await warm.stop();
    say(`chain down, cold chart: ${summary(coldSamples)}; verification ${JSON.stringify(countBy(coldSamples.flatMap((s) => Object.entries(s.verification).flatMap(([k, n]) => Array(n).fill(k))), (k) => k))}`);
    say(`chain down, warm chart: ${summary(warmSamples)}`);

    expectAlive();
    for (const samples of [coldSamples, warmSamples]) expect(countBy(samples, (s) => s.status)).toEqual({ 200: samples.length });
    // The cold chart while the chain was down: every rendered record unavailable, none verified (nor tampered).
    const coldDuring = coldSamples.filter((s) => s.finishedAt < restartedAt);
    expect(coldDuring.length).toBeGreaterThan(0);
    expect(coldDuring.filter((s) => s.verification.unavailable !== 30 || Object.keys(s.verification).length !== 1)).toEqual([]);
    // The warm chart: never tampered, never pending; verified from final roots read before, or unavailable.
    expect(warmSamples.filter((s) => Object.keys(s.verification).some((k) => k !== "verified" && k !== "unavailable"))).toEqual([]);
    await expectOneEventPerServedView(coldSamples, patients.cold);
    await expectOneEventPerServedView(warmSamples, patients.steady);

    // The worker resumes: the records created while the chain was down are anchored (its retries back off, and a
    // schedule re-runs it every minute at the latest).
    const deadline = Date.now() + 150_000;
    while ((await db().medicalRecord.count({ where: { id: { in: during.recordIds }, status: "ANCHORED" } })) < 25 && Date.now() < deadline) await sleep(1_000);
    say(`records created while the chain was down anchored ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after it returned`);
    expect(await db().medicalRecord.count({ where: { id: { in: during.recordIds }, status: "ANCHORED" } })).toBe(25);
    // And the cold chart now verifies against the chain that came back.
    const after = await fetchPage(`${stack.webUrl}${coldPath}`, cookies[0]!);
    expect(after.status).toBe(200);
    expect(after.verification).toEqual({ verified: 30 });
    expectAlive();
  });
});

describe("worker killed mid-batch", () => {
  it("SIGKILLed at every step of a batch and at moments it chose, loses no record and anchors none twice", async () => {
    const { db, ledgers, recordAnchorAbi, verifiableRecordSelect, verifyRecords } = await lib();
    await stack.stopWorker();
    const backlog = await newPatient("R0000004", 600, "backlog");
    // A worker killed mid-job leaves its job active; production frees it when the job expires (60 s, checked every
    // 15 s: scripts/worker.ts). The suite frees it at once, so that it does not wait a minute per kill.
    const freeQueue = () => db().$executeRawUnsafe(`UPDATE pgboss.job SET state = 'failed' WHERE name = 'anchoring' AND state = 'active'`);
    const exited = async (worker: ReturnType<Stack["startWorker"]>, timeoutMs: number) =>
      Promise.race([worker.exited, sleep(timeoutMs).then(() => ({ code: null, signal: "timeout" as const }))]);
    const kills: string[] = [];

    // 1. At each step of the exactly-once protocol (scripts/worker.ts's fault injection, for tests only).
    for (const step of ["before-send", "after-send", "after-receipt"] as const) {
      const worker = stack.startWorker({ CHARTPROOF_FAULT_AT: step, ANCHOR_BATCH_SIZE: "100" });
      const outcome = await exited(worker, 90_000);
      expect(outcome.signal, worker.tail()).toBe("SIGKILL");
      kills.push(step);
      await freeQueue();
    }
    // 2. From outside, the moment this worker is seen to have moved a batch to PREPARED or SENT (between the database
    //    and the chain), whatever it was doing then.
    for (let round = 0; round < 2; round++) {
      const statusOf = async () => new Map((await db().anchorBatch.findMany({ select: { id: true, status: true } })).map((b) => [b.id, b.status]));
      const snapshot = await statusOf();
      const worker = stack.startWorker({ ANCHOR_BATCH_SIZE: "50" });
      const deadline = Date.now() + 60_000;
      let seen: string | null = null;
      while (!seen && Date.now() < deadline && worker.process.exitCode === null) {
        for (const [id, status] of await statusOf()) {
          if ((status === "PREPARED" || status === "SENT") && snapshot.get(id) !== status) seen = `seen a batch become ${status}`;
        }
        if (!seen) await sleep(5);
      }
      worker.process.kill("SIGKILL");
      const outcome = await exited(worker, 30_000);
      expect(outcome.signal, worker.tail()).toBe("SIGKILL");
      kills.push(seen ?? "no batch seen moving");
      await freeQueue();
    }
    const before = await db().medicalRecord.groupBy({ by: ["status"], where: { id: { in: backlog.recordIds } }, _count: true });
    say(`worker killed ${kills.length} times (${kills.join("; ")}); backlog then ${JSON.stringify(before.map((g) => [g.status, g._count]))}`);

    // 3. A worker that is left alone finishes the job.
    stack.startWorker({ ANCHOR_BATCH_SIZE: "100" });
    const deadline = Date.now() + 120_000;
    while ((await db().medicalRecord.count({ where: { id: { in: backlog.recordIds }, status: "ANCHORED" } })) < 600 && Date.now() < deadline) await sleep(500);
    expectAlive();

    // Every record anchored, in exactly one batch, proven into a root the chain holds exactly once.
    const records = await db().medicalRecord.findMany({ where: { id: { in: backlog.recordIds } }, select: { status: true, batchId: true } });
    expect(countBy(records, (r) => r.status)).toEqual({ ANCHORED: 600 });
    const batches = await db().anchorBatch.findMany({ select: { id: true, batchNumber: true, root: true, status: true, recordCount: true } });
    const live = batches.filter((b) => b.status !== "FAILED");
    expect(live.filter((b) => b.status !== "CONFIRMED")).toEqual([]);
    expect(new Set(live.map((b) => b.batchNumber)).size).toBe(live.length);
    const failedIds = new Set(batches.filter((b) => b.status === "FAILED").map((b) => b.id));
    expect(records.filter((r) => r.batchId === null || failedIds.has(r.batchId))).toEqual([]);
    for (const b of live) expect(await db().medicalRecord.count({ where: { batchId: b.id } }), `members of batch ${b.batchNumber}`).toBe(b.recordCount);
    const chain = ledgers().private;
    const logs = await chain.clients.publicClient.getContractEvents({
      address: chain.contractAddress as Hex,
      abi: recordAnchorAbi,
      eventName: "RootAnchored",
      fromBlock: 0n,
      strict: true,
    });
    const onChain = new Map<bigint, string[]>();
    for (const log of logs) onChain.set(log.args.batchId, [...(onChain.get(log.args.batchId) ?? []), log.args.root.toLowerCase()]);
    expect(live.filter((b) => onChain.get(b.batchNumber)?.length !== 1 || onChain.get(b.batchNumber)![0] !== b.root.toLowerCase()).map((b) => b.batchNumber)).toEqual([]);
    // No root on chain the index does not account for.
    expect([...onChain.keys()].filter((n) => !live.some((b) => b.batchNumber === n))).toEqual([]);
    const rows = await db().medicalRecord.findMany({ where: { id: { in: backlog.recordIds } }, select: verifiableRecordSelect });
    expect(countBy(await verifyRecords(rows), (v) => v.verification)).toEqual({ verified: 600 });
    say(`600 records in ${new Set(records.map((r) => r.batchId)).size} batches, each root on chain once; ${failedIds.size} batch(es) FAILED and released`);
  });
});
