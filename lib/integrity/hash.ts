import * as crypto from "node:crypto";

// Recipe in docs/decisions/002-commitment-and-hash-recipe.md. One-byte domain tags keep a leaf from ever
// being accepted as an inner node (second-preimage attack on Merkle trees).
export const LEAF_TAG = 0x00;
export const NODE_TAG = 0x01;

export type Hex32 = `0x${string}`;

export function toHex(bytes: Uint8Array): Hex32 {
  // A Buffer (every digest is one) is read in place; Buffer.from(buffer) would copy it first.
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return `0x${buffer.toString("hex")}`;
}

const HEX32 = /^0x[0-9a-f]{64}$/;

export function isHex32(value: unknown): value is Hex32 {
  return typeof value === "string" && value.length === 66 && HEX32.test(value);
}

export function fromHex32(value: string): Buffer {
  if (!isHex32(value)) throw new TypeError("expected a 0x-prefixed 32-byte lower-case hex string");
  return Buffer.from(value.slice(2), "hex");
}

export function newSalt(): Hex32 {
  return toHex(crypto.randomBytes(32));
}

// crypto.hash (Node ≥ 20.12) is a one-shot digest: for a 65-byte node it costs about half of
// createHash().update().update().update().digest(), whose per-call overhead dominates (ADR 007).
// The engines field allows Node 20.9, so createHash stays as the fallback.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, outputEncoding: "buffer") => Buffer }).hash;

/** sha256 of exactly the 65 bytes of `node` (NODE_TAG ‖ left ‖ right), as a new Buffer. @internal */
export function sha256Node(node: Buffer): Buffer {
  return oneShot ? oneShot("sha256", node, "buffer") : crypto.createHash("sha256").update(node).digest();
}

const oneShotString = (crypto as { hash?: (algorithm: string, data: Uint8Array, outputEncoding: "binary") => string }).hash;

/**
 * sha256 of exactly the 65 bytes of `node`, written over bytes 1..32 of `into` (the proof walk's next node). A digest
 * as a one-byte string and written back costs a third of a digest as a new Buffer (ADR 024). @internal
 */
export function sha256NodeInto(node: Buffer, into: Buffer): void {
  if (oneShotString) into.write(oneShotString("sha256", node, "binary"), 1, "latin1");
  else sha256Node(node).copy(into, 1);
}

/** A scratch inner node: NODE_TAG at byte 0, then room for left (1..32) and right (33..64). @internal */
export function nodeScratch(): Buffer {
  const node = Buffer.alloc(65);
  node[0] = NODE_TAG;
  return node;
}

const scratch = nodeScratch();

export function hashNode(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.byteLength !== 32 || right.byteLength !== 32) {
    return crypto.createHash("sha256").update(Uint8Array.of(NODE_TAG)).update(left).update(right).digest();
  }
  // Synchronous from copy to digest, so one module-level scratch buffer is safe.
  scratch.set(left, 1);
  scratch.set(right, 33);
  return sha256Node(scratch);
}
