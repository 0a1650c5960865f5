import { describe, expect, it } from "vitest";
import { buildMerkleTree, canonicalBytes, prepareRecord, type Hex32 } from "@/lib/integrity";
import {
  buildProofBundle,
  checkProofBundle,
  parseProofBundle,
  proofLevelsPass,
  walkProof,
  type ProofBundle,
  type ProofBundleSource,
} from "@/lib/integrity/proof-bundle";

const PATIENT = "7b4e8a4e-7c0d-4f4e-9d57-2f5d5d1b2c11";
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

function record(i: number) {
  return prepareRecord({
    patientId: PATIENT,
    resourceType: "Observation",
    resource: { resourceType: "Observation", status: "final", code: { text: `HbA1c ${i}` }, valueQuantity: { value: 5.4 + i / 10, unit: "%" } },
    recordedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, i)),
    source: "CLINICIAN",
    identityVersion: 1,
  });
}

/** Five records in one batch, that batch and two others in one checkpoint: the shapes the index holds. */
function fixture(options: { checkpoint?: boolean } = {}) {
  const records = Array.from({ length: 5 }, (_, i) => record(i));
  const batch = buildMerkleTree(records.map((r) => r.commitment));
  const otherRoots: Hex32[] = [`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`];
  const checkpoint = buildMerkleTree([otherRoots[0]!, batch.root, otherRoots[1]!]);
  const i = 3;
  const r = records[i]!;
  const source: ProofBundleSource = {
    id: r.id,
    patientId: r.patientId,
    resourceType: r.resourceType,
    recordedAt: r.recordedAt,
    canonical: r.canonical,
    recipeVersion: r.recipeVersion,
    source: r.source,
    supersedesId: r.supersedesId,
    identityVersion: r.identityVersion,
    salt: r.salt,
    commitment: r.commitment,
    leafIndex: i,
    proof: batch.proofs[i],
    status: "ANCHORED",
    batch: {
      chainId: 31337,
      contractAddress: CONTRACT,
      batchNumber: 7n,
      root: batch.root,
      txHash: `0x${"ab".repeat(32)}`,
      blockNumber: 42n,
      checkpointProof: options.checkpoint === false ? null : checkpoint.proofs[1],
      checkpoint:
        options.checkpoint === false
          ? null
          : { chainId: 31338, contractAddress: CONTRACT, checkpointNumber: 2n, root: checkpoint.root, txHash: `0x${"cd".repeat(32)}`, blockNumber: 9n, status: "CONFIRMED" },
    },
  };
  return { source, resource: r.resource as Record<string, unknown>, batchRoot: batch.root, checkpointRoot: checkpoint.root };
}

function built(source: ProofBundleSource): ProofBundle {
  const result = buildProofBundle(source);
  if (!result.ok) throw new Error(`bundle not built: ${result.reason}`);
  return result.bundle;
}

/** A bundle as a third party gets it: through JSON text. */
function roundTrip(bundle: ProofBundle): ProofBundle {
  const parsed = parseProofBundle(JSON.parse(JSON.stringify(bundle)));
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.bundle;
}

const allOk = { commitment: "ok", creation: "skipped", batchPath: "ok", batchAnchor: "ok", checkpointPath: "ok", checkpointAnchor: "ok" };

