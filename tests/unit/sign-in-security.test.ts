import { describe, expect, it } from "vitest";
import { hashCode, looksLikeOneTimeCode, looksLikeRecoveryCode, newOneTimeCode, newRecoveryCode, normalizeCode } from "@/lib/auth/one-time-code";
import { passwordIssue, verifyPassword } from "@/lib/auth/password";
import { COMMON_PASSWORDS_TEXT } from "@/lib/auth/common-passwords";
import { isThrottled, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_IP } from "@/lib/auth/throttle";
import { newTotpSecret, openTotpSecret, sealTotpSecret, totpCode, verifyTotp } from "@/lib/auth/totp";

describe("password policy (NIST 800-63B)", () => {
  it("asks for length, not composition", () => {
    expect(passwordIssue("short pass")).toBe("too_short");
    expect(passwordIssue("all lower case words here")).toBeNull();
    expect(passwordIssue("x".repeat(129))).toBe("too_long");
    // Hangul counts by character, not by byte.
    expect(passwordIssue("봄날의햇살처럼따뜻한하루")).toBeNull();
  });
  it("refuses listed, repetitive and email-derived passwords", () => {
    expect(passwordIssue("password1234")).toBe("common");
    expect(passwordIssue("PassWord1234")).toBe("common");
    expect(passwordIssue("qwertyuiop123")).toBe("common");
    expect(passwordIssue("123456789012")).toBe("common");
    expect(passwordIssue("abababababab")).toBe("common");
    expect(passwordIssue("my name is kimdoctor!", { email: "kimdoctor@hospital.kr" })).toBe("contains_email");
  });
  it("ships a list of a few thousand entries, all of which the policy refuses", () => {
    const list = COMMON_PASSWORDS_TEXT.split("\n");
    expect(list.length).toBeGreaterThan(3000);
    expect(list.every((p) => p.length >= 12 && p === p.toLowerCase())).toBe(true);
    expect(list.slice(0, 200).every((p) => passwordIssue(p) === "common")).toBe(true);
  });
  it("matches nothing against an empty hash (an account without a password)", async () => {
    expect(await verifyPassword("", "anything at all")).toBe(false);
  });
});

describe("one-time and recovery codes", () => {
  it("are random, readable, and hashed the same however they are typed", () => {
    const code = newOneTimeCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(newOneTimeCode()).not.toBe(code);
    expect(looksLikeOneTimeCode(code.toLowerCase().replace(/-/g, " "))).toBe(true);
    expect(hashCode(code.toLowerCase())).toBe(hashCode(code));
    expect(normalizeCode("ab-cd io")).toBe("ABCD10");
    expect(looksLikeRecoveryCode(newRecoveryCode())).toBe(true);
  });
});

describe("TOTP", () => {
  const secret = newTotpSecret();
  const now = new Date("2026-11-26T09:00:10Z");
  it("accepts the current code once, and the neighbouring steps for clock drift", () => {
    const step = verifyTotp(secret, totpCode(secret, now), null, now);
    expect(step).not.toBeNull();
    expect(verifyTotp(secret, totpCode(secret, now), step, now)).toBeNull(); // replay
    expect(verifyTotp(secret, totpCode(secret, new Date(now.getTime() + 30_000)), step, now)).toBe(step! + 1);
    expect(verifyTotp(secret, totpCode(secret, new Date(now.getTime() - 120_000)), null, now)).toBeNull();
    expect(verifyTotp(secret, "12345", null, now)).toBeNull();
  });
  it("stores secrets sealed under a key from AUTH_SECRET", () => {
    const sealed = sealTotpSecret(secret, "a".repeat(32));
    expect(sealed).not.toContain(secret);
    expect(openTotpSecret(sealed, "a".repeat(32))).toBe(secret);
    expect(openTotpSecret(sealed, "b".repeat(32))).toBeNull();
    expect(openTotpSecret(`${sealed.slice(0, -2)}xx`, "a".repeat(32))).toBeNull();
  });
});

