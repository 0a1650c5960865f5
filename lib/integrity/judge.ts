import { commitmentOf, type CommittedFields } from "./commitment";
import { isHex32, type Hex32 } from "./hash";
import { rootFromProof } from "./merkle";
import type { ProvenLeafCache } from "./proven-leaf-cache";

/*
 * THE verification rules (docs/decisions/016-stored-canonical-bytes.md): one pure function that turns a record as
 * the index holds it, plus what the chains and the access log answered, into a verdict and its per-level breakdown.
 * Everything that shows or exports a verdict gets it from here — the chart, the record page, exports, the sweep,
 * the anchoring worker, the backfill, the bench and the outsider's `verify-proof` — through verifyRecords
 * (lib/verification/verify-records.ts) or checkProofBundle (proof-bundle.ts). No I/O.
 */

export type Verification = "verified" | "tampered" | "pending" | "unavailable";
export type CheckpointLevel = "public" | "none";

/**
 * The result of one level:
 * - ok: the check passed;
 * - mismatch: the values contradict each other (tampering);
 * - missing: the chain holds no root for the batch or checkpoint;
 * - unavailable: the chain could not be asked (or, for the content, the record has no stored bytes yet);
 * - skipped: nothing to check at this level (not anchored, not checkpointed, or not asked to check it).
 */
export type LevelResult = "ok" | "mismatch" | "missing" | "unavailable" | "skipped";

export type VerificationLevels = {
  /** sha256(0x00 ‖ salt ‖ head ‖ stored canonical bytes ‖ tail) equals the stored commitment. */
  commitment: LevelResult;
  /** The record's creation event (the sealed `record.created`) agrees with the row, where it is the witness. */
  creation: LevelResult;
  /** The proof leads from the commitment to the batch root the index claims. */
  batchPath: LevelResult;
  /** The private chain holds that batch root for the batch number. */
  batchAnchor: LevelResult;
  /** The checkpoint proof leads from the batch root to the checkpoint root. */
  checkpointPath: LevelResult;
  /** The public chain holds that checkpoint root for the checkpoint number. */
  checkpointAnchor: LevelResult;
};

/**
 * A root read from a chain: the root; null when the chain holds none; undefined when the chain could not be asked;
 * "not_checked" when nobody asked (for example no public RPC was given).
 */
export type ChainRoot = Hex32 | null | undefined | "not_checked";

/** A record as the index holds it, in the form the rules read. */
export type JudgedRecord = {
  fields: CommittedFields;
  /** The stored RFC 8785 bytes of the resource; null when the row has none (a v1 row before the backfill). */
  canonical: Uint8Array | null;
  salt: string;
  commitment: string;
  status: "PENDING" | "ANCHORED";
  proof: unknown;
  /** The batch the index puts the record in (anchorKey of it, and the root it claims), or null. */
  batch: {
    anchor: string;
    root: string;
    /** The CONFIRMED checkpoint the index puts the batch in, or null. */
    checkpoint: { anchor: string; root: string; proof: unknown } | null;
  } | null;
};

/** What was asked outside the row. */
export type Answers = {
  batchRoot: ChainRoot;
  checkpointRoot: ChainRoot;
  /**
   * The creation event: ok / mismatch where it was checked (a pending record, a v1 record's unbound fields),
   * skipped where the chain is the witness.
   */
  creation: LevelResult;
  /** The JSONB query copy of the resource equals the stored bytes (false: someone changed one of them). */
  copyIntact: boolean;
};

export type Judgement = { verification: Verification; checkpoint: CheckpointLevel; levels: VerificationLevels };

/** The proven-leaf caches a caller passes in (warm), or null (every proof walked). */
export type LeafCaches = { records: ProvenLeafCache; checkpoints: ProvenLeafCache } | null;

/** Level: the root a chain holds against the one the index (or bundle) claims. */
export function anchorLevel(claimed: string, onChain: ChainRoot): LevelResult {
  if (onChain === "not_checked") return "skipped";
  if (onChain === undefined) return "unavailable";
  if (onChain === null) return "missing";
  return onChain === claimed ? "ok" : "mismatch";
}

/** Level: the stored bytes, fields and salt give the stored commitment (hashed on every call, never cached). */
export function commitmentLevel(record: Pick<JudgedRecord, "fields" | "canonical" | "salt" | "commitment">, copyIntact: boolean): LevelResult {
  if (!isHex32(record.salt) || !isHex32(record.commitment) || !copyIntact) return "mismatch";
  if (record.canonical === null) return record.fields.recipe === 1 ? "unavailable" : "mismatch";
  try {
    return commitmentOf(record.fields, record.canonical, record.salt) === record.commitment ? "ok" : "mismatch";
  } catch {
    return "mismatch"; // fields no recipe can hash (an unknown recipe, a v2 row without its identity version)
  }
}

