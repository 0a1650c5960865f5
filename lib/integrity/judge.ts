import { commitmentMatches, type CommittedFields } from "./commitment";
import { isHex32, type Hex32 } from "./hash";
import { rootFromProof } from "./merkle";
import type { ProvenLeafCache } from "./proven-leaf-cache";

/*
 * THE verification rules (docs/decisions/017-stored-canonical-bytes.md): one pure function that turns a record as
 * the index holds it, plus what the chains and the access log answered, into a verdict and its per-level breakdown.
 * Everything that shows or exports a verdict gets it from here — the chart, the record page, exports, the sweep,
 * the anchoring worker, the backfill, the bench and the outsider's `verify-proof` — through verifyRecords
 * (lib/verification/verify-records.ts) or checkProofBundle (proof-bundle.ts). No I/O.
 */

/** `erased`: lawfully erased by an anchored tombstone (lib/integrity/tombstone.ts); never produced by judgeRecord. */
export type Verification = "verified" | "tampered" | "pending" | "unavailable" | "erased";
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
  /**
   * A `tampered` verdict recorded for the record by a check between views (an open integrity alert): verdicts may
   * only get worse, so it stands, whatever the row says now, until the worker clears it after an officer's review.
   */
  recordedTampered?: boolean;
};

export type Judgement = { verification: Verification; checkpoint: CheckpointLevel; levels: VerificationLevels };

/** The proven-leaf caches a caller passes in (warm), or null (every proof walked). */
export type LeafCaches = { records: ProvenLeafCache; checkpoints: ProvenLeafCache } | null;

/** Level: the root a chain holds against the one the index (or bundle) claims. */
function anchorLevel(claimed: string, onChain: ChainRoot): LevelResult {
  if (onChain === "not_checked") return "skipped";
  if (onChain === undefined) return "unavailable";
  if (onChain === null) return "missing";
  return onChain === claimed ? "ok" : "mismatch";
}

/**
 * Level: the stored bytes, fields and salt give the stored commitment (hashed on every call, never cached). "ok"
 * implies the commitment is well-formed hex (it equals a digest), so the caller need not test it again.
 */
function commitmentLevel(record: Pick<JudgedRecord, "fields" | "canonical" | "salt" | "commitment">, copyIntact: boolean): LevelResult {
  if (!isHex32(record.salt) || !copyIntact) return "mismatch";
  if (record.canonical === null) return record.fields.recipe === 1 && isHex32(record.commitment) ? "unavailable" : "mismatch";
  try {
    return commitmentMatches(record.fields, record.canonical, record.salt, record.commitment) ? "ok" : "mismatch";
  } catch {
    return "mismatch"; // fields no recipe can hash (an unknown recipe, a v2 row without its identity version)
  }
}

/**
 * Every level, each checked on its own so that the breakdown names every broken one, and the verdict, failing
 * closed (only a full match is `verified`):
 * 1. `tampered` when a tampered verdict was recorded between views and not yet cleared, or any level contradicts another: the stored bytes (hashed on every call, never cached) do not give
 *    the stored commitment, or the JSONB copy, salt or commitment was changed; the creation event disagrees; the
 *    proof does not lead to the indexed batch root; the private chain holds another root or none; a confirmed
 *    checkpoint's proof does not lead to its indexed root, or the public chain holds another root or none.
 * 2. `unavailable` for a v1 row with no bytes yet (the backfill will prove it).
 * 3. `pending` while PENDING (the creation event is its witness until the chain is).
 * 4. `unavailable` when the private chain could not be asked.
 * 5. `verified`, at checkpoint level `public` when the public chain holds the checkpoint root; a public chain that
 *    cannot be asked leaves the record verified on the private chain only (`none`).
 * Leaf caches are read for the proof walks and filled only with pairs the chain has just confirmed.
 */
export function judgeRecord(record: JudgedRecord, answers: Answers, caches: LeafCaches): Judgement {
  const levels = judgeLevels(record, answers, caches);
  return { ...verdictOf(record.status, levels, answers.recordedTampered === true), levels };
}

/**
 * The levels alone (the hashing and the proof walks: the costly part), with the creation level as answered. Split
 * from verdictOf so that a caller may compute them while the database still answers the creation check, then set
 * `levels.creation` and take the verdict from verdictOf — judgeRecord is exactly that composition.
 */
