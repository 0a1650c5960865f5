// Roles → permissions and consent decisions. Pure: no I/O, so every rule is unit-tested exhaustively.

export type StaffRole = "DOCTOR" | "ADMIN" | "COMPLIANCE" | "RESEARCHER" | "REGISTRAR";

export type Actor =
  | { kind: "STAFF"; id: string; role: StaffRole; departmentId: string | null; name: string; email: string }
  | { kind: "PATIENT"; id: string; patientId: string; name: string; email: string };

export const PERMISSIONS = [
  "patient.list",
  "chart.view",
  /** Open one patient's chart without consent, in an emergency, with a stated reason (break-glass). */
  "break_glass.open",
  /** Review emergency grants: the compliance queue. */
  "break_glass.review",
  "staff.list",
  /** Create, edit, suspend and reactivate staff; change roles and departments; issue one-time codes. */
  "staff.manage",
  "department.manage",
  "access_log.read",
  /** Download the access log as CSV (with a stated reason). */
  "access_log.export",
  /** Sign off a month of the access log as reviewed. */
  "access_log.sign_off",
  /** Mark alerts reviewed, with a note. */
  "alerts.review",
  "own_records.view",
  /** Upload one's own medical history (FHIR R4 JSON, documents) and correct one's own uploads. */
  "own_records.upload",
  /** Grant and revoke one's own TREATMENT and RESEARCH consents. */
  "own_consents.manage",
  /** Create and reset patients' portal accounts at the desk, after an identity check. */
  "patient_account.manage",
  /** Issue and revoke the credentials hospital systems use to post FHIR bundles. */
  "service_credential.manage",
  /** Build and save de-identified cohorts from research-consented records (counts only). */
  "research.cohort",
  /** Export a saved cohort, de-identified, with an anchored manifest. */
  "research.export",
  /** A staff member's own sign-in security: two-factor enrolment and recovery codes. */
  "account.security",
  /**
   * Ask for a record's lawful erasure (reason, legal basis): the privacy officer's duty under PIPA Art. 36. It never
   * executes without an approver (docs/decisions/016-database-refuses-to-rewrite-history.md, "Erasure").
   */
  "record.erase.request",
  /** Approve (or reject) a requested erasure: a second person, of another role, who never sees the record's content. */
  "record.erase.approve",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export type ActorRole = StaffRole | "PATIENT";

/** The one table of who may do what. Separation of duties: admins manage people, not charts. */
export const ROLE_PERMISSIONS: Readonly<Record<ActorRole, readonly Permission[]>> = {
  DOCTOR: ["patient.list", "chart.view", "break_glass.open", "account.security"],
  ADMIN: ["staff.list", "staff.manage", "department.manage", "service_credential.manage", "record.erase.approve", "account.security"],
  COMPLIANCE: ["access_log.read", "access_log.export", "access_log.sign_off", "alerts.review", "break_glass.review", "record.erase.request", "account.security"],
  RESEARCHER: ["research.cohort", "research.export", "account.security"],
  /**
   * The registration desk, apart from staff administration (issue 21): an administrator can no longer open a portal
   * account for any patient and read it "as the patient"; a desk account is itself a four-eyes grant.
   */
  REGISTRAR: ["patient_account.manage", "account.security"],
  PATIENT: ["own_records.view", "own_records.upload", "own_consents.manage"],
};

export const STAFF_ROLES = ["DOCTOR", "ADMIN", "COMPLIANCE", "RESEARCHER", "REGISTRAR"] as const satisfies readonly StaffRole[];

/** Whether a role (rather than a particular actor) holds a permission: for "what would change if" questions. */
export function roleHas(role: ActorRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Roles that must sign in with a second factor (TOTP or a recovery code). Doctors may opt in. */
export const MFA_REQUIRED_ROLES: readonly StaffRole[] = ["ADMIN", "COMPLIANCE"];

export function mfaRequired(role: StaffRole): boolean {
  return MFA_REQUIRED_ROLES.includes(role);
}

/**
 * Who may reach an entry point: anyone ("public": the page itself is safe to show signed out, or the request
 * carries its own credential such as a one-time code), or holders of one permission.
 */
export type AccessRule = "public" | Permission;

/**
 * Every page and route handler under app/, by its file-system pattern. The generated authorization-matrix test
 * (tests/unit/authorization-matrix.test.ts) fails when a route has no rule here, or its guard disagrees.
 */
export const ROUTE_RULES: Readonly<Record<string, AccessRule>> = {
  "/": "public",
  "/login": "public",
  "/activate": "public",
  "/api/auth/[...nextauth]": "public",
  "/api/health": "public",
  "/api/ready": "public",
  // The hospital's published trust anchors: chain ids, contract addresses, code hashes and writers — no patient data.
  "/.well-known/chartproof/anchors.json": "public",
  "/patients": "patient.list",
  "/patients/emergency": "break_glass.open",
  "/patients/[patientId]": "chart.view",
  "/patients/[patientId]/records/[recordId]": "chart.view",
  "/patients/[patientId]/records/[recordId]/proof.json": "chart.view",
  "/admin/staff": "staff.list",
  "/admin/staff/new": "staff.manage",
  "/admin/staff/[staffId]": "staff.manage",
  "/admin/departments": "department.manage",
  "/admin/patient-accounts": "patient_account.manage",
  "/admin/patient-accounts/[patientId]": "patient_account.manage",
  "/compliance": "access_log.read",
  "/compliance/access-log": "access_log.read",
  "/compliance/access-log/[seq]": "access_log.read",
  "/compliance/access-log/export": "access_log.export",
  "/compliance/alerts": "access_log.read",
  "/compliance/integrity": "access_log.read",
  "/compliance/sign-off": "access_log.read",
  "/compliance/break-glass": "break_glass.review",
  "/compliance/erasures": "record.erase.request",
  "/me": "own_records.view",
  "/me/access": "own_records.view",
  "/me/consents": "own_records.view",
  "/me/consents/export": "own_records.view",
  "/me/export": "own_records.view",
  "/me/upload": "own_records.upload",
  "/me/records/[recordId]/correct": "own_records.upload",
  "/api/uploads": "own_records.upload",
  /** Hospital systems: the request carries its own service credential, checked by the DAL on every request. */
  "/api/fhir": "public",
  // The status URL of an asynchronous intake: the same bearer credential, checked by the DAL on every request.
  "/api/fhir/jobs/[id]": "public",
  // Large bodies (issue #24): a streamed batch Bundle and Bulk Data NDJSON, with the same bearer credential.
  "/api/fhir/stream": "public",
  "/api/fhir/$import": "public",
  "/admin/service-credentials": "service_credential.manage",
  /** Four eyes: privileged steps another administrator requested, to approve or reject. */
  "/admin/approvals": "staff.manage",
  "/account/security": "account.security",
  "/research": "research.cohort",
  "/research/cohorts": "research.cohort",
  "/research/cohorts/[cohortId]": "research.cohort",
  "/research/exports/[exportId]": "research.export",
  "/research/exports/[exportId]/files/[name]": "research.export",
  "/research/exports/[exportId]/manifest.json": "research.export",
};

/** Every exported server action in lib/actions/*.ts, by name. Same test, same rule: no rule, no merge. */
export const ACTION_RULES: Readonly<Record<string, AccessRule>> = {
  setLocaleAction: "public",
  activateAccountAction: "public",
  beginSignInMfaEnrolmentAction: "public",
  searchPatientsAction: "patient.list",
  openBreakGlassAction: "break_glass.open",
  reportRecordAction: "chart.view",
  reviewBreakGlassAction: "break_glass.review",
  requestRecordErasureAction: "record.erase.request",
  withdrawRecordErasureAction: "record.erase.request",
  runIntegrityCheckAction: "access_log.read",
  reviewAlertAction: "alerts.review",
  signOffMonthAction: "access_log.sign_off",
  createStaffAction: "staff.manage",
  updateStaffAction: "staff.manage",
  changeStaffRoleAction: "staff.manage",
  moveStaffDepartmentAction: "staff.manage",
  suspendStaffAction: "staff.manage",
  reactivateStaffAction: "staff.manage",
  issueStaffCodeAction: "staff.manage",
  resetStaffMfaAction: "staff.manage",
  approvePrivilegedRequestAction: "staff.manage",
  rejectPrivilegedRequestAction: "staff.manage",
  createDepartmentAction: "department.manage",
  renameDepartmentAction: "department.manage",
  setDepartmentActiveAction: "department.manage",
  lookupPatientAccountAction: "patient_account.manage",
  createPatientAccountAction: "patient_account.manage",
  reissuePatientCodeAction: "patient_account.manage",
  disablePatientAccountAction: "patient_account.manage",
  beginMfaEnrolmentAction: "account.security",
  confirmMfaEnrolmentAction: "account.security",
  regenerateRecoveryCodesAction: "account.security",
  disableMfaAction: "account.security",
  revokeOwnSessionAction: "account.security",
  revokeOtherSessionsAction: "account.security",
  grantConsentAction: "own_consents.manage",
  revokeConsentAction: "own_consents.manage",
  correctRecordAction: "own_records.upload",
  dismissPatientNoticeAction: "own_records.view",
  issueServiceCredentialAction: "service_credential.manage",
  revokeServiceCredentialAction: "service_credential.manage",
  saveCohortAction: "research.cohort",
  createExportAction: "research.export",
  verifyExportAction: "research.export",
};

/** The decision a rule makes for an actor, or for a signed-out visitor (null). */
export function ruleAllows(rule: AccessRule, actor: Actor | null): boolean {
  if (rule === "public") return true;
  return actor !== null && can(actor, rule);
}

export function roleOf(actor: Actor): ActorRole {
  return actor.kind === "STAFF" ? actor.role : "PATIENT";
}

export function can(actor: Actor, permission: Permission): boolean {
  return ROLE_PERMISSIONS[roleOf(actor)].includes(permission);
}


export type ConsentFacts = {
  scope: "TREATMENT" | "RESEARCH";
  granteeStaffId: string | null;
  granteeDepartmentId: string | null;
  recordClasses: readonly string[];
  dataFrom: Date | null;
  dataUntil: Date | null;
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
};

export type Grantee = { staffId: string; departmentId: string | null };

/** Active at `now`: started, not expired, not revoked (a revocation takes effect at its timestamp). */
export function consentIsActive(consent: Pick<ConsentFacts, "validFrom" | "validUntil" | "revokedAt">, now: Date): boolean {
  if (consent.validFrom > now) return false;
  if (consent.validUntil !== null && consent.validUntil <= now) return false;
  if (consent.revokedAt !== null && consent.revokedAt <= now) return false;
  return true;
}

export function consentNamesGrantee(consent: ConsentFacts, grantee: Grantee): boolean {
  if (consent.granteeStaffId !== null) return consent.granteeStaffId === grantee.staffId;
  if (consent.granteeDepartmentId !== null) return consent.granteeDepartmentId === grantee.departmentId;
  return false;
}

export function treatmentConsentCovers(consent: ConsentFacts, grantee: Grantee, now: Date): boolean {
  return consent.scope === "TREATMENT" && consentIsActive(consent, now) && consentNamesGrantee(consent, grantee);
}

/** A record is covered when its class and clinical date fall inside the consent's limits. */
export function consentCoversRecord(
  consent: Pick<ConsentFacts, "recordClasses" | "dataFrom" | "dataUntil">,
  record: { resourceType: string; recordedAt: Date },
): boolean {
  if (consent.recordClasses.length > 0 && !consent.recordClasses.includes(record.resourceType)) return false;
  if (consent.dataFrom !== null && record.recordedAt < consent.dataFrom) return false;
  if (consent.dataUntil !== null && record.recordedAt > consent.dataUntil) return false;
  return true;
}

export type NavItem = {
  href: string;
  labelKey:
    | "patients" | "emergency" | "staff" | "approvals" | "departments" | "patientAccounts" | "serviceCredentials" | "accessLog" | "complianceOverview" | "alerts" | "erasures"
    | "integrity" | "signOff" | "breakGlassReview" | "myRecords" | "myUploads" | "myConsents" | "myAccess" | "research" | "cohortBuilder" | "security";
};

const NAV: readonly (NavItem & { permission: Permission })[] = [
  { href: "/patients", labelKey: "patients", permission: "patient.list" },
  { href: "/patients/emergency", labelKey: "emergency", permission: "break_glass.open" },
  { href: "/admin/staff", labelKey: "staff", permission: "staff.list" },
  { href: "/admin/approvals", labelKey: "approvals", permission: "staff.manage" },
  { href: "/admin/departments", labelKey: "departments", permission: "department.manage" },
  { href: "/admin/patient-accounts", labelKey: "patientAccounts", permission: "patient_account.manage" },
  { href: "/admin/service-credentials", labelKey: "serviceCredentials", permission: "service_credential.manage" },
  { href: "/compliance/access-log", labelKey: "accessLog", permission: "access_log.read" },
  { href: "/compliance", labelKey: "complianceOverview", permission: "access_log.read" },
  { href: "/compliance/alerts", labelKey: "alerts", permission: "access_log.read" },
  { href: "/compliance/integrity", labelKey: "integrity", permission: "access_log.read" },
  { href: "/compliance/sign-off", labelKey: "signOff", permission: "access_log.read" },
  { href: "/compliance/break-glass", labelKey: "breakGlassReview", permission: "break_glass.review" },
  { href: "/compliance/erasures", labelKey: "erasures", permission: "record.erase.request" },
  { href: "/me", labelKey: "myRecords", permission: "own_records.view" },
  { href: "/me/upload", labelKey: "myUploads", permission: "own_records.upload" },
  { href: "/me/consents", labelKey: "myConsents", permission: "own_records.view" },
  { href: "/me/access", labelKey: "myAccess", permission: "own_records.view" },
  { href: "/research", labelKey: "research", permission: "research.cohort" },
  { href: "/research/cohorts", labelKey: "cohortBuilder", permission: "research.cohort" },
  { href: "/account/security", labelKey: "security", permission: "account.security" },
];

/** The pages an actor may open, for navigation. Display only: each page checks its own permission. */
export function navItems(actor: Actor): NavItem[] {
  return NAV.filter((item) => can(actor, item.permission)).map(({ href, labelKey }) => ({ href, labelKey }));
}

/** Where an actor lands after signing in: the first page it may open. */
export function homePath(actor: Actor): string {
  return navItems(actor)[0]?.href ?? "/login";
}
