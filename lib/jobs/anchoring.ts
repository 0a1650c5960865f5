import { createHash } from "node:crypto";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { buildMerkleTree, type Hex32 } from "@/lib/integrity";
import { confirmationsOf, findAnchorEvent, readRoots, RootAlreadyAnchoredError, sendAnchorRoot } from "@/lib/ledger";
import { verifiableRecordSelect, verifyRecords, type CreationContradiction, type Ledger } from "@/lib/verification";
import type { AlertKind } from "@/lib/alerts/kinds";
import { raiseAlert } from "./alerts";
import { sealRoot, type ChainHead } from "@/lib/audit/seal-root";
import { isSealNumber, onChainRootsOf, SEAL_NUMBER_BASE } from "@/lib/audit/on-chain-seals";
import { sealedTail } from "@/lib/audit/sealed-heads";
import { manifestHash } from "@/lib/research/manifest";

/**
 * Exactly-once anchoring (docs/decisions/006-anchoring-service.md). A unit — a private batch or a public
 * checkpoint — is written as PREPARED (members, proofs, number, root) BEFORE its transaction is sent; the chain's
 * write-once contract is the second guard. Whatever step a worker dies at, the next run reads the chain for the
 * unit's number and resumes: send if absent, adopt if present with our root, fail loudly if another root is there.
 */

/** Where a fault-injection hook may kill the process (integration tests only; production passes none). */
export type AnchorStep = "before-send" | "after-send" | "after-receipt";
export type FaultHook = (step: AnchorStep) => void;

type UnitStore = {
  kind: "batch" | "checkpoint";
  load(id: string): Promise<{ number: bigint; root: string; status: string } | null>;
  markSent(id: string, txHash: string, blockNumber: bigint | null): Promise<void>;
  markConfirmed(id: string, txHash: string, blockNumber: bigint): Promise<void>;
  markFailed(id: string, chainRoot: string): Promise<void>;
};

export type AdvanceResult = "confirmed" | "waiting" | "failed" | "done";

const batchStore: UnitStore = {
  kind: "batch",
  load: (id) =>
    db()
      .anchorBatch.findUnique({ where: { id }, select: { batchNumber: true, root: true, status: true } })
      .then((b) => (b ? { number: b.batchNumber, root: b.root, status: b.status } : null)),
  async markSent(id, txHash, blockNumber) {
    await db().anchorBatch.update({ where: { id }, data: { status: "SENT", txHash, blockNumber } });
  },
  async markConfirmed(id, txHash, blockNumber) {
    await db().$transaction([
      db().anchorBatch.update({ where: { id }, data: { status: "CONFIRMED", txHash, blockNumber, anchoredAt: new Date() } }),
      db().medicalRecord.updateMany({ where: { batchId: id, status: "PENDING" }, data: { status: "ANCHORED" } }),
      // A batch of 10,000 moves 10,000 rows through the history triggers: more than Prisma's default 5 s on a busy
      // machine (the bench failed here at load 13-16), as long as the other transactions here are allowed.
    ], { timeout: 60_000, maxWait: 30_000 });
  },
  async markFailed(id) {
    // Release the members so they are anchored in a new batch; the proofs they carried are void. An export manifest
    // is released the same way, to be anchored again under a new number.
    await db().$transaction([
      db().medicalRecord.updateMany({ where: { batchId: id, status: "PENDING" }, data: { batchId: null, leafIndex: null, proof: Prisma.DbNull } }),
      db().researchExport.updateMany({ where: { batchId: id }, data: { batchId: null } }),
      db().anchorBatch.update({ where: { id }, data: { status: "FAILED" } }),
      // After the unit is FAILED: the tombstone guard releases a tombstone only from a failed unit.
      db().recordTombstone.updateMany({ where: { batchId: id }, data: { batchId: null } }),
    ]);
  },
};

