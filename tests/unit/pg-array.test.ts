import { describe, expect, it } from "vitest";
import { pgArray } from "@/lib/verification/creation-events";

// The verification statement's array parameters (ADR 024): a literal only where JSON's quoting is the literal's.
describe("pgArray", () => {
  it("writes strings quoted, booleans and null bare, with JSON's \\\" and \\\\ (the literal's own escapes)", () => {
    expect(pgArray(["a", 'b"c', null, "null", ""])).toBe('{"a","b\\"c",null,"null",""}');
    expect(pgArray([true, false, null])).toBe("{true,false,null}");
    expect(pgArray([])).toBe("{}");
  });

  it("leaves to the driver an array JSON would write otherwise (control characters, lone surrogates, a backslash before a letter)", () => {
    for (const odd of ["x\ny", "tab\there", "\u0001", "\ud800", "C:\\new"]) {
      const values = ["plain", odd];
      expect(pgArray(values)).toBe(values);
    }
  });
});
