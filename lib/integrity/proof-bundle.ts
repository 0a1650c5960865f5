import { z } from "zod";
import { canonicalBytes, type RecipeVersion } from "./commitment";
import { fromHex32, hashNode, isHex32, toHex, type Hex32 } from "./hash";
import { judgeRecord, type ChainRoot, type LevelResult, type VerificationLevels } from "./judge";
import type { ProofStep } from "./merkle";

// A record's proof bundle: everything a third party needs to verify the record against the chains without our
// database (docs/decisions/002-commitment-and-hash-recipe.md). Pure: building, parsing and checking a bundle does
// no I/O; the roots the chains hold are read by the caller (scripts/verify-proof.ts, lib/dal) and passed in.

export const PROOF_BUNDLE_FORMAT = "chartproof.record-proof";

const hex32Schema = z.string().regex(/^0x[0-9a-f]{64}$/, "expected 0x and 64 lower-case hex digits");
const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte hex address");
const uintStringSchema = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "expected a non-negative decimal integer");
const uuidSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "expected a UUID");
/** The exact form the recipe hashes (Date#toISOString), so that what the bundle shows is what was committed. */
const isoInstantSchema = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s) && !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s, {
    message: "expected an ISO-8601 UTC instant with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)",
  });
/** A proof is at most one step per tree level; 64 levels is far beyond any batch. */
const proofSchema = z.array(z.object({ s: z.enum(["L", "R"]), h: hex32Schema }).strict()).max(64);

export const proofBundleSchema = z
  .object({
    format: z.literal(PROOF_BUNDLE_FORMAT),
    /** The commitment recipe (the `v` inside the committed JSON): 1, or 2 which also binds source, supersedes, identityVersion. */
    recipeVersion: z.union([z.literal(1), z.literal(2)]),
    /** The committed fields, exactly as hashed (v2 adds source, supersedes and identityVersion). */
    record: z
      .object({
        recordId: uuidSchema,
        patientId: uuidSchema,
        resourceType: z.string().min(1).max(100),
        recordedAt: isoInstantSchema,
        resource: z.record(z.string(), z.json()),
        source: z.string().min(1).max(100).optional(),
        supersedes: uuidSchema.nullable().optional(),
        identityVersion: z.number().int().min(0).optional(),
      })
      .strict(),
    salt: hex32Schema,
    commitment: hex32Schema,
    leafIndex: z.number().int().min(0),
    /** Steps from the commitment (leaf) to the batch root. */
    proof: proofSchema,
    /** Where the batch root is anchored: RecordAnchor.rootOf(batchNumber) on the private chain. */
    batch: z
      .object({
        chainId: z.number().int().positive(),
        contract: addressSchema,
        batchNumber: uintStringSchema,
        root: hex32Schema,
        txHash: hex32Schema.nullable(),
        blockNumber: uintStringSchema.nullable(),
      })
      .strict(),
    /** The public checkpoint whose root covers the batch root, or null when the batch is in none yet. */
    checkpoint: z
      .object({
        chainId: z.number().int().positive(),
        contract: addressSchema,
        checkpointNumber: uintStringSchema,
        root: hex32Schema,
        /** Steps from the batch root (leaf) to the checkpoint root. */
        proof: proofSchema,
        txHash: hex32Schema.nullable(),
        blockNumber: uintStringSchema.nullable(),
      })
      .strict()
      .nullable(),
  })
  .strict()
  .refine((b) => (b.recipeVersion === 2) === (b.record.source !== undefined && b.record.supersedes !== undefined && b.record.identityVersion !== undefined), {
    message: "recipe v2 records carry source, supersedes and identityVersion; v1 records carry none of them",
    path: ["record"],
  });

export type ProofBundle = z.infer<typeof proofBundleSchema>;