const checkpointStore: UnitStore = {
  kind: "checkpoint",
  load: (id) =>
    db()
      .checkpoint.findUnique({ where: { id }, select: { checkpointNumber: true, root: true, status: true } })
      .then((c) => (c ? { number: c.checkpointNumber, root: c.root, status: c.status } : null)),
  async markSent(id, txHash, blockNumber) {
    await db().checkpoint.update({ where: { id }, data: { status: "SENT", txHash, blockNumber } });
  },
  async markConfirmed(id, txHash, blockNumber) {
    await db().checkpoint.update({ where: { id }, data: { status: "CONFIRMED", txHash, blockNumber, anchoredAt: new Date() } });
  },
  async markFailed(id) {
    await db().$transaction([
      db().anchorBatch.updateMany({ where: { checkpointId: id }, data: { checkpointId: null, checkpointLeafIndex: null, checkpointProof: Prisma.DbNull } }),
      db().checkpoint.update({ where: { id }, data: { status: "FAILED" } }),
    ]);
  },
};

/** Moves one unit towards CONFIRMED; safe to call again at any point, from any worker. */
async function advanceUnit(ledger: Ledger, store: UnitStore, id: string, fault?: FaultHook): Promise<AdvanceResult> {
  const unit = await store.load(id);
  if (!unit || unit.status === "CONFIRMED" || unit.status === "FAILED") return "done";
  const root = unit.root as Hex32;
  let onChain = (await readRoots(ledger.clients, [unit.number])).get(unit.number) ?? null;

  if (onChain === null) {
    fault?.("before-send");
    try {
      const txHash = await sendAnchorRoot(ledger.clients, { batchId: unit.number, root });
      fault?.("after-send");
      await store.markSent(id, txHash, null);
      const receipt = await ledger.clients.publicClient.waitForTransactionReceipt({ hash: txHash });
      fault?.("after-receipt");
      if (receipt.status === "success") onChain = root;
    } catch (error) {
      if (!(error instanceof RootAlreadyAnchoredError)) throw error;
    }
    onChain ??= (await readRoots(ledger.clients, [unit.number])).get(unit.number) ?? null;
    if (onChain === null) return "waiting";
  }

  if (onChain.toLowerCase() !== root.toLowerCase()) {
    await store.markFailed(id, onChain);
    await raiseAlert({
      kind: `anchoring.${store.kind}_conflict`,
      severity: "CRITICAL",
      details: { unitId: id, number: unit.number.toString(), chainId: ledger.chainId },
      dedupeKey: `${store.kind}:${id}`,
    });
    log.error({ unit: store.kind, id, number: unit.number.toString() }, "another root holds this number on chain; unit failed and released");
    return "failed";
  }

  const event = await findAnchorEvent(ledger.clients, unit.number);
  if (!event) return "waiting";
  if ((await confirmationsOf(ledger.clients, event.blockNumber)) < ledger.confirmations) {
    await store.markSent(id, event.txHash, event.blockNumber);
    return "waiting";
  }
  await store.markConfirmed(id, event.txHash, event.blockNumber);
  return "confirmed";
}

// One preparer at a time per database, so two workers never put a record in two batches or reuse a number.
const PREPARE_LOCK_KEY = 0x43_50_41_4e; // "CPAN"

/**
 * The numbers below the seal range that the private chain holds, from its RootAnchored events (cached per process,
 * lib/ledger/on-chain-roots.ts): read before a unit is prepared, outside the preparing transaction.
 */
async function recordRangeOnChain(ledger: Ledger): Promise<bigint[]> {
  return (await onChainRootsOf(ledger)).filter((r) => !isSealNumber(r.number)).map((r) => r.number);
}

/**
 * The next unit number on the private chain: above every number this database used AND every number the chain
 * holds (chain-first: after a restore from an older backup the table has forgotten numbers the chain remembers).
 * Every number this index ever used is in the table (a unit is written before it is sent), so a number the chain
 * holds above the table's last was written by someone else — a leaked writer key, or this hospital before a restore
 * — and is collected in `squatted` for an alert (the chain accounting says which: lib/jobs/chain-accounting.ts).
 * Call under PREPARE_LOCK_KEY.
 */
