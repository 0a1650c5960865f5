// Patient uploads and hospital-system intake: the shapes the DAL hands to pages and components. Pure: no I/O.
import type { RecordDto, VerificationCounts } from "./index";
import type { IntakeProblem, IntakeReason } from "@/lib/fhir/ingest";

export type { IntakeProblem, IntakeReason };

export type UploadResultDto = { uploadId: string; recordCount: number };

/** What the upload endpoint answers: the records stored, or why nothing was. */
export type UploadResponseDto = { ok: true; uploadId: string; recordCount: number } | { ok: false; reason: IntakeReason | "denied" | "failed"; problems: IntakeProblem[] };

export type OwnUploadDto = {
  id: string;
  source: string;
  fileName: string | null;
  contentType: string;
  byteSize: number;
  recordCount: number;
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