/** Level: the proof leads from `leaf` to `root` (uncached; the outsider's report). */
export function pathLevel(leaf: string, proof: unknown, root: string): LevelResult {
  return isHex32(leaf) && isHex32(root) && rootFromProof(leaf, proof) === root ? "ok" : "mismatch";
}

/**
 * The verdict, failing closed: only a full match is `verified`.
 * 1. The commitment is recomputed from the stored bytes (hashed on every call, never cached) and must equal the
 *    stored one; a changed JSONB copy, salt or commitment is `tampered`. A v1 row with no bytes yet is `unavailable`.
 * 2. A creation event that contradicts the row is `tampered`.
 * 3. PENDING: `pending` (the creation event is its witness until the chain is).
 * 4. The proof must lead to the indexed batch root, and the private chain must hold that root (`unavailable` when it
 *    cannot be asked; `tampered` when it holds none or another).
 * 5. A confirmed checkpoint: its proof must lead from the batch root to the indexed checkpoint root (`tampered`
 *    otherwise), and the public chain, when it can be asked, must hold it (`public`); a public chain that cannot
 *    be asked leaves the record verified on the private chain only.
 */
export function judgeRecord(record: JudgedRecord, answers: Answers, caches: LeafCaches): Judgement {
  const levels: VerificationLevels = {
    commitment: "skipped",
    creation: answers.creation,
    batchPath: "skipped",
    batchAnchor: "skipped",
    checkpointPath: "skipped",
    checkpointAnchor: "skipped",
  };
  const tampered = (): Judgement => ({ verification: "tampered", checkpoint: "none", levels });

  levels.commitment = commitmentLevel(record, answers.copyIntact);
  if (levels.commitment === "mismatch" || levels.creation === "mismatch") return tampered();
  if (levels.commitment === "unavailable") return { verification: "unavailable", checkpoint: "none", levels };
  const leaf = record.commitment as Hex32;
  if (record.status === "PENDING") return { verification: "pending", checkpoint: "none", levels };

  const batch = record.batch;
  if (batch === null || !isHex32(batch.root)) {
    levels.batchPath = "mismatch";
    return tampered();
  }
  const proven = caches ? caches.records.provenRoot(leaf, batch.anchor, record.proof, batch.root) : { root: rootFromProof(leaf, record.proof), fingerprint: null, cached: false };
  levels.batchPath = proven.root !== null && proven.root === batch.root ? "ok" : "mismatch";
  if (levels.batchPath !== "ok") return tampered();
  levels.batchAnchor = anchorLevel(batch.root, answers.batchRoot);
  if (levels.batchAnchor === "unavailable" || levels.batchAnchor === "skipped") return { verification: "unavailable", checkpoint: "none", levels };
  if (levels.batchAnchor !== "ok") return tampered();
  if (caches && !proven.cached && proven.fingerprint !== null) caches.records.remember(leaf, batch.anchor, batch.root, proven.fingerprint);

  const checkpoint = batch.checkpoint;
  if (checkpoint === null) return { verification: "verified", checkpoint: "none", levels };
  const batchRoot = batch.root as Hex32;
  const cp =
    !isHex32(checkpoint.root)
      ? { root: null, fingerprint: null, cached: false }
      : caches
        ? caches.checkpoints.provenRoot(batchRoot, checkpoint.anchor, checkpoint.proof, checkpoint.root)
        : { root: rootFromProof(batchRoot, checkpoint.proof), fingerprint: null, cached: false };
  levels.checkpointPath = cp.root !== null && cp.root === checkpoint.root ? "ok" : "mismatch";
  if (levels.checkpointPath !== "ok") return tampered();
  levels.checkpointAnchor = anchorLevel(checkpoint.root, answers.checkpointRoot);
  if (levels.checkpointAnchor === "unavailable" || levels.checkpointAnchor === "skipped") return { verification: "verified", checkpoint: "none", levels };
  if (levels.checkpointAnchor !== "ok") return tampered();
  if (caches && !cp.cached && cp.fingerprint !== null) caches.checkpoints.remember(batchRoot, checkpoint.anchor, checkpoint.root as Hex32, cp.fingerprint);
  return { verification: "verified", checkpoint: "public", levels };
}

/** True when no level failed; skipped levels (not checkpointed, public chain not asked) do not fail. */
export function levelsPass(levels: VerificationLevels): boolean {
  return Object.values(levels).every((result) => result === "ok" || result === "skipped");
}
