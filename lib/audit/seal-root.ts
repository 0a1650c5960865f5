import { createHash } from "node:crypto";
import { buildMerkleTree, canonicalize, type Hex32 } from "@/lib/integrity";

/** The head of one chain at sealing time. */
export type ChainHead = { chain: number; chainSeq: string; hash: string };

/** One Merkle leaf per chain head, so a seal's root is recomputable from its heads alone. */
export function headLeaf(head: ChainHead): Hex32 {
  const body = canonicalize({ chain: head.chain, chainSeq: head.chainSeq, hash: head.hash });
  return `0x${createHash("sha256").update(body, "utf8").digest("hex")}` as Hex32;
}

/** The root anchored for a seal: the Merkle root over its heads' leaves, in chain order. */
export function sealRoot(heads: readonly ChainHead[]): Hex32 {
  const sorted = [...heads].sort((a, b) => a.chain - b.chain);
  return buildMerkleTree(sorted.map(headLeaf)).root as Hex32;
}