describe("throttling", () => {
  it("locks an account or an address after repeated failures", () => {
    expect(isThrottled({ account: MAX_FAILURES_PER_ACCOUNT - 1, ip: 0 })).toBe(false);
    expect(isThrottled({ account: MAX_FAILURES_PER_ACCOUNT, ip: 0 })).toBe(true);
    expect(isThrottled({ account: 0, ip: MAX_FAILURES_PER_IP })).toBe(true);
  });
});

describe("progressive delay (counted before evaluated)", () => {
  it("lets the free attempts through, then doubles the wait up to its cap", async () => {
    const { FREE_ATTEMPTS, requiredGapSeconds, retryAfterSeconds } = await import("@/lib/auth/throttle");
    expect(requiredGapSeconds("pair", FREE_ATTEMPTS.pair - 1)).toBe(0);
    expect(requiredGapSeconds("pair", FREE_ATTEMPTS.pair)).toBe(30);
    expect(requiredGapSeconds("pair", FREE_ATTEMPTS.pair + 1)).toBe(60);
    expect(requiredGapSeconds("pair", FREE_ATTEMPTS.pair + 20)).toBe(15 * 60);
    // An account attacked from everywhere is slowed, never locked: at most a minute between attempts.
    expect(requiredGapSeconds("account", FREE_ATTEMPTS.account + 20)).toBe(60);
    const now = new Date("2026-12-07T12:00:00Z");
    expect(retryAfterSeconds("pair", FREE_ATTEMPTS.pair, new Date(now.getTime() - 10_000), now)).toBe(20);
    expect(retryAfterSeconds("pair", FREE_ATTEMPTS.pair, new Date(now.getTime() - 31_000), now)).toBe(0);
  });
});

describe("client addresses from the socket (trusted proxies)", () => {
  it("ignores a spoofed X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const { clientAddress, parseTrustedProxies } = await import("@/lib/net/client-address");
    const none = parseTrustedProxies("");
    expect(clientAddress("::ffff:203.0.113.5", "6.6.6.6", none)).toBe("203.0.113.5");
    expect(clientAddress("203.0.113.5", undefined, none)).toBe("203.0.113.5");
    const proxies = parseTrustedProxies("10.0.0.0/8, 127.0.0.1, ::1");
    // Through the hospital's proxy: the right-most hop that is not a proxy; what the client prepended is ignored.
    expect(clientAddress("10.1.2.3", "6.6.6.6, 198.51.100.9", proxies)).toBe("198.51.100.9");
    expect(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.9, 10.0.0.7", proxies)).toBe("198.51.100.9");
    expect(clientAddress("::1", "", proxies)).toBe("::1");
    expect(clientAddress("198.51.100.1", "10.0.0.1", proxies)).toBe("198.51.100.1");
    expect(() => parseTrustedProxies("not-an-ip")).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies("10.0.0.0/99")).toThrow(/prefix/);
  });
});

describe("bad bytes", () => {
  it("finds NUL, lone surrogates and malformed or overlong UTF-8, and passes Korean and emoji", async () => {
    const { badQuery, badText, badUtf8 } = await import("@/lib/net/bad-bytes");
    expect(badQuery("?q=%00")).toBe(true);
    expect(badQuery("?q=%ED%A0%80")).toBe(true); // a surrogate encoded as UTF-8
    expect(badQuery("?q=%C0%AF")).toBe(true); // overlong "/"
    expect(badQuery("?q=%E0%80%AF")).toBe(true); // overlong, three bytes
    expect(badQuery("?q=%EA%B9%80%EB%AF%BC%EC%A4%80&page=2")).toBe(false); // 김민준
    expect(badQuery("?q=%F0%9F%98%80")).toBe(false);
    expect(badText("a\u0000b")).toBe(true);
    expect(badText("\ud800")).toBe(true);
    expect(badText("\udc00x")).toBe(true);
    expect(badText("😀 김")).toBe(false);
    expect(badUtf8(new Uint8Array([0xc0, 0xaf]))).toBe(true);
    expect(badUtf8(new TextEncoder().encode("김민준"))).toBe(false);
  });
});
