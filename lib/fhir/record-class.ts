// What kind of record a FHIR resource type becomes (docs/decisions/020-financial-records.md). Pure; safe in client code.

/**
 * Patient-compartment types about money, not care: stored, committed and anchored like every record (an export is
 * evidence whole), shown apart from clinical views by default.
 */
export const FINANCIAL_RESOURCE_TYPES = [
  "Account", "ChargeItem", "Claim", "ClaimResponse", "Coverage", "CoverageEligibilityRequest", "CoverageEligibilityResponse",
  "EnrollmentRequest", "ExplanationOfBenefit", "Invoice",
] as const;

/** Types of the shared directory: who and where, not about one patient. Never stored as a patient's record. */
export const DIRECTORY_RESOURCE_TYPES = ["Organization", "Practitioner", "PractitionerRole", "Location"] as const;

export type RecordClass = "clinical" | "financial";

export function recordClass(resourceType: string): RecordClass {
  return (FINANCIAL_RESOURCE_TYPES as readonly string[]).includes(resourceType) ? "financial" : "clinical";
}
