// Staff administration: the list query (parsed from URL search params) and the shapes pages hand to components.
import { z } from "zod";
import { STAFF_ROLES, type StaffRole } from "@/lib/authz";
import type { IssuedServiceCredentialDto } from "./uploads";

export const STAFF_SORT_COLUMNS = ["name", "email", "role", "department", "status", "createdAt"] as const;
export const STAFF_PAGE_SIZES = [10, 25, 50] as const;
export const STAFF_STATUSES = ["ACTIVE", "PENDING", "SUSPENDED"] as const;

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);

/** Unknown or malformed parameters fall back to defaults instead of failing: a URL is user input. */
export const staffListQuerySchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  role: z.preprocess(blankToUndefined, z.enum(STAFF_ROLES).optional()).catch(undefined),
  status: z.preprocess(blankToUndefined, z.enum(STAFF_STATUSES).optional()).catch(undefined),
  department: z.preprocess(blankToUndefined, z.union([z.literal("none"), z.uuid()]).optional()).catch(undefined),
  sort: z.enum(STAFF_SORT_COLUMNS).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
  size: z.coerce
    .number()
    .refine((n): n is (typeof STAFF_PAGE_SIZES)[number] => (STAFF_PAGE_SIZES as readonly number[]).includes(n))
    .catch(25)
    .default(25),
});

export type StaffListQuery = z.infer<typeof staffListQuerySchema>;

export type StaffRowDto = {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  status: (typeof STAFF_STATUSES)[number];
  department: string | null;
  createdAt: string;
  /** When the account last signed in (a session was opened), or null if never. */
  lastSignInAt: string | null;
  mfaEnabled: boolean;
};

export type StaffPageDto = { rows: StaffRowDto[]; total: number; page: number; pageSize: number };

export type DepartmentOptionDto = { id: string; code: string; name: string; active: boolean };

export type DepartmentRowDto = DepartmentOptionDto & { staffCount: number; activeConsentCount: number };

export type StaffDetailDto = StaffRowDto & {
  departmentId: string | null;
  licenceNumber: string | null;
  mfaEnabled: boolean;
  isSelf: boolean;
  /** An open activation or reset code: when it expires (the code itself is never shown again). */
  openCodeExpiresAt: string | null;
};

export type PatientRefDto = { id: string; mrn: string };

/** Who would gain or lose access to which patients' charts (by consent) if a change were made. */
export type AccessChangePreviewDto = { gained: PatientRefDto[]; lost: PatientRefDto[] };

/** A one-time code, shown once to the administrator to hand over in person. */
export type IssuedCodeDto = { code: string; expiresAt: string; purpose: "ACTIVATION" | "PASSWORD_RESET" };

export type MfaStatusDto = { enabled: boolean; required: boolean; recoveryCodesLeft: number; enrolling: boolean };

export type MfaEnrolmentDto = { secret: string; uri: string; recoveryCodes: string[] };

/** The result of a form's server action, for useActionState. */
export type FormState<Result = null> =
  | { status: "idle" }
  /** Field errors and the form error are message keys (the form translates them); nothing was changed. */
  | { status: "error"; fieldErrors: Partial<Record<string, string>>; formError?: string; formErrorValues?: Record<string, number> }
  | { status: "success"; result: Result };

/** Zod issues → one message key per field (the first), for FormState. Schemas give their issues key messages. */
export function fieldErrorState(error: z.ZodError): Extract<FormState<never>, { status: "error" }> {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    fieldErrors[field] ??= /^[a-z_]+$/.test(issue.message) ? issue.message : "invalid";
  }
  return { status: "error", fieldErrors };
}

export function formErrorState(formError: string, formErrorValues?: Record<string, number>): Extract<FormState<never>, { status: "error" }> {
  return { status: "error", fieldErrors: {}, formError, ...(formErrorValues ? { formErrorValues } : {}) };
}

/** A patient at the registration desk: who they are (to check against an ID) and their portal account's state. */
export type PatientAccountDto = {
  patientId: string;
  mrn: string;
  name: string;
  birthDate: string;
  email: string | null;
  /** NONE: no account; PENDING: waiting for activation; RESET_PENDING: waiting for a new password; DISABLED. */
  status: "NONE" | "PENDING" | "ACTIVE" | "RESET_PENDING" | "DISABLED";
  activatedAt: string | null;
  openCodeExpiresAt: string | null;
};

/** Identity documents the desk may accept (Korean resident card, driver's licence, passport, others). */
export const ID_DOCUMENTS = ["RESIDENT_CARD", "DRIVER_LICENCE", "PASSPORT", "ALIEN_REGISTRATION", "OTHER"] as const;

/** A privileged step waiting for (or decided by) a second administrator, for the approvals page. */
export type PrivilegedRequestDto = {
  id: string;
  kind: "STAFF_CREATE" | "ROLE_CHANGE" | "PASSWORD_RESET" | "MFA_RESET" | "SERVICE_CREDENTIAL" | "RECORD_ERASE";
  status: "PENDING" | "APPROVED" | "REJECTED" | "CANCELLED" | "EXPIRED";
  requestedBy: string | null;
  decidedBy: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  /** The existing account the step acts on. */
  subject: { id: string; name: string; email: string; role: StaffRole } | null;
  newStaff: { name: string; email: string; role: StaffRole; department: string | null; licenceNumber: string | null } | null;
  newRole: StaffRole | null;
  credential: { name: string; expiresAt: string; scopeMrn: string | null; scopeDepartment: string | null } | null;
  /** A lawful erasure: which record, on what basis, and the requester's reason. */
  erasure: { recordId: string; legalBasis: string; reason: string } | null;
  own: boolean;
  /** Pending, not expired, and the viewer is neither the requester nor the subject. */
  canApprove: boolean;
};

/** What the approver's screen shows once: a new account's activation code, a new credential's token, or nothing. */
export type ApprovalResult =
  | { kind: "STAFF_CREATE"; staffId: string; name: string; code: IssuedCodeDto }
  | { kind: "ROLE_CHANGE"; staffId: string }
  | { kind: "PASSWORD_RESET"; staffId: string; name: string; codeSent: { purpose: IssuedCodeDto["purpose"]; expiresAt: string } }
  | { kind: "MFA_RESET"; staffId: string }
  | { kind: "SERVICE_CREDENTIAL"; credential: IssuedServiceCredentialDto }
  | { kind: "RECORD_ERASE"; recordId: string; statementHash: string };

export type PrivilegedOutcome = { status: "pending"; requestId: string } | { status: "executed"; requestId: string; result: ApprovalResult };


/** One of a staff member's own open sessions (account security page). */
export type SessionDto = { id: string; createdAt: string; lastSeenAt: string; ip: string | null; userAgent: string | null; current: boolean };
