import { describe, expect, it } from "vitest";
import { loginPath, safeReturnPath } from "@/lib/net/return-path";

describe("the path a sign-in returns to", () => {
  it("keeps a same-origin page with its query", () => {
    expect(safeReturnPath("/patients/0b7e6c9e-1d7c-4b8e-9a57-7c0f2b1f3a11")).toBe("/patients/0b7e6c9e-1d7c-4b8e-9a57-7c0f2b1f3a11");
    expect(safeReturnPath("/compliance/access-log?mrn=MRN-1&page=2")).toBe("/compliance/access-log?mrn=MRN-1&page=2");
  });

  it.each([
    "https://evil.example",
    "http://evil.example/patients",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " /patients",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "/%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%09/evil.example",
    "https%3A%2F%2Fevil.example",
    "patients",
    "",
    "/%E0%A4%A",
  ])("refuses %j", (raw) => {
    expect(safeReturnPath(raw)).toBeNull();
  });

  it("refuses the sign-in itself, activation, API routes, the bare root and non-strings", () => {
    for (const raw of ["/login", "/login?callbackUrl=%2Fpatients", "/activate", "/api/auth/signin", "/", "/?x=1"]) {
      expect(safeReturnPath(raw)).toBeNull();
    }
    expect(safeReturnPath(undefined)).toBeNull();
    expect(safeReturnPath(["/patients"])).toBeNull();
    expect(safeReturnPath(`/${"a".repeat(3000)}`)).toBeNull();
  });

  it("builds the sign-in link, leaving out what cannot be returned to", () => {
    expect(loginPath("/patients/abc")).toBe("/login?callbackUrl=%2Fpatients%2Fabc");
    expect(loginPath("//evil.example")).toBe("/login");
    expect(loginPath(null)).toBe("/login");
  });
});
