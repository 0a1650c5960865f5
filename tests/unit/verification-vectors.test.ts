// Known-answer vectors (docs/decisions/017-stored-canonical-bytes.md): fixed inputs and the exact hex they must give.
// A change made consistently to building and to verifying (a different tag, key order, date format, field, tree
// shape) passes every round-trip test but fails here. The values were computed once and written down by hand; an
// outsider's implementation of the recipes can be checked against the same table.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  buildMerkleTree,
  canonicalBytes,
  canonicalize,
  commitmentOf,
  commitmentPreimage,
  judgeRecord,
  rootFromProof,
  type Answers,
  type CommittedFields,
  type Hex32,
  type JudgedRecord,
} from "@/lib/integrity";
import { checkProofBundle, parseProofBundle } from "@/lib/integrity/proof-bundle";

const RESOURCE = {
  resourceType: "Observation",
  status: "final",
  code: { text: 'HbA1c 한글 \u2028 "q"' },
  valueQuantity: { value: 5.4, unit: "%" },
  b: [1.0, 1e21, -0, 0.000001],
};
const BYTES_TEXT = '{"b":[1,1e+21,0,0.000001],"code":{"text":"HbA1c 한글 \u2028 \\"q\\""},"resourceType":"Observation","status":"final","valueQuantity":{"unit":"%","value":5.4}}';
const BYTES_SHA256 = "4bdd96f45ef5eb3429c1773acf61e26a90e16bccf72e8421452a91a8a0deb982";
const SALT = `0x${"a5".repeat(32)}` as Hex32;
const FIELDS = {
  recordId: "11111111-1111-4111-8111-111111111111",
  patientId: "22222222-2222-4222-8222-222222222222",
  resourceType: "Observation",
  recordedAt: new Date("2026-01-02T03:04:05.678Z"),
  source: "HOSPITAL_SYSTEM",
  supersedesId: "33333333-3333-4333-8333-333333333333",
  identityVersion: 3,
};
const V1: CommittedFields = { ...FIELDS, recipe: 1 };
const V2: CommittedFields = { ...FIELDS, recipe: 2 };
const COMMITMENT_V1 = "0x35e67f8d9704644acbfea7679dc54e7d467c2eafc4e8d1e03ef40566a09d2d79";
const COMMITMENT_V2 = "0xf5b550d107c52beb7f6a0b56c50d8eecf0212dcfc06467c016aae89d07fba3d5";

/** sha256("leaf i"), as extra leaves. */
const LEAF = [0, 1, 2, 3, 4].map((i) => `0x${createHash("sha256").update(`leaf ${i}`).digest("hex")}` as Hex32);
const ROOT_OF_FIVE = "0xebccaf4cdf7b8d72f1e23cabfd36d2c3f6abeb0ed0e390109f976dfe885b6d91";
/** The batch [v2 commitment, v1 commitment, leaf 0] and the checkpoint [leaf 1, that batch root]. */
const BATCH_ROOT = "0x41085b0b718dad69fdacaf3089a2ee2e7462b61ea7cb67c42d3dd4fbe0287ee7";
const BATCH_PROOF_V2 = [
  { s: "R", h: COMMITMENT_V1 },
  { s: "R", h: "0x20e325f06280f9d0d193fed01a0eda5bef79063f2e602d93e3605cbe825d96ad" },
] as const;
const BATCH_PROOF_V1 = [
  { s: "L", h: COMMITMENT_V2 },
  { s: "R", h: "0x20e325f06280f9d0d193fed01a0eda5bef79063f2e602d93e3605cbe825d96ad" },
] as const;
const CHECKPOINT_ROOT = "0x8839beab70245a7bebf3e3c5e5418b58fa4cfce9e79f015624b21c6553878604";
const CHECKPOINT_PROOF = [{ s: "L", h: "0xccbf76d20974e563eb51d22ff1171a30472e0ae643b17863befd53614e7fefad" }] as const;

