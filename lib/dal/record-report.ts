import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { raiseAlert } from "@/lib/jobs/alerts";
import { verifiableRecordSelect, verifyRecords } from "@/lib/verification";
import { AccessDeniedError, type Caller } from "./caller";
import { isUuid } from "./actors";
import { decideChartAccess, requireStaff } from "./chart-access";

export type RecordReportOutcome = "reported" | "already_open" | "not_failing";

/**
 * A doctor reports a record that fails verification to compliance, from its page. The record is verified again in
 * this request: only one found tampered or unverifiable is reported (a report is evidence, not an opinion), once
 * while an earlier report is open. The alert carries ids only; the report is logged like any act on a chart.
 */
export async function reportRecordToCompliance(caller: Caller, patientId: string, recordId: string): Promise<RecordReportOutcome> {
  const doctor = requireStaff(caller, "chart.view");
  const decision = await decideChartAccess(doctor, patientId);
  if (!decision.allowed || !isUuid(recordId)) throw new AccessDeniedError();
  const row = await db().medicalRecord.findFirst({ where: { id: recordId, patientId: decision.patient.id }, select: verifiableRecordSelect });
  if (!row || !decision.access.covers(row)) throw new AccessDeniedError();
  // The same verdict the chart gives (the one verification function).
  const [verdict] = await verifyRecords([row]);
  const verification = verdict!.verification;
  if (verification !== "tampered" && verification !== "unavailable") return "not_failing";
  const raised = await raiseAlert({
    kind: "integrity.record_reported",
    severity: verification === "tampered" ? "CRITICAL" : "WARNING",
    details: { recordId, patientId: decision.patient.id, reportedBy: doctor.id, verification },
    dedupeKey: `reported:${recordId}`,
  });
  await appendAccessEvent(
    {
      actor: doctor,
      action: "record.integrity_reported",
      outcome: "ALLOWED",
      purpose: decision.access.purpose,
      patientId: decision.patient.id,
      details: { recordId, verification, alertRaised: raised },
    },
    caller.context,
  );
  return raised ? "reported" : "already_open";
}