/** What a bundle is built from: a record row with its batch and checkpoint, as the index holds them. */
export type ProofBundleSource = {
  id: string;
  patientId: string;
  resourceType: string;
  recordedAt: Date;
  /** The stored canonical bytes (the bundle carries them parsed; an outsider re-canonicalizes them). */
  canonical: Uint8Array | null;
  recipeVersion: number;
  source: string;
  supersedesId: string | null;
  identityVersion: number | null;
  salt: string;
  commitment: string;
  leafIndex: number | null;
  proof: unknown;
  status: "PENDING" | "ANCHORED";
  batch: {
    chainId: number;
    contractAddress: string;
    batchNumber: bigint;
    root: string;
    txHash: string | null;
    blockNumber: bigint | null;
    checkpointProof: unknown;
    checkpoint: {
      chainId: number;
      contractAddress: string;
      checkpointNumber: bigint;
      root: string;
      txHash: string | null;
      blockNumber: bigint | null;
      /** Only a CONFIRMED checkpoint goes into a bundle: before that the public chain holds no root for it. */
      status: "PREPARED" | "SENT" | "CONFIRMED" | "FAILED";
    } | null;
  } | null;
};

export type BuildProofBundleResult =
  | { ok: true; bundle: ProofBundle }
  /** not_anchored: no batch yet (pending); malformed: the index holds values no bundle can carry (a tampered row). */
  | { ok: false; reason: "not_anchored" | "malformed" };

/**
 * The bundle for a record, from the index as it stands: values are copied, never corrected, so a bundle of a
 * tampered record fails verification just as the record does on screen. A checkpoint that is not CONFIRMED yet is
 * left out (the batch is "not yet checkpointed"), since the public chain holds no root for it.
 */
