import { pgPool } from "@/lib/db";
import { env } from "@/lib/env";
import { anchorKey, canonicalBytes, contradictedBeyondCreation, judgeLevels, verdictOf, type ChainRoot, type CheckpointLevel, type Hex32, type JudgedRecord, type LevelResult, type RecipeVersion, type Verification, type VerificationLevels } from "@/lib/integrity";
import { processCaches, type VerificationCaches } from "./caches";
import { chainRootsFor, type AnchorRef } from "./chain-roots";
import { ledgers, type Ledger } from "./ledgers";
import { databaseAnswers, pgArray, type CreationContradiction } from "./creation-events";
import { looksErased, verifyWithErasures } from "./erased";
import { noteVerification } from "./timing";

/** What verification needs of a record row: select it with `verifiableRecordSelect` (never the JSONB copy). */
export const verifiableRecordSelect = {
  id: true,
  patientId: true,
  resourceType: true,
  recordedAt: true,
  canonical: true,
  resourceCopyIntact: true,
  recipeVersion: true,
  source: true,
  supersedesId: true,
  identityVersion: true,
  commitment: true,
  salt: true,
  proof: true,
  status: true,
  createdAt: true,
  creationEventSeq: true,
  batch: {
    select: {
      chainId: true,
      contractAddress: true,
      batchNumber: true,
      root: true,
      txHash: true,
      blockNumber: true,
      anchoredAt: true,
      checkpointProof: true,
      checkpoint: { select: { chainId: true, contractAddress: true, checkpointNumber: true, root: true, status: true, txHash: true, blockNumber: true, anchoredAt: true } },
    },
  },
} as const;

export type VerifiableRow = {
  id: string;
  patientId: string;
  resourceType: string;
  recordedAt: Date;
  /** The stored RFC 8785 bytes of the resource (null only for a v1 row before the backfill). */
  canonical: Uint8Array | null;
  /** Computed by PostgreSQL on every write: the JSONB query copy equals the bytes (null while there are none). */
  resourceCopyIntact: boolean | null;
  recipeVersion: number;
  source: string;
  supersedesId: string | null;
  identityVersion: number | null;
  commitment: string;
  salt: string;
  proof: unknown;
  status: "PENDING" | "ANCHORED";
  createdAt: Date;
  creationEventSeq: bigint | null;
  /** The JSONB query copy: only with `exactCopy`. */
  resource?: unknown;
  batch: {
    chainId: number;
    contractAddress: string;
    batchNumber: bigint;
    root: string;
    checkpointProof: unknown;
    checkpoint: { chainId: number; contractAddress: string; checkpointNumber: bigint; root: string; status: string } | null;
  } | null;
};

export type RecordVerdict = {
  verification: Verification;
  /** "public" once the batch root is proven inside a checkpoint the public chain holds. */
  checkpoint: CheckpointLevel;
  /** PENDING longer than PENDING_WARN_MINUTES: anchoring is overdue. */
  overdue: boolean;
  /** Each level's result (content, creation event, proof, batch root on chain, checkpoint path and root). */
  levels: VerificationLevels;
  /** Why the creation level failed (empty when it holds or was not asked): what the worker's alert names. */
  creationReasons: readonly CreationContradiction[];
};

export type VerifyOptions = {
  /** The caches to read and fill; default the process's (warm). Pass newVerificationCaches() for a cold check. */
  caches?: VerificationCaches;
  now?: Date;
  /**
   * The sweep and the backfill: also re-canonicalize each row's JSONB query copy (`resource`, which the rows must
   * then carry) and require it byte for byte equal to the stored bytes. PostgreSQL's `resourceCopyIntact`, read on
   * every call, compares JSON values; this is exact, and costs the RFC 8785 serialization pages no longer pay.
   */
  exactCopy?: boolean;
  /**
   * Whether a `tampered` verdict recorded between views (an open alert of RECORDED_TAMPERED_KINDS) floors the
   * verdict (default true: every page and export). Only the worker's own checks, which record and clear those
   * verdicts, judge the rows alone (false).
   */
  recorded?: boolean;
};

/** The alerts that record a `tampered` verdict for one record (details.recordId). */
export const RECORDED_TAMPERED_KINDS = ["integrity.record_tampered", "integrity.commitment_mismatch", "integrity.backfill_mismatch"] as const;

/**
 * A checkpoint still being anchored (PREPARED/SENT) has no root on the public chain yet: that is "not checkpointed",
 * not a contradiction. Flipping the status in the database can only lower the level to "none", never raise it.
 */
function confirmedCheckpoint(batch: NonNullable<VerifiableRow["batch"]>) {
  return batch.checkpoint?.status === "CONFIRMED" ? batch.checkpoint : null;
}

