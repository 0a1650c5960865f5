import { afterEach, describe, expect, it } from "vitest";
import { anchorKey, buildMerkleTree, prepareRecord, proofFingerprint, ProvenLeafCache, type Hex32 } from "@/lib/integrity";
import { checkpointVerdict, forgetProvenLeaves, provenLeavesStats, verifyRecord, verifyRecordCached, type VerifiableRecord } from "../support/judge";

const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const base = {
  patientId: "7b4e8a4e-7c0d-4f4e-9d57-2f5d5d1b2c11",
  resourceType: "Observation",
  resource: { resourceType: "Observation", status: "final", valueQuantity: { value: 5.4, unit: "%" }, text: { div: "<div>HbA1c 5.4 %</div>" } },
  recordedAt: new Date("2026-01-02T03:04:05.000Z"),
  source: "CLINICIAN",
  identityVersion: 1,
};

const clone = <T>(value: T): T => structuredClone(value);
const hex = (byte: string) => `0x${byte.repeat(32)}` as Hex32;

/** Three batches (7, 4 and 1 records, so a one-leaf batch too), with their roots in a checkpoint. */
function fixture() {
  const batches = [7, 4, 1].map((size, b) => {
    const members = Array.from({ length: size }, () => prepareRecord(base));
    const tree = buildMerkleTree(members.map((m) => m.commitment));
    return { number: BigInt(b + 1), members, tree };
  });
  const checkpoint = buildMerkleTree(batches.map((b) => b.tree.root));
  const records = batches.flatMap((b) =>
    b.members.map((m, i) => ({
      batch: b.number,
      root: b.tree.root,
      record: {
        ...m,
        recordId: m.id,
        status: "ANCHORED" as const,
        proof: clone(b.tree.proofs[i]!) as unknown,
        indexedRoot: b.tree.root as string | null,
      } satisfies VerifiableRecord,
    })),
  );
  return { batches, checkpoint, records };
}

/** Every way a row can differ from what was anchored, as the database could hand it over. */
function mutations(record: VerifiableRecord, other: VerifiableRecord): [string, VerifiableRecord][] {
  const proof = Array.isArray(record.proof) ? (record.proof as { s: string; h: string }[]) : [];
  return [
    ["unchanged", clone(record)],
    ["content", { ...clone(record), resource: { ...base.resource, status: "entered-in-error" } }],
    ["content, one digit", { ...clone(record), resource: { ...base.resource, valueQuantity: { value: 5.5, unit: "%" } } }],
    ["recordedAt", { ...clone(record), recordedAt: new Date(0) }],
    ["patient", { ...clone(record), patientId: "00000000-0000-4000-8000-000000000000" }],
    ["salt", { ...clone(record), salt: other.salt }],
    ["salt not hex", { ...clone(record), salt: "not hex" }],
    ["commitment", { ...clone(record), commitment: other.commitment }],
    ["commitment upper-case", { ...clone(record), commitment: record.commitment.toUpperCase().replace("0X", "0x") }],
    ["proof of another record", { ...clone(record), proof: clone(other.proof) }],
    ["proof empty", { ...clone(record), proof: [] }],
    ["proof not an array", { ...clone(record), proof: { 0: proof[0] } }],
    ["proof null", { ...clone(record), proof: null }],
    ["proof, a side flipped", { ...clone(record), proof: proof.map((st, i) => (i === 0 ? { ...st, s: st.s === "L" ? "R" : "L" } : { ...st })) }],
    ["proof, a sibling upper-case", { ...clone(record), proof: proof.map((st) => ({ ...st, h: st.h.toUpperCase().replace("0X", "0x") })) }],
    ["proof, a sibling changed", { ...clone(record), proof: proof.map((st, i) => (i === proof.length - 1 ? { ...st, h: hex("ab") } : { ...st })) }],
    ["proof, a step dropped", { ...clone(record), proof: proof.slice(1) }],
    ["proof, a step added", { ...clone(record), proof: [...clone(proof), { s: "L", h: hex("cd") }] }],
    ["proof, a step not an object", { ...clone(record), proof: [...clone(proof), "x"] }],
    ["proof, an extra field", { ...clone(record), proof: proof.map((st) => ({ ...st, x: 1 })) }],
    ["indexed root", { ...clone(record), indexedRoot: hex("ee") }],
    ["indexed root missing", { ...clone(record), indexedRoot: null }],
    ["pending", { ...clone(record), status: "PENDING" }],
    ["pending, content changed", { ...clone(record), status: "PENDING", resource: {} }],
  ];
}

afterEach(() => forgetProvenLeaves());

