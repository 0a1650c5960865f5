import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { buildProofBundle } from "@/lib/integrity/proof-bundle";
import { buildRecordExport, type ExportEntry } from "@/lib/integrity/record-export";
import { recordedVerdictCounts, resourceOf, verifiableRecordSelect, verifyRecords } from "@/lib/verification";
import { appendAccessEvent } from "@/lib/audit";
import { can } from "@/lib/authz";
import { AccessDeniedError, type Caller } from "./caller";
import { IDENTITY_RESOURCE_TYPE, IDENTITY_SOURCE } from "@/lib/fhir/identity-record";
import { erasedProofOf } from "./record-proof";
import { tombstoneOf } from "./record-erasure";
import type { OwnRecordsDto } from "@/lib/dto";
import { countByVerification, shownRecordSelect, verifyShownRecords } from "./verified-records";

/** Rows a page of the patient's own records shows (issue #20: a page, not the whole chart). */
export const OWN_RECORDS_PAGE_SIZE = 50;

/**
 * One page of a patient's own records (current versions, newest first, OWN_RECORDS_PAGE_SIZE a page) with the earlier
 * versions of those records, each verified in this request the same way a doctor's view is, and logged as
 * SELF_ACCESS with the ids shown. The records not shown are neither loaded nor verified: their counts come from the
 * sweep's recorded verdicts (recordedVerdictCounts), labelled with when the sweep checked them.
 */
export async function getOwnRecords(caller: Caller, page = 1): Promise<OwnRecordsDto> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.view")) throw new AccessDeniedError();
  const patient = await db().patient.findUnique({
    where: { id: actor.patientId },
    select: { id: true, name: true, mrn: true, birthDate: true },
  });
  if (!patient) throw new AccessDeniedError();
  // The identity record (ADR 023) vouches for the chart's header; it is not one of the patient's clinical records.
  const current = { patientId: patient.id, supersededAt: null, NOT: { resourceType: IDENTITY_RESOURCE_TYPE, source: IDENTITY_SOURCE } };
  const total = await db().medicalRecord.count({ where: current });
  const pageCount = Math.max(1, Math.ceil(total / OWN_RECORDS_PAGE_SIZE));
  const shownPage = Math.min(Math.max(1, Math.trunc(page) || 1), pageCount);
  const pageRows = await db().medicalRecord.findMany({
    where: current,
    select: shownRecordSelect,
    orderBy: [{ recordedAt: "desc" }, { id: "asc" }],
    skip: (shownPage - 1) * OWN_RECORDS_PAGE_SIZE,
    take: OWN_RECORDS_PAGE_SIZE,
  });
  // The history behind the shown records: what each corrects, and what that corrected, one level per query.
  const earlierRows: typeof pageRows = [];
  const seen = new Set(pageRows.map((r) => r.id));
  for (let wanted = pageRows.flatMap((r) => (r.supersedesId ? [r.supersedesId] : [])); wanted.length > 0; ) {
    const found = await db().medicalRecord.findMany({ where: { id: { in: wanted }, patientId: patient.id }, select: shownRecordSelect });
    const fresh = found.filter((r) => !seen.has(r.id));
    fresh.forEach((r) => seen.add(r.id));
    earlierRows.push(...fresh);
    wanted = fresh.flatMap((r) => (r.supersedesId && !seen.has(r.supersedesId) ? [r.supersedesId] : []));
  }
  earlierRows.sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime() || a.id.localeCompare(b.id));
  const identityIds = (
    await db().medicalRecord.findMany({ where: { patientId: patient.id, resourceType: IDENTITY_RESOURCE_TYPE, source: IDENTITY_SOURCE }, select: { id: true } })
  ).map((r) => r.id);
  const [verified, others] = await Promise.all([
    verifyShownRecords([...pageRows, ...earlierRows]),
    recordedVerdictCounts(patient.id, [...pageRows.map((r) => r.id), ...identityIds]),
  ]);
  const records = verified.slice(0, pageRows.length).map((v) => v.record);
  const earlierVersions = verified.slice(pageRows.length).map((v) => v.record);
  const counts = countByVerification(records);
  await appendAccessEvent(
    {
      actor,
      action: "own_records.viewed",
      outcome: "ALLOWED",
      purpose: "SELF_ACCESS",
      patientId: patient.id,
      details: { recordIds: [...records, ...earlierVersions].map((r) => r.id), verification: counts, ...(pageCount > 1 ? { page: shownPage } : {}) },
    },
    caller.context,
  );
  return {
    patient: { name: patient.name, mrn: patient.mrn, birthDate: patient.birthDate.toISOString().slice(0, 10) },
    records,
    earlierVersions,
    counts,
    others: { ...others, checkedAt: others.checkedAt?.toISOString() ?? null },
    total,
    page: shownPage,
    pageCount,
  };
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
