import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalize } from "./canonical-json";
import { isHex32, type Hex32 } from "./hash";
import type { ChainRoot, LevelResult } from "./judge";
import { rootFromProof } from "./merkle";

/*
 * A record's tombstone (docs/decisions/016-database-refuses-to-rewrite-history.md, "Erasure"): the statement that a
 * record with this commitment was lawfully erased — when, on what legal basis, requested by whom and approved by
 * whom; the reason only by its hash. Its RFC 8785 bytes are stored beside the record and their sha256 is anchored as
 * the root of its own TOMBSTONE unit, so the chains prove both that the record existed (its leaf) and that it was
 * erased (the tombstone). Pure: no I/O.
 */

export const TOMBSTONE_FORMAT = "chartproof-tombstone/1";

/**
 * The legal bases an erasure may cite. PIPA (개인정보 보호법) Art. 36 is the data subject's right to have their data
 * deleted, Art. 21 the duty to destroy it once its retention period ends; a court order; and a record filed into the
 * wrong person's chart (another person's data, which this chart must not keep). The Medical Service Act's retention
 * duties (Art. 22, enforcement rule Art. 15) are the officers' to weigh before requesting; the list names the basis
 * they relied on, the reason says why it applies.
 */
export const ERASURE_LEGAL_BASES = ["PIPA_ART36_REQUEST", "PIPA_ART21_RETENTION_ENDED", "COURT_ORDER", "MISFILED_OTHER_PERSON"] as const;
export type ErasureLegalBasis = (typeof ERASURE_LEGAL_BASES)[number];

export type TombstoneStatement = {
  format: typeof TOMBSTONE_FORMAT;
  recordId: string;
  commitment: string;
  requestId: string;
  requestedById: string;
  approvedById: string;
  legalBasis: ErasureLegalBasis;
  /** sha256 (hex, no 0x) of the reason's UTF-8 bytes: the words stay in the hospital, their hash is fixed. */
  reasonSha256: string;
  /** When the erasure was approved (and executed, in the same transaction). */
  erasedAt: string;
};

export function reasonSha256(reason: string): string {
  return createHash("sha256").update(reason, "utf8").digest("hex");
}

/** The statement's bytes (what is stored) and their sha256 (what is anchored). */
export function tombstoneBytes(statement: TombstoneStatement): { bytes: Buffer; hash: Hex32 } {
  const bytes = Buffer.from(canonicalize(statement), "utf8");
  return { bytes, hash: `0x${createHash("sha256").update(bytes).digest("hex")}` };
}

const hex32Schema = z.string().regex(/^0x[0-9a-f]{64}$/);
const uuidSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const uintStringSchema = z.string().regex(/^(0|[1-9][0-9]{0,77})$/);
const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

export const tombstoneStatementSchema = z
  .object({
    format: z.literal(TOMBSTONE_FORMAT),
    recordId: uuidSchema,
    commitment: hex32Schema,
    requestId: uuidSchema,
    requestedById: uuidSchema,
    approvedById: uuidSchema,
    legalBasis: z.enum(ERASURE_LEGAL_BASES),
    reasonSha256: z.string().regex(/^[0-9a-f]{64}$/),
    erasedAt: z.string(),
  })
  .strict();

