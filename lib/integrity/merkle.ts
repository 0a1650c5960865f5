import { fromHex32, hashNode, isHex32, toHex, type Hex32 } from "./hash";

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
  let level = leaves.map((leaf) => fromHex32(leaf));
  let positions = leaves.map((_, index) => [index]);
  const proofs: MerkleProof[] = leaves.map(() => []);

  while (level.length > 1) {
    const nextLevel: Buffer[] = [];
    const nextPositions: number[][] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1];
      const leftMembers = positions[i]!;
      if (right === undefined) {
        nextLevel.push(left);
        nextPositions.push(leftMembers);
        continue;
      }
      const rightMembers = positions[i + 1]!;
      for (const member of leftMembers) proofs[member]!.push({ s: "R", h: toHex(right) });
      for (const member of rightMembers) proofs[member]!.push({ s: "L", h: toHex(left) });
      nextLevel.push(hashNode(left, right));
      nextPositions.push([...leftMembers, ...rightMembers]);
    }
    level = nextLevel;
    positions = nextPositions;
  }
  return { root: toHex(level[0]!), proofs };
}

/** Walks a proof from a leaf; returns the root it leads to, or null when the proof is malformed. */
export function rootFromProof(leaf: Hex32, proof: unknown): Hex32 | null {
  if (!Array.isArray(proof)) return null;
  let node = fromHex32(leaf);
  for (const step of proof as unknown[]) {
    if (typeof step !== "object" || step === null) return null;
    const { s, h } = step as { s?: unknown; h?: unknown };
    if (!isHex32(h) || (s !== "L" && s !== "R")) return null;
    const sibling = fromHex32(h);
    node = s === "L" ? hashNode(sibling, node) : hashNode(node, sibling);
  }
  return toHex(node);
}
