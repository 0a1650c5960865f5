import { createHash, randomInt } from "node:crypto";

// Crockford's base32 without I, L, O, U: easy to read aloud and to type from a printed slip.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function randomGroups(groups: number, size: number): string {
  const chars = Array.from({ length: groups * size }, () => ALPHABET[randomInt(ALPHABET.length)]!);
  return Array.from({ length: groups }, (_, g) => chars.slice(g * size, (g + 1) * size).join("")).join("-");
}

/** A one-time activation or reset code: 4 groups of 4 (80 bits), shown once to the administrator. */
export function newOneTimeCode(): string {
  return randomGroups(4, 4);
}

/** A recovery code for the second factor: 2 groups of 5 (50 bits); single use, and sign-in is throttled. */
export function newRecoveryCode(): string {
  return randomGroups(2, 5);
}

/** Upper-cases, drops spaces and dashes, and maps the look-alikes people type (O→0, I/L→1). */
export function normalizeCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

/**
 * Codes carry 50–80 bits of randomness and expire, so a fast hash is enough (unlike passwords); the stored hash
 * cannot be turned back into a usable code.
 */
export function hashCode(code: string): string {
  return createHash("sha256").update(`chartproof-code:${normalizeCode(code)}`, "utf8").digest("hex");
}

export function looksLikeOneTimeCode(input: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(normalizeCode(input));
}

export function looksLikeRecoveryCode(input: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{10}$/.test(normalizeCode(input));
}

