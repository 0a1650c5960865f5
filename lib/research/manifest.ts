// The export manifest: what was exported, from which criteria, under which consents, how, by whom and when, with
// every file's hash. Its hash (sha256 over RFC 8785 canonical JSON) is what the chain holds. Pure.
import { createHash } from "node:crypto";
import { canonicalize, type Hex32 } from "@/lib/integrity";
import type { CohortCriteria } from "./criteria";
import { AGE_CEILING, MAX_SHIFT_DAYS, type ExportMode } from "./deidentify";

export const MANIFEST_FORMAT = "chartproof-research-export/1";

export type ConsentSnapshotEntry = {
  id: string;
  studyId: string | null;
  recordClasses: string[];
  dataFrom: string | null;
  dataUntil: string | null;
  validFrom: string;
  validUntil: string | null;
};

export type ManifestFile = { name: string; resourceType: string; sha256: string; lines: number; bytes: number };

/**
 * What Korea's PIPA asks a pseudonymised release to record (Art. 28-2: pseudonymised information may be processed
 * without consent for scientific research; Art. 28-4: the additional information — here the pseudonym key — kept
 * apart under a named custodian, a record of the processing, and destruction when the retention period ends).
 */
export type PseudonymisationTerms = {
  purpose: string;
  irbApprovalNumber: string;
  keyCustodian: string;
  /** The last day the recipient may keep the data (YYYY-MM-DD); it is destroyed then. */
  retainUntil: string;
};

export const PIPA_LEGAL_BASIS = "PIPA Art. 28-2 (pseudonymised information processed for scientific research)";
export const PIPA_SAFEGUARDS =
  "PIPA Art. 28-4: the pseudonym key is kept separately under the named custodian and never leaves the hospital; this manifest is the record of processing; the data is destroyed at the end of the retention period";

export type ExportManifest = {
  format: typeof MANIFEST_FORMAT;
  exportId: string;
  createdAt: string;
  exportedBy: { staffId: string; role: "RESEARCHER" };
  cohort: { id: string; name: string; criteria: CohortCriteria; study: { code: string; title: string } | null };
  mode: ExportMode;
  safeHarbor: boolean;
  deidentification: { method: string; dates: string; ids: string; ageCeiling: number; linkable: boolean };
  /** Pseudonymised exports only: the PIPA record of the processing. */
  pipa?: PseudonymisationTerms & { legalBasis: string; safeguards: string; destroyOn: string };
  /** Which consents admitted the data: their count and the digest of their canonical list (kept by the hospital). */
  consentSnapshot: { count: number; sha256: string; evaluatedAt: string };
  counts: { patients: number; resources: number; omittedByType: Record<string, number> };
  files: ManifestFile[];
};

export function sha256Hex(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/**
 * The consent list in canonical form and its digest. The list carries consent dates (dates about a person), so it
 * stays with the hospital; the manifest carries the digest, which an auditor holding the list can check.
 */
export function consentSnapshotDigest(entries: readonly ConsentSnapshotEntry[]): { canonical: string; sha256: string } {
  const canonical = canonicalize([...entries].sort((a, b) => (a.id < b.id ? -1 : 1)));
  return { canonical, sha256: sha256Hex(canonical) };
}

export function deidentificationTerms(mode: ExportMode): ExportManifest["deidentification"] {
  return mode === "SAFE_HARBOR"
    ? { method: "HIPAA Safe Harbor, per-type allow-list", dates: "year only", ids: "random per export", ageCeiling: AGE_CEILING, linkable: false }
    : {
        method: "Pseudonymised (NOT Safe Harbor), per-type allow-list",
        dates: `shifted per patient by a keyed offset within ±${MAX_SHIFT_DAYS} days`,
        ids: "HMAC-SHA256 under a key kept outside the database, per study",
        ageCeiling: AGE_CEILING,
        linkable: true,
      };
}

/** The PIPA record a pseudonymised export's manifest carries. */
export function pipaRecord(terms: PseudonymisationTerms): NonNullable<ExportManifest["pipa"]> {
  return { legalBasis: PIPA_LEGAL_BASIS, safeguards: PIPA_SAFEGUARDS, ...terms, destroyOn: terms.retainUntil };
}

/** The manifest's canonical bytes and the 0x-prefixed sha256 anchored on chain. */
export function manifestHash(manifest: unknown): { canonical: string; hash: Hex32 } {
  const canonical = canonicalize(manifest);
  return { canonical, hash: `0x${sha256Hex(canonical)}` };
}

export type FileCheck = { name: string; expected: string | null; actual: string | null; ok: boolean };

/** Every file the manifest lists, re-hashed; a listed file that is missing, or an extra file, fails. */
export function checkFiles(manifest: { files: readonly Pick<ManifestFile, "name" | "sha256">[] }, files: readonly { name: string; content: string | Uint8Array }[]): FileCheck[] {
  const given = new Map(files.map((f) => [f.name, sha256Hex(f.content)]));
  const checks: FileCheck[] = manifest.files.map((f) => {
    const actual = given.get(f.name) ?? null;
    return { name: f.name, expected: f.sha256, actual, ok: actual === f.sha256 };
  });
  for (const [name, actual] of given) if (!manifest.files.some((f) => f.name === name)) checks.push({ name, expected: null, actual, ok: false });
  return checks;
}
