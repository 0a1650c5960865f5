import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { can } from "@/lib/authz";
import { AccessDeniedError, type Caller } from "./caller";
import type { OwnRecordsDto } from "@/lib/dto";
import { countByVerification, loadVerifiedRecords } from "./verified-records";

/** A patient's own records, verified the same way a doctor's view is, and logged as SELF_ACCESS. */
export async function getOwnRecords(caller: Caller): Promise<OwnRecordsDto> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.view")) throw new AccessDeniedError();
  const patient = await db().patient.findUnique({
    where: { id: actor.patientId },
    select: { id: true, name: true, mrn: true, birthDate: true },
  });
  if (!patient) throw new AccessDeniedError();
  const records = await loadVerifiedRecords(patient.id);
  const counts = countByVerification(records);
  await appendAccessEvent(
    { actor, action: "own_records.viewed", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: patient.id, details: { recordIds: records.map((r) => r.id), verification: counts } },
    caller.context,
  );
  return { patient: { name: patient.name, mrn: patient.mrn, birthDate: patient.birthDate.toISOString().slice(0, 10) }, records, counts };
}
