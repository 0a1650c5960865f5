// Plain data shapes that cross from the DAL to components. Components import these, never lib/dal.
import type { CheckpointLevel, Verification } from "@/lib/integrity/judge";
import type { RecordSummary } from "@/lib/fhir/summarize";
import type { AttachmentCheck } from "@/lib/fhir/attachment";
import type { ClinicalSummary } from "@/lib/chart-summary/types";

export type { AttachmentCheck, CheckpointLevel, Verification, RecordSummary, ClinicalSummary };

export type VerificationCounts = Record<Verification, number>;

export type RecordDto = {
  id: string;
  resourceType: string;
  recordedAt: string;
  source: string;
  verification: Verification;
  /** "public" once the record's batch is inside a checkpoint on the public chain. */
  checkpoint: CheckpointLevel;
  /** Still pending after the configured window: shown with a warning, never as fact. */
  overdue: boolean;
  /** Null when the record is tampered: content that contradicts the chain is never shown as clinical data. */
  summary: RecordSummary | null;
  /** The earlier version this record corrects (a correction is a new record; both stay verifiable). */
  supersedes: string | null;
  /** Set when a newer version corrected this one: history, no longer the current record. */
  supersededAt: string | null;
  anchor: {
    batchNumber: string;
    txHash: string | null;
    blockNumber: string | null;
    anchoredAt: string | null;
    checkpoint: { number: string; txHash: string | null; blockNumber: string | null } | null;
  } | null;
};

export type PatientListItemDto = { id: string; mrn: string; name: string; birthDate: string; sex: string };

/** How the doctor came to see this chart: a treatment consent, or their own emergency grant (until it expires). */
export type ChartAccessDto = { kind: "consent" } | { kind: "emergency"; grantId: string; openedAt: string; expiresAt: string };

/**
 * The header's identity against its anchored identity record (ADR 023): `verified`; `pending` (committed, matching,
 * not yet anchored) and `unavailable` (matching, the chain could not be read) show the body with a warning; the
 * others — the row differs from what was committed, the record is tampered, missing or ambiguous — show a red header
 * and no body.
 */
export type IdentityCheck = "verified" | "pending" | "unavailable" | "mismatch" | "tampered" | "missing";

export type PatientChartDto = {
  patient: PatientListItemDto;
  identity: { state: IdentityCheck; recordId: string | null; withheld: boolean };
  access: ChartAccessDto;
  /** The records on this page of the timeline (after its filters), newest first. */
  records: RecordDto[];
  /** Records matching the filters, across all pages. */
  matching: number;
  page: number;
  pageCount: number;
  /** Every record the access covers, by verification state (before the timeline's filters). */
  counts: VerificationCounts;
  total: number;
  /** Resource types present in the covered records, for the type filter. */
  types: string[];
  /** AllergyIntolerance records, shown first whatever the filters (a tampered one is listed as withheld). */
  allergies: RecordDto[];
  /** The clinical summary (IPS sections), built only from records verified in this request, whatever the filters. */
  summary: ClinicalSummary;
  /** Records still pending past the anchoring window (loud, like tampered ones). */
  overdue: number;
  /** Anchored records the access covers whose rows are deleted or hidden (the completeness check of this request). */
  missing: number;
  /** Record sources present (hospital, patient, system), for the source filter. */
  sources: string[];
};

/** The identity the hospital registered for the patient, as the patient sees it on /me. */
export type OwnIdentityDto = {
  name: string;
  mrn: string;
  birthDate: string;
  sex: "FEMALE" | "MALE" | "OTHER" | "UNKNOWN";
  phone: string | null;
  address: string | null;
  email: string | null;
  accountSince: string | null;
};

export type OwnRecordsDto = {
  patient: { name: string; mrn: string; birthDate: string };
  /** The current version of every record. */
  records: RecordDto[];
  /** Versions replaced by a correction, each still verified: the history behind the current records. */
  earlierVersions: RecordDto[];
  /** This page's records, as verified in this request. */
  counts: VerificationCounts;
  /** The current records not on this page, counted from the sweep's recorded verdicts (never shown as verified here). */
  others: RecordedCountsDto;
  /** Current records in all; the page shown, of pageCount. */
  total: number;
  page: number;
  pageCount: number;
};

/** Counts by the sweep's last recorded verdict; `checkedAt` the oldest sweep time among them (ISO), null if none. */
export type RecordedCountsDto = VerificationCounts & { unchecked: number; checkedAt: string | null };


/** The result of one level of a record's verification path (lib/integrity/judge.ts `LevelResult`). */
export type ProofLevelResult = "ok" | "mismatch" | "missing" | "unavailable" | "skipped";

