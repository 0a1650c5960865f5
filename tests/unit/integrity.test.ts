import { describe, expect, it } from "vitest";
import {
  buildMerkleTree,
  canonicalize,
  merkleRoot,
  computeCommitment,
  prepareRecord,
  rootFromProof,
  type Hex32,
} from "@/lib/integrity";
import { verifyRecord } from "../support/judge";

const base = {
  patientId: "7b4e8a4e-7c0d-4f4e-9d57-2f5d5d1b2c11",
  resourceType: "Observation",
  resource: { resourceType: "Observation", status: "final", valueQuantity: { value: 5.4, unit: "%" } },
  recordedAt: new Date("2026-01-02T03:04:05.000Z"),
  source: "CLINICIAN",
  identityVersion: 1,
};

function leaves(n: number): Hex32[] {
  return Array.from({ length: n }, () => prepareRecord(base).commitment);
}

describe("canonicalize", () => {
  it("orders keys and normalises numbers (RFC 8785)", () => {
    expect(canonicalize({ b: 1, a: [1.0, "x"], c: { z: true, y: null } })).toBe('{"a":[1,"x"],"b":1,"c":{"y":null,"z":true}}');
  });
  it("refuses values JSON cannot represent", () => {
    expect(() => canonicalize(undefined)).toThrow();
  });
});

describe("commitment", () => {
  it("is deterministic for the same record and salt and changes with any bound field", () => {
    const record = prepareRecord(base);
    const bound = { ...record, recordId: record.id, recipe: 2 as const };
    expect(computeCommitment(bound, record.salt)).toBe(record.commitment);
    expect(computeCommitment({ ...bound, resource: { ...base.resource, status: "amended" } }, record.salt)).not.toBe(record.commitment);
    expect(computeCommitment({ ...bound, patientId: "00000000-0000-4000-8000-000000000000" }, record.salt)).not.toBe(record.commitment);
    expect(computeCommitment({ ...bound, recordedAt: new Date(0) }, record.salt)).not.toBe(record.commitment);
    expect(computeCommitment(bound, prepareRecord(base).salt)).not.toBe(record.commitment);
    // Recipe v2 also binds the source, the record superseded and the patient identity version.
    expect(computeCommitment({ ...bound, source: "PATIENT_UPLOAD" }, record.salt)).not.toBe(record.commitment);
    expect(computeCommitment({ ...bound, supersedesId: "00000000-0000-4000-8000-000000000000" }, record.salt)).not.toBe(record.commitment);
    expect(computeCommitment({ ...bound, identityVersion: 2 }, record.salt)).not.toBe(record.commitment);
    expect(computeCommitment({ ...bound, recipe: 1 }, record.salt)).not.toBe(record.commitment);
  });
  it("is independent of key order in the resource", () => {
    const record = prepareRecord(base);
    const reordered = { valueQuantity: { unit: "%", value: 5.4 }, status: "final", resourceType: "Observation" };
    expect(computeCommitment({ ...record, recordId: record.id, recipe: 2, resource: reordered }, record.salt)).toBe(record.commitment);
  });
  it("uses a fresh 32-byte salt per record, so equal content gives unequal commitments", () => {
    const a = prepareRecord(base);
    const b = prepareRecord(base);
    expect(a.salt).toMatch(/^0x[0-9a-f]{64}$/);
    expect(a.salt).not.toBe(b.salt);
    expect(a.commitment).not.toBe(b.commitment);
  });
});

describe("Merkle tree", () => {
  it.each([1, 2, 3, 5, 8, 13, 100])("every proof of a %i-leaf tree leads to the root", (n) => {
    const input = leaves(n);
    const tree = buildMerkleTree(input);
    input.forEach((leaf, i) => expect(rootFromProof(leaf, tree.proofs[i])).toBe(tree.root));
  });
  it("a proof does not fit another leaf, and a malformed proof gives no root", () => {
    const input = leaves(4);
    const tree = buildMerkleTree(input);
    expect(rootFromProof(input[1]!, tree.proofs[0])).not.toBe(tree.root);
    expect(rootFromProof(input[0]!, [{ s: "X", h: input[1] }])).toBeNull();
    expect(rootFromProof(input[0]!, "nope")).toBeNull();
  });
  it("rejects an empty batch", () => {
    expect(() => buildMerkleTree([])).toThrow(RangeError);
    expect(() => merkleRoot([])).toThrow(RangeError);
  });
  it.each([1, 2, 3, 7, 64, 1025])("merkleRoot (no proofs) gives the tree's root for %i leaves", (n) => {
    const input = leaves(n);
    expect(merkleRoot(input)).toBe(buildMerkleTree(input).root);
  });
  it("a single leaf is its own root, so leaves and inner nodes never collide thanks to domain tags", () => {
    const [leaf] = leaves(1);
    expect(buildMerkleTree([leaf!]).root).toBe(leaf);
  });
});

describe("judgeRecord (through the verifyRecord adapter)", () => {
  const records = [prepareRecord(base), prepareRecord(base), prepareRecord(base)];
  const tree = buildMerkleTree(records.map((r) => r.commitment));
  const anchored = (i: number) => ({
    ...records[i]!,
    recordId: records[i]!.id,
    status: "ANCHORED" as const,
    proof: tree.proofs[i],
    indexedRoot: tree.root,
  });

  it("is verified only when content, proof, index and chain all agree", () => {
    expect(verifyRecord(anchored(0), tree.root)).toBe("verified");
  });
  it("is tampered when the content, salt, commitment or proof changed", () => {
    expect(verifyRecord({ ...anchored(0), resource: { resourceType: "Observation", status: "entered-in-error" } }, tree.root)).toBe("tampered");
    expect(verifyRecord({ ...anchored(0), salt: records[1]!.salt }, tree.root)).toBe("tampered");
    expect(verifyRecord({ ...anchored(0), commitment: records[1]!.commitment }, tree.root)).toBe("tampered");
    expect(verifyRecord({ ...anchored(0), proof: tree.proofs[1] }, tree.root)).toBe("tampered");
    expect(verifyRecord({ ...anchored(0), salt: "not hex" }, tree.root)).toBe("tampered");
  });
  it("is tampered when the chain holds another root or none, or the index's root differs", () => {
    const other = buildMerkleTree(leaves(2)).root;
    expect(verifyRecord(anchored(0), other)).toBe("tampered");
    expect(verifyRecord(anchored(0), null)).toBe("tampered");
    expect(verifyRecord({ ...anchored(0), indexedRoot: other }, tree.root)).toBe("tampered");
    expect(verifyRecord({ ...anchored(0), indexedRoot: null }, tree.root)).toBe("tampered");
  });
  it("is unavailable, never verified, when the chain could not be asked", () => {
    expect(verifyRecord(anchored(0), undefined)).toBe("unavailable");
  });
  it("is pending before anchoring, but still tampered if its content no longer matches its commitment", () => {
    const pending = { ...records[2]!, recordId: records[2]!.id, status: "PENDING" as const, proof: null, indexedRoot: null };
    expect(verifyRecord(pending, undefined)).toBe("pending");
    expect(verifyRecord({ ...pending, resource: {} }, undefined)).toBe("tampered");
  });
});
