// The verdict-level helpers the unit tests were written against (verifyRecord, verifyRecordCached, verifyCheckpoint,
// verifyCheckpointCached), now thin adapters onto THE rules, judgeRecord (lib/integrity/judge.ts): the tests keep
// their assertions, and what they assert is the one function's behaviour. Cached = with leaf caches; uncached = none.
import {
  canonicalBytes,
  judgeRecord,
  ProvenLeafCache,
  type CheckpointLevel,
  type Hex32,
  type JudgedRecord,
  type LeafCaches,
  type RecipeVersion,
  type Verification,
} from "@/lib/integrity";

const newVerificationCachesForTests = () => ({ records: new ProvenLeafCache(12_000_000), checkpoints: new ProvenLeafCache(12_000_000) });

/** A record as the old tests hold it: the committed fields with the resource as JSON, and the index's claims. */
export type VerifiableRecord = {
  recordId: string;
  patientId: string;
  resourceType: string;
  recordedAt: Date;
  resource: unknown;
  source: string;
  supersedesId: string | null;
  identityVersion: number | null;
  recipeVersion?: RecipeVersion;
  status: "PENDING" | "ANCHORED";
  commitment: string;
  salt: string;
  proof: unknown;
  indexedRoot: string | null;
};

let caches = newVerificationCachesForTests();

export function forgetProvenLeaves(): void {
  caches = newVerificationCachesForTests();
}

export function provenLeavesStats(): { entries: number; chars: number } {
  const [a, b] = [caches.records.stats(), caches.checkpoints.stats()];
  return { entries: a.entries + b.entries, chars: a.chars + b.chars };
}

function canonicalOf(resource: unknown): Uint8Array | null {
  try {
    return canonicalBytes(resource);
  } catch {
    return null;
  }
}

export function judged(record: VerifiableRecord, anchor: string, checkpoint: { anchor: string; root: string; proof: unknown } | null = null): JudgedRecord {
  return {
    fields: {
      recipe: record.recipeVersion ?? 2,
      recordId: record.recordId,
      patientId: record.patientId,
      resourceType: record.resourceType,
      recordedAt: record.recordedAt,
      source: record.source,
      supersedesId: record.supersedesId,
      identityVersion: record.identityVersion,
    },
    canonical: canonicalOf(record.resource),
    salt: record.salt,
    commitment: record.commitment,
    status: record.status,
    proof: record.proof,
    batch: record.indexedRoot === null ? null : { anchor, root: record.indexedRoot, checkpoint },
  };
}

const answers = (batchRoot: Hex32 | null | undefined, checkpointRoot: Hex32 | null | undefined | "not_checked" = "not_checked") =>
  ({ batchRoot, checkpointRoot, creation: "skipped", copyIntact: true }) as const;

export function verifyRecord(record: VerifiableRecord, chainRoot: Hex32 | null | undefined): Verification {
  return judgeRecord(judged(record, "uncached"), answers(chainRoot), null).verification;
}

/** `anchor`: anchorKey of the record's batch, or null when the record has none (then no cache is used). */
export function verifyRecordCached(record: VerifiableRecord, anchor: string | null, chainRoot: Hex32 | null | undefined): Verification {
  return judgeRecord(judged(record, anchor ?? "none"), answers(chainRoot), anchor === null ? null : (caches as LeafCaches)).verification;
}

/**
 * The checkpoint level of a record that is itself verified in `batchRoot`'s batch: "public", "none", or "tampered"
 * (the record's verdict, when the checkpoint contradicts it or the record does not verify in that batch).
 */
export function checkpointVerdict(
  member: VerifiableRecord,
  batchRoot: string,
  checkpoint: { proof: unknown; indexedRoot: string; anchor?: string } | null,
  publicRoot: Hex32 | null | undefined,
  cached: boolean,
): CheckpointLevel | Verification {
  const record = judged({ ...member, indexedRoot: batchRoot }, "batch", checkpoint && { anchor: checkpoint.anchor ?? "uncached", root: checkpoint.indexedRoot, proof: checkpoint.proof });
  const result = judgeRecord(record, answers(batchRoot as Hex32, publicRoot), cached ? (caches as LeafCaches) : null);
  return result.verification === "verified" ? result.checkpoint : result.verification;
}
