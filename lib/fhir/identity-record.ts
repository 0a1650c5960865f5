// The patient identity a chart shows, as a FHIR Patient resource committed and anchored like any record (ADR 023).
// Pure: building the resource and comparing it with the Patient row.
import { MRN_SYSTEM } from "./intake/model";
import type { RecordSource } from "@/lib/records/sources";

export const IDENTITY_RESOURCE_TYPE = "Patient";
/** The identity record's source: only the registration paths write it (intake never stores a Patient resource). */
export const IDENTITY_SOURCE = "REGISTRATION" satisfies RecordSource;

type IdentityFacts = { mrn: string; name: string; birthDate: Date; sex: string; identityVersion: number };

const GENDER: Record<string, string> = { FEMALE: "female", MALE: "male", OTHER: "other", UNKNOWN: "unknown" };

/** The committed identity: MRN, name, birth date (a calendar day), administrative gender and its version. */
export function identityResource(p: IdentityFacts): Record<string, unknown> {
  return {
    resourceType: "Patient",
    identifier: [{ system: MRN_SYSTEM, value: p.mrn }],
    name: [{ text: p.name.normalize("NFC") }],
    birthDate: p.birthDate.toISOString().slice(0, 10),
    gender: GENDER[p.sex] ?? "unknown",
    meta: { versionId: String(p.identityVersion) },
  };
}

/**
 * Whether the Patient row shows exactly the identity the record committed: each field the header shows, and the
 * version records are filed under. A swap of two patients' names, birth dates or sexes fails here.
 */
export function identityMatches(resource: unknown, patient: IdentityFacts): boolean {
  return sameJson(resource, identityResource(patient));
}

/** Deep equality of parsed JSON, whatever the key order (the stored bytes are RFC 8785, keys sorted). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return sameJson(ka, kb) && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}
