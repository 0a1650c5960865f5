import { describe, expect, it } from "vitest";
import { unavailablePage } from "@/lib/unavailable-page";
import enErrors from "@/lib/i18n/messages/en/errors.json";
import koErrors from "@/lib/i18n/messages/ko/errors.json";

describe("the 503 page proxy.ts answers while the database is down", () => {
  const page = (over: Partial<Parameters<typeof unavailablePage>[0]> = {}) =>
    unavailablePage({ cookieLocale: undefined, acceptLanguage: null, path: "/patients", nonce: "abc", ...over });

  it("speaks the viewer's language: the locale cookie, else Accept-Language, else Korean", () => {
    expect(page()).toContain(koErrors.unavailableTitle);
    expect(page({ acceptLanguage: "en-GB,en;q=0.9" })).toContain(enErrors.unavailableTitle);
    expect(page({ acceptLanguage: "en", cookieLocale: "ko" })).toContain('<html lang="ko">');
  });

  it("links back to the page asked for, a same-site path only, escaped", () => {
    expect(page({ path: "/patients/1234" })).toContain('href="/patients/1234"');
    expect(page({ path: "//evil.example/x" })).toContain('href="/"');
    expect(page({ path: '/a"><script>' })).not.toContain("<script>");
  });

  it("carries no script, and its style only under the request's nonce", () => {
    expect(page()).not.toMatch(/<script/i);
    expect(page({ nonce: "n0nce" })).toContain('<style nonce="n0nce">');
  });
});