async function nextBatchNumber(tx: Prisma.TransactionClient, ledger: Ledger, squatted: bigint[], onChain: readonly bigint[]): Promise<bigint> {
  const last = await tx.anchorBatch.findFirst({
    where: { chainId: ledger.chainId, contractAddress: ledger.contractAddress, batchNumber: { lt: SEAL_NUMBER_BASE } },
    orderBy: { batchNumber: "desc" },
    select: { batchNumber: true },
  });
  const inTable = last?.batchNumber ?? 0n;
  let batchNumber = inTable + 1n;
  for (const n of onChain) {
    if (n <= inTable) continue;
    if (!squatted.includes(n)) squatted.push(n);
    if (n >= batchNumber) batchNumber = n + 1n;
  }
  // Roots anchored since the events were read.
  while ((await readRoots(ledger.clients, [batchNumber])).get(batchNumber)) {
    if (!squatted.includes(batchNumber)) squatted.push(batchNumber);
    batchNumber += 1n;
  }
  return batchNumber;
}

async function alertSquatted(ledger: Ledger, squatted: readonly bigint[]): Promise<void> {
  for (const number of squatted) {
    await raiseAlert({ kind: "anchoring.number_squatted", severity: "CRITICAL", details: { batchNumber: number.toString(), chainId: ledger.chainId }, dedupeKey: `${ledger.chainId}:${number}` });
  }
}

/**
 * The next seal number: above every seal number the chain or this database has used (seals have their own range,
 * lib/audit/on-chain-seals.ts), skipping any the chain already holds (collected in `squatted`). Call under
 * PREPARE_LOCK_KEY.
 */
async function nextSealNumber(tx: Prisma.TransactionClient, ledger: Ledger, newestOnChain: bigint | null, squatted: bigint[]): Promise<bigint> {
  const last = await tx.anchorBatch.findFirst({
    where: { chainId: ledger.chainId, contractAddress: ledger.contractAddress, batchNumber: { gte: SEAL_NUMBER_BASE } },
    orderBy: { batchNumber: "desc" },
    select: { batchNumber: true },
  });
  let number = [SEAL_NUMBER_BASE, last?.batchNumber ?? 0n, newestOnChain ?? 0n].reduce((a, b) => (a > b ? a : b)) + 1n;
  while ((await readRoots(ledger.clients, [number])).get(number)) {
    squatted.push(number);
    number += 1n;
  }
  return number;
}

/**
 * Seals the access log: the head of every chain, hashed into a root (lib/audit/seal-root.ts) and written as an
 * AUDIT_SEAL unit numbered in the seal range, which the anchoring service sends like a batch (and a checkpoint then
 * covers). Only when events were appended since the last seal and that seal is at least `everySeconds` old; and only
 * heads that extend the newest seal on chain by valid links (lib/audit/sealed-heads.ts) — a log that fell behind or
 * was rewritten is never sealed, it raises a critical alert instead.
 */