describe("verifyRecordCached gives verifyRecord's verdict", () => {
  it.each(["cold", "warm"] as const)("for every change to a row, whatever the chain says (%s cache)", (temperature) => {
    const { records } = fixture();
    for (const [i, { record, root, batch }] of records.entries()) {
      const other = records[(i + 1) % records.length]!.record;
      const anchor = anchorKey(31337, CONTRACT, batch);
      if (temperature === "warm") expect(verifyRecordCached(clone(record), anchor, root)).toBe("verified");
      for (const [change, row] of mutations(record, other)) {
        for (const chainRoot of [root, hex("11"), null, undefined] as (Hex32 | null | undefined)[]) {
          for (const key of [anchor, anchorKey(31337, CONTRACT, batch + 100n), anchorKey(1, CONTRACT, batch), null]) {
            const expected = verifyRecord(clone(row), chainRoot);
            expect(verifyRecordCached(clone(row), key, chainRoot), `${change}, chain root ${chainRoot}, anchor ${key}`).toBe(expected);
          }
        }
      }
    }
  });

  it("catches, with the cache warm, a row changed between two renders", () => {
    const { records } = fixture();
    const { record, root, batch } = records[2]!;
    const anchor = anchorKey(31337, CONTRACT, batch);
    expect(verifyRecordCached(clone(record), anchor, root)).toBe("verified");
    expect(verifyRecordCached(clone(record), anchor, root)).toBe("verified");
    for (const [change, row] of mutations(record, records[3]!.record)) {
      if (change === "unchanged" || change === "proof, an extra field" || change.startsWith("pending")) continue;
      expect(verifyRecordCached(row, anchor, root), change).toBe("tampered");
    }
    // Another batch number whose chain root differs (the anchor is part of the key, and the chain is asked anyway).
    expect(verifyRecordCached(clone(record), anchorKey(31337, CONTRACT, 900n), hex("11"))).toBe("tampered");
    expect(verifyRecordCached(clone(record), anchor, undefined)).toBe("unavailable");
    expect(verifyRecordCached(clone(record), anchor, null)).toBe("tampered");
  });

  it("answers a repeated render from the cache, and a changed proof never from it", () => {
    const { records } = fixture();
    const { record, root, batch } = records[0]!;
    const anchor = anchorKey(31337, CONTRACT, batch);
    expect(provenLeavesStats().entries).toBe(0);
    verifyRecordCached(clone(record), anchor, root);
    expect(provenLeavesStats().entries).toBe(1);
    const cache = new ProvenLeafCache(1_000_000);
    const proof = record.proof as { s: "L" | "R"; h: string }[];
    expect(cache.provenRoot(record.commitment as Hex32, anchor, proof, root).cached).toBe(false);
    cache.remember(record.commitment as Hex32, anchor, root, proofFingerprint(proof)!);
    expect(cache.provenRoot(record.commitment as Hex32, anchor, clone(proof), root)).toMatchObject({ root, cached: true });
    const changed = proof.map((st, i) => (i === 0 ? { ...st, h: hex("ab") } : st));
    expect(cache.provenRoot(record.commitment as Hex32, anchor, changed, root).cached).toBe(false);
    expect(cache.provenRoot(record.commitment as Hex32, anchor, proof, hex("ee")).cached).toBe(false);
    expect(cache.provenRoot(record.commitment as Hex32, anchorKey(31337, CONTRACT, batch + 1n), proof, root).cached).toBe(false);
    expect(cache.provenRoot(record.commitment as Hex32, anchorKey(31337, CONTRACT.toLowerCase(), batch), proof, root).cached).toBe(false);
    // A hit is recognised step by step (ADR 024): any other side, length or shape of step misses.
    const flipped = proof.map((st, i) => (i === 0 ? { ...st, s: st.s === "L" ? "R" : "L" } : st));
    expect(cache.provenRoot(record.commitment as Hex32, anchor, flipped, root).cached).toBe(false);
    expect(cache.provenRoot(record.commitment as Hex32, anchor, proof.slice(1), root).cached).toBe(false);
    expect(cache.provenRoot(record.commitment as Hex32, anchor, [...proof, proof[0]!], root).cached).toBe(false);
    expect(cache.provenRoot(record.commitment as Hex32, anchor, proof.map((st, i) => (i === 0 ? `${st.s}${st.h}` : st)), root).cached).toBe(false);
    expect(cache.provenRoot(record.commitment as Hex32, anchor, proof.map((st, i) => (i === 0 ? { ...st, h: st.h.toUpperCase() } : st)), root).cached).toBe(false);
  });

  it("remembers only verified records", () => {
    const { records } = fixture();
    const { record, root, batch } = records[0]!;
    const anchor = anchorKey(31337, CONTRACT, batch);
    expect(verifyRecordCached(clone(record), anchor, undefined)).toBe("unavailable");
    expect(verifyRecordCached(clone(record), anchor, hex("11"))).toBe("tampered");
    expect(verifyRecordCached({ ...clone(record), proof: [] }, anchor, root)).toBe("tampered");
    expect(verifyRecordCached({ ...clone(record), status: "PENDING" }, anchor, root)).toBe("pending");
    expect(provenLeavesStats().entries).toBe(0);
  });
});

