// The researcher's screens: action inputs and the shapes the DAL hands to pages and components. Counts, criteria,
// digests and de-identified files only — never a patient's identity. Pure: no I/O.
import { z } from "zod";
import { cohortCriteriaSchema, criteriaFromSearchParams } from "@/lib/research/criteria";
import type { CountRelease } from "@/lib/research/suppression";
import type { ExportManifest, FileCheck } from "@/lib/research/manifest";

export type { CohortCriteria } from "@/lib/research/criteria";
export type { ExportManifest, FileCheck } from "@/lib/research/manifest";

export const EXPORT_MODES = ["SAFE_HARBOR", "PSEUDONYMISED"] as const;
export type ExportModeDto = (typeof EXPORT_MODES)[number];

/** What the screen may show of a count: the number, or "< threshold" (never why it was suppressed). */
export type { CodeLookup as CodeLookupDto, CodeOption as CodeOptionDto } from "@/lib/research/code-lookup";

export type CohortCountDto = { released: true; count: number } | { released: false; threshold: number };

export function countDto(release: CountRelease): CohortCountDto {
  return release.released ? { released: true, count: release.count } : { released: false, threshold: release.threshold };
}

export type StudyOptionDto = { id: string; code: string; title: string };

export type CohortSummaryDto = { id: string; name: string; study: StudyOptionDto | null; createdAt: string; exportCount: number };

export type AnchorStateDto = "pending" | "anchored" | "failed";

export type ExportSummaryDto = { id: string; mode: ExportModeDto; createdAt: string; manifestHash: string; anchorState: AnchorStateDto; patients: number };

export type CohortDetailDto = {
  id: string;
  name: string;
  study: StudyOptionDto | null;
  criteria: z.infer<typeof cohortCriteriaSchema>;
  /** The builder URL's query string for these criteria (to refine them). */
  criteriaQuery: string;
  createdAt: string;
  /**
   * When the cohort was saved: the digest of the list of consents that admitted its records. Not their number: that
   * is close to a patient count, and two saved cohorts' numbers would difference out a suppressed cell.
   */
  snapshot: { sha256: string; capturedAt: string };
  /** The count now, consents re-evaluated (a revocation since the snapshot already applies). */
  current: CohortCountDto;
  exports: ExportSummaryDto[];
};

export type ExportFileDto = { name: string; resourceType: string; sha256: string; lines: number; bytes: number };

export type ExportAnchorDto = {
  state: AnchorStateDto;
  batchNumber: string | null;
  chainId: number | null;
  contractAddress: string | null;
  txHash: string | null;
  blockNumber: string | null;
  anchoredAt: string | null;
};

export type ExportDetailDto = {
  id: string;
  cohort: { id: string; name: string };
  mode: ExportModeDto;
  createdAt: string;
  manifest: ExportManifest;
  manifestHash: string;
  anchor: ExportAnchorDto;
  files: ExportFileDto[];
};

/** The manifest as a sponsor downloads it: the manifest itself (what is hashed) and where its hash is anchored. */
export type ManifestBundleDto = {
  manifest: ExportManifest;
  manifestHash: string;
  anchor: { kind: "EXPORT_MANIFEST"; chainId: number; contractAddress: string; batchNumber: string; txHash: string | null; blockNumber: string | null } | null;
};

/**
 * verified: files, manifest hash and the chain agree; tampered: something contradicts them; pending: not anchored yet;
 * unavailable: the chain could not be read (never shown as verified).
 */
export type ExportVerdict = "verified" | "tampered" | "pending" | "unavailable";

export type ExportVerificationDto = {
  verdict: ExportVerdict;
  files: FileCheck[];
  manifestHash: { stored: string; recomputed: string; ok: boolean };
  chain: { state: "match" | "mismatch" | "not_anchored" | "unavailable"; root: string | null; batchNumber: string | null };
  checkedAt: string;
};

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** The builder's save form: a name, an optional study, and the criteria as the builder's query string. */
export const saveCohortSchema = z.object({
  name: z.string().trim().min(3, "name_too_short").max(120, "too_long"),
  studyId: z.preprocess(blankToUndefined, z.uuid("invalid").optional()),
  criteria: z
    .string()
    .max(4000, "too_long")
    .transform((query) => criteriaFromSearchParams(Object.fromEntries([...new URLSearchParams(query).keys()].map((k) => [k, new URLSearchParams(query).getAll(k)])))),
});

/** The longest retention a pseudonymised release may ask for before it must be destroyed. */
export const MAX_RETENTION_YEARS = 10;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Export: the cohort and a mode (Safe Harbor unless chosen otherwise). Pseudonymisation must be acknowledged as NOT
 * Safe Harbor and carries PIPA's record: purpose, IRB approval number, the key's custodian, the retention end.
 */
export const createExportSchema = z
  .object({
    cohortId: z.uuid("invalid"),
    mode: z.enum(EXPORT_MODES, "mode_required"),
    acknowledge: z.preprocess((v) => v === "on" || v === "true", z.boolean()),
    purpose: z.preprocess(blankToUndefined, z.string().trim().min(10, "purpose_too_short").max(500, "too_long").optional()),
    irbApprovalNumber: z.preprocess(
      blankToUndefined,
      z.string().trim().min(3, "irb_invalid").max(64, "too_long").regex(/^[\p{L}\p{N}][\p{L}\p{N} ./_-]*$/u, "irb_invalid").optional(),
    ),
    keyCustodian: z.preprocess(blankToUndefined, z.string().trim().min(2, "custodian_required").max(120, "too_long").optional()),
    retainUntil: z.preprocess(blankToUndefined, z.string().regex(DAY, "retention_invalid").optional()),
  })
  .superRefine((v, ctx) => {
    if (v.mode !== "PSEUDONYMISED") return;
    if (!v.acknowledge) ctx.addIssue({ code: "custom", message: "acknowledge_required", path: ["acknowledge"] });
    if (!v.purpose) ctx.addIssue({ code: "custom", message: "purpose_required", path: ["purpose"] });
    if (!v.irbApprovalNumber) ctx.addIssue({ code: "custom", message: "irb_required", path: ["irbApprovalNumber"] });
    if (!v.keyCustodian) ctx.addIssue({ code: "custom", message: "custodian_required", path: ["keyCustodian"] });
    if (!v.retainUntil) ctx.addIssue({ code: "custom", message: "retention_required", path: ["retainUntil"] });
    else if (!retentionInRange(v.retainUntil, new Date())) ctx.addIssue({ code: "custom", message: "retention_invalid", path: ["retainUntil"] });
  });

/** A retention end after today and at most MAX_RETENTION_YEARS away, as a real calendar day. */
export function retentionInRange(day: string, now: Date): boolean {
  const at = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== day) return false;
  const today = new Date(now.toISOString().slice(0, 10) + "T00:00:00Z");
  const latest = new Date(today);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_RETENTION_YEARS);
  return at > today && at <= latest;
}

export const verifyExportSchema = z.object({ exportId: z.uuid("invalid") });

/** Safe names of downloadable files: a resource type's NDJSON. */
export const EXPORT_FILE_NAME = /^[A-Z][A-Za-z]{1,40}\.ndjson$/;
