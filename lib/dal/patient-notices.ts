import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, type AuditTx } from "@/lib/audit";
import { can, type Actor } from "@/lib/authz";
import type { PatientNoticeDto } from "@/lib/dto/notices";
import { AccessDeniedError, type Caller } from "./caller";

// The patient hears of every change the desk makes to their portal account (issue 21): a desk account — or an
// administrator who got one through four eyes — could otherwise open or reset an account and read it "as the patient"
// unseen. The notice is filed in the desk's own transaction (no account change without it) and stays on the patient's
// home page from their next sign-in until they dismiss it; being shown is not being read, so a prefetch cannot clear it.

export type PatientNoticeKind = PatientNoticeDto["kind"];

/** Inside the desk's transaction: the account change and its notice commit together or not at all. */
export async function filePatientNotice(tx: AuditTx, patientId: string, kind: PatientNoticeKind): Promise<void> {
  await tx.patientNotice.create({ data: { patientId, kind }, select: { id: true } });
}

function requirePatient(caller: Caller): Extract<Actor, { kind: "PATIENT" }> {
  const { actor } = caller;
  if (actor.kind !== "PATIENT" || !can(actor, "own_records.view")) throw new AccessDeniedError();
  return actor;
}

/** The patient's notices not yet dismissed, newest first. */
export async function getOwnNotices(caller: Caller): Promise<PatientNoticeDto[]> {
  const actor = requirePatient(caller);
  const rows = await db().patientNotice.findMany({
    where: { patientId: actor.patientId, dismissedAt: null },
    select: { id: true, kind: true, createdAt: true },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((r) => ({ id: r.id, kind: r.kind, createdAt: r.createdAt.toISOString() }));
}

/** Dismisses one of the patient's own notices; another patient's id is "not found" (false), never revealed. */
export async function dismissOwnNotice(caller: Caller, noticeId: string): Promise<boolean> {
  const actor = requirePatient(caller);
  const { count } = await db().patientNotice.updateMany({
    where: { id: noticeId, patientId: actor.patientId, dismissedAt: null },
    data: { dismissedAt: new Date() },
  });
  await appendAccessEvent(
    { actor, action: "patient_notice.dismissed", outcome: count === 1 ? "ALLOWED" : "DENIED", purpose: "SELF_ACCESS", patientId: actor.patientId, details: { noticeId } },
    caller.context,
  );
  return count === 1;
}