describe("building a proof bundle", () => {
  it("carries the committed fields, salt, proof, batch and checkpoint, with numbers as decimal strings", () => {
    const { source, resource, batchRoot, checkpointRoot } = fixture();
    const bundle = built(source);
    expect(bundle).toMatchObject({
      format: "chartproof.record-proof",
      recipeVersion: 2,
      record: {
        recordId: source.id,
        patientId: PATIENT,
        resourceType: "Observation",
        recordedAt: source.recordedAt.toISOString(),
        resource,
        source: "CLINICIAN",
        supersedes: null,
        identityVersion: 1,
      },
      salt: source.salt,
      commitment: source.commitment,
      leafIndex: 3,
      batch: { chainId: 31337, contract: CONTRACT, batchNumber: "7", root: batchRoot, blockNumber: "42" },
      checkpoint: { chainId: 31338, checkpointNumber: "2", root: checkpointRoot, blockNumber: "9" },
    });
    expect(bundle.proof).toEqual(source.proof);
  });

  it("verifies on its own and against the roots the chains hold, after a trip through JSON", () => {
    const { source, batchRoot, checkpointRoot } = fixture();
    const bundle = roundTrip(built(source));
    expect(checkProofBundle(bundle)).toEqual({ ...allOk, batchAnchor: "skipped", checkpointAnchor: "skipped" });
    const levels = checkProofBundle(bundle, { batchRoot, checkpointRoot });
    expect(levels).toEqual(allOk);
    expect(proofLevelsPass(levels)).toBe(true);
  });

  it("without a checkpoint, the checkpoint levels are skipped", () => {
    const { source, batchRoot } = fixture({ checkpoint: false });
    const bundle = roundTrip(built(source));
    expect(bundle.checkpoint).toBeNull();
    expect(checkProofBundle(bundle, { batchRoot, checkpointRoot: "not_checked" })).toEqual({ ...allOk, checkpointPath: "skipped", checkpointAnchor: "skipped" });
  });

  it("leaves out a checkpoint that is not confirmed on the public chain yet", () => {
    const { source, batchRoot } = fixture();
    const bundle = built({ ...source, batch: { ...source.batch!, checkpoint: { ...source.batch!.checkpoint!, status: "SENT" } } });
    expect(bundle.checkpoint).toBeNull();
    expect(checkProofBundle(bundle, { batchRoot, checkpointRoot: "not_checked" })).toEqual({ ...allOk, checkpointPath: "skipped", checkpointAnchor: "skipped" });
  });

  it("refuses a pending record, and a row whose stored values no bundle can carry", () => {
    const { source } = fixture();
    expect(buildProofBundle({ ...source, status: "PENDING", batch: null, leafIndex: null, proof: null })).toEqual({ ok: false, reason: "not_anchored" });
    expect(buildProofBundle({ ...source, proof: { not: "a proof" } })).toEqual({ ok: false, reason: "malformed" });
    expect(buildProofBundle({ ...source, salt: "0xnot-hex" })).toEqual({ ok: false, reason: "malformed" });
  });

  it("copies a tampered row as it is, so that its bundle fails", () => {
    const { source, resource, batchRoot, checkpointRoot } = fixture();
    const bundle = built({ ...source, canonical: canonicalBytes({ ...resource, status: "entered-in-error" }) });
    expect(checkProofBundle(bundle, { batchRoot, checkpointRoot })).toEqual({ ...allOk, commitment: "mismatch" });
  });
});

describe("a tampered bundle is detected at the level that was changed", () => {
  const { source, batchRoot, checkpointRoot } = fixture();
  const good = built(source);
  const chains = { batchRoot, checkpointRoot };
  const other: Hex32 = `0x${"ee".repeat(32)}`;

  it.each<[string, (b: ProofBundle) => ProofBundle, Partial<typeof allOk>]>([
    ["the resource", (b) => ({ ...b, record: { ...b.record, resource: { ...b.record.resource, status: "amended" } } }), { commitment: "mismatch" }],
    ["the patient", (b) => ({ ...b, record: { ...b.record, patientId: "00000000-0000-4000-8000-000000000000" } }), { commitment: "mismatch" }],
    ["the recorded time", (b) => ({ ...b, record: { ...b.record, recordedAt: "2020-01-01T00:00:00.000Z" } }), { commitment: "mismatch" }],
    ["the salt", (b) => ({ ...b, salt: other }), { commitment: "mismatch" }],
    ["the source (recipe v2 binds it)", (b) => ({ ...b, record: { ...b.record, source: "PATIENT_UPLOAD" } }), { commitment: "mismatch" }],
    ["the record it supersedes", (b) => ({ ...b, record: { ...b.record, supersedes: "00000000-0000-4000-8000-000000000000" } }), { commitment: "mismatch" }],
    ["the patient identity version", (b) => ({ ...b, record: { ...b.record, identityVersion: 2 } }), { commitment: "mismatch" }],
    [
      "the recipe, downgraded to v1",
      (b) => ({ ...b, recipeVersion: 1, record: { recordId: b.record.recordId, patientId: b.record.patientId, resourceType: b.record.resourceType, recordedAt: b.record.recordedAt, resource: b.record.resource } }),
      { commitment: "mismatch" },
    ],
    ["the commitment", (b) => ({ ...b, commitment: other }), { commitment: "mismatch", batchPath: "mismatch" }],
    ["a proof step", (b) => ({ ...b, proof: b.proof.map((s, i) => (i === 0 ? { ...s, h: other } : s)) }), { batchPath: "mismatch" }],
    ["a proof side", (b) => ({ ...b, proof: b.proof.map((s, i) => (i === 0 ? { ...s, s: s.s === "L" ? ("R" as const) : ("L" as const) } : s)) }), { batchPath: "mismatch" }],
    ["a dropped step", (b) => ({ ...b, proof: b.proof.slice(1) }), { batchPath: "mismatch" }],
    ["the batch root", (b) => ({ ...b, batch: { ...b.batch, root: other } }), { batchPath: "mismatch", batchAnchor: "mismatch", checkpointPath: "mismatch" }],
    ["the checkpoint proof", (b) => ({ ...b, checkpoint: { ...b.checkpoint!, proof: [] } }), { checkpointPath: "mismatch" }],
    ["the checkpoint root", (b) => ({ ...b, checkpoint: { ...b.checkpoint!, root: other } }), { checkpointPath: "mismatch", checkpointAnchor: "mismatch" }],
  ])("%s", (_, tamper, failed) => {
    const levels = checkProofBundle(roundTrip(tamper(good)), chains);
    expect(levels).toEqual({ ...allOk, ...failed });
    expect(proofLevelsPass(levels)).toBe(false);
  });

  it("against chains that hold another root, none, or cannot be asked", () => {
    expect(checkProofBundle(good, { batchRoot: other, checkpointRoot })).toEqual({ ...allOk, batchAnchor: "mismatch" });
    expect(checkProofBundle(good, { batchRoot: null, checkpointRoot })).toEqual({ ...allOk, batchAnchor: "missing" });
    expect(checkProofBundle(good, { batchRoot: undefined, checkpointRoot })).toEqual({ ...allOk, batchAnchor: "unavailable" });
    expect(checkProofBundle(good, { batchRoot, checkpointRoot: other })).toEqual({ ...allOk, checkpointAnchor: "mismatch" });
    expect(checkProofBundle(good, { batchRoot, checkpointRoot: null })).toEqual({ ...allOk, checkpointAnchor: "missing" });
    expect(proofLevelsPass(checkProofBundle(good, { batchRoot: undefined, checkpointRoot }))).toBe(false);
  });
});

