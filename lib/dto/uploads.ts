// Patient uploads and hospital-system intake: the shapes the DAL hands to pages and components. Pure: no I/O.
import type { RecordDto, VerificationCounts } from "./index";
import type { IntakeProblem, IntakeReason, OperationOutcome, TypeSummary } from "@/lib/fhir/ingest";

import { INTAKE_REASONS } from "@/lib/fhir/intake/model";

export type { IntakeProblem, IntakeReason, TypeSummary };

/** Every reason a patient's upload can end refused: the intake's, and the two before the intake answers. */
export const UPLOAD_REASONS = [...INTAKE_REASONS, "denied", "failed"] as const;
export type UploadRefusal = (typeof UPLOAD_REASONS)[number];

/** What an accepted upload became: the upload (null when the same file was already stored whole), and per type. */
export type UploadResultDto = { uploadId: string | null; recordCount: number; summary: TypeSummary[] };

/**
 * What the upload endpoint answers: the records stored, or why nothing was — every problem, the summary of what was
 * refused per type, and (for identity refusals, to the patient only) what the patient is registered as.
 */
export type UploadResponseDto =
  | ({ ok: true } & UploadResultDto)
  | { ok: false; reason: UploadRefusal; problems: IntakeProblem[]; summary?: TypeSummary[]; registered?: { name: string; birthDate: string } | null; outcome?: OperationOutcome };

export type OwnUploadDto = {
  id: string;
  source: string;
  fileName: string | null;
  contentType: string;
  byteSize: number;
  recordCount: number;
  summary: TypeSummary[];
  createdAt: string;
  records: RecordDto[];
};

export type OwnUploadsDto = { limits: { maxBytes: number }; uploads: OwnUploadDto[]; counts: VerificationCounts };

export type ServiceCredentialDto = {
  id: string;
  name: string;
  tokenPrefix: string;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string;
  scope: "mrn" | "department" | null;
};

/** A newly issued credential: the token is shown this once and never stored (only its sha256 is). */
export type IssuedServiceCredentialDto = { id: string; name: string; token: string; tokenPrefix: string };

/** The correction form's state: refused with a reason (and every problem found), or still being edited. */
export type CorrectionState =
  | { status: "idle" }
  | { status: "error"; code: IntakeReason | "not_found" | "not_correctable" | "already_superseded" | "type_changed" | "too_large"; problems: IntakeProblem[] };
