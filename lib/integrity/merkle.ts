import { fromHex32, hashNode, isHex32, nodeScratch, sha256NodeInto, toHex, type Hex32 } from "./hash";

/** One step from a node towards the root: the sibling's hash and the side it sits on. */
export type ProofStep = { s: "L" | "R"; h: Hex32 };
export type MerkleProof = ProofStep[];

export type MerkleTree = { root: Hex32; proofs: MerkleProof[] };

/**
 * Builds a binary tree over the leaves in order. An odd node at the end of a level is promoted unchanged
 * (never paired with itself), which avoids the duplicate-leaf ambiguity of Bitcoin-style trees.
 */
export function buildMerkleTree(leaves: readonly Hex32[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  // Every level kept, each node's hex computed once: a leaf's proof is then read off by index (the sibling of
  // node i is i ^ 1; a promoted last node has none and keeps index i >> 1 on the next level).
  let level = leaves.map((leaf) => fromHex32(leaf)); // throws for a leaf that is not 32-byte lower-case hex
  const hexLevels: Hex32[][] = [leaves.slice()];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : hashNode(level[i]!, right));
    }
    level = next;
    hexLevels.push(next.map(toHex));
  }

  const proofs: MerkleProof[] = leaves.map((_, leafIndex) => {
    const proof: MerkleProof = [];
    let index = leafIndex;
    for (let depth = 0; depth < hexLevels.length - 1; depth++) {
      const nodes = hexLevels[depth]!;
      const sibling = index ^ 1;
      if (sibling < nodes.length) proof.push({ s: index & 1 ? "L" : "R", h: nodes[sibling]! });
      index >>= 1;
    }
    return proof;
  });
  return { root: hexLevels.at(-1)![0]!, proofs };
}

/**
 * The root buildMerkleTree would give, without its proofs: what a check that rebuilds every anchored root from its
 * leaves needs (a million leaves in about a second, not the millions of proof steps the full tree allocates).
 */
export function merkleRoot(leaves: readonly Hex32[]): Hex32 {
  if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  let level = leaves.map((leaf) => fromHex32(leaf));
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : hashNode(level[i]!, right));
    }
    level = next;
  }
  return toHex(level[0]!);
}

// Walking a proof is the hot path of every chart render (ADR 007): the node stays in one 65-byte buffer
// (NODE_TAG ‖ left ‖ right), each sibling is decoded from hex straight into its half, and the digest is
// written back, so a step allocates only the digest (a 32-character string, not a Buffer). Synchronous
// throughout, so one module-level buffer is safe.
const walk = nodeScratch();

/** Walks a proof from a leaf; returns the root it leads to, or null when the proof is malformed. */
export function rootFromProof(leaf: Hex32, proof: unknown): Hex32 | null {
  if (!isHex32(leaf)) fromHex32(leaf); // throws, as it always has for a leaf that is not 32-byte hex
  if (!Array.isArray(proof)) return null;
  walk.write(leaf.slice(2), 1, "hex");
  let at = 1; // where the current node sits in `walk`: 1 (left half) or 33 (right half)
  for (const step of proof as unknown[]) {
    if (typeof step !== "object" || step === null) return null;
    const { s, h } = step as { s?: unknown; h?: unknown };
    if (!isHex32(h) || (s !== "L" && s !== "R")) return null;
    // s is the sibling's side; the node goes to the other half.
    const nodeAt = s === "L" ? 33 : 1;
    if (at !== nodeAt) walk.copy(walk, nodeAt, at, at + 32);
    walk.write(h.slice(2), s === "L" ? 1 : 33, "hex");
    sha256NodeInto(walk, walk);
    at = 1;
  }
  return `0x${walk.toString("hex", at, at + 32)}`;
}
