import { env } from "@/lib/env";
import { verifyCheckpoint, verifyRecord, type CheckpointLevel, type Verification } from "@/lib/integrity";
import { chainRootsFor } from "./chain-roots";
import { ledgers } from "./ledgers";

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
      checkpoint: { select: { chainId: true, contractAddress: true, checkpointNumber: true, root: true, txHash: true, blockNumber: true, anchoredAt: true } },
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
    checkpoint: { chainId: number; contractAddress: string; checkpointNumber: bigint; root: string } | null;
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
 */
export async function verifyRows(rows: readonly VerifiableRow[], now = new Date()): Promise<RowVerdict[]> {
  const { private: privateLedger, public: publicLedger } = ledgers();
  const batches = rows.flatMap((r) => (r.batch ? [{ chainId: r.batch.chainId, contractAddress: r.batch.contractAddress, number: r.batch.batchNumber }] : []));
  const checkpoints = rows.flatMap((r) =>
    r.batch?.checkpoint ? [{ chainId: r.batch.checkpoint.chainId, contractAddress: r.batch.checkpoint.contractAddress, number: r.batch.checkpoint.checkpointNumber }] : [],
  );
  const [batchRoot, checkpointRoot] = await Promise.all([chainRootsFor(privateLedger, batches), chainRootsFor(publicLedger, checkpoints)]);
  const overdueBefore = now.getTime() - env().PENDING_WARN_MINUTES * 60_000;

  return rows.map((row) => {
    const batch = row.batch;
    let verification = verifyRecord(
      { ...row, recordId: row.id, indexedRoot: batch?.root ?? null },
      batch ? batchRoot({ chainId: batch.chainId, contractAddress: batch.contractAddress, number: batch.batchNumber }) : undefined,
    );
    let checkpoint: CheckpointLevel = "none";
    if (verification === "verified" && batch) {
      const level = verifyCheckpoint(
        batch.root,
        batch.checkpoint ? { proof: batch.checkpointProof, indexedRoot: batch.checkpoint.root } : null,
        batch.checkpoint
          ? checkpointRoot({ chainId: batch.checkpoint.chainId, contractAddress: batch.checkpoint.contractAddress, number: batch.checkpoint.checkpointNumber })
          : undefined,
      );
      if (level === "tampered") verification = "tampered";
      else checkpoint = level;
    }
    return { verification, checkpoint, overdue: verification === "pending" && row.createdAt.getTime() < overdueBefore };
  });
}