export async function prepareSeal(ledger: Ledger, opts: { everySeconds: number; now?: Date }): Promise<string | null> {
  const now = opts.now ?? new Date();
  const last = await db().auditSeal.findFirst({ orderBy: { sealedAt: "desc" }, select: { sealedAt: true } });
  if (last && last.sealedAt.getTime() > now.getTime() - opts.everySeconds * 1000) return null;
  const tail = await sealedTail(ledger);
  if (!tail.ok) {
    await raiseAlert({ kind: "integrity.access_log_behind_seal", severity: "CRITICAL", details: { ...tail.problem }, dedupeKey: `seal:${tail.newest?.number ?? "none"}` });
    log.error({ problem: tail.problem }, "the access log no longer extends its newest seal on chain; not sealing it");
    return null;
  }
  const heads = tail.heads;
  if (heads.length === 0) return null;
  const squatted: bigint[] = [];
  const id = await db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PREPARE_LOCK_KEY})`;
      const previous = await tx.auditSeal.findFirst({ orderBy: { sealedAt: "desc" }, select: { sealedAt: true, heads: true } });
      if (previous && previous.sealedAt.getTime() > now.getTime() - opts.everySeconds * 1000) return null;
      const same = (a: ChainHead[], b: ChainHead[]) => a.length === b.length && a.every((h, i) => h.chain === b[i]!.chain && h.chainSeq === b[i]!.chainSeq);
      if (previous && same([...(previous.heads as ChainHead[])].sort((a, b) => a.chain - b.chain), heads)) return null;
      const root = sealRoot(heads);
      const batchNumber = await nextSealNumber(tx, ledger, tail.newest?.number ?? null, squatted);
      const batch = await tx.anchorBatch.create({
        data: { chainId: ledger.chainId, contractAddress: ledger.contractAddress, batchNumber, root, kind: "AUDIT_SEAL", recordCount: 0 },
        select: { id: true },
      });
      const eventCount = heads.reduce((n, h) => n + BigInt(h.chainSeq), 0n);
      await tx.auditSeal.create({ data: { sealedAt: now, heads, root, eventCount, batchId: batch.id } });
      return batch.id;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  await alertSquatted(ledger, squatted);
  return id;
}

const MAX_MANIFESTS_PER_TICK = 8;

/**
 * Research export manifests waiting for the chain: each becomes its own EXPORT_MANIFEST unit whose root is the
 * manifest's hash (one leaf, no tree: a sponsor checks one hash against one number). The hash is recomputed here from
 * the stored manifest, so a row whose manifest and hash disagree is never anchored (and raises an alert).
 */
export async function prepareExportManifests(ledger: Ledger): Promise<string[]> {
  const refused: string[] = [];
  const squatted: bigint[] = [];
  const onChain = await recordRangeOnChain(ledger);
  const ids = await db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PREPARE_LOCK_KEY})`;
      const waiting = await tx.researchExport.findMany({
        where: { batchId: null },
        select: { id: true, manifest: true, manifestHash: true },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        // Refused rows stay waiting (and alerting, deduplicated): read past them rather than be blocked by them.
        take: MAX_MANIFESTS_PER_TICK * 4,
      });
      const units: string[] = [];
      for (const row of waiting) {
        if (units.length >= MAX_MANIFESTS_PER_TICK) break;
        if (manifestHash(row.manifest).hash !== row.manifestHash) {
          refused.push(row.id);
          continue;
        }
        const batchNumber = await nextBatchNumber(tx, ledger, squatted, onChain);
        const batch = await tx.anchorBatch.create({
          data: { chainId: ledger.chainId, contractAddress: ledger.contractAddress, batchNumber, root: row.manifestHash, kind: "EXPORT_MANIFEST", recordCount: 0 },
          select: { id: true },
        });
        await tx.researchExport.update({ where: { id: row.id }, data: { batchId: batch.id } });
        units.push(batch.id);
      }
      return units;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  await alertSquatted(ledger, squatted);
  for (const exportId of refused) {
    await raiseAlert({ kind: "integrity.manifest_mismatch", severity: "CRITICAL", details: { exportId }, dedupeKey: exportId });
  }
  return ids;
}

const MAX_TOMBSTONES_PER_TICK = 8;

/**
 * Tombstones of lawfully erased records waiting for the chain (docs/decisions/016-database-refuses-to-rewrite-history.md,
 * "Erasure"): each becomes its own TOMBSTONE unit whose root is the hash of its statement, as an export manifest does.
 * The hash is recomputed here from the stored statement bytes; a tombstone whose bytes and hash disagree is never
 * anchored and raises a critical alert (the erasure itself raised its `record.erased` alert in the database).
 */
