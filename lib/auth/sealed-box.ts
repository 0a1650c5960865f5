import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

// Small secrets the server must read back but nobody else should (TOTP secrets at rest, search terms in URLs)
// are sealed with AES-256-GCM under a key derived from AUTH_SECRET, one key per purpose. Rotating AUTH_SECRET
// therefore invalidates every sealed box (second factors must be re-enrolled; old search links stop working).
export type SealPurpose = "totp-secret-v1" | "patient-search-v1";

function key(purpose: SealPurpose, authSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", authSecret, "chartproof", purpose, 32));
}

export function seal(purpose: SealPurpose, plaintext: string, authSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(purpose, authSecret), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), body.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

/** The plain text, or null when the box was sealed for another purpose, under another key, or altered. */
export function unseal(purpose: SealPurpose, sealed: string, authSecret: string): string | null {
  const [version, iv, body, tag] = sealed.split(".");
  if (version !== "v1" || !iv || !body || !tag) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(purpose, authSecret), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