describe("the checkpoint level, cached, gives the uncached verdict", () => {
  it.each(["cold", "warm"] as const)("for every change to the checkpoint proof or roots (%s cache)", (temperature) => {
    const { batches, checkpoint, records } = fixture();
    const anchor = anchorKey(31338, CONTRACT, 1n);
    for (const [i, batch] of batches.entries()) {
      const proof = checkpoint.proofs[i]!;
      const member = records.find((r) => r.batch === batch.number)!.record;
      if (temperature === "warm") {
        expect(checkpointVerdict(member, batch.tree.root, { proof: clone(proof), indexedRoot: checkpoint.root, anchor }, checkpoint.root, true)).toBe("public");
      }
      const variants: [string, string, { proof: unknown; indexedRoot: string } | null][] = [
        ["unchanged", batch.tree.root, { proof: clone(proof), indexedRoot: checkpoint.root }],
        ["batch root", hex("aa"), { proof: clone(proof), indexedRoot: checkpoint.root }],
        ["batch root not hex", "nope", { proof: clone(proof), indexedRoot: checkpoint.root }],
        ["another batch's proof", batch.tree.root, { proof: clone(checkpoint.proofs[(i + 1) % batches.length]), indexedRoot: checkpoint.root }],
        ["proof empty", batch.tree.root, { proof: [], indexedRoot: checkpoint.root }],
        ["proof garbage", batch.tree.root, { proof: "x", indexedRoot: checkpoint.root }],
        ["indexed root", batch.tree.root, { proof: clone(proof), indexedRoot: hex("ee") }],
        ["indexed root not hex", batch.tree.root, { proof: clone(proof), indexedRoot: "nope" }],
        ["no checkpoint", batch.tree.root, null],
      ];
      for (const [change, root, cp] of variants) {
        for (const publicRoot of [checkpoint.root, hex("11"), null, undefined] as (Hex32 | null | undefined)[]) {
          for (const key of [anchor, anchorKey(31338, CONTRACT, 2n)]) {
            const expected = checkpointVerdict(member, root, cp && clone(cp), publicRoot, false);
            expect(checkpointVerdict(member, root, cp && { ...clone(cp), anchor: key }, publicRoot, true), `${change}, public root ${publicRoot}`).toBe(expected);
          }
        }
      }
    }
  });

  it("fails closed: a checkpoint proof that contradicts the index is tampered even while the public chain is down", () => {
    const { batches, checkpoint, records } = fixture();
    const member = records.find((r) => r.batch === batches[0]!.number)!.record;
    const proof = checkpoint.proofs[0]!;
    expect(checkpointVerdict(member, batches[0]!.tree.root, { proof: clone(proof), indexedRoot: checkpoint.root }, undefined, false)).toBe("none");
    expect(checkpointVerdict(member, batches[0]!.tree.root, { proof: clone(proof), indexedRoot: hex("ee") }, undefined, false)).toBe("tampered");
    expect(checkpointVerdict(member, batches[0]!.tree.root, { proof: clone(proof), indexedRoot: checkpoint.root }, null, false)).toBe("tampered");
  });
});

describe("proofFingerprint", () => {
  it("is exact: any change to a side or a sibling changes it; malformed proofs have none", () => {
    const { records } = fixture();
    const proof = records[0]!.record.proof as { s: "L" | "R"; h: string }[];
    const fingerprint = proofFingerprint(proof)!;
    expect(fingerprint).toHaveLength(67 * proof.length);
    expect(proofFingerprint(clone(proof))).toBe(fingerprint);
    expect(proofFingerprint(proof.map((st, i) => (i === 1 ? { ...st, s: st.s === "L" ? "R" : "L" } : st)))).not.toBe(fingerprint);
    expect(proofFingerprint(proof.map((st, i) => (i === 1 ? { ...st, h: `${st.h.slice(0, -1)}${st.h.endsWith("0") ? "1" : "0"}` } : st)))).not.toBe(fingerprint);
    expect(proofFingerprint([])).toBe("");
    // Steps cannot run into each other: a sibling must be exactly 66 characters.
    expect(proofFingerprint([{ s: "L", h: `${proof[0]!.h}R${proof[1]!.h}` }])).toBeNull();
    for (const bad of [null, "x", {}, [null], [{ s: "X", h: proof[0]!.h }], [{ s: "L" }], [{ s: "L", h: 5 }]]) expect(proofFingerprint(bad)).toBeNull();
  });
});

describe("the cache's bound", () => {
  it("keeps at most two generations, copies what is in use forward, and forgets on request", () => {
    const cache = new ProvenLeafCache(20_000);
    const { records } = fixture();
    const { record, root } = records[0]!;
    const fingerprint = proofFingerprint(record.proof)!;
    const leaf = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex32;
    const used = leaf(1);
    cache.remember(used, "a", root, fingerprint);
    for (let n = 2; n < 2_000; n++) {
      cache.remember(leaf(n), "a", root, fingerprint);
      // Touched regularly, so it survives every rotation.
      if (n % 10 === 0) expect(cache.provenRoot(used, "a", record.proof, root).cached).toBe(true);
      expect(cache.stats().chars).toBeLessThanOrEqual(2 * 20_000 + 2 * 600);
    }
    expect(cache.stats().entries).toBeLessThan(100);
    expect(cache.provenRoot(leaf(2), "a", record.proof, root).cached).toBe(false); // long evicted
    expect(cache.provenRoot(leaf(1_999), "a", record.proof, root).cached).toBe(true);
    cache.clear();
    expect(cache.stats()).toEqual({ entries: 0, chars: 0 });
  });
});