/** Parses stored statement bytes; null when they are not a statement (a tampered tombstone). */
export function parseTombstoneStatement(bytes: Uint8Array): TombstoneStatement | null {
  try {
    const parsed = tombstoneStatementSchema.safeParse(JSON.parse(Buffer.from(bytes).toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * What may be said of an erased record without the database: the statement stands for itself (its hash is
 * recomputed), names the record and the commitment, and was approved by someone other than its requester.
 */
export function statementMatches(statement: TombstoneStatement | null, bytes: Uint8Array, statementHash: string, record: { id: string; commitment: string }): boolean {
  if (!statement || !isHex32(statementHash)) return false;
  const again = tombstoneBytes(statement);
  return (
    Buffer.compare(again.bytes, Buffer.from(bytes)) === 0 &&
    again.hash === statementHash &&
    statement.recordId === record.id &&
    statement.commitment === record.commitment &&
    statement.requestedById !== statement.approvedById
  );
}

/**
 * The proof download of an erased record: no content and no salt (they are gone), but the commitment's leaf and
 * path to its batch root, and the tombstone statement with the unit that anchors it. `npm run verify-proof` checks
 * both against the private chain: the record existed with that commitment, and it was erased as stated.
 */
export const ERASED_PROOF_FORMAT = "chartproof-erased/1";

const anchorSchema = z
  .object({ chainId: z.number().int().positive(), contract: addressSchema, batchNumber: uintStringSchema, root: hex32Schema, txHash: hex32Schema.nullable(), blockNumber: uintStringSchema.nullable() })
  .strict();

export const erasedProofSchema = z
  .object({
    format: z.literal(ERASED_PROOF_FORMAT),
    recordId: uuidSchema,
    verification: z.literal("erased"),
    commitment: hex32Schema,
    leafIndex: z.number().int().min(0),
    proof: z.array(z.object({ s: z.enum(["L", "R"]), h: hex32Schema }).strict()).max(64),
    batch: anchorSchema,
    tombstone: z.object({ statement: tombstoneStatementSchema, statementHash: hex32Schema, unit: anchorSchema.nullable() }).strict(),
  })
  .strict();

export type ErasedProof = z.infer<typeof erasedProofSchema>;

export function parseErasedProof(input: unknown): { ok: true; proof: ErasedProof } | { ok: false; problems: string[] } {
  const parsed = erasedProofSchema.safeParse(input);
  return parsed.success ? { ok: true, proof: parsed.data } : { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`) };
}

export function isErasedProof(json: unknown): json is ErasedProof {
  return (json as { format?: unknown } | null)?.format === ERASED_PROOF_FORMAT;
}

export type ErasedLevels = {
  /** The statement hashes to its anchored hash and names this record, this commitment and two different people. */
  statement: LevelResult;
  /** The commitment's proof leads to the batch root. */
  leafPath: LevelResult;
  /** The private chain holds that batch root. */
  leafAnchor: LevelResult;
  /** The private chain holds the statement's hash under the tombstone's unit ("missing": not anchored yet). */
  tombstoneAnchor: LevelResult;
};

function anchorLevel(claimed: string, onChain: ChainRoot): LevelResult {
  if (onChain === "not_checked") return "skipped";
  if (onChain === undefined) return "unavailable";
  if (onChain === null) return "missing";
  return onChain.toLowerCase() === claimed.toLowerCase() ? "ok" : "mismatch";
}

/** Checks an erased record's proof against what the chain answered for its batch and its tombstone's unit. */
export function checkErasedProof(proof: ErasedProof, chain: { batchRoot: ChainRoot; tombstoneRoot: ChainRoot }): { levels: ErasedLevels; ok: boolean } {
  const bytes = Buffer.from(canonicalize(proof.tombstone.statement), "utf8");
  const levels: ErasedLevels = {
    statement: statementMatches(proof.tombstone.statement as TombstoneStatement, bytes, proof.tombstone.statementHash, { id: proof.recordId, commitment: proof.commitment })
      && (proof.tombstone.unit === null || proof.tombstone.unit.root === proof.tombstone.statementHash)
      ? "ok"
      : "mismatch",
    leafPath: rootFromProof(proof.commitment as Hex32, proof.proof) === proof.batch.root ? "ok" : "mismatch",
    leafAnchor: anchorLevel(proof.batch.root, chain.batchRoot),
    tombstoneAnchor: proof.tombstone.unit === null ? "missing" : anchorLevel(proof.tombstone.statementHash, chain.tombstoneRoot),
  };
  return { levels, ok: Object.values(levels).every((l) => l === "ok") };
}
