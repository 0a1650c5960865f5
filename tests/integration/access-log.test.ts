import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { checkAccessLog } from "@/lib/audit/check-log";
import { sealRoot, type ChainHead } from "@/lib/audit/seal-root";
import { anchorEverything, prepareSeal } from "@/lib/jobs/anchoring";
import { readRoots } from "@/lib/ledger";
import { ledgers } from "@/lib/verification";
import { asOwner, callerFor, ensureDemo } from "./helpers";

const restore: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (restore.length) await restore.pop()!();
});

const CONFIG = { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };

/** Appends `n` events at once (as concurrent page views would) and returns their seqs. */
async function burst(n: number, action = "test.viewed"): Promise<bigint[]> {
  const doctor = await callerFor("doctor@demo.chartproof.local");
  return Promise.all(Array.from({ length: n }, (_, i) => appendAccessEvent({ actor: doctor.actor, action, outcome: "ALLOWED", purpose: "TREATMENT", details: { i } }, doctor.context)));
}

async function sealAndAnchor(): Promise<void> {
  await prepareSeal(ledgers().private, { everyMinutes: 0 });
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
    const check = await checkAccessLog({ unsealedGraceMinutes: 10 });
    expect(check.firstBreak).toBeNull();
    expect(check.checkedEvents).toBeGreaterThanOrEqual(200);
  });

  it("a seal's root is anchored on the private chain as an AUDIT_SEAL unit", async () => {
    await burst(5);
    await sealAndAnchor();
    const seal = await db().auditSeal.findFirstOrThrow({ orderBy: { sealedAt: "desc" }, include: { batch: true } });
    expect(seal.batch).toMatchObject({ kind: "AUDIT_SEAL", status: "CONFIRMED" });
    expect(sealRoot(seal.heads as ChainHead[])).toBe(seal.root);
    const onChain = (await readRoots(ledgers().private.clients, [seal.batch!.batchNumber])).get(seal.batch!.batchNumber);
    expect(onChain).toBe(seal.root);
    // Sealing twice without new events seals nothing.
    expect(await prepareSeal(ledgers().private, { everyMinutes: 0 })).toBeNull();
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
    const check = await checkAccessLog({ unsealedGraceMinutes: 10 });
    expect(check.firstBreak).toMatchObject({ kind: "edited", chain, chainSeq: target.chainSeq.toString(), seq: target.seq.toString() });
  });

  it("a deleted event", async () => {
    const { chain, events } = await chainWithThree(await burst(60));
    await sealAndAnchor();
    const target = events[1]!;
    const row = await snapshot(target.seq);
    await asOwner(`DELETE FROM "AccessEvent" WHERE seq = $1`, [target.seq.toString()]);
    restore.push(() => reinsert(row));
    const check = await checkAccessLog({ unsealedGraceMinutes: 10 });
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
    const check = await checkAccessLog({ unsealedGraceMinutes: 10 });
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
    const check = await checkAccessLog({ unsealedGraceMinutes: 10 });
    expect(check.breaks).toContainEqual(expect.objectContaining({ kind: "deleted", chain, chainSeq: head.chainSeq.toString() }));
  });

  it("an unsealed tail older than the sealing interval", async () => {
    await sealAndAnchor();
    const [seq] = await burst(1);
    expect((await checkAccessLog({ unsealedGraceMinutes: 10 })).firstBreak).toBeNull();
    const later = new Date(Date.now() + 60 * 60_000);
    const check = await checkAccessLog({ unsealedGraceMinutes: 10, now: later });
    expect(check.firstBreak).toMatchObject({ kind: "unsealed_tail", seq: seq!.toString() });
    await sealAndAnchor();
    expect((await checkAccessLog({ unsealedGraceMinutes: 10, now: later })).firstBreak).toBeNull();
  });
});