describe("parsing an untrusted bundle", () => {
  const { source } = fixture();
  const good = JSON.parse(JSON.stringify(built(source))) as Record<string, any>;

  it.each<[string, (b: Record<string, any>) => unknown, string]>([
    ["not an object", () => "hello", "(bundle)"],
    ["another format", (b) => ({ ...b, format: "something-else" }), "format"],
    ["another recipe", (b) => ({ ...b, recipeVersion: 3 }), "recipeVersion"],
    ["a v2 record without its source", (b) => ({ ...b, record: { ...b.record, source: undefined } }), "record"],
    ["an upper-case hash", (b) => ({ ...b, commitment: b.commitment.toUpperCase().replace("0X", "0x") }), "commitment"],
    ["a short salt", (b) => ({ ...b, salt: "0x1234" }), "salt"],
    ["a time without milliseconds", (b) => ({ ...b, record: { ...b.record, recordedAt: "2026-01-02T03:04:05Z" } }), "record.recordedAt"],
    ["a time in another zone", (b) => ({ ...b, record: { ...b.record, recordedAt: "2026-01-02T12:04:05.000+09:00" } }), "record.recordedAt"],
    ["a batch number as a JSON number", (b) => ({ ...b, batch: { ...b.batch, batchNumber: 7 } }), "batch.batchNumber"],
    ["a proof step with a third side", (b) => ({ ...b, proof: [{ s: "X", h: b.commitment }] }), "proof.0.s"],
    ["an unknown field", (b) => ({ ...b, note: "trust me" }), "(bundle)"],
    ["a missing checkpoint key", (b) => ({ ...b, checkpoint: undefined }), "checkpoint"],
  ])("rejects %s, naming the field but not echoing its value", (_, mutate, path) => {
    const result = parseProofBundle(mutate(good));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.some((p) => p.startsWith(`${path}:`))).toBe(true);
    expect(result.problems.join("\n")).not.toContain("trust me");
  });

  it("accepts the bundle as exported", () => {
    expect(parseProofBundle(good).ok).toBe(true);
  });
});

describe("walking a proof", () => {
  it("gives each intermediate node, ending at the root", () => {
    const { source, batchRoot } = fixture();
    const steps = walkProof(source.commitment, source.proof)!;
    expect(steps.length).toBe((source.proof as unknown[]).length);
    expect(steps.at(-1)!.node).toBe(batchRoot);
    expect(steps.map((s) => ({ s: s.side, h: s.sibling }))).toEqual(source.proof);
  });

  it("is null for a malformed proof or leaf", () => {
    expect(walkProof("0x12", [])).toBeNull();
    expect(walkProof(`0x${"00".repeat(32)}`, [{ s: "L" }])).toBeNull();
    expect(walkProof(`0x${"00".repeat(32)}`, "nope")).toBeNull();
  });
});
