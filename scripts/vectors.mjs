#!/usr/bin/env node
/**
 * Writes the proof-format test vectors (tests/vectors/chartproof-vectors.json) from docs/proof-format.md alone.
 *
 *   node scripts/vectors.mjs            # rewrite the file
 *   node scripts/vectors.mjs --check    # exit 1 if the file differs from what this script produces
 *
 * Deliberately standalone: it imports nothing from lib/ (only node:crypto), so the vectors are a second, independent
 * reading of the specification. The product's unit tests recompute every vector with lib/integrity, and an
 * independent verifier (tests/support/independent-verifier.mjs) checks them too: a change made consistently to the
 * product's building and verifying passes its round trips but fails here.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const sha256 = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const hex = (bytes) => `0x${Buffer.from(bytes).toString("hex")}`;
const bytesOf = (h) => Buffer.from(h.slice(2), "hex");

/** RFC 8785: ECMAScript number and string serialization, object keys sorted by UTF-16 code units, no whitespace. */
function jcs(value) {
  if (value === null || typeof value === "boolean") return value ? "true" : value === false ? "false" : "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("JCS has no NaN or Infinity");
    return Object.is(value, -0) ? "0" : String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(",")}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`).join(",")}}`;
}

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** The commitment preimage of recipe v1 or v2 (docs/proof-format.md § Commitment envelope). */
function preimageOf(r) {
  const base = { v: r.recipe, recordId: r.recordId, patientId: r.patientId, resourceType: r.resourceType, recordedAt: r.recordedAt, resource: r.resource };
  return r.recipe === 1 ? base : { ...base, source: r.source, supersedes: r.supersedes, identityVersion: r.identityVersion };
}

/** Every level of the tree, leaves first; an odd last node is promoted unchanged. */
function levelsOf(leaves) {
  const levels = [leaves];
  while (levels.at(-1).length > 1) {
    const below = levels.at(-1);
    const next = [];
    for (let i = 0; i < below.length; i += 2) next.push(i + 1 < below.length ? hex(sha256(NODE, bytesOf(below[i]), bytesOf(below[i + 1]))) : below[i]);
    levels.push(next);
  }
  return levels;
}

/** The proof of leaf `index`: per level, the sibling and its side; none where the node was promoted. */
function proofOf(levels, index) {
  const steps = [];
  for (let d = 0; d < levels.length - 1; d++) {
    const sibling = index ^ 1;
    if (sibling < levels[d].length) steps.push({ s: index % 2 === 1 ? "L" : "R", h: levels[d][sibling] });
    index = Math.floor(index / 2);
  }
  return steps;
}

function tree(leaves) {
  const levels = levelsOf(leaves);
  return { leaves, levels, root: levels.at(-1)[0], proofs: leaves.map((_, i) => proofOf(levels, i)) };
}

const salt = (i) => hex(sha256(`chartproof vector salt ${i}`));
const filler = (i) => hex(sha256(`chartproof vector leaf ${i}`));

const RECORDS = [
  {
    name: "recipe v1: an Observation",
    recipe: 1,
    recordId: "11111111-1111-4111-8111-111111111111",
    patientId: "22222222-2222-4222-8222-222222222222",
    resourceType: "Observation",
    recordedAt: "2026-01-02T03:04:05.678Z",
    resource: { resourceType: "Observation", status: "final", code: { text: "HbA1c" }, valueQuantity: { value: 5.4, unit: "%" } },
  },
  {
    name: "recipe v2: the same Observation, corrected (supersedes the v1 record)",
    recipe: 2,
    recordId: "33333333-3333-4333-8333-333333333333",
    patientId: "22222222-2222-4222-8222-222222222222",
    resourceType: "Observation",
    recordedAt: "2026-01-03T00:00:00.000Z",
    resource: { resourceType: "Observation", status: "amended", code: { text: "HbA1c" }, valueQuantity: { value: 5.6, unit: "%" } },
    source: "CLINICIAN",
    supersedes: "11111111-1111-4111-8111-111111111111",
    identityVersion: 1,
  },
  {
    name: "recipe v2: Korean text, escapes and numbers that JCS rewrites",
    recipe: 2,
    recordId: "44444444-4444-4444-8444-444444444444",
    patientId: "55555555-5555-4555-8555-555555555555",
    resourceType: "Condition",
    recordedAt: "2025-12-31T23:59:59.999Z",
    resource: { resourceType: "Condition", code: { text: '당뇨병 "제2형"\n\u2028' }, note: [{ text: "é / \\ \t" }], extension: [{ valueDecimal: 1e21 }, { valueDecimal: 0.000001 }, { valueDecimal: -0 }, { valueDecimal: 10.0 }], zeta: true, alpha: null },
    source: "PATIENT_UPLOAD",
    supersedes: null,
    identityVersion: 2,
  },
];

