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
  const { db, createRecords } = await lib();
  const { id } = await db().patient.create({
    data: { mrn, name: `Resilience ${label}`, birthDate: new Date("1970-01-01T00:00:00Z"), sex: "UNKNOWN" },
    select: { id: true },
  });
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
  cookies = await Promise.all(doctors.map((d) => sessionCookie(d, stack.authSecret)));
  const steady = await newPatient("R0000001", LOAD.chartRecords, "steady");
  const cold = await newPatient("R0000002", 30, "cold");
  patients.steady = steady.id;
  patients.cold = cold.id;
  await consent(steady.id, doctors.map((d) => d.id));
  await consent(cold.id, doctors.slice(0, 5).map((d) => d.id));
  await anchorEverything(ledgers(), { batchSize: 40, windowSeconds: 0, checkpointEveryBatches: 2, checkpointEveryMinutes: 0 }, 120_000);
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