export async function prepareTombstones(ledger: Ledger): Promise<string[]> {
  const refused: string[] = [];
  const squatted: bigint[] = [];
  const onChain = await recordRangeOnChain(ledger);
  const ids = await db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PREPARE_LOCK_KEY})`;
      const waiting = await tx.recordTombstone.findMany({
        where: { batchId: null },
        select: { recordId: true, statement: true, statementHash: true },
        orderBy: [{ erasedAt: "asc" }, { recordId: "asc" }],
        take: MAX_TOMBSTONES_PER_TICK * 4,
      });
      const units: string[] = [];
      for (const row of waiting) {
        if (units.length >= MAX_TOMBSTONES_PER_TICK) break;
        if (`0x${createHash("sha256").update(row.statement).digest("hex")}` !== row.statementHash) {
          refused.push(row.recordId);
          continue;
        }
        const batchNumber = await nextBatchNumber(tx, ledger, squatted, onChain);
        const batch = await tx.anchorBatch.create({
          data: { chainId: ledger.chainId, contractAddress: ledger.contractAddress, batchNumber, root: row.statementHash, kind: "TOMBSTONE", recordCount: 0 },
          select: { id: true },
        });
        await tx.recordTombstone.update({ where: { recordId: row.recordId }, data: { batchId: batch.id } });
        units.push(batch.id);
      }
      return units;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  await alertSquatted(ledger, squatted);
  for (const recordId of refused) {
    await raiseAlert({ kind: "integrity.tombstone_mismatch", severity: "CRITICAL", details: { recordId }, dedupeKey: recordId });
  }
  return ids;
}

/**
 * Only the research export manifests: resume their open units and anchor the waiting ones. For a process that must
 * not touch record batches (the end-to-end server, which leaves records pending on purpose); the worker's tick does
 * the same as part of everything else.
 */
export async function anchorExportManifests(ledger: Ledger): Promise<number> {
  let confirmed = 0;
  const open = await db().anchorBatch.findMany({ where: { kind: "EXPORT_MANIFEST", status: { in: ["PREPARED", "SENT"] } }, select: { id: true }, orderBy: { batchNumber: "asc" } });
  for (const { id } of open) if ((await advanceUnit(ledger, batchStore, id)) === "confirmed") confirmed += 1;
  for (const id of await prepareExportManifests(ledger)) if ((await advanceUnit(ledger, batchStore, id)) === "confirmed") confirmed += 1;
  return confirmed;
}

/** The critical alert each refusal raises (deduplicated per record). */
const REFUSAL_ALERTS: Record<CreationContradiction | "content_mismatch", AlertKind> = {
  content_mismatch: "integrity.commitment_mismatch",
  creation_event_mismatch: "integrity.commitment_mismatch",
  second_creation_event: "integrity.second_creation_event",
  already_anchored: "integrity.reanchor_refused",
};

/** How many times one batch's preparation reads further down the queue past refused and unavailable rows. */
const MAX_QUEUE_READS = 16;

type Refusal = { recordId: string; reasons: (CreationContradiction | "content_mismatch")[] };

/**
 * Closes a batch when ANCHOR_BATCH_SIZE records are waiting or the oldest has waited ANCHOR_WINDOW_SECONDS.
 * Left out, each with a critical alert: records whose content no longer matches their commitment, whose commitment
 * is not the one their id's earliest creation event fixed, whose id has more than one creation event, or whose id
 * already has an anchored leaf (a row reset to PENDING: anchoring it again would let a rewrite verify).
 * A refused record leaves the queue for good (an `AnchoringRefusal` row, written in the same transaction), so any
 * number of them never holds up the sound records behind them; it stays PENDING and every check shows it `tampered`.
 */
export async function prepareBatch(ledger: Ledger, opts: { maxRecords: number; windowSeconds: number; now?: Date }): Promise<string | null> {
  const now = opts.now ?? new Date();
  const refused: Refusal[] = [];
  const squatted: bigint[] = [];
  const onChain = await recordRangeOnChain(ledger);
  const id = await db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PREPARE_LOCK_KEY})`;
      type Pending = Prisma.MedicalRecordGetPayload<{ select: typeof verifiableRecordSelect }>;
      const sound: Pending[] = [];
      // Rows neither sound nor refused (a v1 row the backfill has not reached: `unavailable`) stay waiting; this
      // call reads past them.
      const waiting: string[] = [];
      for (let read = 0; read < MAX_QUEUE_READS && sound.length < opts.maxRecords; read++) {
        const want = opts.maxRecords - sound.length;
        const pending = await tx.medicalRecord.findMany({
          where: { status: "PENDING", batchId: null, anchoringRefusal: null, id: { notIn: [...sound.map((r) => r.id), ...waiting] } },
          select: verifiableRecordSelect,
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take: want,
        });
        if (pending.length === 0) break;
        // The one verification function: the stored bytes must give the commitment, the commitment must be the one
        // its id's earliest creation event sealed, the id created once and never anchored before.
        const verdicts = await verifyRecords(pending);
        const refusedNow: Refusal[] = [];
        pending.forEach((r, i) => {
          const verdict = verdicts[i]!;
          if (verdict.verification === "pending") sound.push(r);
          else if (verdict.verification === "tampered") {
            const reasons: Refusal["reasons"] = [...verdict.creationReasons];
            if (verdict.levels.commitment !== "ok" || reasons.length === 0) reasons.push("content_mismatch");
            refusedNow.push({ recordId: r.id, reasons });
          } else waiting.push(r.id);
        });
        if (refusedNow.length > 0) {
          await tx.anchoringRefusal.createMany({ data: refusedNow.map(({ recordId, reasons }) => ({ recordId, reasons })), skipDuplicates: true });
          refused.push(...refusedNow);
        }
        if (pending.length < want) break;
      }
      if (sound.length === 0) return null;
      const full = sound.length >= opts.maxRecords;
      if (!full && sound[0]!.createdAt.getTime() > now.getTime() - opts.windowSeconds * 1000) return null;

      const tree = buildMerkleTree(sound.map((r) => r.commitment as Hex32));
      const batchNumber = await nextBatchNumber(tx, ledger, squatted, onChain);
      const batch = await tx.anchorBatch.create({
        data: {
          chainId: ledger.chainId,
          contractAddress: ledger.contractAddress,
          batchNumber,
          root: tree.root,
          recordCount: sound.length,
        },
        select: { id: true },
      });
      await tx.$executeRaw`
        UPDATE "MedicalRecord" AS r
        SET "batchId" = ${batch.id}::uuid, "leafIndex" = u.idx, "proof" = u.proof
        FROM unnest(${sound.map((r) => r.id)}::uuid[], ${sound.map((_, i) => i)}::int[], ${tree.proofs.map((p) => JSON.stringify(p))}::jsonb[]) AS u(id, idx, proof)
        WHERE r."id" = u.id AND r."status" = 'PENDING' AND r."batchId" IS NULL`;
      return batch.id;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  await alertSquatted(ledger, squatted);
  for (const { recordId, reasons } of refused) {
    for (const kind of new Set(reasons.map((reason) => REFUSAL_ALERTS[reason]))) {
      await raiseAlert({ kind, severity: "CRITICAL", details: { recordId, reasons }, dedupeKey: recordId });
    }
    log.error({ recordId, reasons }, "record refused for anchoring; it leaves the queue");
  }
  return id;
}