/**
 * THE verification entry point: rows in, each verdict with its per-level breakdown out. Every page, export, job and
 * CLI that shows or acts on a verdict calls this (docs/decisions/017-stored-canonical-bytes.md); the rules
 * themselves are judgeRecord's (lib/integrity/judge.ts).
 *
 * - The stored canonical bytes are hashed on every call and must give the stored commitment; the JSONB copy must
 *   equal them (PostgreSQL recomputes `resourceCopyIntact` on every write of either).
 * - The roots are READ FROM THE CHAINS, one call per chain for all distinct batches and checkpoints not yet cached.
 * - Every row is checked against the EARLIEST creation event of its id (creation-events.ts): the witness for a
 *   PENDING row, a second creation or a re-anchored id is tampered, and for a recipe v1 row the source and
 *   supersession link, which v1 does not bind. One statement for all rows, asked beside the chain reads.
 * - `caches` (default: the process's) hold only final roots and proven (leaf, anchor) pairs.
 * - A `tampered` verdict recorded between views (an open integrity alert) stands until the worker clears it after
 *   an officer's review: one query, beside the chain reads.
 */
export async function verifyRecords(rows: readonly VerifiableRow[], opts: VerifyOptions = {}): Promise<RecordVerdict[]> {
  // Its share of a request is measured here, in the one function (Server-Timing; timing.ts).
  const started = performance.now();
  try {
    return await judgeRows(rows, opts);
  } finally {
    noteVerification(performance.now() - started, rows.length);
  }
}

/** The creation reasons of a row with none (shared: a verdict's reasons are read-only). */
const NO_REASONS: readonly CreationContradiction[] = Object.freeze([]);

/** One anchor (a batch, or a checkpoint) as a call sees it: its cache key, and the root its chain answered. */
type Anchor = { ref: AnchorRef; key: string; root: Hex32 | null | undefined };

/**
 * The distinct anchors of one call's rows. A page's rows share a few batches: each anchor's key (anchorKey) and root
 * are worked out once per call, found by number and checked by chain and contract, not rebuilt per row (ADR 024).
 */
class Anchors {
  private readonly byNumber = new Map<bigint, Anchor>();
  private readonly others = new Map<string, Anchor>();
  readonly all: Anchor[] = [];

  private last: Anchor | undefined;

  of(chainId: number, contractAddress: string, number: bigint): Anchor {
    // Rows come grouped by batch more often than not: the previous row's anchor first.
    const last = this.last;
    if (last !== undefined && last.ref.number === number && last.ref.chainId === chainId && last.ref.contractAddress === contractAddress) return last;
    return (this.last = this.find(chainId, contractAddress, number));
  }

  private find(chainId: number, contractAddress: string, number: bigint): Anchor {
    const seen = this.byNumber.get(number);
    if (seen !== undefined && seen.ref.chainId === chainId && seen.ref.contractAddress === contractAddress) return seen;
    const key = anchorKey(chainId, contractAddress, number);
    let anchor = seen === undefined ? undefined : this.others.get(key);
    if (anchor === undefined) {
      anchor = { ref: { chainId, contractAddress, number }, key, root: undefined };
      this.all.push(anchor);
      if (seen === undefined) this.byNumber.set(number, anchor);
      else this.others.set(key, anchor);
    }
    return anchor;
  }

  async readRoots(ledger: Ledger | null, finalRoots: Map<string, Hex32>): Promise<void> {
    const rootOf = await chainRootsFor(ledger, this.all.map((a) => a.ref), finalRoots);
    for (const anchor of this.all) anchor.root = rootOf(anchor.ref);
  }
}

