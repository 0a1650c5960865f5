import * as crypto from "node:crypto";
import { canonicalize } from "./canonical-json";
import { LEAF_TAG, isHex32, type Hex32 } from "./hash";

/*
 * The commitment recipes (docs/decisions/002-commitment-and-hash-recipe.md, 017-stored-canonical-bytes.md).
 *
 *   commitment = sha256(0x00 ‖ salt ‖ JCS(preimage))
 *
 *   v1: preimage = { v: 1, recordId, patientId, resourceType, recordedAt, resource }
 *   v2: preimage = { v: 2, recordId, patientId, resourceType, recordedAt, resource,
 *                    source, supersedes (record id or null), identityVersion }
 *
 * A record keeps the exact RFC 8785 bytes of its resource from creation (MedicalRecord.canonical). RFC 8785 sorts
 * an object's keys, so in both preimages `resource` sits between fields that are fixed strings and numbers: the JCS
 * of the whole preimage is head ‖ canonical bytes ‖ tail, and verification only hashes stored bytes — no JSON is
 * parsed or re-serialized. The head and tail are written here by hand with JSON.stringify, which is exactly RFC
 * 8785's serialization of strings and integers; the known-answer vectors (tests/unit/verification-vectors.test.ts)
 * check them against the canonicalize package.
 */

export type RecipeVersion = 1 | 2;
export const CURRENT_RECIPE: RecipeVersion = 2;

/** The fields a commitment binds besides the resource bytes. v1 ignores source, supersedesId and identityVersion. */
export type CommittedFields = {
  recipe: RecipeVersion;
  recordId: string;
  patientId: string;
  resourceType: string;
  recordedAt: Date;
  /** v2: where the record came from (CLINICIAN, PATIENT_UPLOAD, HOSPITAL_SYSTEM, SEED). */
  source: string;
  /** v2: the record this one corrects, or null. */
  supersedesId: string | null;
  /** v2: the version of the patient's identity the record was filed under. */
  identityVersion: number | null;
};

/** The RFC 8785 bytes of a resource, as stored at creation and hashed and shown ever after. */
export function canonicalBytes(resource: unknown): Buffer<ArrayBuffer> {
  return Buffer.from(canonicalize(resource), "utf8");
}

// RFC 8785 serializes a string as ECMAScript's JSON.stringify does; one that needs no escaping (every id, date,
// type and source the index holds) is just quoted, which is what JSON.stringify would return.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const ASCII = /^[\x00-\x7f]*$/;

/** The parts of the canonical preimage before and after the resource bytes. */
export function commitmentFrame(fields: CommittedFields): { head: string; tail: string } {
  const { head, tail } = frame(fields);
  return { head, tail };
}

// Whether every string quoted into the frame being built is plain ASCII (then latin1 writes the same bytes, and
// faster). A module variable, not a closure: frame() runs once per record on every view (ADR 024), and is
// synchronous, so no two frames interleave.
let frameAscii = true;

/** One string of the frame as RFC 8785 writes it (see PLAIN), noting whether it stays ASCII. */
function quote(value: string): string {
  if (PLAIN.test(value)) return `"${value}"`;
  if (!ASCII.test(value)) frameAscii = false;
  return JSON.stringify(value);
}

const plain = (value: string) => `"${value}"`;

/** The frame, and whether every string in it is plain ASCII (then latin1 writes the same bytes, and faster). */
function frame(fields: CommittedFields): { head: string; tail: string; ascii: boolean } {
  frameAscii = true;
  // The common case, every string plain (ids, types, sources), decided by one test instead of five.
  const q = PLAIN.test(fields.patientId + fields.recordId + fields.resourceType + fields.source + (fields.supersedesId ?? "")) ? plain : quote;
  if (fields.recipe === 1) {
    const head = `{"patientId":${q(fields.patientId)},"recordId":${q(fields.recordId)},"recordedAt":"${fields.recordedAt.toISOString()}","resource":`;
    const tail = `,"resourceType":${q(fields.resourceType)},"v":1}`;
    return { head, tail, ascii: frameAscii };
  }
  if (fields.recipe !== 2) throw new RangeError("unknown commitment recipe");
  if (!Number.isSafeInteger(fields.identityVersion)) throw new TypeError("recipe v2 binds an integer identity version");
  const head =
    `{"identityVersion":${fields.identityVersion},"patientId":${q(fields.patientId)},"recordId":${q(fields.recordId)},` +
    `"recordedAt":"${fields.recordedAt.toISOString()}","resource":`;
  const tail = `,"resourceType":${q(fields.resourceType)},"source":${q(fields.source)},"supersedes":${fields.supersedesId === null ? "null" : q(fields.supersedesId)},"v":2}`;
  return { head, tail, ascii: frameAscii };
}

/** The full canonical preimage (for tests, vectors and the outsider's tools; verification hashes it in parts). */
export function commitmentPreimage(fields: CommittedFields, canonical: Uint8Array): Buffer {
  const { head, tail } = commitmentFrame(fields);
  return Buffer.concat([Buffer.from(head, "utf8"), canonical, Buffer.from(tail, "utf8")]);
}

