import { rootFromProof } from "./merkle";
import type { Hex32 } from "./hash";

/*
 * Proven leaves (docs/decisions/007-verification-performance.md).
 *
 * Once a leaf has been proven, with a given proof, to lead to the root a chain holds for an anchor (a batch on the
 * private chain, a checkpoint on the public one), walking that proof again can only give the same root: the walk is
 * a pure function of the leaf and the proof's steps. So this process remembers the fact
 *
 *     leaf  →  { anchor (chain id, contract, number), root, the proof's steps exactly }
 *
 * and skips the walk when the very same leaf, anchor, indexed root and proof come again. Nothing else is skipped:
 * the stored canonical bytes are re-hashed on every call and must still give the stored commitment (the leaf),
 * the root the index claims must equal the cached one, and it is compared with the root read from the chain (itself
 * cached only once final, lib/verification/chain-roots.ts). A change to the content, salt, commitment, proof, batch
 * or checkpoint number, contract, chain or indexed root therefore misses the cache, and the verdict is always the one
 * judgeRecord (judge.ts) gives without caches: tests/unit/proven-leaves.test.ts holds it to that. No verdict is ever
 * cached per record id.
 *
 * Only a `verified` (or `public`) outcome is remembered, so what the cache holds is bounded by what the chains
 * hold; an insider cannot fill it with forged proofs.
 */

/**
 * Each cache is bounded by the characters it holds (hex strings are one byte per character in V8), plus a fixed
 * allowance per entry for the Map slot and the entry object: two generations of at most GENERATION_CHARS each.
 * When the current generation is full it becomes the previous one and the old previous one is dropped; a hit in
 * the previous generation is copied forward, so what is in use survives. At depth 10 (batches of 1,024) an entry is
 * ~1.1 KB of heap (measured: 0.9 KB at depth 7, 1.4 KB at depth 14), so ~11,000 leaves per generation and at most
 * ~2 × 12 MB per cache, whatever the number of records.
 */
export const GENERATION_CHARS = 12_000_000;
const ENTRY_OVERHEAD_CHARS = 256; // measured: ~80 bytes of Map slot, entry object and string headers

/**
 * What was proven: walking the proof with `fingerprint` from the leaf (the Map key) gives `root`, held for `anchor`.
 * `siblings` are the fingerprint's siblings as slices of it (no copy of the characters): a proof is compared with
 * them by string equality, ~3× cheaper than building its fingerprint again on every view (ADR 024).
 */
type Proven = { anchor: string; root: string; fingerprint: string; siblings: readonly string[] };
const STEP_OVERHEAD_CHARS = 28; // measured: a sliced string's header and its array slot

const sizeOf = (leaf: string, p: Proven) =>
  leaf.length + p.anchor.length + p.root.length + p.fingerprint.length + STEP_OVERHEAD_CHARS * p.siblings.length + ENTRY_OVERHEAD_CHARS;

/** One bounded cache of proven leaves (exported for its unit tests; the app uses the two instances below). */
export class ProvenLeafCache {
  private current = new Map<string, Proven>();
  private previous = new Map<string, Proven>();
  private currentChars = 0;

  constructor(private readonly generationChars: number) {}

  /**
   * The root `proof` leads to from `leaf`: from the cache when exactly this leaf was proven with exactly this proof
   * into `indexedRoot` for `anchor` before, else by walking the proof (rootFromProof). Returns the fingerprint too,
   * so that a caller who then finds the root on chain can remember the inclusion without computing it again.
   */
  provenRoot(leaf: Hex32, anchor: string, proof: unknown, indexedRoot: Hex32): { root: Hex32 | null; fingerprint: string | null; cached: boolean } {
    const hit = this.lookup(leaf);
    // A hit is checked against the proof step by step, building no fingerprint (every view of every row: ADR 024).
    if (hit !== undefined && hit.anchor === anchor && hit.root === indexedRoot && sameSteps(proof, hit)) {
      return { root: indexedRoot, fingerprint: hit.fingerprint, cached: true };
    }
    const fingerprint = proofFingerprint(proof);
    if (fingerprint === null) return { root: null, fingerprint, cached: false }; // rootFromProof would give null too
    return { root: rootFromProof(leaf, proof), fingerprint, cached: false };
  }

  /** Records that walking the proof with `fingerprint` from `leaf` gives `root`, which the chain holds for `anchor`. */
  remember(leaf: Hex32, anchor: string, root: Hex32, fingerprint: string): void {
    const siblings: string[] = [];
    for (let at = 0; at < fingerprint.length; at += 67) siblings.push(fingerprint.slice(at + 1, at + 67));
    this.store(leaf, { anchor, root, fingerprint, siblings });
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
    this.currentChars = 0;
  }

  stats(): { entries: number; chars: number } {
    let chars = 0;
    for (const generation of [this.current, this.previous]) for (const [leaf, proven] of generation) chars += sizeOf(leaf, proven);
    return { entries: this.current.size + this.previous.size, chars };
  }

  private lookup(leaf: string): Proven | undefined {
    const hit = this.current.get(leaf);
    if (hit !== undefined) return hit;
    const old = this.previous.get(leaf);
    if (old !== undefined) this.store(leaf, old);
    return old;
  }

  private store(leaf: string, proven: Proven): void {
    if (this.currentChars >= this.generationChars) {
      this.previous = this.current;
      this.current = new Map();
      this.currentChars = 0;
    }
    const replaced = this.current.get(leaf);
    this.current.set(leaf, proven);
    this.currentChars += sizeOf(leaf, proven) - (replaced === undefined ? 0 : sizeOf(leaf, replaced));
  }
}

/** The anchor a proof leads to, as a cache key: any change to its chain, contract or number gives another key. */
export function anchorKey(chainId: number, contractAddress: string, number: bigint): string {
  return `${chainId}|${contractAddress}|${number}`;
}

/**
 * An exact fingerprint of what rootFromProof reads of a proof: the side and the sibling of each step, 67 characters
 * per step (so the encoding is injective). Null when the proof is malformed in a way the walk would reject anyway
 * (not an array, a step that is not an object, a side other than L or R, a sibling that is not a 66-character
 * string); a sibling of 66 characters that is not lower-case hex passes here, fails the walk, and is never stored.
 * Compared with ===: ~0.5 µs a record (ADR 007).
 */
export function proofFingerprint(proof: unknown): string | null {
  if (!Array.isArray(proof)) return null;
  const parts: string[] = [];
  for (const step of proof as unknown[]) {
    if (typeof step !== "object" || step === null) return null;
    const { s, h } = step as { s?: unknown; h?: unknown };
    if ((s !== "L" && s !== "R") || typeof h !== "string" || h.length !== 66) return null;
    parts.push(s, h);
  }
  // One flat string (a rope of `+=` would keep every sibling string alive in the cache, ~2× the memory).
  return parts.join("");
}

/**
 * Whether proofFingerprint(proof) === proven.fingerprint, decided without building the fingerprint: each step's side
 * and sibling compared in place (a step that is not an object, or a side or sibling of another kind, fails).
 */
function sameSteps(proof: unknown, proven: Proven): boolean {
  const { siblings, fingerprint } = proven;
  if (!Array.isArray(proof) || proof.length !== siblings.length) return false;
  for (let i = 0; i < siblings.length; i++) {
    const step: unknown = proof[i];
    if (typeof step !== "object" || step === null) return false;
    const { s, h } = step as { s?: unknown; h?: unknown };
    if (h !== siblings[i] || s !== fingerprint[i * 67]) return false;
  }
  return true;
}
