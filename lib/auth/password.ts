import { hash, verify } from "@node-rs/argon2";
import { COMMON_PASSWORDS_TEXT } from "./common-passwords";

// argon2id with the library's defaults (19 MiB, t=2, p=1: OWASP's minimum recommendation), memory-hard
// so that a stolen table of hashes is expensive to crack.
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  // An empty hash means "no password set" (awaiting activation, or reset by an administrator): nothing matches.
  if (passwordHash === "") return false;
  return verify(passwordHash, password).catch(() => false);
}

/** The stored hash of an account that has no usable password (awaiting activation or reset). */
export const NO_PASSWORD = "";

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordIssue = "too_short" | "too_long" | "common" | "contains_email";

let common: Set<string> | undefined;

function isCommon(lowered: string): boolean {
  common ??= new Set(COMMON_PASSWORDS_TEXT.split("\n"));
  return common.has(lowered);
}

/** Fewer than 4 distinct characters ("aaaaaaaaaaaa", "abababababab") is as weak as a listed password. */
function isRepetitive(lowered: string): boolean {
  return new Set(lowered).size < 4;
}

/**
 * NIST SP 800-63B: a length floor, no composition rules, and refusal of known-weak choices (a bundled list of
 * common passwords, repetition, and the account's own email). Length counts code points, so Hangul counts fairly.
 */
export function passwordIssue(password: string, context: { email?: string | null } = {}): PasswordIssue | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return "too_short";
  if (length > PASSWORD_MAX_LENGTH) return "too_long";
  const lowered = password.normalize("NFKC").toLowerCase();
  if (isCommon(lowered) || isRepetitive(lowered)) return "common";
  const local = context.email?.split("@")[0]?.toLowerCase();
  if (local && local.length >= 4 && lowered.includes(local)) return "contains_email";
  return null;
}