describe("known answers: canonical bytes and commitments", () => {
  it("stores the resource as exactly these RFC 8785 bytes", () => {
    const bytes = canonicalBytes(RESOURCE);
    expect(bytes.toString("utf8")).toBe(BYTES_TEXT);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(BYTES_SHA256);
  });

  it("commits with recipe v1 and v2 to exactly these hashes", () => {
    const bytes = canonicalBytes(RESOURCE);
    expect(commitmentOf(V1, bytes, SALT)).toBe(COMMITMENT_V1);
    expect(commitmentOf(V2, bytes, SALT)).toBe(COMMITMENT_V2);
    // The recipe spelled out: sha256(0x00 ‖ salt ‖ preimage), by hand.
    const byHand = (preimage: Buffer) => `0x${createHash("sha256").update(Buffer.of(0)).update(Buffer.from(SALT.slice(2), "hex")).update(preimage).digest("hex")}`;
    expect(byHand(commitmentPreimage(V2, bytes))).toBe(COMMITMENT_V2);
  });

  it("hashes head ‖ stored bytes ‖ tail, which is byte for byte the RFC 8785 form of the whole preimage", () => {
    const bytes = canonicalBytes(RESOURCE);
    const iso = FIELDS.recordedAt.toISOString();
    const { recordId, patientId, resourceType } = FIELDS;
    expect(commitmentPreimage(V1, bytes).toString("utf8")).toBe(canonicalize({ v: 1, recordId, patientId, resourceType, recordedAt: iso, resource: RESOURCE }));
    expect(commitmentPreimage(V2, bytes).toString("utf8")).toBe(
      canonicalize({ v: 2, recordId, patientId, resourceType, recordedAt: iso, resource: RESOURCE, source: FIELDS.source, supersedes: FIELDS.supersedesId, identityVersion: 3 }),
    );
    // Fields that need escaping take JSON.stringify's path, still RFC 8785.
    const odd = { ...V2, source: 'SEED "x" \\ \u0001 é', supersedesId: null, resourceType: "Obs\u2028ervation" };
    expect(commitmentPreimage(odd, bytes).toString("utf8")).toBe(
      canonicalize({ v: 2, recordId, patientId, resourceType: odd.resourceType, recordedAt: iso, resource: RESOURCE, source: odd.source, supersedes: null, identityVersion: 3 }),
    );
  });
});

describe("known answers: Merkle trees", () => {
  it("gives exactly this root for five leaves (the odd one promoted), and proofs that lead to it", () => {
    const tree = buildMerkleTree(LEAF);
    expect(tree.root).toBe(ROOT_OF_FIVE);
    expect(tree.proofs[4]).toEqual([{ s: "L", h: "0x291d0a9700b509c92be895a5305f19cf8435c1fa4234b1cf15a34afabd464f77" }]);
    expect(tree.proofs[2]).toEqual([
      { s: "R", h: "0xca6e6588d55d58a70e0b4de60c2dab1e4574bb97d68fa88679852a5daaa9db02" },
      { s: "L", h: "0xf144df624799925694e508633caa327381203f11ce2ace52fe59180c2765ec8b" },
      { s: "R", h: "0x5036d5415fd89f22c593f3a7a10348af3c87b3f13d73373a42f8768e377da3e9" },
    ]);
    expect(buildMerkleTree([COMMITMENT_V2, COMMITMENT_V1, LEAF[0]!]).root).toBe(BATCH_ROOT);
    expect(buildMerkleTree([LEAF[1]!, BATCH_ROOT]).root).toBe(CHECKPOINT_ROOT);
    expect(rootFromProof(COMMITMENT_V2, BATCH_PROOF_V2)).toBe(BATCH_ROOT);
    expect(rootFromProof(COMMITMENT_V1, BATCH_PROOF_V1)).toBe(BATCH_ROOT);
    expect(rootFromProof(BATCH_ROOT, CHECKPOINT_PROOF)).toBe(CHECKPOINT_ROOT);
  });
});

