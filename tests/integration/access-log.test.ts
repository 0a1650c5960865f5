import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { hashAccessEvent } from "@/lib/audit";
import { checkAccessLog, type LogCheck } from "@/lib/audit/check-log";
import { onChainSeals, SEAL_NUMBER_BASE } from "@/lib/audit/on-chain-seals";
import { sealRoot, type ChainHead } from "@/lib/audit/seal-root";
import { runAccessLogCheck } from "@/lib/jobs/access-log-check";
import { anchorEverything, prepareSeal } from "@/lib/jobs/anchoring";
import { readRoots } from "@/lib/ledger";
import { ledgers } from "@/lib/verification";
import { asOwner, callerFor, ensureDemo, testAction } from "./helpers";

const restore: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (restore.length) await restore.pop()!();
});

const CONFIG = { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };

/** Appends `n` events at once (as concurrent page views would) and returns their seqs. */
async function burst(n: number, action = "test.viewed"): Promise<bigint[]> {
  const doctor = await callerFor("doctor@demo.chartproof.local");
  return Promise.all(Array.from({ length: n }, (_, i) => appendAccessEvent({ actor: doctor.actor, action: testAction(action), outcome: "ALLOWED", purpose: "TREATMENT", details: { i } }, doctor.context)));
}

async function sealAndAnchor(): Promise<void> {
  await prepareSeal(ledgers().private, { everySeconds: 0 });
  await anchorEverything(ledgers(), CONFIG);
}

/** A chain holding at least three of the given events, and those events in chain order. */
async function chainWithThree(seqs: bigint[]) {
  const rows = await db().accessEvent.findMany({ where: { seq: { in: seqs } }, select: { seq: true, chain: true, chainSeq: true }, orderBy: [{ chain: "asc" }, { chainSeq: "asc" }] });
  const byChain = new Map<number, typeof rows>();
  for (const r of rows) byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), r]);
  const [chain, events] = [...byChain].find(([, list]) => list.length >= 3)!;
  return { chain, events };
}

async function snapshot(seq: bigint) {
  return (await asOwner(`SELECT * FROM "AccessEvent" WHERE seq = $1`, [seq.toString()])).rows[0]!;
}

