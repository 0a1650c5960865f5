import { computeCommitment, type CommittedRecord } from "./commitment";
import { isHex32, type Hex32 } from "./hash";
import { rootFromProof } from "./merkle";

export type Verification = "verified" | "tampered" | "pending" | "unavailable";

export type VerifiableRecord = CommittedRecord & {
  status: "PENDING" | "ANCHORED";
  commitment: string;
  salt: string;
  proof: unknown;
  /** The root the index claims for the record's batch (never trusted on its own). */
  indexedRoot: string | null;
};

/**
 * chainRoot: the root read from the chain for the record's batch; null when the chain holds none;
 * undefined when the chain could not be asked. Fails closed: only a full match is `verified`.
 */
export function verifyRecord(record: VerifiableRecord, chainRoot: Hex32 | null | undefined): Verification {
  if (!isHex32(record.salt) || !isHex32(record.commitment)) return "tampered";
  if (computeCommitment(record, record.salt) !== record.commitment) return "tampered";
  if (record.status === "PENDING") return "pending";
  if (!isHex32(record.indexedRoot)) return "tampered";
  const provenRoot = rootFromProof(record.commitment, record.proof);
  if (provenRoot === null || provenRoot !== record.indexedRoot) return "tampered";
  if (chainRoot === undefined) return "unavailable";
  return chainRoot === provenRoot ? "verified" : "tampered";
}

export type CheckpointLevel = "public" | "none";

/**
 * The second level: is the (already proven) batch root inside a checkpoint whose root the PUBLIC chain holds?
 * `publicRoot`: the root the public chain holds for the checkpoint; null when it holds none; undefined when it
 * could not be asked. A checkpoint the index claims but the public chain contradicts is `tampered`.
 */
export function verifyCheckpoint(
  batchRoot: string,
  checkpoint: { proof: unknown; indexedRoot: string } | null,
  publicRoot: Hex32 | null | undefined,
): CheckpointLevel | "tampered" {
  if (checkpoint === null || publicRoot === undefined) return "none";
  if (!isHex32(batchRoot) || !isHex32(checkpoint.indexedRoot)) return "tampered";
  const proven = rootFromProof(batchRoot, checkpoint.proof);
  if (proven === null || proven !== checkpoint.indexedRoot) return "tampered";
  return publicRoot === proven ? "public" : "tampered";
}
