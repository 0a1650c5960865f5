import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { buildProofBundle } from "@/lib/integrity/proof-bundle";
import { buildRecordExport, type ExportEntry } from "@/lib/integrity/record-export";
import { resourceOf, verifiableRecordSelect, verifyRecords } from "@/lib/verification";
import { appendAccessEvent } from "@/lib/audit";
import { can } from "@/lib/authz";
import { AccessDeniedError, type Caller } from "./caller";
import { erasedProofOf } from "./record-proof";
import { tombstoneOf } from "./record-erasure";
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
  const all = await loadVerifiedRecords(patient.id);
  const records = all.filter((r) => r.supersededAt === null);
  const earlierVersions = all.filter((r) => r.supersededAt !== null);
  const counts = countByVerification(records);
  await appendAccessEvent(
    { actor, action: "own_records.viewed", outcome: "ALLOWED", purpose: "SELF_ACCESS", patientId: patient.id, details: { recordIds: all.map((r) => r.id), verification: counts } },
    caller.context,
  );
  return { patient: { name: patient.name, mrn: patient.mrn, birthDate: patient.birthDate.toISOString().slice(0, 10) }, records, earlierVersions, counts };
}

/**
 * Every one of the patient's records (current and superseded versions) as a FHIR Bundle, each anchored record with
 * its proof bundle, verifiable with `npm run verify-proof` without our database. The download carries the records
 * and their salts, so it is logged (`own_records.exported`, SELF_ACCESS) before it is returned.
 */
export async function exportOwnRecords(caller: Caller): Promise<Record<string, unknown>> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.view")) throw new AccessDeniedError();
  const rows = await db().medicalRecord.findMany({
    where: { patientId: actor.patientId },
    select: { ...verifiableRecordSelect, leafIndex: true, supersededAt: true },
    orderBy: [{ recordedAt: "asc" }, { id: "asc" }],
  });
  // Verified as the chart is: a tampered record's content is untrusted and is not exported at all; the rest come
  // from the stored bytes, never the JSONB query copy.
  const verdicts = await verifyRecords(rows);
  const erasedIds = rows.filter((_, i) => verdicts[i]!.verification === "erased").map((r) => r.id);
  const tombstones = new Map(await Promise.all(erasedIds.map(async (id) => [id, await tombstoneOf(id)] as const)));
  const entries: ExportEntry[] = rows.map((row, i) => {
    // Erased: no content left; its leaf and tombstone prove that it existed and was erased lawfully.
    const erased = verdicts[i]!.verification === "erased" ? erasedProofOf(row, tombstones.get(row.id) ?? null) : null;
    if (erased) return { recordId: row.id, resource: null, proof: null, supersedes: row.supersedesId, superseded: row.supersededAt !== null, erased };
    if (verdicts[i]!.verification === "tampered" || verdicts[i]!.verification === "erased") {
      return { recordId: row.id, resource: null, proof: null, supersedes: row.supersedesId, superseded: row.supersededAt !== null, tampered: true };
    }
    const built = buildProofBundle(row);
    return { recordId: row.id, resource: resourceOf(row), proof: built.ok ? built.bundle : null, supersedes: row.supersedesId, superseded: row.supersededAt !== null };
  });
  const verification = { verified: 0, tampered: 0, pending: 0, unavailable: 0, erased: 0 };
  for (const v of verdicts) verification[v.verification] += 1;
  const exportId = randomUUID();
  await appendAccessEvent(
    {
      actor,
      action: "own_records.exported",
      outcome: "ALLOWED",
      purpose: "SELF_ACCESS",
      patientId: actor.patientId,
      details: { exportId, recordCount: rows.length, anchored: entries.filter((e) => e.proof).length, withheld: entries.filter((e) => e.tampered).length, verification },
    },
    caller.context,
  );
  return buildRecordExport(entries, exportId, new Date());
}
