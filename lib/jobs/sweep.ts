import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { rowsContradictingCreation, verifiableRecordSelect, verifyRows } from "@/lib/verification";
import { raiseAlert } from "./alerts";

export type SweepReport = { checked: number; verified: number; tampered: number; pending: number; overdue: number; unavailable: number };

/**
 * Re-verifies EVERY record, not only those someone opens, through the same verification path as the pages, a page
 * at a time. Each tampered record raises one (deduplicated) critical alert; overdue anchoring raises a warning.
 */
export async function sweepAllRecords(opts: { pageSize?: number } = {}): Promise<SweepReport> {
  const pageSize = opts.pageSize ?? 1000;
  const report: SweepReport = { checked: 0, verified: 0, tampered: 0, pending: 0, overdue: 0, unavailable: 0 };
  let after: string | undefined;
  for (;;) {
    const rows = await db().medicalRecord.findMany({
      select: { ...verifiableRecordSelect, creationEventSeq: true },
      orderBy: { id: "asc" },
      take: pageSize,
      ...(after ? { where: { id: { gt: after } } } : {}),
    });
    if (rows.length === 0) break;
    const verdicts = await verifyRows(rows);
    const contradicting = await rowsContradictingCreation(rows.filter((_, i) => verdicts[i]!.verification === "pending" || verdicts[i]!.verification === "verified"));
    for (const [i, row] of rows.entries()) if (contradicting.has(row.id)) verdicts[i] = { ...verdicts[i]!, verification: "tampered", overdue: false };
    for (const [i, verdict] of verdicts.entries()) {
      report.checked += 1;
      report[verdict.verification] += 1;
      if (verdict.overdue) report.overdue += 1;
      if (verdict.verification === "tampered") {
        const row = rows[i]!;
        await raiseAlert({ kind: "integrity.record_tampered", severity: "CRITICAL", details: { recordId: row.id, patientId: row.patientId }, dedupeKey: row.id });
      }
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
