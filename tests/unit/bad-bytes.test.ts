import { describe, expect, it } from "vitest";
import { badJson, badText } from "@/lib/net/bad-bytes";

// React sends a server action's non-form arguments as JSON, where NUL and lone surrogates are escapes that a check of
// the raw text cannot see (issue 21).
describe("bad bytes inside JSON-encoded arguments", () => {
  it("finds NUL and lone surrogates written as escapes, in values and in keys", () => {
    expect(badJson(String.raw`[{"status":"idle","note":"a\u0000b"},"$K1"]`)).toBe(true);
    expect(badJson(String.raw`["\ud800"]`)).toBe(true);
    expect(badJson(String.raw`["\udc00x"]`)).toBe(true);
    expect(badJson(String.raw`{"a\u0000":1}`)).toBe(true);
  });
  it("accepts ordinary text, escaped pairs and text that is not JSON", () => {
    expect(badJson(String.raw`["\ud83d\ude00 김민준 50%"]`)).toBe(false);
    expect(badJson(`[{"status":"idle"},"$K1"]`)).toBe(false);
    expect(badJson(String.raw`not json \u0000`)).toBe(false);
    expect(badText("김민준")).toBe(false);
  });
});
