import "server-only";
import { db } from "@/lib/db";
import type { IdentityCheck, PatientChartDto, RecordDto } from "@/lib/dto";
import { IDENTITY_RESOURCE_TYPE, IDENTITY_SOURCE, identityMatches } from "@/lib/fhir/identity-record";
import { raiseAlert } from "@/lib/jobs/alerts";
import { shownRecordSelect, verifyShownRecords } from "./verified-records";

export type IdentityResult = PatientChartDto["identity"];
type IdentityPatient = { id: string; mrn: string; name: string; birthDate: Date; sex: string; identityVersion: number };

/**
 * The header's identity against the patient's current identity record, verified in this request (ADR 023). The row
 * must show exactly what was committed — name, birth date, sex, MRN and version — or the body is withheld.
 * `current`: the patient's identity-type records that are not superseded, with this request's verdicts.
 */
export function checkIdentity(patient: IdentityPatient, current: readonly { record: RecordDto; resource: unknown }[]): IdentityResult {
  const result = (state: IdentityCheck, recordId: string | null) => ({ state, recordId, withheld: !["verified", "pending", "unavailable"].includes(state) });
  const mine = current.filter((r) => r.record.source === IDENTITY_SOURCE);
  if (mine.length === 0) return result("missing", null);
  // Two current versions never exist lawfully (each supersedes the last): which one is the patient is unknown.
  if (mine.length > 1 || mine.length !== current.length) return result("mismatch", mine[0]!.record.id);
  const { record, resource } = mine[0]!;
  if (record.verification === "tampered") return result("tampered", record.id);
  if (record.verification === "erased") return result("missing", record.id);
  if (!identityMatches(resource, patient)) return result("mismatch", record.id);
  return result(record.verification === "verified" ? "verified" : record.verification, record.id);
}

/** For pages that show one record under the patient's name: the identity check alone (one small verifyRecords call). */
export async function verifyPatientIdentity(patient: IdentityPatient): Promise<IdentityResult> {
  const rows = await db().medicalRecord.findMany({
    where: { patientId: patient.id, resourceType: IDENTITY_RESOURCE_TYPE, supersededAt: null },
    select: shownRecordSelect,
  });
  return checkIdentity(patient, await verifyShownRecords(rows));
}

/** The critical alert for a chart whose identity failed: one open alert per patient. */
export async function alertIdentity(patientId: string, identity: IdentityResult): Promise<void> {
  if (!identity.withheld) return;
  await raiseAlert({ kind: "integrity.identity_unverified", severity: "CRITICAL", details: { patientId, state: identity.state, recordId: identity.recordId }, dedupeKey: patientId });
}