describe("known answers through the one verification function", () => {
  const record = (fields: CommittedFields, commitment: string, proof: unknown): JudgedRecord => ({
    fields,
    canonical: Buffer.from(BYTES_TEXT, "utf8"),
    salt: SALT,
    commitment,
    status: "ANCHORED",
    proof,
    batch: { anchor: "31337|vector|7", root: BATCH_ROOT, checkpoint: { anchor: "31338|vector|2", root: CHECKPOINT_ROOT, proof: CHECKPOINT_PROOF } },
  });
  const chains: Answers = { batchRoot: BATCH_ROOT, checkpointRoot: CHECKPOINT_ROOT, creation: "skipped", copyIntact: true };

  it.each([
    ["v2", V2, COMMITMENT_V2, BATCH_PROOF_V2],
    ["v1", V1, COMMITMENT_V1, BATCH_PROOF_V1],
  ] as const)("verifies the %s vector up to the public checkpoint, every level ok", (_, fields, commitment, proof) => {
    expect(judgeRecord(record(fields, commitment, proof), chains, null)).toEqual({
      verification: "verified",
      checkpoint: "public",
      levels: { commitment: "ok", creation: "skipped", batchPath: "ok", batchAnchor: "ok", checkpointPath: "ok", checkpointAnchor: "ok" },
    });
  });

  it("fails each level where it was changed", () => {
    const good = record(V2, COMMITMENT_V2, BATCH_PROOF_V2);
    const judge = (r: JudgedRecord, a: Partial<Answers> = {}) => judgeRecord(r, { ...chains, ...a }, null);
    const bytes = Buffer.from(BYTES_TEXT.replace("5.4", "5.5"), "utf8");
    expect(judge({ ...good, canonical: bytes }).levels.commitment).toBe("mismatch");
    expect(judge({ ...good, fields: { ...V2, source: "CLINICIAN" } }).verification).toBe("tampered");
    expect(judge({ ...good, fields: { ...V2, supersedesId: null } }).verification).toBe("tampered");
    expect(judge({ ...good, fields: { ...V2, identityVersion: 2 } }).verification).toBe("tampered");
    expect(judge({ ...good, fields: { ...V2, recipe: 1 } }).verification).toBe("tampered");
    expect(judge(good, { copyIntact: false }).levels.commitment).toBe("mismatch");
    expect(judge(good, { creation: "mismatch" }).verification).toBe("tampered");
    expect(judge({ ...good, proof: BATCH_PROOF_V1 }).levels.batchPath).toBe("mismatch");
    expect(judge(good, { batchRoot: LEAF[0]! }).levels.batchAnchor).toBe("mismatch");
    expect(judge(good, { batchRoot: null }).levels.batchAnchor).toBe("missing");
    expect(judge(good, { batchRoot: undefined })).toMatchObject({ verification: "unavailable", levels: { batchAnchor: "unavailable" } });
    expect(judge(good, { checkpointRoot: LEAF[0]! })).toMatchObject({ verification: "tampered", levels: { checkpointAnchor: "mismatch" } });
    expect(judge(good, { checkpointRoot: undefined })).toMatchObject({ verification: "verified", checkpoint: "none" });
    expect(judge({ ...good, status: "PENDING" })).toMatchObject({ verification: "pending", levels: { commitment: "ok", batchPath: "skipped" } });
    expect(judge({ ...good, canonical: null })).toMatchObject({ verification: "tampered" }); // a v2 row always has bytes
    expect(judge({ ...record(V1, COMMITMENT_V1, BATCH_PROOF_V1), canonical: null })).toMatchObject({ verification: "unavailable" }); // v1 before the backfill
  });

  it("verifies the same vectors as an outsider's proof bundle", () => {
    const bundle = (recipe: 1 | 2) => ({
      format: "chartproof.record-proof",
      recipeVersion: recipe,
      record: {
        recordId: FIELDS.recordId,
        patientId: FIELDS.patientId,
        resourceType: FIELDS.resourceType,
        recordedAt: FIELDS.recordedAt.toISOString(),
        resource: JSON.parse(BYTES_TEXT),
        ...(recipe === 2 ? { source: FIELDS.source, supersedes: FIELDS.supersedesId, identityVersion: FIELDS.identityVersion } : {}),
      },
      salt: SALT,
      commitment: recipe === 2 ? COMMITMENT_V2 : COMMITMENT_V1,
      leafIndex: recipe === 2 ? 0 : 1,
      proof: recipe === 2 ? BATCH_PROOF_V2 : BATCH_PROOF_V1,
      batch: { chainId: 31337, contract: `0x${"12".repeat(20)}`, batchNumber: "7", root: BATCH_ROOT, txHash: null, blockNumber: null },
      checkpoint: { chainId: 31338, contract: `0x${"34".repeat(20)}`, checkpointNumber: "2", root: CHECKPOINT_ROOT, proof: CHECKPOINT_PROOF, txHash: null, blockNumber: null },
    });
    for (const recipe of [1, 2] as const) {
      const parsed = parseProofBundle(JSON.parse(JSON.stringify(bundle(recipe))));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect(checkProofBundle(parsed.bundle, { batchRoot: BATCH_ROOT, checkpointRoot: CHECKPOINT_ROOT })).toEqual({
        commitment: "ok",
        creation: "skipped",
        batchPath: "ok",
        batchAnchor: "ok",
        checkpointPath: "ok",
        checkpointAnchor: "ok",
      });
    }
  });
});
