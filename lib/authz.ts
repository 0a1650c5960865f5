// Roles → permissions and consent decisions. Pure: no I/O, so every rule is unit-tested exhaustively.

export type StaffRole = "DOCTOR" | "ADMIN" | "COMPLIANCE";

export type Actor =
  | { kind: "STAFF"; id: string; role: StaffRole; departmentId: string | null; name: string; email: string }
  | { kind: "PATIENT"; id: string; patientId: string; name: string; email: string };

export const PERMISSIONS = [
  "patient.list",
  "chart.view",
  "staff.list",
  "access_log.read",
  "own_records.view",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export type ActorRole = StaffRole | "PATIENT";

/** The one table of who may do what. Separation of duties: admins manage people, not charts. */
export const ROLE_PERMISSIONS: Readonly<Record<ActorRole, readonly Permission[]>> = {
  DOCTOR: ["patient.list", "chart.view"],
  ADMIN: ["staff.list"],
  COMPLIANCE: ["access_log.read"],
  PATIENT: ["own_records.view"],
};

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
export function consentIsActive(consent: ConsentFacts, now: Date): boolean {
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

export type NavItem = { href: string; labelKey: "patients" | "staff" | "accessLog" | "myRecords" };

const NAV: readonly (NavItem & { permission: Permission })[] = [
  { href: "/patients", labelKey: "patients", permission: "patient.list" },
  { href: "/admin/staff", labelKey: "staff", permission: "staff.list" },
  { href: "/compliance/access-log", labelKey: "accessLog", permission: "access_log.read" },
  { href: "/me", labelKey: "myRecords", permission: "own_records.view" },
];

/** The pages an actor may open, for navigation. Display only: each page checks its own permission. */
export function navItems(actor: Actor): NavItem[] {
  return NAV.filter((item) => can(actor, item.permission)).map(({ href, labelKey }) => ({ href, labelKey }));
}

/** Where an actor lands after signing in: the first page it may open. */
export function homePath(actor: Actor): string {
  return navItems(actor)[0]?.href ?? "/login";
}
