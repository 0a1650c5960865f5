import { env } from "@/lib/env";
import type { CheckpointLevel, Verification } from "@/lib/integrity";
import { chainRootsFor, type AnchorRef } from "./chain-roots";
import { ledgers } from "./ledgers";
import { anchorKey, verifyCheckpointCached, verifyRecordCached } from "./proven-leaves";

/** What verification needs of a record row: select it with `verifiableRecordSelect`. */
export const verifiableRecordSelect = {
  id: true,
  patientId: true,
  resourceType: true,
  resource: true,
  recordedAt: true,
  commitment: true,
  salt: true,
  proof: true,
  status: true,
  createdAt: true,
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
  resource: unknown;
  recordedAt: Date;
  commitment: string;
  salt: string;
  proof: unknown;
  status: "PENDING" | "ANCHORED";
  createdAt: Date;
  batch: {
    chainId: number;
    contractAddress: string;
    batchNumber: bigint;
    root: string;
    checkpointProof: unknown;
    checkpoint: { chainId: number; contractAddress: string; checkpointNumber: bigint; root: string; status: string } | null;
  } | null;
};

export type RowVerdict = {
  verification: Verification;
  /** "public" once the batch root is proven inside a checkpoint the public chain holds. */
  checkpoint: CheckpointLevel;
  /** PENDING longer than PENDING_WARN_MINUTES: anchoring is overdue. */
  overdue: boolean;
};

/**
 * The one verification path, for every page and for the sweep: recompute each commitment from the stored
 * content, walk its proof, and compare with the roots READ FROM THE CHAINS — one read per chain for all the
 * distinct batches and checkpoints in `rows`. Fails closed: only a full match is `verified`.
 *
 * Verdicts are those of verifyRecord / verifyCheckpoint. Two per-process caches make a repeated render cheap
 * (docs/decisions/007-verification-performance.md): roots that are final on chain (chain-roots.ts), and leaves
 * already proven with the very same proof into such a root (proven-leaves.ts). The content is re-hashed every time.
 */
/**
 * A checkpoint still being anchored (PREPARED/SENT) has no root on the public chain yet: that is "not checkpointed",
 * not a contradiction. Flipping the status in the database can only lower the level to "none", never raise it.
 */
function confirmedCheckpoint(batch: NonNullable<VerifiableRow["batch"]>) {
  return batch.checkpoint?.status === "CONFIRMED" ? batch.checkpoint : null;
}

export async function verifyRows(rows: readonly VerifiableRow[], now = new Date()): Promise<RowVerdict[]> {
  const { private: privateLedger, public: publicLedger } = ledgers();
  const batches: AnchorRef[] = [];
  const checkpoints: AnchorRef[] = [];
  for (const { batch } of rows) {
    if (!batch) continue;
    batches.push({ chainId: batch.chainId, contractAddress: batch.contractAddress, number: batch.batchNumber });
    const checkpoint = confirmedCheckpoint(batch);
    if (checkpoint) checkpoints.push({ chainId: checkpoint.chainId, contractAddress: checkpoint.contractAddress, number: checkpoint.checkpointNumber });
  }
  const [batchRoot, checkpointRoot] = await Promise.all([chainRootsFor(privateLedger, batches), chainRootsFor(publicLedger, checkpoints)]);
  const overdueBefore = now.getTime() - env().PENDING_WARN_MINUTES * 60_000;

  return rows.map((row) => {
    const batch = row.batch;
    const record = {
      recordId: row.id,
      patientId: row.patientId,
      resourceType: row.resourceType,
      resource: row.resource,
      recordedAt: row.recordedAt,
      status: row.status,
      commitment: row.commitment,
      salt: row.salt,
      proof: row.proof,
      indexedRoot: batch?.root ?? null,
    };
    let verification = batch
      ? verifyRecordCached(
          record,
          anchorKey(batch.chainId, batch.contractAddress, batch.batchNumber),
          batchRoot({ chainId: batch.chainId, contractAddress: batch.contractAddress, number: batch.batchNumber }),
        )
      : verifyRecordCached(record, null, undefined);
    let checkpoint: CheckpointLevel = "none";
    if (verification === "verified" && batch) {
      const cp = confirmedCheckpoint(batch);
      const level = cp
        ? verifyCheckpointCached(
            batch.root,
            { proof: batch.checkpointProof, indexedRoot: cp.root, anchor: anchorKey(cp.chainId, cp.contractAddress, cp.checkpointNumber) },
            checkpointRoot({ chainId: cp.chainId, contractAddress: cp.contractAddress, number: cp.checkpointNumber }),
          )
        : "none";
      if (level === "tampered") verification = "tampered";
      else checkpoint = level;
    }
    return { verification, checkpoint, overdue: verification === "pending" && row.createdAt.getTime() < overdueBefore };
  });
}