export function judgeLevels(record: JudgedRecord, answers: Omit<Answers, "recordedTampered">, caches: LeafCaches): VerificationLevels {
  // The well-formedness tests are made only where nothing else implies them (ADR 024): a commitment that matches its
  // digest is hex, and a root that equals a walked (or cached, hence once walked) root is hex.
  const levels: VerificationLevels = {
    commitment: commitmentLevel(record, answers.copyIntact),
    creation: answers.creation,
    batchPath: "skipped",
    batchAnchor: "skipped",
    checkpointPath: "skipped",
    checkpointAnchor: "skipped",
  };
  const batch = record.status === "PENDING" ? null : record.batch;
  if (record.status !== "PENDING" && batch === null) levels.batchPath = "mismatch"; // anchored, but in no batch
  if (batch !== null) {
    const leaf = record.commitment as Hex32;
    // A root that is not hex can equal no walked root: the comparison below makes it a mismatch.
    const walkable = levels.commitment === "ok" || isHex32(leaf);
    const proven = !walkable
      ? { root: null, fingerprint: null, cached: false }
      : caches
        ? caches.records.provenRoot(leaf, batch.anchor, record.proof, batch.root as Hex32)
        : { root: rootFromProof(leaf, record.proof), fingerprint: null, cached: false };
    levels.batchPath = proven.root !== null && proven.root === batch.root ? "ok" : "mismatch";
    levels.batchAnchor = anchorLevel(batch.root, answers.batchRoot);
    if (caches && levels.batchPath === "ok" && levels.batchAnchor === "ok" && !proven.cached && proven.fingerprint !== null) {
      caches.records.remember(leaf, batch.anchor, batch.root as Hex32, proven.fingerprint);
    }
    const checkpoint = batch.checkpoint;
    if (checkpoint !== null) {
      const batchRoot = batch.root as Hex32;
      const cp =
        levels.batchPath !== "ok" && !isHex32(batchRoot)
          ? { root: null, fingerprint: null, cached: false }
          : caches
            ? caches.checkpoints.provenRoot(batchRoot, checkpoint.anchor, checkpoint.proof, checkpoint.root as Hex32)
            : { root: rootFromProof(batchRoot, checkpoint.proof), fingerprint: null, cached: false };
      levels.checkpointPath = cp.root !== null && cp.root === checkpoint.root ? "ok" : "mismatch";
      levels.checkpointAnchor = anchorLevel(checkpoint.root, answers.checkpointRoot);
      if (caches && levels.checkpointPath === "ok" && levels.checkpointAnchor === "ok" && !cp.cached && cp.fingerprint !== null) {
        caches.checkpoints.remember(batchRoot, checkpoint.anchor, checkpoint.root as Hex32, cp.fingerprint);
      }
    }
  }

  return levels;
}

const contradicted = (l: LevelResult) => l === "mismatch" || l === "missing";

/** Whether a level other than the creation event contradicts another (the record is tampered whatever its creation says). */
export function contradictedBeyondCreation(levels: VerificationLevels): boolean {
  return (
    contradicted(levels.commitment) ||
    contradicted(levels.batchPath) ||
    contradicted(levels.batchAnchor) ||
    contradicted(levels.checkpointPath) ||
    contradicted(levels.checkpointAnchor)
  );
}

/** The verdict the levels give (the rules listed at judgeRecord). */
export function verdictOf(status: JudgedRecord["status"], levels: VerificationLevels, recordedTampered: boolean): Omit<Judgement, "levels"> {
  if (recordedTampered || contradicted(levels.creation) || contradictedBeyondCreation(levels)) return { verification: "tampered", checkpoint: "none" };
  if (levels.commitment === "unavailable") return { verification: "unavailable", checkpoint: "none" };
  if (status === "PENDING") return { verification: "pending", checkpoint: "none" };
  if (levels.batchAnchor !== "ok") return { verification: "unavailable", checkpoint: "none" };
  return { verification: "verified", checkpoint: levels.checkpointAnchor === "ok" ? "public" : "none" };
}

/** True when no level failed; skipped levels (not checkpointed, public chain not asked) do not fail. */
export function levelsPass(levels: VerificationLevels): boolean {
  return Object.values(levels).every((result) => result === "ok" || result === "skipped");
}
