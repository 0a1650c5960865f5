import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { anchorKey, canonicalBytes, judgeRecord, type Answers, type Hex32, type CheckpointLevel, type JudgedRecord, type RecipeVersion, type Verification, type VerificationLevels } from "@/lib/integrity";
import { processCaches, type VerificationCaches } from "./caches";
import { chainRootsFor, type AnchorRef } from "./chain-roots";
import { ledgers } from "./ledgers";
import { creationContradictions, type CreationContradiction } from "./creation-events";
import { looksErased, verifyWithErasures } from "./erased";

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

function judged(row: VerifiableRow): JudgedRecord {
  const batch = row.batch;
  const cp = batch ? confirmedCheckpoint(batch) : null;
  return {
    fields: {
      // An unknown recipe number is read as v2, whose commitment it then cannot match: tampered.
      recipe: (row.recipeVersion === 1 ? 1 : 2) as RecipeVersion,
      recordId: row.id,
      patientId: row.patientId,
      resourceType: row.resourceType,
      recordedAt: row.recordedAt,
      source: row.source,
      supersedesId: row.supersedesId,
      identityVersion: row.recipeVersion === 1 || row.recipeVersion === 2 ? row.identityVersion : Number.NaN,
    },
    canonical: row.canonical,
    salt: row.salt,
    commitment: row.commitment,
    status: row.status,
    proof: row.proof,
    batch: batch
      ? {
          anchor: anchorKey(batch.chainId, batch.contractAddress, batch.batchNumber),
          root: batch.root,
          checkpoint: cp ? { anchor: anchorKey(cp.chainId, cp.contractAddress, cp.checkpointNumber), root: cp.root, proof: batch.checkpointProof } : null,
        }
      : null,
  };
}

/**
 * THE verification entry point: rows in, each verdict with its per-level breakdown out. Every page, export, job and
 * CLI that shows or acts on a verdict calls this (docs/decisions/017-stored-canonical-bytes.md); the rules
 * themselves are judgeRecord's (lib/integrity/judge.ts).
 *
 * - The stored canonical bytes are hashed on every call and must give the stored commitment; the JSONB copy must
 *   equal them (PostgreSQL recomputes `resourceCopyIntact` on every write of either).
 * - The roots are READ FROM THE CHAINS, one call per chain for all distinct batches and checkpoints not yet cached.
 * - Every row not already tampered is checked against the EARLIEST creation event of its id (creation-events.ts):
 *   the witness for a PENDING row, a second creation or a re-anchored id is tampered, and for a recipe v1 row the
 *   source and supersession link, which v1 does not bind. Three queries for all such rows.
 * - `caches` (default: the process's) hold only final roots and proven (leaf, anchor) pairs.
 * - A `tampered` verdict recorded between views (an open integrity alert) stands until the worker clears it after
 *   an officer's review: one query, beside the chain reads.
 */
export async function verifyRecords(rows: readonly VerifiableRow[], opts: VerifyOptions = {}): Promise<RecordVerdict[]> {
  // Lawfully erased records (no content, no salt) are judged against their anchored tombstone (erased.ts, ADR 016).
  if (rows.some(looksErased)) return verifyWithErasures(rows, opts, verifyRecords);
  const caches = opts.caches ?? processCaches();
  const { private: privateLedger, public: publicLedger } = ledgers();
  const batches: AnchorRef[] = [];
  const checkpoints: AnchorRef[] = [];
  for (const { batch } of rows) {
    if (!batch) continue;
    batches.push({ chainId: batch.chainId, contractAddress: batch.contractAddress, number: batch.batchNumber });
    const checkpoint = confirmedCheckpoint(batch);
    if (checkpoint) checkpoints.push({ chainId: checkpoint.chainId, contractAddress: checkpoint.contractAddress, number: checkpoint.checkpointNumber });
  }
  const [batchRoot, checkpointRoot, flagged] = await Promise.all([
    chainRootsFor(privateLedger, batches, caches.roots),
    chainRootsFor(publicLedger, checkpoints, caches.roots),
    opts.recorded === false || rows.length === 0 ? new Set<string>() : recordedTampered(rows.map((r) => r.id)),
  ]);
  // A page's rows share a few batches: each anchor's root is looked up once per call (keyed by its anchorKey).
  const looked = new Map<string, Hex32 | null | undefined>();
  const once = (key: string, lookup: () => Hex32 | null | undefined) => {
    if (looked.has(key)) return looked.get(key);
    const root = lookup();
    looked.set(key, root);
    return root;
  };
  const answersFor = (row: VerifiableRow, record: JudgedRecord, creation: Answers["creation"]): Answers => {
    const batch = row.batch;
    const cp = batch ? confirmedCheckpoint(batch) : null;
    return {
      batchRoot: batch ? once(record.batch!.anchor, () => batchRoot({ chainId: batch.chainId, contractAddress: batch.contractAddress, number: batch.batchNumber })) : undefined,
      checkpointRoot: cp
        ? once(record.batch!.checkpoint!.anchor, () => checkpointRoot({ chainId: cp.chainId, contractAddress: cp.contractAddress, number: cp.checkpointNumber }))
        : "not_checked",
      creation,
      // null: no bytes yet (judgeRecord decides on the bytes alone); false: the copy or the bytes were changed.
      copyIntact: row.resourceCopyIntact !== false && (!opts.exactCopy || row.canonical === null || copyIsExact(row)),
      recordedTampered: flagged.has(row.id),
    };
  };

  const records = rows.map(judged);
  const judgements = rows.map((row, i) => judgeRecord(records[i]!, answersFor(row, records[i]!, "skipped"), caches));

  // Every row the chain has not already condemned must also agree with the EARLIEST creation event of its id, be the
  // only creation of its id, and (pending) not have been anchored before: the witness for a pending row, the guard
  // against an anchored id re-created under a new commitment, and the binding of a v1 row's source and supersession.
  // Then those rows are judged again with its answer (docs/decisions/016-database-refuses-to-rewrite-history.md).
  const witnessed = rows.flatMap((_, i) => (judgements[i]!.verification === "tampered" ? [] : [i]));
  const reasons = new Map<string, CreationContradiction[]>();
  if (witnessed.length > 0) {
    const found = await creationContradictions(witnessed.map((i) => rows[i]!));
    for (const i of witnessed) {
      const why = found.get(rows[i]!.id);
      if (why) reasons.set(rows[i]!.id, why);
      judgements[i] = judgeRecord(records[i]!, answersFor(rows[i]!, records[i]!, why ? "mismatch" : "ok"), caches);
    }
  }

  const overdueBefore = (opts.now ?? new Date()).getTime() - env().PENDING_WARN_MINUTES * 60_000;
  return judgements.map(({ verification, checkpoint, levels }, i) => ({
    verification,
    checkpoint,
    levels,
    overdue: verification === "pending" && rows[i]!.createdAt.getTime() < overdueBefore,
    creationReasons: reasons.get(rows[i]!.id) ?? [],
  }));
}

/** Ids among `ids` with an open alert recording them tampered. One indexed query (open alerts are few). */
async function recordedTampered(ids: readonly string[]): Promise<Set<string>> {
  const rows = await db().$queryRaw<{ recordId: string }[]>`
    SELECT DISTINCT a."details"->>'recordId' AS "recordId" FROM "Alert" AS a
    WHERE a."resolvedAt" IS NULL AND a."kind" = ANY(${[...RECORDED_TAMPERED_KINDS]}::text[]) AND a."details"->>'recordId' = ANY(${[...ids]}::text[])`;
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