async function judgeRows(rows: readonly VerifiableRow[], opts: VerifyOptions = {}): Promise<RecordVerdict[]> {
  // Lawfully erased records (no content, no salt) are judged against their anchored tombstone (erased.ts, ADR 016).
  if (rows.some(looksErased)) return verifyWithErasures(rows, opts, judgeRows);
  const caches = opts.caches ?? processCaches();
  const { private: privateLedger, public: publicLedger } = ledgers();
  // The database's answers (the creation check, recorded verdicts) are asked for every row at once and computed by
  // PostgreSQL while this process hashes the stored bytes and walks the proofs below; the chains' roots (all cached
  // when warm) are needed first.
  const asked = databaseAnswers(rows, opts.recorded === false ? null : RECORDED_TAMPERED_KINDS);
  asked.catch(() => {}); // awaited below; a rejection before then is not "unhandled"
  const batches = new Anchors();
  const checkpoints = new Anchors();
  const rowBatch: (Anchor | null)[] = new Array(rows.length);
  const rowCheckpoint: (Anchor | null)[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const batch = rows[i]!.batch;
    rowBatch[i] = batch ? batches.of(batch.chainId, batch.contractAddress, batch.batchNumber) : null;
    const checkpoint = batch ? confirmedCheckpoint(batch) : null;
    rowCheckpoint[i] = checkpoint ? checkpoints.of(checkpoint.chainId, checkpoint.contractAddress, checkpoint.checkpointNumber) : null;
  }
  await Promise.all([batches.readRoots(privateLedger, caches.roots), checkpoints.readRoots(publicLedger, caches.roots)]);
  // Let the pool write the two statements before the synchronous work holds the event loop.
  await new Promise((resolve) => setImmediate(resolve));

  // One record and one set of answers, refilled for each row: judgeLevels keeps neither (what its caches keep are
  // strings), and a page of rows then allocates no per-row objects for them.
  const fields = { recipe: 2 as RecipeVersion, recordId: "", patientId: "", resourceType: "", recordedAt: new Date(0), source: "", supersedesId: null as string | null, identityVersion: null as number | null };
  const checkpointRecord = { anchor: "", root: "", proof: null as unknown };
  const batchRecord = { anchor: "", root: "", checkpoint: null as typeof checkpointRecord | null };
  const record: JudgedRecord = { fields, canonical: null, salt: "", commitment: "", status: "PENDING", proof: null, batch: null };
  const answers = { batchRoot: undefined as ChainRoot, checkpointRoot: "not_checked" as ChainRoot, creation: "skipped" as LevelResult, copyIntact: true };
  const levels: VerificationLevels[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    // An unknown recipe number is read as v2, whose commitment it then cannot match: tampered.
    fields.recipe = row.recipeVersion === 1 ? 1 : 2;
    fields.recordId = row.id;
    fields.patientId = row.patientId;
    fields.resourceType = row.resourceType;
    fields.recordedAt = row.recordedAt;
    fields.source = row.source;
    fields.supersedesId = row.supersedesId;
    fields.identityVersion = row.recipeVersion === 1 || row.recipeVersion === 2 ? row.identityVersion : Number.NaN;
    record.canonical = row.canonical;
    record.salt = row.salt;
    record.commitment = row.commitment;
    record.status = row.status;
    record.proof = row.proof;
    const batch = row.batch;
    const inBatch = rowBatch[i]!;
    const inCheckpoint = rowCheckpoint[i]!;
    if (batch && inBatch) {
      batchRecord.anchor = inBatch.key;
      batchRecord.root = batch.root;
      if (inCheckpoint) {
        checkpointRecord.anchor = inCheckpoint.key;
        checkpointRecord.root = batch.checkpoint!.root;
        checkpointRecord.proof = batch.checkpointProof;
        batchRecord.checkpoint = checkpointRecord;
      } else batchRecord.checkpoint = null;
      record.batch = batchRecord;
    } else record.batch = null;
    answers.batchRoot = inBatch ? inBatch.root : undefined;
    answers.checkpointRoot = inCheckpoint ? inCheckpoint.root : "not_checked";
    // set below, once the database has answered
    answers.creation = "skipped";
    // null: no bytes yet (judgeRecord decides on the bytes alone); false: the copy or the bytes were changed.
    answers.copyIntact = row.resourceCopyIntact !== false && (!opts.exactCopy || row.canonical === null || copyIsExact(row));
    levels[i] = judgeLevels(record, answers, caches);
  }
  const { recordedTampered: flagged, contradictions } = await asked;

  // Every row must also agree with the EARLIEST creation event of its id, be the only creation of its id, and
  // (pending) not have been anchored before: the witness for a pending row, the guard against an anchored id
  // re-created under a new commitment, and the binding of a v1 row's source and supersession
  // (docs/decisions/016-database-refuses-to-rewrite-history.md). Where the row is already condemned otherwise, the
  // creation level reads as not reached (skipped).
  const overdueBefore = (opts.now ?? new Date()).getTime() - env().PENDING_WARN_MINUTES * 60_000;
  const verdicts: RecordVerdict[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const rowLevels = levels[i]!;
    const recorded = flagged.size > 0 && flagged.has(row.id);
    const why = contradictions.size > 0 ? contradictions.get(row.id) : undefined;
    const condemnedElsewhere = recorded || contradictedBeyondCreation(rowLevels);
    rowLevels.creation = condemnedElsewhere ? "skipped" : why ? "mismatch" : "ok";
    const { verification, checkpoint } = verdictOf(row.status, rowLevels, recorded);
    verdicts[i] = {
      verification,
      checkpoint,
      levels: rowLevels,
      overdue: verification === "pending" && row.createdAt.getTime() < overdueBefore,
      creationReasons: condemnedElsewhere || why === undefined ? NO_REASONS : why,
    };
  }
  return verdicts;
}

/** Ids among `ids` with an open alert recording them tampered. One indexed query (open alerts are few). */
export async function recordedTampered(ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await pgPool().query<{ recordId: string }>({
    name: "chartproof_recorded_tampered",
    text: `SELECT DISTINCT a."details"->>'recordId' AS "recordId" FROM "Alert" AS a
     WHERE a."resolvedAt" IS NULL AND a."kind" = ANY($1::text[]) AND a."details"->>'recordId' = ANY($2::text[])`,
    values: [[...RECORDED_TAMPERED_KINDS], pgArray(ids)],
  });
  return new Set(rows.map((r) => r.recordId));
}

function copyIsExact(row: VerifiableRow): boolean {
  if (row.resource === undefined || row.canonical === null) return false;
  try {
    return Buffer.compare(canonicalBytes(row.resource), row.canonical) === 0;
  } catch {
    return false;
  }
}

/** The resource as shown: the stored canonical bytes parsed (once, by the caller); null when there are none. */
export function resourceOf(row: Pick<VerifiableRow, "canonical">): Record<string, unknown> | null {
  if (row.canonical === null) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(row.canonical.buffer, row.canonical.byteOffset, row.canonical.byteLength).toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