export type ProofLevelsDto = {
  commitment: ProofLevelResult;
  /** The sealed creation event, where it is the witness (pending records, recipe-v1 source and supersession). */
  creation: ProofLevelResult;
  batchPath: ProofLevelResult;
  batchAnchor: ProofLevelResult;
  checkpointPath: ProofLevelResult;
  checkpointAnchor: ProofLevelResult;
};

/** One Merkle step: the sibling on side L or R, and the node the step produces. */
export type ProofStepDto = { side: "L" | "R"; sibling: string; node: string };

/** A record's verification path for its detail page. Never carries the salt (that is in the export only). */
export type RecordVersionDto = { id: string; createdAt: string; verification: Verification; current: boolean };

export type RecordProofDto = {
  patient: { id: string; name: string; mrn: string };
  /** The patient's identity against its anchored record; when withheld, the record's content is too (ADR 023). */
  identity: PatientChartDto["identity"];
  record: {
    id: string;
    resourceType: string;
    recordedAt: string;
    source: string;
    verification: Verification;
    checkpoint: CheckpointLevel;
    overdue: boolean;
    /** Null when the record is tampered. */
    summary: RecordSummary | null;
    /** The FHIR resource as anchored, for the readable view and raw JSON; null when tampered (never shown as fact). */
    resource: Record<string, unknown> | null;
    /** Each attachment's own hash check (DocumentReference, DiagnosticReport); empty when tampered. */
    attachments: AttachmentCheck[];
  };
  /** Every version of this record, oldest first, each verified on its own; one entry when never corrected. */
  versions: RecordVersionDto[];
  commitment: string;
  leafIndex: number | null;
  /** Null when the stored proof is malformed. */
  steps: ProofStepDto[] | null;
  /** The batch the index claims (checked against the chain by `levels`), or null while the record is pending. */
  batch: {
    number: string;
    root: string;
    chainId: number;
    contractAddress: string;
    txHash: string | null;
    blockNumber: string | null;
    anchoredAt: string | null;
  } | null;
  /** The confirmed public checkpoint the index claims for the batch, or null when it is in none yet. */
  checkpoint: {
    number: string;
    root: string;
    chainId: number;
    contractAddress: string;
    txHash: string | null;
    blockNumber: string | null;
    anchoredAt: string | null;
    leafIndex: number | null;
    steps: ProofStepDto[] | null;
  } | null;
  /** Each level's check, from the same verifyRecords call that gave the verdict. */
  levels: ProofLevelsDto;
  /** Whether a proof bundle can be exported (anchored, with a well-formed proof). */
  exportable: boolean;
  /** Set when the record was lawfully erased: what its anchored tombstone says (never the reason's words). */
  erasure: { erasedAt: string; legalBasis: string; statementHash: string; unitNumber: string | null } | null;
};

/** Open alerts and overdue anchoring, for compliance: ids and counts, never record contents. */
export type IntegrityOverviewDto = {
  overduePending: number;
  /** The web tier's own database role, and whether it is the owner or a superuser (it must be neither). */
  databaseRole: { user: string; unrestricted: boolean };
  alerts: { id: string; kind: string; severity: string; createdAt: string; recordId: string | null; batchNumber: string | null }[];
  /** The access log is sealed on chain this often while it grows: the window an insider could delete unseen. */
  sealIntervalSeconds: number;
};

/** An integrity break no chart can be spared from: when it was found (closed only by an officer's review note). */
export type IntegrityFailureDto = { failedAt: string };

/** One staff access to a patient's own chart, as the patient sees it in "who looked". */
export type OwnAccessEventDto = {
  seq: string;
  occurredAt: string;
  staffName: string | null;
  staffRole: string | null;
  department: string | null;
  action: string;
  purpose: string | null;
  /** Break-glass: opened or viewed under an emergency grant. */
  emergency: boolean;
  /** The doctor's stated reason for an emergency grant. */
  reason: string | null;
  recordCount: number;
  recordTypes: Record<string, number>;
  /** The one record a detail view or export concerned. */
  record: { type: string; recordedAt: string } | null;
};

/** An emergency grant in compliance's review queue: metadata and the stated reason, never the chart. */
export type BreakGlassReviewItemDto = {
  id: string;
  doctor: { id: string; name: string; department: string | null };
  patient: { id: string; mrn: string };
  reason: string;
  openedAt: string;
  expiresAt: string;
  /** Chart and record views made under the grant. */
  views: number;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewNote: string | null;
};
