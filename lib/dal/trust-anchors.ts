import "server-only";
import { env } from "@/lib/env";
import type { TrustAnchors } from "@/lib/integrity/trust-anchors";
import { readChainAnchor, trustAnchorsOf } from "@/lib/ledger";
import { canonicalize } from "@/lib/integrity";
import { ledgers } from "@/lib/verification";

// The hospital's published trust anchors (ADR 027). Public by design: no caller, no patient data, no database —
// only what the configured contracts say on their chains, so anyone may read it and compare it with what the
// hospital publishes elsewhere. Built from the configuration, never from a database row: the portal pins the
// addresses it is configured with and nothing else.

/** Role changes are rare and an outsider re-fetches at most per verification: a minute of staleness is harmless. */
const TTL_MS = 60_000;
let cached: { at: number; body: string } | null = null;

/** The anchors of the configured chains, as read from them now. */
export async function readPublishedTrustAnchors(): Promise<TrustAnchors> {
  const { private: privateLedger, public: publicLedger } = ledgers();
  const e = env();
  const chains = [await readChainAnchor(privateLedger.clients, "private", e.LEDGER_DEPLOYMENT_BLOCK)];
  if (publicLedger) chains.push(await readChainAnchor(publicLedger.clients, "public", e.PUBLIC_LEDGER_DEPLOYMENT_BLOCK));
  return trustAnchorsOf(chains);
}

/** The RFC 8785 bytes of the anchors, so that their sha256 is the same whoever serializes them. */
export async function publishedTrustAnchorsJson(now = Date.now()): Promise<string> {
  if (cached && now - cached.at < TTL_MS) return cached.body;
  const body = canonicalize(await readPublishedTrustAnchors());
  cached = { at: now, body };
  return body;
}