export function generateVectors() {
  const records = RECORDS.map((r, i) => {
    const { name, ...fields } = r;
    const s = salt(i);
    const preimage = jcs(preimageOf(fields));
    return {
      name,
      ...fields,
      salt: s,
      canonicalResource: jcs(fields.resource),
      preimage,
      commitment: hex(sha256(LEAF, bytesOf(s), Buffer.from(preimage, "utf8"))),
    };
  });
  // Batch 1: five leaves (the odd fifth is promoted twice); batch 2: two leaves; batch 3: one leaf (root = leaf).
  const batchLeaves = [
    [records[0].commitment, filler(0), records[1].commitment, filler(1), records[2].commitment],
    [filler(2), filler(3)],
    [filler(4)],
  ];
  const batches = batchLeaves.map((leaves, i) => ({ number: String(i + 1), ...tree(leaves) }));
  const checkpoint = { number: "1", ...tree(batches.map((b) => b.root)) };

  const r0 = records[0];
  const bundle = {
    format: "chartproof.record-proof",
    recipeVersion: 2,
    record: {
      recordId: records[1].recordId,
      patientId: records[1].patientId,
      resourceType: records[1].resourceType,
      recordedAt: records[1].recordedAt,
      resource: records[1].resource,
      source: records[1].source,
      supersedes: records[1].supersedes,
      identityVersion: records[1].identityVersion,
    },
    salt: records[1].salt,
    commitment: records[1].commitment,
    leafIndex: 2,
    proof: batches[0].proofs[2],
    batch: { chainId: 31337, contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3", batchNumber: "1", root: batches[0].root, txHash: hex(sha256("batch 1 tx")), blockNumber: "12" },
    checkpoint: {
      chainId: 31338,
      contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      checkpointNumber: "1",
      root: checkpoint.root,
      proof: checkpoint.proofs[0],
      txHash: hex(sha256("checkpoint 1 tx")),
      blockNumber: "40",
    },
  };

  const statement = {
    format: "chartproof-tombstone/1",
    recordId: r0.recordId,
    commitment: r0.commitment,
    requestId: "66666666-6666-4666-8666-666666666666",
    requestedById: "77777777-7777-4777-8777-777777777777",
    approvedById: "88888888-8888-4888-8888-888888888888",
    legalBasis: "PIPA_ART36_REQUEST",
    reasonSha256: sha256("the patient asked").toString("hex"),
    erasedAt: "2026-02-01T09:00:00.000Z",
  };

  const writer = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  const rotated = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
  const anchors = {
    format: "chartproof-trust-anchors/1",
    version: 3,
    chains: [
      {
        role: "private",
        chainId: 31337,
        contract: bundle.batch.contract,
        deployment: { block: "1", txHash: hex(sha256("private deployment tx")) },
        runtimeCodeHash: hex(sha256("stand-in for keccak256 of the runtime code")),
        writers: [
          { address: writer, from: { block: "1", txHash: hex(sha256("private deployment tx")) }, until: { block: "500", txHash: hex(sha256("revoke tx")) } },
          { address: rotated, from: { block: "450", txHash: hex(sha256("grant tx")) }, until: null },
        ],
      },
      {
        role: "public",
        chainId: 31338,
        contract: bundle.checkpoint.contract,
        deployment: { block: "1", txHash: hex(sha256("public deployment tx")) },
        runtimeCodeHash: hex(sha256("stand-in for keccak256 of the runtime code")),
        writers: [{ address: writer, from: { block: "1", txHash: hex(sha256("public deployment tx")) }, until: null }],
      },
    ],
  };
  const anchorsBytes = jcs(anchors);

  return {
    format: "chartproof-vectors/1",
    spec: "docs/proof-format.md",
    generatedBy: "scripts/vectors.mjs",
    tags: { leaf: "0x00", node: "0x01" },
    records,
    batches,
    checkpoint,
    bundle,
    tombstone: { statement, canonical: jcs(statement), hash: hex(sha256(Buffer.from(jcs(statement), "utf8"))) },
    anchors: {
      file: anchors,
      canonical: anchorsBytes,
      sha256: sha256(Buffer.from(anchorsBytes, "utf8")).toString("hex"),
      // Whether a RootAnchored event by `writer` in `block` is by an authorised writer (from ≤ block < until).
      writerChecks: [
        { role: "private", writer, block: "1", authorised: true },
        { role: "private", writer, block: "499", authorised: true },
        { role: "private", writer, block: "500", authorised: false },
        { role: "private", writer: rotated, block: "449", authorised: false },
        { role: "private", writer: rotated, block: "450", authorised: true },
        { role: "public", writer: rotated, block: "450", authorised: false },
      ],
    },
  };
}

export const VECTORS_FILE = fileURLToPath(new URL("../tests/vectors/chartproof-vectors.json", import.meta.url));

/** The file's text: two-space JSON and a final newline, so that it diffs well. */
export function vectorsText() {
  return `${JSON.stringify(generateVectors(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const text = vectorsText();
  if (process.argv.includes("--check")) {
    const same = readFileSync(VECTORS_FILE, "utf8") === text;
    process.stderr.write(same ? "vectors up to date\n" : `${VECTORS_FILE} differs from what scripts/vectors.mjs produces\n`);
    process.exitCode = same ? 0 : 1;
  } else {
    writeFileSync(VECTORS_FILE, text);
    process.stderr.write(`wrote ${VECTORS_FILE}\n`);
  }
}
