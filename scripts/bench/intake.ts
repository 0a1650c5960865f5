/**
 * Intake of a whole patient bundle over HTTP, for `npm run bench -- --intake` (scripts/bench.ts): a Synthea-shaped
 * transaction of 374 entries and ~1.3 MB (tests/fixtures/fhir/synthea-parts.ts) POSTed to /api/fhir with a service
 * credential while the anchoring worker runs, timed from the first request byte to the whole response. Each round
 * sends a bundle of its own (new entries: the full work); then the last one again (the idempotent no-op).
 */
import { stats, type Stats } from "./stats";
import { syntheaBundle } from "../../tests/fixtures/fhir/synthea-parts";

export const INTAKE = { entries: 374, bytes: 1.3 * 1024 * 1024, rounds: 5, encounters: 25, bulkRecords: 10_000 } as const;

/** A bundle of exactly INTAKE.entries entries whose JSON is within 2 % of INTAKE.bytes (note sizes searched for). */
export function intakeBody(seed: number, patient: { family: string; given: string; birthDate: string; mrn: { system: string; value: string } }): { body: string; entries: number } {
  const build = (noteBytes: number) => JSON.stringify(syntheaBundle({ seed, encounters: INTAKE.encounters, maxEntries: INTAKE.entries, noteBytes, patient }));
  let low = 0;
  let high = 200_000;
  let body = build(0);
  for (let i = 0; i < 30 && Math.abs(Buffer.byteLength(body) - INTAKE.bytes) > INTAKE.bytes * 0.02; i++) {
    const mid = Math.floor((low + high) / 2);
    body = build(mid);
    if (Buffer.byteLength(body) < INTAKE.bytes) low = mid;
    else high = mid;
  }
  return { body, entries: (JSON.parse(body) as { entry: unknown[] }).entry.length };
}

async function post(url: string, token: string, body: string): Promise<{ ms: number; status: number; created: number; unchanged: number }> {
  const started = process.hrtime.bigint();
  const response = await fetch(`${url}/api/fhir`, { method: "POST", body, headers: { "Content-Type": "application/fhir+json", Authorization: `Bearer ${token}` } });
  const answer = (await response.json()) as { entry?: { response: { status: string } }[]; issue?: unknown[] };
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status !== 200) throw new Error(`POST /api/fhir answered ${response.status}: ${JSON.stringify(answer).slice(0, 2000)}`);
  const statuses = (answer.entry ?? []).map((e) => e.response.status);
  return { ms, status: response.status, created: statuses.filter((s) => s.startsWith("201")).length, unchanged: statuses.filter((s) => s.startsWith("200")).length };
}

export type IntakeResult = { bundleBytes: number; entries: number; rounds: number[]; first: Stats; resend: Stats; createdPerRound: number; unchangedOnResend: number };

export async function measureIntake(url: string, token: string, bodies: { body: string; entries: number }[]): Promise<IntakeResult> {
  const rounds: number[] = [];
  let createdPerRound = 0;
  for (const { body } of bodies) {
    const r = await post(url, token, body);
    rounds.push(r.ms);
    createdPerRound = r.created;
  }
  const resends: number[] = [];
  let unchangedOnResend = 0;
  for (let i = 0; i < INTAKE.rounds; i++) {
    const r = await post(url, token, bodies.at(-1)!.body);
    resends.push(r.ms);
    unchangedOnResend = r.unchanged;
  }
  return { bundleBytes: Buffer.byteLength(bodies[0]!.body), entries: bodies[0]!.entries, rounds, first: stats(rounds), resend: stats(resends), createdPerRound, unchangedOnResend };
}

/**
 * Issue #24's row: one Bundle of LARGE_BATCH.entries entries (a batch), streamed to POST /api/fhir/stream (answered
 * 202 at once). Notes sized so the body passes the proxy's 32 MB buffer, as Synthea's ~3.4 KB per entry would.
 */
export const LARGE_BATCH = { entries: 10_000, noteBytes: 24_000, encounters: 760 } as const;

export function largeBatchBody(patient: Parameters<typeof intakeBody>[1]): { body: string; entries: number } {
  const bundle = syntheaBundle({ seed: 4242, encounters: LARGE_BATCH.encounters, noteBytes: LARGE_BATCH.noteBytes, patient }) as { type: string; entry: unknown[] };
  bundle.type = "batch";
  bundle.entry = bundle.entry.slice(0, LARGE_BATCH.entries);
  return { body: JSON.stringify(bundle), entries: bundle.entry.length };
}

export type LargeBatchResult = { entries: number; bytes: number; acceptedMs: number; answeredMs: number; created: number; refused: number; progress: string[] };

/** POSTs the batch asynchronously and polls its status URL until the answer: the time to 202, and to the answer. */
export async function measureLargeBatch(url: string, token: string, body: { body: string; entries: number }, path = "/api/fhir/stream"): Promise<LargeBatchResult> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    body: body.body,
    headers: { "Content-Type": "application/fhir+json", Authorization: `Bearer ${token}`, Prefer: "respond-async" },
  });
  const acceptedMs = elapsed();
  if (response.status !== 202) throw new Error(`POST ${path} (respond-async) answered ${response.status}: ${(await response.text()).slice(0, 2000)}`);
  const status = `${url}${response.headers.get("content-location")}`;
  const progress: string[] = [];
  for (;;) {
    const poll = await fetch(status, { headers: { Authorization: `Bearer ${token}` } });
    if (poll.status === 202) {
      const now = poll.headers.get("x-progress") ?? "";
      if (progress.at(-1) !== now) progress.push(now);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    const answer = (await poll.json()) as { entry: { response: { status: string }; resource: { entry?: { response: { status: string; location?: string } }[] } }[] };
    const inner = answer.entry[0]!;
    if (!inner.response.status.startsWith("200")) throw new Error(`the large batch was answered ${inner.response.status}: ${JSON.stringify(inner.resource).slice(0, 2000)}`);
    const statuses = (inner.resource.entry ?? []).map((e) => e.response);
    return {
      entries: body.entries,
      bytes: Buffer.byteLength(body.body),
      acceptedMs,
      answeredMs: elapsed(),
      created: statuses.filter((s) => s.status.startsWith("201") && !/^(Practitioner|Organization|Location)\//.test(s.location ?? "")).length,
      refused: statuses.filter((s) => s.status.startsWith("422")).length,
      progress,
    };
  }
}
