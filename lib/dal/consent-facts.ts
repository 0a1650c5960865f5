import "server-only";

/** The consent columns lib/authz's pure consent decisions read; one select for every DAL that decides access. */
export const consentFactsSelect = {
  scope: true,
  granteeStaffId: true,
  granteeDepartmentId: true,
  recordClasses: true,
  dataFrom: true,
  dataUntil: true,
  validFrom: true,
  validUntil: true,
  revokedAt: true,
} as const;
