import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { RECORDED_TAMPERED_KINDS, verifiableRecordSelect, verifyRecords } from "@/lib/verification";
import { raiseAlert } from "./alerts";

export type SweepReport = {
  checked: number;
  verified: number;
  tampered: number;
  pending: number;
  overdue: number;
  unavailable: number;
  /** Lawfully erased by an anchored tombstone (lib/verification/erased.ts): accepted, never tampered. */
  erased: number;
  /** Recorded `tampered` verdicts cleared: reviewed by an officer, and the record sound again. */
  cleared: number;
};

/**
 * Re-verifies EVERY record, not only those someone opens, through the same verification function as the pages, a
 * page at a time, with the exact check of the JSONB query copy against the stored bytes. Each tampered record raises
 * one (deduplicated) critical alert; overdue anchoring raises a warning.
 */
export async function sweepAllRecords(opts: { pageSize?: number } = {}): Promise<SweepReport> {
  const pageSize = opts.pageSize ?? 1000;
  const report: SweepReport = { checked: 0, verified: 0, tampered: 0, pending: 0, overdue: 0, unavailable: 0, erased: 0, cleared: 0 };
  let after: string | undefined;
  for (;;) {
    const rows = await db().medicalRecord.findMany({
      select: { ...verifiableRecordSelect, resource: true },
      orderBy: { id: "asc" },
      take: pageSize,
      ...(after ? { where: { id: { gt: after } } } : {}),
    });
    if (rows.length === 0) break;
    // The rows alone (recorded verdicts are this job's to write and clear), with the exact check of the JSONB copy.
    const verdicts = await verifyRecords(rows, { exactCopy: true, recorded: false });
    const sound: string[] = [];
    for (const [i, verdict] of verdicts.entries()) {
      const row = rows[i]!;
      report.checked += 1;
      report[verdict.verification] += 1;
      if (verdict.overdue) report.overdue += 1;
      if (verdict.verification === "tampered") {
        await raiseAlert({ kind: "integrity.record_tampered", severity: "CRITICAL", details: { recordId: row.id, patientId: row.patientId }, dedupeKey: row.id });
      } else sound.push(row.id);
    }
    // A recorded `tampered` is cleared only here, and only once an officer has reviewed it and the record checks
    // sound again; until then every view shows the record tampered.
    if (sound.length > 0) {
      report.cleared += await db().$executeRaw`
        UPDATE "Alert" SET "resolvedAt" = now()
        WHERE "resolvedAt" IS NULL AND "reviewedAt" IS NOT NULL AND "kind" = ANY(${[...RECORDED_TAMPERED_KINDS]}::text[])
          AND "details"->>'recordId' = ANY(${sound}::text[])`;
    }
    after = rows.at(-1)!.id;
  }
  if (report.overdue > 0) {
    await raiseAlert({ kind: "anchoring.overdue", severity: "WARNING", details: { records: report.overdue }, dedupeKey: "overdue" });
  }
  await appendAccessEvent(
    { actor: "SYSTEM", action: "integrity.swept", outcome: "ALLOWED", purpose: "OPERATIONS", details: { ...report } },
    { ip: null, requestId: null },
  );
  return report;
}
