// The proof format's one vector file (tests/vectors/chartproof-vectors.json, docs/proof-format.md): written by a
// standalone script that imports nothing from lib/, recomputed here by the product, checked by an independent
// verifier that imports nothing from the product, and quoted in the specification. A change made consistently to
// the product's building and verifying (a tag, a key order, a field, the tree's shape) passes every round trip and
// fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildMerkleTree,
  canonicalBytes,
  canonicalize,
  commitmentOf,
  commitmentPreimage,
  rootFromProof,
  type CommittedFields,
  type Hex32,
  type MerkleProof,
} from "@/lib/integrity";
import { LEAF_TAG, NODE_TAG } from "@/lib/integrity/hash";
import { checkProofBundle, parseProofBundle } from "@/lib/integrity/proof-bundle";
import { tombstoneBytes, type TombstoneStatement } from "@/lib/integrity/tombstone";
import { parseTrustAnchors, writerAuthorisedAt } from "@/lib/integrity/trust-anchors";
import { vectorsText, VECTORS_FILE } from "@/scripts/vectors.mjs";
import { checkVectors, commitmentOf as independentCommitment, walk } from "../support/independent-verifier.mjs";

type RecordVector = {
  name: string;
  recipe: 1 | 2;
  recordId: string;
  patientId: string;
  resourceType: string;
  recordedAt: string;
  resource: unknown;
  source?: string;
  supersedes?: string | null;
  identityVersion?: number;
  salt: string;
  canonicalResource: string;
  preimage: string;
  commitment: string;
};
type TreeVector = { number: string; leaves: Hex32[]; levels: Hex32[][]; root: Hex32; proofs: MerkleProof[] };
type Vectors = {
  tags: { leaf: string; node: string };
  records: RecordVector[];
  batches: TreeVector[];
  checkpoint: TreeVector;
  bundle: unknown;
  tombstone: { statement: TombstoneStatement; canonical: string; hash: string };
  anchors: { file: unknown; canonical: string; sha256: string; writerChecks: { role: "private" | "public"; writer: string; block: string; authorised: boolean }[] };
};

const text = readFileSync(VECTORS_FILE, "utf8");
const vectors = JSON.parse(text) as Vectors;

const fieldsOf = (r: RecordVector): CommittedFields => ({
  recipe: r.recipe,
  recordId: r.recordId,
  patientId: r.patientId,
  resourceType: r.resourceType,
  recordedAt: new Date(r.recordedAt),
  source: r.source ?? "",
  supersedesId: r.supersedes ?? null,
  identityVersion: r.identityVersion ?? null,
});

describe("the proof-format vectors", () => {
  it("are exactly what the standalone script produces", () => {
    expect(text).toBe(vectorsText());
  });

  it("use the product's domain tags", () => {
    expect(vectors.tags).toEqual({ leaf: `0x0${LEAF_TAG}`, node: `0x0${NODE_TAG}` });
  });

  it.each(vectors.records.map((r) => [r.name, r] as const))("the product recomputes the record vector: %s", (_, r) => {
    const canonical = canonicalBytes(r.resource);
    expect(canonical.toString("utf8")).toBe(r.canonicalResource);
    expect(commitmentPreimage(fieldsOf(r), canonical).toString("utf8")).toBe(r.preimage);
    expect(commitmentOf(fieldsOf(r), canonical, r.salt)).toBe(r.commitment);
  });

  it("the product recomputes every tree: root, levels' proofs, and each proof's walk", () => {
    for (const t of [...vectors.batches, vectors.checkpoint]) {
      const tree = buildMerkleTree(t.leaves);
      expect(tree.root).toBe(t.root);
      expect(tree.proofs).toEqual(t.proofs);
      t.leaves.forEach((leaf, i) => expect(rootFromProof(leaf, t.proofs[i])).toBe(t.root));
      expect(t.levels.at(-1)).toEqual([t.root]);
    }
    expect(vectors.checkpoint.leaves).toEqual(vectors.batches.map((b) => b.root));
  });

  it("the product accepts the worked example's bundle at every offline level", () => {
    const parsed = parseProofBundle(vectors.bundle);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    expect(checkProofBundle(parsed.bundle)).toMatchObject({ commitment: "ok", batchPath: "ok", checkpointPath: "ok" });
  });

  it("the product recomputes the tombstone's bytes and hash, and reads the anchors file", () => {
    const { bytes, hash } = tombstoneBytes(vectors.tombstone.statement);
    expect(bytes.toString("utf8")).toBe(vectors.tombstone.canonical);
    expect(hash).toBe(vectors.tombstone.hash);
    const anchors = parseTrustAnchors(vectors.anchors.file);
    if (!anchors.ok) throw new Error(anchors.problems.join("; "));
    expect(canonicalize(anchors.anchors)).toBe(vectors.anchors.canonical);
    for (const c of vectors.anchors.writerChecks) {
      const chain = anchors.anchors.chains.find((x) => x.role === c.role)!;
      expect(writerAuthorisedAt(chain, c.writer, BigInt(c.block)), `${c.writer} on ${c.role} in block ${c.block}`).toBe(c.authorised);
    }
  });

  it("the independent verifier agrees with every vector", () => {
    expect(checkVectors(vectors).failures).toEqual([]);
  });

  it("the independent verifier and the product agree on inputs outside the file too", () => {
    // Same inputs through both implementations: a vector file edited to match a changed product would not help here.
    for (const r of vectors.records) {
      for (const salt of [r.salt, `0x${"00".repeat(32)}`, `0x${"ff".repeat(32)}`]) {
        const resource = { ...(r.resource as object), extra: [r.recordId, 3.5, { z: "마지막", a: false }] };
        expect(commitmentOf(fieldsOf(r), canonicalBytes(resource), salt)).toBe(independentCommitment({ ...r, resource }, salt).commitment);
      }
    }
    const leaves = vectors.records.map((r) => r.commitment as Hex32).concat(vectors.batches.map((b) => b.root));
    for (let n = 1; n <= leaves.length; n++) {
      const tree = buildMerkleTree(leaves.slice(0, n));
      tree.proofs.forEach((p, i) => expect(walk(leaves[i]!, p)).toBe(tree.root));
    }
  });

  it("the independent verifier rejects a vector that was changed", () => {
    const changed = structuredClone(vectors);
    const step = changed.batches[0]!.proofs[1]![0]!;
    changed.batches[0]!.proofs[1]![0] = { s: step.s === "L" ? "R" : "L", h: step.h };
    changed.records[2]!.commitment = vectors.records[1]!.commitment;
    const { failures } = checkVectors(changed);
    expect(failures.some((f) => f.startsWith("batch 1: proof of leaf 1"))).toBe(true);
    expect(failures.some((f) => f.startsWith(`${vectors.records[2]!.name}: commitment`))).toBe(true);
  });

  it("are quoted in the specification", () => {
    const spec = readFileSync(new URL("../../docs/proof-format.md", import.meta.url), "utf8");
    const [v1, v2] = vectors.records;
    for (const quoted of [v1!.salt, v1!.preimage, v1!.commitment, v2!.commitment, vectors.batches[0]!.root, vectors.checkpoint.root, vectors.anchors.sha256]) {
      expect(spec).toContain(quoted);
    }
  });
});
