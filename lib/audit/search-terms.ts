import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { env } from "@/lib/env";

// Search terms are PHI (a name, a birth date). The access log keeps only a keyed HMAC of them: an investigator who
// holds the key can test "did anyone search for X?", while a reader of the log (or a copy of the database) learns
// nothing. The key lives in configuration, never in the database.
function key(): Buffer {
  const configured = env().AUDIT_HMAC_KEY;
  if (configured) return Buffer.from(configured, "utf8");
  return Buffer.from(hkdfSync("sha256", env().AUTH_SECRET, "chartproof", "audit-search-terms-v1", 32));
}

/** A stable digest of a search's terms (trimmed, case-folded, in a fixed key order), or null for no terms. */
export function searchTermsDigest(terms: Record<string, string | undefined>): string | null {
  const entries = Object.entries(terms)
    .filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1].trim() !== "")
    .map(([k, v]) => [k, v.trim().normalize("NFC").toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return null;
  return createHmac("sha256", key()).update(JSON.stringify(entries)).digest("hex");
}