// One scratch buffer (tag ‖ salt ‖ head ‖ bytes ‖ tail) hashed in one shot: a createHash object and five updates
// per record cost more than the 2 KB of hashing (ADR 007). Synchronous from first write to digest, so one
// module-level buffer is safe; it grows to the largest record seen.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, outputEncoding: "hex") => string }).hash;
let scratch = Buffer.alloc(64 * 1024);

// Buffer's own per-encoding writers, called directly: Buffer#write's argument handling costs more than writing a
// 40-character string, three times per record on every view (ADR 024). Node has had them on every Buffer since
// 0.x, but they are not documented: each falls back to Buffer#write where it is missing.
type RawWrite = (this: Buffer, text: string, offset: number, length: number) => number;
type RawWrites = Buffer & { latin1Write?: RawWrite; utf8Write?: RawWrite; hexWrite?: RawWrite };
const proto = Buffer.prototype as RawWrites;
const rawWrite = (encoding: "latin1" | "utf8" | "hex", own: RawWrite | undefined): RawWrite =>
  typeof own === "function" ? own : function (this: Buffer, text, offset, length) { return this.write(text, offset, length, encoding); };
const latin1Write = rawWrite("latin1", proto.latin1Write);
const utf8Write = rawWrite("utf8", proto.utf8Write);
const hexWrite = rawWrite("hex", proto.hexWrite);

/**
 * sha256(0x00 ‖ salt ‖ head ‖ canonical ‖ tail) as 0x-hex. The salt must be 0x-prefixed lower-case 32-byte hex
 * (throws otherwise: callers check it first and call a malformed salt tampering).
 */
export function commitmentOf(fields: CommittedFields, canonical: Uint8Array, salt: string): Hex32 {
  if (!isHex32(salt)) throw new TypeError("expected a 0x-prefixed 32-byte lower-case hex salt");
  return commitmentOfCheckedSalt(fields, canonical, salt);
}

/** commitmentOf for a salt the caller has just checked with isHex32. @internal */
export function commitmentOfCheckedSalt(fields: CommittedFields, canonical: Uint8Array, salt: Hex32): Hex32 {
  return `0x${digestHex(fields, canonical, salt)}`;
}

/**
 * Whether the commitment of these fields, bytes and salt (a salt the caller has just checked with isHex32) is
 * `commitment`, compared as text without building the 0x-string: the verification rules' hot path, once per record
 * on every view (ADR 024). True implies `commitment` is 0x-prefixed lower-case 32-byte hex. @internal
 */
export function commitmentMatches(fields: CommittedFields, canonical: Uint8Array, salt: Hex32, commitment: string): boolean {
  if (commitment.length !== 66 || commitment.charCodeAt(0) !== 0x30 || commitment.charCodeAt(1) !== 0x78) return false;
  return commitment.endsWith(digestHex(fields, canonical, salt));
}

/** sha256(0x00 ‖ salt ‖ head ‖ canonical ‖ tail) as 64 lower-case hex digits (a string digest: ~3× cheaper than a Buffer). */
function digestHex(fields: CommittedFields, canonical: Uint8Array, salt: Hex32): string {
  const { head, tail, ascii } = frame(fields);
  if (!oneShot) {
    return crypto.createHash("sha256").update(Uint8Array.of(LEAF_TAG)).update(Buffer.from(salt.slice(2), "hex")).update(head, "utf8").update(canonical).update(tail, "utf8").digest("hex");
  }
  // Room for the worst case (three UTF-8 bytes per UTF-16 unit); write() then says how many bytes it wrote. The
  // frame is almost always ASCII, where latin1 writes the same bytes with less work.
  const room = 33 + 3 * (head.length + tail.length) + canonical.byteLength;
  if (scratch.byteLength < room) scratch = Buffer.alloc(Math.max(room, scratch.byteLength * 2));
  const buffer = scratch as RawWrites;
  const write = ascii ? latin1Write : utf8Write;
  scratch[0] = LEAF_TAG;
  hexWrite.call(buffer, salt.slice(2), 1, 32);
  let at = 33 + write.call(buffer, head, 33, buffer.length - 33);
  scratch.set(canonical, at);
  at += canonical.byteLength;
  at += write.call(buffer, tail, at, buffer.length - at);
  return oneShot("sha256", scratch.subarray(0, at), "hex");
}

/** A record as an outsider holds it (a proof bundle): the fields and the resource as JSON. */
export type CommittedRecord = Omit<CommittedFields, "recipe" | "source" | "supersedesId" | "identityVersion"> &
  Partial<Pick<CommittedFields, "source" | "supersedesId" | "identityVersion">> & { recipe: RecipeVersion; resource: unknown };

/** The commitment of a record given as JSON: canonicalizes the resource, then commitmentOf. */
export function computeCommitment(record: CommittedRecord, salt: string): Hex32 {
  return commitmentOf(
    { ...record, source: record.source ?? "", supersedesId: record.supersedesId ?? null, identityVersion: record.identityVersion ?? null },
    canonicalBytes(record.resource),
    salt,
  );
}
