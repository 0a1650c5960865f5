import { describe, expect, it } from "vitest";
import { parseTrustAnchors, writerAuthorisedAt, writerPeriods, type ChainAnchor } from "@/lib/integrity/trust-anchors";
import { trustAnchorsOf } from "@/lib/ledger";

const tx = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000bb";

function chain(role: ChainAnchor["role"], writers: ChainAnchor["writers"]): ChainAnchor {
  return { role, chainId: role === "private" ? 1 : 2, contract: `0x${"12".repeat(20)}`, deployment: { block: "5", txHash: tx(5) }, runtimeCodeHash: tx(99), writers };
}

describe("writer periods", () => {
  it("open on a grant, close on the revocation that follows, and reopen on a second grant", () => {
    const periods = writerPeriods([
      { kind: "granted", account: A.toUpperCase().replace("0X", "0x"), block: 5n, txHash: tx(5) },
      { kind: "granted", account: B, block: 10n, txHash: tx(10) },
      { kind: "granted", account: B, block: 11n, txHash: tx(11) }, // already a writer: no new period
      { kind: "revoked", account: A, block: 20n, txHash: tx(20) },
      { kind: "revoked", account: A, block: 21n, txHash: tx(21) }, // not a writer: nothing to close
      { kind: "granted", account: A, block: 30n, txHash: tx(30) },
    ]);
    expect(periods).toEqual([
      { address: A, from: { block: "5", txHash: tx(5) }, until: { block: "20", txHash: tx(20) } },
      { address: B, from: { block: "10", txHash: tx(10) }, until: null },
      { address: A, from: { block: "30", txHash: tx(30) }, until: null },
    ]);
    const anchor = chain("private", periods);
    expect([4n, 5n, 19n, 20n, 29n, 30n].map((b) => writerAuthorisedAt(anchor, A, b))).toEqual([false, true, true, false, false, true]);
    expect(writerAuthorisedAt(anchor, B.toUpperCase().replace("0X", "0x"), 10n)).toBe(true);
  });

  it("version the anchors: 1 at deployment, +1 per grant or revocation on any chain", () => {
    const deployed = [chain("private", [{ address: A, from: { block: "5", txHash: tx(5) }, until: null }]), chain("public", [{ address: A, from: { block: "5", txHash: tx(5) }, until: null }])];
    expect(trustAnchorsOf(deployed).version).toBe(1);
    const rotated = [
      chain("private", [
        { address: A, from: { block: "5", txHash: tx(5) }, until: { block: "9", txHash: tx(9) } },
        { address: B, from: { block: "8", txHash: tx(8) }, until: null },
      ]),
      deployed[1]!,
    ];
    const anchors = trustAnchorsOf(rotated);
    expect(anchors.version).toBe(3);
    expect(parseTrustAnchors(JSON.parse(JSON.stringify(anchors)))).toMatchObject({ ok: true });
  });

  it("refuse a malformed anchors file without echoing it", () => {
    const bad = parseTrustAnchors({ format: "chartproof-trust-anchors/1", version: 1, chains: [{ ...chain("private", []), contract: "0xABC" }] });
    expect(bad).toMatchObject({ ok: false });
    expect(JSON.stringify(bad)).not.toContain("0xABC");
  });
});