async function reinsert(row: Record<string, unknown>) {
  const columns = Object.keys(row);
  await asOwner(
    `INSERT INTO "AccessEvent" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
    columns.map((c) => (c === "details" ? JSON.stringify(row[c]) : row[c])),
  );
}

/** The chain-first check, with ten minutes' grace for unsealed events. */
const checkLog = (opts: { now?: Date } = {}): Promise<LogCheck> => checkAccessLog({ ledger: ledgers().private, unsealedGraceSeconds: 600, ...opts });

/** Keeps a copy of whole tables (as the owner) and puts them back after the test: for tampering that spans tables. */
async function backUp(tables: string[]): Promise<void> {
  for (const t of tables) await asOwner(`DROP TABLE IF EXISTS "_backup_${t}"; CREATE TABLE "_backup_${t}" AS TABLE "${t}"`);
  restore.push(async () => {
    for (const t of tables) await asOwner(`DELETE FROM "${t}"; INSERT INTO "${t}" SELECT * FROM "_backup_${t}"; DROP TABLE "_backup_${t}"`);
  });
}

const SEAL_TABLES = ["AccessEvent", "AuditSeal", "AnchorBatch"];

beforeAll(async () => {
  await ensureDemo();
});

describe("the access log is append-only in the database", () => {
  it("the app's own connection may append but is refused UPDATE, DELETE and TRUNCATE", async () => {
    const [seq] = await burst(1);
    const [{ current_user: role }] = await db().$queryRaw<[{ current_user: string }]>`SELECT current_user`;
    expect(role).toBe(inject("stack").roles.worker);
    await expect(db().$executeRaw`UPDATE "AccessEvent" SET "action" = 'x' WHERE seq = ${seq}`).rejects.toThrow(/permission denied/);
    await expect(db().$executeRaw`DELETE FROM "AccessEvent" WHERE seq = ${seq}`).rejects.toThrow(/permission denied/);
    await expect(db().$executeRawUnsafe(`TRUNCATE "AccessEvent"`)).rejects.toThrow(/permission denied/);
    await expect(db().accessEvent.update({ where: { seq: seq! }, data: { action: "x" } })).rejects.toThrow();
    await expect(db().$executeRaw`UPDATE "AuditSeal" SET root = 'x'`).rejects.toThrow(/permission denied/);
  });
});

describe("parallel chains", () => {
  it("concurrent appends spread over chains, each contiguous and linked, and the whole log checks clean", async () => {
    const seqs = await burst(200);
    expect(new Set(seqs.map(String)).size).toBe(200);
    const chains = await db().accessEvent.groupBy({ by: ["chain"], where: { seq: { in: seqs } }, _count: true });
    expect(chains.length).toBeGreaterThan(4);
    await sealAndAnchor();
    const check = await checkLog();
    expect(check.firstBreak).toBeNull();
    expect(check.checkedEvents).toBeGreaterThanOrEqual(200);
  });

  it("a seal's root is anchored on the private chain as an AUDIT_SEAL unit", async () => {
    await burst(5);
    await sealAndAnchor();
    const seal = await db().auditSeal.findFirstOrThrow({ orderBy: { sealedAt: "desc" }, include: { batch: true } });
    expect(seal.batch).toMatchObject({ kind: "AUDIT_SEAL", status: "CONFIRMED" });
    // Seals are numbered in their own range, so the chain alone says which roots are seals.
    expect(seal.batch!.batchNumber).toBeGreaterThan(SEAL_NUMBER_BASE);
    expect((await onChainSeals(ledgers().private)).at(-1)).toMatchObject({ number: seal.batch!.batchNumber, root: seal.root.toLowerCase() });
    expect(sealRoot(seal.heads as ChainHead[])).toBe(seal.root);
    const onChain = (await readRoots(ledgers().private.clients, [seal.batch!.batchNumber])).get(seal.batch!.batchNumber);
    expect(onChain).toBe(seal.root);
    // Sealing twice without new events seals nothing.
    expect(await prepareSeal(ledgers().private, { everySeconds: 0 })).toBeNull();
  });
});

describe("tampering by direct SQL as a superuser is detected and located", () => {
  it("an edited event", async () => {
    const { chain, events } = await chainWithThree(await burst(60));
    await sealAndAnchor();
    const target = events[1]!;
    const before = await snapshot(target.seq);
    await asOwner(`UPDATE "AccessEvent" SET details = '{"i": -1}' WHERE seq = $1`, [target.seq.toString()]);
    restore.push(() => asOwner(`UPDATE "AccessEvent" SET details = $2 WHERE seq = $1`, [target.seq.toString(), JSON.stringify(before.details)]));
    const check = await checkLog();
    expect(check.firstBreak).toMatchObject({ kind: "edited", chain, chainSeq: target.chainSeq.toString(), seq: target.seq.toString() });
  });

  it("a deleted event", async () => {
    const { chain, events } = await chainWithThree(await burst(60));
    await sealAndAnchor();
    const target = events[1]!;
    const row = await snapshot(target.seq);
    await asOwner(`DELETE FROM "AccessEvent" WHERE seq = $1`, [target.seq.toString()]);
    restore.push(() => reinsert(row));
    const check = await checkLog();
    expect(check.firstBreak).toMatchObject({ kind: "deleted", chain, chainSeq: target.chainSeq.toString() });
  });

  it("a reordered event", async () => {
    const { chain, events } = await chainWithThree(await burst(60));
    await sealAndAnchor();
    const [a, b] = [events[0]!, events[1]!];
    // Positions are unique: park both, then give each the other's (or, to restore, its own) position.
    const place = (aAt: bigint, bAt: bigint) =>
      asOwner(
        `UPDATE "AccessEvent" SET "chainSeq" = -"chainSeq" WHERE seq IN (${a.seq}, ${b.seq});
         UPDATE "AccessEvent" SET "chainSeq" = CASE WHEN seq = ${a.seq} THEN ${aAt} ELSE ${bAt} END WHERE seq IN (${a.seq}, ${b.seq})`,
      );
    await place(b.chainSeq, a.chainSeq);
    restore.push(() => place(a.chainSeq, b.chainSeq));
    const check = await checkLog();
    expect(check.firstBreak).toMatchObject({ kind: "reordered", chain, chainSeq: a.chainSeq.toString() });
  });

  it("a deleted event at the end of a sealed chain", async () => {
    const { chain, events } = await chainWithThree(await burst(60));
    await sealAndAnchor();
    const head = await db().accessEvent.findFirstOrThrow({ where: { chain }, orderBy: { chainSeq: "desc" } });
    expect(head.chainSeq).toBeGreaterThanOrEqual(events.at(-1)!.chainSeq);
    const row = await snapshot(head.seq);
    await asOwner(`DELETE FROM "AccessEvent" WHERE seq = $1`, [head.seq.toString()]);
    restore.push(() => reinsert(row));
    const check = await checkLog();
    expect(check.breaks).toContainEqual(expect.objectContaining({ kind: "deleted", chain, chainSeq: head.chainSeq.toString() }));
  });

  it("an unsealed tail older than the sealing interval", async () => {
    await sealAndAnchor();
    const [seq] = await burst(1);
    expect((await checkLog()).firstBreak).toBeNull();
    const later = new Date(Date.now() + 60 * 60_000);
    const check = await checkLog({ now: later });
    expect(check.firstBreak).toMatchObject({ kind: "unsealed_tail", seq: seq!.toString() });
    await sealAndAnchor();
    expect((await checkLog({ now: later })).firstBreak).toBeNull();
  });
});

describe("chain-first: the owner rewrites or erases the log and its seals (triggers disabled)", () => {
  it("deleted seal rows: each seal root on chain without its row is a critical break", async () => {
    await burst(5);
    await sealAndAnchor();
    expect((await checkLog()).breaks).toEqual([]);
    const newest = (await onChainSeals(ledgers().private)).at(-1)!;
    await backUp(SEAL_TABLES);
    await asOwner(`DELETE FROM "AuditSeal"; DELETE FROM "AnchorBatch" WHERE kind = 'AUDIT_SEAL'`);
    const result = await checkLog();
    expect(result.breaks).toContainEqual(expect.objectContaining({ kind: "seal_missing", sealNumber: newest.number.toString() }));
    expect(result.firstBreak?.kind).toBe("seal_missing");
  });

  it("a truncated log with its seal rows deleted is reported, and the worker refuses to seal the near-empty log", async () => {
    await burst(5);
    await sealAndAnchor();
    const sealsBefore = (await onChainSeals(ledgers().private)).length;
    await backUp(SEAL_TABLES);
    await asOwner(`TRUNCATE "AccessEvent"; DELETE FROM "AuditSeal"; DELETE FROM "AnchorBatch" WHERE kind = 'AUDIT_SEAL'`);
    const result = await checkLog();
    expect(result.firstBreak?.kind).toBe("seal_missing");
    expect(result.breaks.filter((b) => b.kind === "seal_missing")).toHaveLength(sealsBefore);
    // A new event after the erasure: the worker's memory (the newest seal on chain) has no row, so nothing is sealed.
    await burst(1);
    expect(await prepareSeal(ledgers().private, { everySeconds: 0 })).toBeNull();
    expect(await onChainSeals(ledgers().private)).toHaveLength(sealsBefore);
    const alert = await db().alert.findFirst({ where: { kind: "integrity.access_log_behind_seal", resolvedAt: null }, orderBy: { createdAt: "desc" } });
    expect(alert).toMatchObject({ severity: "CRITICAL" });
    await db().alert.updateMany({ where: { kind: "integrity.access_log_behind_seal", resolvedAt: null }, data: { resolvedAt: new Date() } });
  });

  it("a sealed event rewritten, its chain recomputed and every seal row rewritten to match: only the chain tells", async () => {
    const { chain, events } = await chainWithThree(await burst(60));
    await sealAndAnchor();
    await backUp(SEAL_TABLES);
    await rewriteChainFrom(chain, events[1]!.chainSeq);
    const result = await checkLog();
    // The rewritten log is internally consistent: every break is a seal whose rows no longer give the root on chain.
    expect(result.breaks.length).toBeGreaterThan(0);
    expect(result.breaks.every((b) => b.kind === "seal_mismatch")).toBe(true);
    const newest = (await onChainSeals(ledgers().private)).at(-1)!;
    expect(result.breaks).toContainEqual(expect.objectContaining({ kind: "seal_mismatch", sealNumber: newest.number.toString() }));
    // And the worker will not seal the rewritten log.
    await burst(1);
    expect(await prepareSeal(ledgers().private, { everySeconds: 0 })).toBeNull();
    await db().alert.updateMany({ where: { kind: "integrity.access_log_behind_seal", resolvedAt: null }, data: { resolvedAt: new Date() } });
  });

  it("a database head that falls behind the newest seal on chain stops sealing", async () => {
    const { chain } = await chainWithThree(await burst(60));
    await sealAndAnchor();
    const head = await db().accessEvent.findFirstOrThrow({ where: { chain }, orderBy: { chainSeq: "desc" } });
    // Whole tables back afterwards: an event appended below may take the deleted event's place in its chain.
    await backUp(SEAL_TABLES);
    await asOwner(`DELETE FROM "AccessEvent" WHERE seq = $1`, [head.seq.toString()]);
    await burst(3);
    expect(await prepareSeal(ledgers().private, { everySeconds: 0 })).toBeNull();
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "integrity.access_log_behind_seal", resolvedAt: null }, orderBy: { createdAt: "desc" } });
    // The three new events land on chains at random. If one landed on this chain it took the sealed head's place
    // with another hash ("edited"); otherwise the sealed head is simply gone ("deleted"). Either way the worker says
    // which, at the sealed head's position, and stops sealing.
    const successor = await db().accessEvent.findFirst({ where: { chain, chainSeq: head.chainSeq }, select: { seq: true } });
    expect(alert.details).toMatchObject({ kind: successor ? "edited" : "deleted", chain, chainSeq: head.chainSeq.toString() });
    await db().alert.updateMany({ where: { kind: "integrity.access_log_behind_seal", resolvedAt: null }, data: { resolvedAt: new Date() } });
  });
});

describe("the scheduled log check", () => {
  it("raises one critical alert per break and logs its run; a clean log raises none", async () => {
    await burst(3);
    await sealAndAnchor();
    const clean = await runAccessLogCheck(ledgers().private);
    expect(clean).toMatchObject({ status: "checked", alertsRaised: 0 });
    const { chain, events } = await chainWithThree(await burst(60));
    await sealAndAnchor();
    const target = events[1]!;
    const before = await snapshot(target.seq);
    await asOwner(`UPDATE "AccessEvent" SET details = '{"i": -2}' WHERE seq = $1`, [target.seq.toString()]);
    restore.push(() => asOwner(`UPDATE "AccessEvent" SET details = $2 WHERE seq = $1`, [target.seq.toString(), JSON.stringify(before.details)]));
    const outcome = await runAccessLogCheck(ledgers().private);
    expect(outcome).toMatchObject({ status: "checked", alertsRaised: 1 });
    // Still open: the next run raises nothing new.
    expect(await runAccessLogCheck(ledgers().private)).toMatchObject({ alertsRaised: 0 });
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "integrity.access_log_break", resolvedAt: null }, orderBy: { createdAt: "desc" } });
    expect(alert.severity).toBe("CRITICAL");
    expect(alert.details).toMatchObject({ kind: "edited", chain, chainSeq: target.chainSeq.toString() });
    const run = await db().accessEvent.findFirstOrThrow({ where: { action: "access_log.integrity_checked", actorKind: "SYSTEM" }, orderBy: { seq: "desc" } });
    expect(run.details).toMatchObject({ breaks: 1 });
    await db().alert.updateMany({ where: { kind: "integrity.access_log_break", resolvedAt: null }, data: { resolvedAt: new Date() } });
  });

  it("says how long the unsealed window is", async () => {
    await sealAndAnchor();
    expect((await checkLog()).unsealedEvents).toBe(0);
    const [seq] = await burst(1);
    const result = await checkLog();
    const event = await db().accessEvent.findUniqueOrThrow({ where: { seq: seq! } });
    expect(result.unsealedEvents).toBe(1);
    expect(result.unsealedSince).toBe(event.occurredAt.toISOString());
    expect(result.sealIntervalSeconds).toBeLessThanOrEqual(60);
  });
});

/**
 * The owner's rewrite: a sealed event's details changed, every later event of its chain re-hashed and re-linked, and
 * every seal row's heads, root and batch root recomputed to match — everything the database holds agrees again.
 */
async function rewriteChainFrom(chain: number, fromChainSeq: bigint): Promise<void> {
  const rows = (await asOwner(`SELECT * FROM "AccessEvent" WHERE chain = $1 AND "chainSeq" >= $2 ORDER BY "chainSeq"`, [chain, fromChainSeq.toString()])).rows;
  let prev = rows[0]!.prevHash as string;
  const rewritten = new Map<string, string>();
  for (const [i, r] of rows.entries()) {
    const details = i === 0 ? { ...(r.details as object), rewritten: true } : r.details;
    const fields = {
      seq: BigInt(r.seq as string), chain, chainSeq: BigInt(r.chainSeq as string), occurredAt: r.occurredAt as Date,
      actorKind: r.actorKind as "STAFF", actorId: r.actorId as string | null, actorRole: r.actorRole as string | null, action: r.action as string,
      patientId: r.patientId as string | null, outcome: r.outcome as "ALLOWED", purpose: r.purpose as string | null, ip: r.ip as string | null,
      requestId: r.requestId as string | null, details, prevHash: prev,
    };
    const hash = hashAccessEvent(fields);
    await asOwner(`UPDATE "AccessEvent" SET details = $2, "prevHash" = $3, hash = $4 WHERE seq = $1`, [r.seq, JSON.stringify(details), prev, hash]);
    rewritten.set(String(r.chainSeq), hash);
    prev = hash;
  }
  for (const seal of (await asOwner(`SELECT id, heads, "batchId" FROM "AuditSeal"`)).rows) {
    const heads = (seal.heads as ChainHead[]).map((h) => (h.chain === chain && rewritten.has(h.chainSeq) ? { ...h, hash: rewritten.get(h.chainSeq)! } : h));
    const root = sealRoot(heads);
    await asOwner(`UPDATE "AuditSeal" SET heads = $2, root = $3 WHERE id = $1`, [seal.id, JSON.stringify(heads), root]);
    await asOwner(`UPDATE "AnchorBatch" SET root = $2 WHERE id = $1`, [seal.batchId, root]);
  }
}
