import { createHash, randomBytes } from "node:crypto";

// Recipe in docs/decisions/002-commitment-and-hash-recipe.md. One-byte domain tags keep a leaf from ever
// being accepted as an inner node (second-preimage attack on Merkle trees).
export const LEAF_TAG = 0x00;
export const NODE_TAG = 0x01;

export type Hex32 = `0x${string}`;

export function toHex(bytes: Uint8Array): Hex32 {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

const HEX32 = /^0x[0-9a-f]{64}$/;

export function isHex32(value: unknown): value is Hex32 {
  return typeof value === "string" && HEX32.test(value);
}

export function fromHex32(value: string): Buffer {
  if (!isHex32(value)) throw new TypeError("expected a 0x-prefixed 32-byte lower-case hex string");
  return Buffer.from(value.slice(2), "hex");
}

export function newSalt(): Hex32 {
  return toHex(randomBytes(32));
}

export function hashNode(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(Uint8Array.of(NODE_TAG)).update(left).update(right).digest();
}
