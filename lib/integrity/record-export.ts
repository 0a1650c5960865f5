import { canonicalize } from "./canonical-json";
import { parseProofBundle, type ProofBundle } from "./proof-bundle";
import { parseErasedProof, type ErasedProof } from "./tombstone";

// A patient's download of all their records (docs/decisions/015-patients-accounts-consents-corrections.md): a FHIR R4 `collection` Bundle
// whose entries carry the record's resource and, once anchored, its proof bundle as an entry extension. Anyone can
// verify it with `npm run verify-proof -- <export.json> --rpc <url>`, without our database. Pure: no I/O.

const BASE = "https://chartproof.example/fhir/StructureDefinition";
export const PROOF_BUNDLE_EXTENSION = `${BASE}/record-proof-bundle`;
export const RECORD_STATE_EXTENSION = `${BASE}/record-state`;
export const SUPERSEDES_EXTENSION = `${BASE}/record-supersedes`;
export const RECORD_EXPORT_TAG = { system: "https://chartproof.example/fhir/tags", code: "record-export" } as const;

export type ExportEntry = {
  recordId: string;
  resource: unknown;
  /** ANCHORED with a proof bundle, or PENDING (nothing to verify yet). */
  proof: ProofBundle | null;
  /** The record this one corrects, if any; the older version is exported too. */
  supersedes: string | null;
  /** Set when a newer version replaced this one. */
  superseded: boolean;
  /** The hospital's own verification found it tampered: exported with no content and no proof, only its state. */
  tampered?: boolean;
  /** Lawfully erased: exported with no content, with its leaf and anchored tombstone (lib/integrity/tombstone.ts). */
  erased?: ErasedProof;
};

type Extension = { url: string; valueAttachment?: { contentType: string; data: string }; valueCode?: string; valueString?: string };

export function buildRecordExport(entries: readonly ExportEntry[], exportId: string, now: Date): Record<string, unknown> {
  return {
    resourceType: "Bundle",
    id: exportId,
    meta: { tag: [RECORD_EXPORT_TAG] },
    type: "collection",
    timestamp: now.toISOString(),
    entry: entries.map((e) => {
      if (e.tampered) return { fullUrl: `urn:uuid:${e.recordId}`, extension: [{ url: RECORD_STATE_EXTENSION, valueCode: "tampered" }] };
      if (e.erased) {
        return {
          fullUrl: `urn:uuid:${e.recordId}`,
          extension: [
            { url: RECORD_STATE_EXTENSION, valueCode: "erased" },
            { url: PROOF_BUNDLE_EXTENSION, valueAttachment: { contentType: "application/json", data: Buffer.from(JSON.stringify(e.erased), "utf8").toString("base64") } },
          ],
        };
      }
      const extension: Extension[] = [{ url: RECORD_STATE_EXTENSION, valueCode: e.proof ? (e.superseded ? "superseded" : "anchored") : "pending" }];
      if (e.proof) {
        extension.push({ url: PROOF_BUNDLE_EXTENSION, valueAttachment: { contentType: "application/json", data: Buffer.from(JSON.stringify(e.proof), "utf8").toString("base64") } });
      }
      if (e.supersedes) extension.push({ url: SUPERSEDES_EXTENSION, valueString: e.supersedes });
      return { fullUrl: `urn:uuid:${e.recordId}`, extension, resource: e.resource };
    }),
  };
}

export function isRecordExport(json: unknown): boolean {
  const meta = (json as { resourceType?: unknown; meta?: { tag?: unknown } } | null)?.meta;
  return (
    (json as { resourceType?: unknown } | null)?.resourceType === "Bundle" &&
    Array.isArray(meta?.tag) &&
    meta.tag.some((t: { system?: unknown; code?: unknown }) => t?.system === RECORD_EXPORT_TAG.system && t?.code === RECORD_EXPORT_TAG.code)
  );
}

export type ParsedExportEntry =
  | { recordId: string; state: "anchored" | "superseded"; proof: ProofBundle }
  | { recordId: string; state: "pending" }
  | { recordId: string; state: "tampered" }
  | { recordId: string; state: "erased"; erased: ErasedProof }
  | { recordId: string; state: "invalid"; problem: string };

/**
 * Reads an export's entries. An anchored entry is usable only if its proof bundle is well formed and proves exactly
 * the resource the entry shows (same record id, same canonical JSON) — otherwise the Bundle could show one thing and
 * prove another.
 */
export function parseRecordExport(json: unknown): { ok: true; entries: ParsedExportEntry[] } | { ok: false; problem: string } {
  if (!isRecordExport(json)) return { ok: false, problem: "not a Chartproof record export (a Bundle tagged record-export)" };
  const entries = (json as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return { ok: false, problem: "the Bundle has no entry array" };
  return {
    ok: true,
    entries: entries.map((raw: unknown, i): ParsedExportEntry => {
      const entry = raw as { fullUrl?: unknown; resource?: unknown; extension?: Extension[] } | null;
      const recordId = typeof entry?.fullUrl === "string" && entry.fullUrl.startsWith("urn:uuid:") ? entry.fullUrl.slice(9) : `entry ${i}`;
      const extensions = Array.isArray(entry?.extension) ? entry.extension : [];
      const state = extensions.find((x) => x?.url === RECORD_STATE_EXTENSION)?.valueCode;
      const attachment = extensions.find((x) => x?.url === PROOF_BUNDLE_EXTENSION)?.valueAttachment;
      if (state === "tampered") return { recordId, state: "tampered" };
      if (!attachment) return state === "pending" ? { recordId, state: "pending" } : { recordId, state: "invalid", problem: "no proof bundle" };
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(String(attachment.data), "base64").toString("utf8"));
      } catch {
        return { recordId, state: "invalid", problem: "the proof bundle is not base64-encoded JSON" };
      }
      if (state === "erased") {
        const erased = parseErasedProof(decoded);
        if (!erased.ok) return { recordId, state: "invalid", problem: `malformed erasure proof (${erased.problems[0]})` };
        if (erased.proof.recordId !== recordId) return { recordId, state: "invalid", problem: "the erasure proof is for another record" };
        return { recordId, state: "erased", erased: erased.proof };
      }
      const parsed = parseProofBundle(decoded);
      if (!parsed.ok) return { recordId, state: "invalid", problem: `malformed proof bundle (${parsed.problems[0]})` };
      if (parsed.bundle.record.recordId !== recordId) return { recordId, state: "invalid", problem: "the proof bundle is for another record" };
      if (canonicalize(parsed.bundle.record.resource) !== canonicalize(entry?.resource ?? null)) {
        return { recordId, state: "invalid", problem: "the resource shown differs from the resource the proof covers" };
      }
      return { recordId, state: state === "superseded" ? "superseded" : "anchored", proof: parsed.bundle };
    }),
  };
}
