import { describe, expect, it } from "vitest";
import { IntakeRejectedError } from "@/lib/fhir/ingest";
import { BundleSplitter, splitBundle, type BundlePart, type StreamLimits } from "@/lib/fhir/intake/stream";
import { syntheaBundle } from "../fixtures/fhir/synthea-parts";

const LIMITS: StreamLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 32, maxEntries: 100_000, maxEntryBytes: 2 * 1024 * 1024 };

/** The body cut into chunks of `size` bytes, as a network would deliver it. */
function chunks(text: string, size: number): Uint8Array[] {
  const bytes = Buffer.from(text, "utf8");
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function split(text: string, size: number, limits = LIMITS): BundlePart[] {
  const splitter = new BundleSplitter(limits);
  const parts = chunks(text, size).flatMap((c) => splitter.push(c));
  splitter.end();
  return parts;
}

function refusal(run: () => unknown): IntakeRejectedError {
  try {
    run();
  } catch (error) {
    if (error instanceof IntakeRejectedError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("a Bundle read as a stream", () => {
  const bundle = syntheaBundle({ seed: 9, encounters: 2 }) as { entry: unknown[] };
  // Members before and after `entry`, strings with brackets, escaped quotes, multi-byte text and a nested "entry" key.
  const tricky = {
    resourceType: "Bundle",
    type: "batch",
    meta: { tag: [{ code: "a ] } [ { \" \\\" , :" }] },
    entry: [
      ...bundle.entry,
      { resource: { resourceType: "Basic", code: { text: "정하은 — 😀 \\u0041 }]" }, extension: [{ url: "entry", valueString: "[{\"entry\":1}]" }] } },
      { fullUrl: "urn:uuid:x", request: { method: "POST", url: "Basic" } },
    ],
    timestamp: "2026-12-07T00:00:00Z",
    total: 3,
    signature: null,
  };
  const text = JSON.stringify(tricky, null, 1);

  it.each([1, 2, 7, 4096, 65_536, text.length])("yields every entry and the envelope, whatever the chunk size (%i bytes)", (size) => {
    const parts = split(text, size);
    const entries = parts.filter((p) => p.kind === "entry");
    expect(entries.map((p) => p.value)).toEqual(tricky.entry);
    // The Bundle's type is told as soon as it is read, before the entries that follow it.
    expect(parts.filter((p) => p.kind === "member").map((p) => (p as { name: string }).name)).toEqual(Object.keys(tricky).filter((k) => k === "resourceType" || k === "type"));
    expect(entries.map((p) => (p as { index: number }).index)).toEqual(tricky.entry.map((_, i) => i));
    const { entry: _entry, ...envelope } = tricky;
    expect(parts.at(-1)).toEqual({ kind: "envelope", value: envelope });
  });

  it("reads a byte order mark, whitespace and an empty entry list", () => {
    expect(split(`\ufeff  {"resourceType":"Bundle","entry":[ ],"type":"batch"} \n`, 3)).toEqual([
      { kind: "member", name: "resourceType", value: "Bundle" },
      { kind: "member", name: "type", value: "batch" },
      { kind: "envelope", value: { resourceType: "Bundle", type: "batch" } },
    ]);
  });

  it("reads from an async byte stream", async () => {
    const parts: BundlePart[] = [];
    for await (const part of splitBundle(new Blob([text]).stream(), LIMITS)) parts.push(part);
    expect(parts.filter((p) => p.kind === "entry")).toHaveLength(tricky.entry.length);
  });

  it("refuses a truncated body, text after the Bundle, a missing comma and what is not an object", () => {
    expect(refusal(() => split(text.slice(0, text.length - 10), 100)).message).toMatch(/not_json/);
    expect(refusal(() => split(text.slice(0, text.length - 10), 100)).problems[0]!.message).toMatch(/truncated/);
    expect(refusal(() => split(`${text} {}`, 100)).problems[0]!.message).toMatch(/follows the end/);
    expect(refusal(() => split('{"resourceType":"Bundle","entry":[{"a":1} {"b":2}]}', 5)).problems[0]!.message).toMatch(/missing a comma/);
    expect(refusal(() => split('[{"resourceType":"Bundle"}]', 5)).problems[0]!.message).toMatch(/not a JSON object/);
    expect(refusal(() => split('{"resourceType":"Bundle","entry":{}}', 5)).problems[0]!.message).toMatch(/must be an array/);
  });

  it("checks each entry as any upload is checked: forbidden characters, keys, depth", () => {
    expect(refusal(() => split('{"entry":[{"resource":{"resourceType":"Basic","id":"a\\u0000"}}]}', 4)).reason).toBe("forbidden_character");
    expect(refusal(() => split('{"entry":[{"resource":{"resourceType":"Basic","id":"\\ud800"}}]}', 4)).reason).toBe("forbidden_character");
    expect(refusal(() => split('{"entry":[{"resource":{"__proto__":{}}}]}', 4)).reason).toBe("forbidden_key");
    expect(refusal(() => split(`{"entry":[${"[".repeat(40)}${"]".repeat(40)}]}`, 4)).reason).toBe("too_deep");
  });

  it("holds one entry at a time: an entry over its limit, too many entries and too many bytes are refused as they arrive", () => {
    const small = { ...LIMITS, maxEntryBytes: 1000 };
    const big = refusal(() => split(JSON.stringify({ entry: [{ resource: { resourceType: "Basic", id: "x".repeat(2000) } }] }), 64, small));
    expect(big.reason).toBe("too_large");
    expect(big.problems[0]!.field).toBe("Bundle.entry[0]");
    expect(refusal(() => split(text, 64, { ...LIMITS, maxEntries: 3 })).reason).toBe("too_many_entries");
    expect(refusal(() => split(text, 64, { ...LIMITS, maxBytes: 1000 })).reason).toBe("too_large");
  });
});
