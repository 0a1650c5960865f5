/**
 * An outsider's verifier, written from docs/proof-format.md alone, for the tests only. It imports nothing from the
 * product (nor from scripts/vectors.mjs): node:crypto and the specification. If it and the product disagree on any
 * vector, one of them does not implement the specification.
 */
import { createHash } from "node:crypto";

const LEAF_TAG = 0x00;
const NODE_TAG = 0x01;

function digest(chunks) {
  const h = createHash("sha256");
  for (const c of chunks) h.update(c);
  return h.digest("hex");
}

function unhex(h) {
  if (typeof h !== "string" || !/^0x[0-9a-f]{64}$/.test(h)) throw new TypeError(`not a 32-byte lower-case hex value: ${String(h)}`);
  return Buffer.from(h.slice(2), "hex");
}

/** RFC 8785 (§3.2): literals, ES6 number form, JSON string escaping, members sorted by UTF-16 code units. */
export function canonicalJson(value) {
  switch (typeof value) {
    case "boolean":
      return String(value);
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new RangeError("not representable in JCS");
      return value === 0 ? "0" : value.toString();
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return "[" + value.map((v) => canonicalJson(v)).join(",") + "]";
      const names = Object.keys(value).sort((a, b) => {
        // Compare as UTF-16 code unit sequences (what Array#sort does by default, spelled out).
        for (let i = 0; i < Math.min(a.length, b.length); i++) {
          const d = a.charCodeAt(i) - b.charCodeAt(i);
          if (d !== 0) return d;
        }
        return a.length - b.length;
      });
      return "{" + names.map((n) => JSON.stringify(n) + ":" + canonicalJson(value[n])).join(",") + "}";
    }
    default:
      throw new TypeError(`not JSON: ${typeof value}`);
  }
}

/** commitment = sha256(0x00 ‖ salt ‖ UTF-8(JCS(envelope))), the envelope per recipe version. */
export function commitmentOf(record, salt) {
  const envelope =
    record.recipe === 1
      ? { v: 1, recordId: record.recordId, patientId: record.patientId, resourceType: record.resourceType, recordedAt: record.recordedAt, resource: record.resource }
      : record.recipe === 2
        ? {
            v: 2,
            recordId: record.recordId,
            patientId: record.patientId,
            resourceType: record.resourceType,
            recordedAt: record.recordedAt,
            resource: record.resource,
            source: record.source,
            supersedes: record.supersedes,
            identityVersion: record.identityVersion,
          }
        : null;
  if (!envelope) throw new RangeError(`unknown recipe ${record.recipe}`);
  const text = canonicalJson(envelope);
  return { canonicalResource: canonicalJson(record.resource), preimage: text, commitment: "0x" + digest([Uint8Array.of(LEAF_TAG), unhex(salt), Buffer.from(text, "utf8")]) };
}

export function node(left, right) {
  return "0x" + digest([Uint8Array.of(NODE_TAG), unhex(left), unhex(right)]);
}

/** Walks a proof: each step's sibling sits on side s ("L": node = H(sibling, current); "R": node = H(current, sibling)). */
export function walk(leaf, proof) {
  let current = leaf;
  for (const step of proof) {
    if (step.s === "L") current = node(step.h, current);
    else if (step.s === "R") current = node(current, step.h);
    else throw new TypeError("a step's side is L or R");
  }
  return current;
}

/** The tree's levels bottom-up: pairs hashed left to right, an odd last node carried up unchanged. */
export function levels(leaves) {
  const out = [leaves.slice()];
  let level = leaves;
  while (level.length > 1) {
    const up = [];
    for (let i = 0; i + 1 < level.length; i += 2) up.push(node(level[i], level[i + 1]));
    if (level.length % 2 === 1) up.push(level[level.length - 1]);
    out.push(up);
    level = up;
  }
  return out;
}

/** The offline levels of a proof bundle: the commitment, and the roots its proofs lead to. */
export function verifyBundleOffline(bundle) {
  const r = bundle.record;
  const { commitment } = commitmentOf({ ...r, recipe: bundle.recipeVersion }, bundle.salt);
  const batchRoot = walk(bundle.commitment, bundle.proof);
  const checkpointRoot = bundle.checkpoint ? walk(bundle.batch.root, bundle.checkpoint.proof) : null;
  return {
    commitment: commitment === bundle.commitment,
    batchPath: batchRoot === bundle.batch.root,
    checkpointPath: bundle.checkpoint ? checkpointRoot === bundle.checkpoint.root : null,
  };
}

/** Whether `writer` may have written a root in `block`: some period with from ≤ block < until (or no until). */
export function authorised(anchors, role, writer, block) {
  const chain = anchors.chains.find((c) => c.role === role);
  const b = BigInt(block);
  return Boolean(chain?.writers.some((w) => w.address === writer.toLowerCase() && BigInt(w.from.block) <= b && (w.until === null || b < BigInt(w.until.block))));
}

/** Checks every vector of the file; returns what it computed and each disagreement. */
export function checkVectors(v) {
  const failures = [];
  const expect = (what, got, want) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${what}: computed ${JSON.stringify(got)}, vector says ${JSON.stringify(want)}`);
  };
  expect("tags", v.tags, { leaf: "0x00", node: "0x01" });
  for (const r of v.records) {
    const got = commitmentOf(r, r.salt);
    expect(`${r.name}: canonical resource`, got.canonicalResource, r.canonicalResource);
    expect(`${r.name}: preimage`, got.preimage, r.preimage);
    expect(`${r.name}: commitment`, got.commitment, r.commitment);
  }
  for (const t of [...v.batches.map((b) => ({ ...b, what: `batch ${b.number}` })), { ...v.checkpoint, what: `checkpoint ${v.checkpoint.number}` }]) {
    const lv = levels(t.leaves);
    expect(`${t.what}: levels`, lv, t.levels);
    expect(`${t.what}: root`, lv[lv.length - 1][0], t.root);
    t.proofs.forEach((p, i) => expect(`${t.what}: proof of leaf ${i} leads to the root`, walk(t.leaves[i], p), t.root));
  }
  expect("checkpoint leaves are the batch roots in order", v.checkpoint.leaves, v.batches.map((b) => b.root));
  expect("bundle", verifyBundleOffline(v.bundle), { commitment: true, batchPath: true, checkpointPath: true });
  expect("tombstone canonical", canonicalJson(v.tombstone.statement), v.tombstone.canonical);
  expect("tombstone hash", "0x" + digest([Buffer.from(v.tombstone.canonical, "utf8")]), v.tombstone.hash);
  expect("anchors canonical", canonicalJson(v.anchors.file), v.anchors.canonical);
  expect("anchors sha256", digest([Buffer.from(v.anchors.canonical, "utf8")]), v.anchors.sha256);
  for (const c of v.anchors.writerChecks) expect(`writer ${c.writer} on ${c.role} in block ${c.block}`, authorised(v.anchors.file, c.role, c.writer, c.block), c.authorised);
  return { failures };
}
