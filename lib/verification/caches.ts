import { GENERATION_CHARS, ProvenLeafCache, type Hex32 } from "@/lib/integrity";

/*
 * What a verification cache may hold (docs/decisions/017-stored-canonical-bytes.md), and nothing else:
 * - roots that are final on chain (the contract refuses to overwrite a root), keyed by chain, contract and number;
 * - (leaf, batch) and (batch root, checkpoint) pairs already proven into such a root with the very same proof.
 * Stored bytes are read and hashed on every call; nothing is keyed by record id, row version or timestamp, and no
 * verdict is ever cached.
 */
export type VerificationCaches = {
  /** chainId:contract(lower-case):number → the root the chain holds (final). Misses and failures are not kept. */
  roots: Map<string, Hex32>;
  records: ProvenLeafCache;
  checkpoints: ProvenLeafCache;
};

export function newVerificationCaches(generationChars = GENERATION_CHARS): VerificationCaches {
  // Two leaf caches, so that a batch root proven into a checkpoint never displaces a record's commitment proven
  // into that batch (in a one-record batch they are the same hash).
  return { roots: new Map(), records: new ProvenLeafCache(generationChars), checkpoints: new ProvenLeafCache(generationChars) };
}

let processWide: VerificationCaches | undefined;

/** The caches every page of this process shares (what "warm" means). */
export function processCaches(): VerificationCaches {
  processWide ??= newVerificationCaches();
  return processWide;
}

/**
 * For tests and operations: forget the process's cached roots and proven pairs (e.g. after pointing the portal at
 * another chain), so that the next verification is fully cold.
 */
export function forgetCachedRoots(): void {
  const caches = processCaches();
  caches.roots.clear();
  caches.records.clear();
  caches.checkpoints.clear();
}

/** Size of the process's proven-pair caches (entries, and characters as counted against the bound). */
export function provenLeavesStats(): { entries: number; chars: number } {
  const caches = processCaches();
  const [a, b] = [caches.records.stats(), caches.checkpoints.stats()];
  return { entries: a.entries + b.entries, chars: a.chars + b.chars };
}
