// Plain data shapes that cross from the DAL to components. Components import these, never lib/dal.
import type { CheckpointLevel, Verification } from "@/lib/integrity/verify-record";
import type { RecordSummary } from "@/lib/fhir/summarize";

export type { CheckpointLevel, Verification, RecordSummary };

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
  anchor: {
    batchNumber: string;
    txHash: string | null;
    blockNumber: string | null;
    anchoredAt: string | null;
    checkpoint: { number: string; txHash: string | null; blockNumber: string | null } | null;
  } | null;
};

export type PatientListItemDto = { id: string; mrn: string; name: string; birthDate: string; sex: string };

export type PatientChartDto = { patient: PatientListItemDto; records: RecordDto[]; counts: VerificationCounts };

export type OwnRecordsDto = {
  patient: { name: string; mrn: string; birthDate: string };
  records: RecordDto[];
  counts: VerificationCounts;
};

export type StaffListItemDto = { id: string; name: string; email: string; role: string; status: string; department: string | null };

/** Metadata only: compliance sees who touched which chart, never the records' contents. */
export type AccessEventDto = {
  seq: string;
  occurredAt: string;
  actorKind: string;
  actorId: string | null;
  actorRole: string | null;
  /** The staff member's name, or the patient's MRN for a patient's own access. */
  actorLabel: string | null;
  action: string;
  patientId: string | null;
  patientMrn: string | null;
  outcome: string;
  purpose: string | null;
  ip: string | null;
};