export function buildProofBundle(source: ProofBundleSource): BuildProofBundleResult {
  const batch = source.batch;
  if (source.status !== "ANCHORED" || batch === null || source.leafIndex === null) return { ok: false, reason: "not_anchored" };
  let resource: unknown;
  try {
    resource = source.canonical === null ? null : JSON.parse(Buffer.from(source.canonical).toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const candidate = {
    format: PROOF_BUNDLE_FORMAT,
    recipeVersion: source.recipeVersion,
    record: {
      recordId: source.id,
      patientId: source.patientId,
      resourceType: source.resourceType,
      recordedAt: source.recordedAt.toISOString(),
      resource,
      ...(source.recipeVersion === 2 ? { source: source.source, supersedes: source.supersedesId, identityVersion: source.identityVersion } : {}),
    },
    salt: source.salt,
    commitment: source.commitment,
    leafIndex: source.leafIndex,
    proof: source.proof,
    batch: {
      chainId: batch.chainId,
      contract: batch.contractAddress,
      batchNumber: batch.batchNumber.toString(),
      root: batch.root,
      txHash: batch.txHash,
      blockNumber: batch.blockNumber?.toString() ?? null,
    },
    checkpoint:
      batch.checkpoint?.status === "CONFIRMED"
        ? {
            chainId: batch.checkpoint.chainId,
            contract: batch.checkpoint.contractAddress,
            checkpointNumber: batch.checkpoint.checkpointNumber.toString(),
            root: batch.checkpoint.root,
            proof: batch.checkpointProof,
            txHash: batch.checkpoint.txHash,
            blockNumber: batch.checkpoint.blockNumber?.toString() ?? null,
          }
        : null,
  };
  const parsed = proofBundleSchema.safeParse(candidate);
  return parsed.success ? { ok: true, bundle: parsed.data } : { ok: false, reason: "malformed" };
}

export type ParseProofBundleResult = { ok: true; bundle: ProofBundle } | { ok: false; problems: string[] };

/** Validates untrusted input (a parsed JSON file) as a bundle; problems name the field, never echo its value. */
export function parseProofBundle(input: unknown): ParseProofBundleResult {
  const parsed = proofBundleSchema.safeParse(input);
  if (parsed.success) return { ok: true, bundle: parsed.data };
  return { ok: false, problems: parsed.error.issues.slice(0, 20).map((issue) => `${issue.path.length ? issue.path.join(".") : "(bundle)"}: ${issue.message}`) };
}

/**
 * One step of a walked proof: the sibling, the side it sits on, and the node the step produces. The last node is
 * the root the proof leads to.
 */
export type WalkedStep = { side: "L" | "R"; sibling: Hex32; node: Hex32 };

/** The intermediate nodes of a proof from `leaf`, for showing the path; null when the leaf or a step is malformed. */
export function walkProof(leaf: string, proof: unknown): WalkedStep[] | null {
  if (!isHex32(leaf) || !Array.isArray(proof)) return null;
  const steps: WalkedStep[] = [];
  let node = fromHex32(leaf);
  for (const step of proof as unknown[]) {
    if (typeof step !== "object" || step === null) return null;
    const { s, h } = step as { s?: unknown; h?: unknown };
    if (!isHex32(h) || (s !== "L" && s !== "R")) return null;
    const sibling = fromHex32(h);
    node = s === "L" ? hashNode(sibling, node) : hashNode(node, sibling);
    steps.push({ side: s, sibling: h, node: toHex(node) });
  }
  return steps;
}

export type { ChainRoot, LevelResult };
/** The levels of a bundle: those of judgeRecord (the creation event is not the outsider's to check: skipped). */
export type ProofLevels = VerificationLevels;

/** Lower-cases a root read from a chain (viem returns lower-case already; other clients may not). */
export function normalizeChainRoot(root: string | null | undefined): Hex32 | null | undefined {
  if (root === null || root === undefined) return root;
  const lower = root.toLowerCase();
  return isHex32(lower) ? lower : undefined;
}

/**
 * Checks every level of a bundle with the one set of rules (judgeRecord, judge.ts), each on its own so that every
 * failing level is visible:
 * the commitment against the record, the proof against the batch root, the batch root against the private chain,
 * the checkpoint proof against the checkpoint root, the checkpoint root against the public chain. Without `chain`,
 * only the bundle's internal consistency is checked (the anchor levels are skipped).
 */
export function checkProofBundle(bundle: ProofBundle, chain?: { batchRoot: ChainRoot; checkpointRoot: ChainRoot }): ProofLevels {
  let canonical: Buffer | null;
  try {
    canonical = canonicalBytes(bundle.record.resource);
  } catch {
    canonical = null;
  }
  const r = bundle.record;
  const fields = {
    recipe: bundle.recipeVersion as RecipeVersion,
    recordId: r.recordId,
    patientId: r.patientId,
    resourceType: r.resourceType,
    recordedAt: new Date(r.recordedAt),
    source: r.source ?? "",
    supersedesId: r.supersedes ?? null,
    identityVersion: r.identityVersion ?? null,
  };
  const { levels } = judgeRecord(
    {
      fields,
      canonical,
      salt: bundle.salt,
      commitment: bundle.commitment,
      status: "ANCHORED",
      proof: bundle.proof,
      batch: {
        anchor: "bundle",
        root: bundle.batch.root,
        checkpoint: bundle.checkpoint ? { anchor: "bundle", root: bundle.checkpoint.root, proof: bundle.checkpoint.proof } : null,
      },
    },
    { batchRoot: chain ? chain.batchRoot : "not_checked", checkpointRoot: chain ? chain.checkpointRoot : "not_checked", creation: "skipped", copyIntact: true },
    null,
  );
  // A resource that cannot be canonicalized is no record the bundle could have committed to.
  if (canonical === null) levels.commitment = "mismatch";
  return levels;
}

/** True when no level failed; skipped levels (not checkpointed, public chain not asked) do not fail a bundle. */
export function proofLevelsPass(levels: ProofLevels): boolean {
  return Object.values(levels).every((result) => result === "ok" || result === "skipped");
}

export type { ProofStep };
