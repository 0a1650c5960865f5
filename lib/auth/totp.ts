import { seal, unseal } from "./sealed-box";
import { generateSecret, generateURI, generateSync, verifySync } from "otplib";

// TOTP (RFC 6238) with otplib's defaults: SHA-1, 6 digits, 30-second steps — what every authenticator app speaks.
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side, for clock drift between the phone and the server. */
const TOLERANCE_SECONDS = 30;

export const TOTP_ISSUER = "Chartproof";

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, accountEmail: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountEmail, secret });
}

/** The code for `at` (tests and the e2e fixture compute the demo accounts' codes with it). */
export function totpCode(secret: string, at: Date = new Date()): string {
  return generateSync({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/**
 * The time step a code belongs to, or null when it is wrong. Steps at or before `lastStep` are refused, so a code
 * seen over someone's shoulder (or replayed from a log) cannot be used again.
 */
export function verifyTotp(secret: string, code: string, lastStep: number | null, at: Date = new Date()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(at.getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  return result.valid && "epoch" in result ? Math.floor(result.epoch / TOTP_PERIOD_SECONDS) : null;
}

// Secrets are stored sealed under a key derived from AUTH_SECRET, so that a copy of the database alone does not
// let anyone mint codes.
export function sealTotpSecret(secret: string, authSecret: string): string {
  return seal("totp-secret-v1", secret, authSecret);
}

/** The plain secret, or null when the box was sealed under another key or altered. */
export function openTotpSecret(sealed: string, authSecret: string): string | null {
  return unseal("totp-secret-v1", sealed, authSecret);
}