/** Closes a checkpoint over confirmed batch roots, every N batches or T minutes. */
export async function prepareCheckpoint(publicLedger: Ledger, opts: { everyBatches: number; everyMinutes: number; now?: Date }): Promise<string | null> {
  const now = opts.now ?? new Date();
  return db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PREPARE_LOCK_KEY + 1})`;
      const batches = await tx.anchorBatch.findMany({
        where: { status: "CONFIRMED", checkpointId: null },
        select: { id: true, root: true, anchoredAt: true },
        orderBy: [{ batchNumber: "asc" }],
        take: 10_000,
      });
      if (batches.length === 0) return null;
      const oldest = batches[0]!.anchoredAt ?? now;
      if (batches.length < opts.everyBatches && oldest.getTime() > now.getTime() - opts.everyMinutes * 60_000) return null;

      const tree = buildMerkleTree(batches.map((b) => b.root as Hex32));
      const last = await tx.checkpoint.findFirst({
        where: { chainId: publicLedger.chainId, contractAddress: publicLedger.contractAddress },
        orderBy: { checkpointNumber: "desc" },
        select: { checkpointNumber: true },
      });
      const checkpoint = await tx.checkpoint.create({
        data: {
          chainId: publicLedger.chainId,
          contractAddress: publicLedger.contractAddress,
          checkpointNumber: (last?.checkpointNumber ?? 0n) + 1n,
          root: tree.root,
          batchCount: batches.length,
        },
        select: { id: true },
      });
      await tx.$executeRaw`
        UPDATE "AnchorBatch" AS b
        SET "checkpointId" = ${checkpoint.id}::uuid, "checkpointLeafIndex" = u.idx, "checkpointProof" = u.proof
        FROM unnest(${batches.map((b) => b.id)}::uuid[], ${batches.map((_, i) => i)}::int[], ${tree.proofs.map((p) => JSON.stringify(p))}::jsonb[]) AS u(id, idx, proof)
        WHERE b."id" = u.id AND b."checkpointId" IS NULL`;
      return checkpoint.id;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

export type AnchoringConfig = {
  /** Seal the access log at most this often (seconds) while it grows; omitted: no sealing in this tick. */
  sealEverySeconds?: number;
  batchSize: number;
  windowSeconds: number;
  checkpointEveryBatches: number;
  checkpointEveryMinutes: number;
};

const MAX_NEW_BATCHES_PER_TICK = 8;

export type TickReport = { batchesConfirmed: number; checkpointsConfirmed: number; waiting: number };

/**
 * One pass of the anchoring service: resume unfinished units, close and anchor new batches, then checkpoints.
 * Throws on chain errors (the job queue retries with backoff); everything done so far stays done.
 */
export async function anchoringTick(
  ledgersToUse: { private: Ledger; public: Ledger | null },
  config: AnchoringConfig,
  fault?: FaultHook,
): Promise<TickReport> {
  const report: TickReport = { batchesConfirmed: 0, checkpointsConfirmed: 0, waiting: 0 };
  const count = (result: AdvanceResult, kind: "batch" | "checkpoint") => {
    if (result === "confirmed") report[kind === "batch" ? "batchesConfirmed" : "checkpointsConfirmed"] += 1;
    if (result === "waiting") report.waiting += 1;
  };

  const unfinished = await db().anchorBatch.findMany({ where: { status: { in: ["PREPARED", "SENT"] } }, select: { id: true }, orderBy: { batchNumber: "asc" } });
  for (const { id } of unfinished) count(await advanceUnit(ledgersToUse.private, batchStore, id, fault), "batch");
  // Bounded work per tick keeps a tick short (the job queue expires a stuck one); the next tick continues.
  for (let n = 0; n < MAX_NEW_BATCHES_PER_TICK; n++) {
    const id = await prepareBatch(ledgersToUse.private, { maxRecords: config.batchSize, windowSeconds: config.windowSeconds });
    if (!id) break;
    count(await advanceUnit(ledgersToUse.private, batchStore, id, fault), "batch");
  }

  for (const id of await prepareExportManifests(ledgersToUse.private)) count(await advanceUnit(ledgersToUse.private, batchStore, id, fault), "batch");
  for (const id of await prepareTombstones(ledgersToUse.private)) count(await advanceUnit(ledgersToUse.private, batchStore, id, fault), "batch");

  if (config.sealEverySeconds !== undefined) {
    const id = await prepareSeal(ledgersToUse.private, { everySeconds: config.sealEverySeconds });
    if (id) count(await advanceUnit(ledgersToUse.private, batchStore, id, fault), "batch");
  }

  const publicLedger = ledgersToUse.public;
  if (publicLedger?.clients.walletClient) {
    const open = await db().checkpoint.findMany({ where: { status: { in: ["PREPARED", "SENT"] } }, select: { id: true }, orderBy: { checkpointNumber: "asc" } });
    for (const { id } of open) count(await advanceUnit(publicLedger, checkpointStore, id, fault), "checkpoint");
    const id = await prepareCheckpoint(publicLedger, { everyBatches: config.checkpointEveryBatches, everyMinutes: config.checkpointEveryMinutes });
    if (id) count(await advanceUnit(publicLedger, checkpointStore, id, fault), "checkpoint");
  }
  return report;
}

/**
 * Anchors every sound pending record now (no window) and waits until every unit is confirmed: the worker's own
 * path, for the seed and the tests.
 */
export async function anchorEverything(ledgersToUse: { private: Ledger; public: Ledger | null }, config: AnchoringConfig, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await anchoringTick(ledgersToUse, { ...config, windowSeconds: 0 });
    const waitingRecords = await db().medicalRecord.count({ where: { status: "PENDING", batchId: null, anchoringRefusal: null } });
    const openUnits =
      (await db().anchorBatch.count({ where: { status: { in: ["PREPARED", "SENT"] } } })) +
      (await db().checkpoint.count({ where: { status: { in: ["PREPARED", "SENT"] } } }));
    const progressed = report.batchesConfirmed + report.checkpointsConfirmed > 0;
    if (openUnits === 0 && report.waiting === 0 && !(progressed && waitingRecords > 0)) return;
    if (Date.now() > deadline) throw new Error(`anchoring did not finish: ${openUnits} units still open`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
