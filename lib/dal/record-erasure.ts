import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn, type AuditTx } from "@/lib/audit";
import { can, type Actor } from "@/lib/authz";
import { reasonSha256, tombstoneBytes, TOMBSTONE_FORMAT, type ErasureLegalBasis } from "@/lib/integrity/tombstone";
import type { RecordErasureDto } from "@/lib/dto/compliance";
import { isUuid } from "@/lib/ids";
import { AccessDeniedError, type Caller } from "./caller";
import { IDENTITY_RESOURCE_TYPE } from "@/lib/fhir/identity-record";

/*
 * Lawful erasure of one record (docs/decisions/016-database-refuses-to-rewrite-history.md, "Erasure").
 *
 * Who: a compliance officer (the privacy officer, `record.erase.request`) requests it with a legal basis and a reason;
 * an administrator (`record.erase.approve`) — another person, of another role — approves it on the Approvals page.
 * The request is a four-eyes PrivilegedRequest of kind RECORD_ERASE (lib/dal/privileged-requests.ts): its parameters
 * are hashed when filed and checked when approved, and it lapses like any other.
 * What: on approval, in the same transaction, the owner's `chartproof_erase_record` re-checks the request, writes the
 * tombstone (its statement names the record, its commitment, both people, the basis, the reason's hash and the
 * time), blanks the record's content, canonical bytes and salt, and raises an alert; the worker then anchors the
 * statement's hash as its own TOMBSTONE unit. The commitment and its leaf stay, so every check can still prove the
 * record existed, and shows it `erased` (lib/verification/erased.ts).
 * Audit: `privileged_request.created`, `privileged_request.approved` and `record.erased` (the patient's) in the
 * access log; refusals as DENIED events; the list below as `record_erasures.viewed`.
 */

export type RecordEraseParams = { recordId: string; legalBasis: ErasureLegalBasis; reason: string };

export type RecordEraseRuleCode = "record_not_found" | "record_not_anchored" | "record_already_erased" | "erase_pending" | "erase_refused" | "identity_record";

export class RecordEraseRuleError extends Error {
  override name = "RecordEraseRuleError";
  constructor(readonly code: RecordEraseRuleCode) {
    super(`Record erasure: ${code}`);
  }
}

/** What can be said on the form: the record exists, is anchored (its commitment must already be on chain), not erased, and not already asked for. */
export async function precheckRecordErase(params: RecordEraseParams): Promise<void> {
  const record = isUuid(params.recordId)
    ? await db().medicalRecord.findUnique({ where: { id: params.recordId }, select: { status: true, resourceType: true, tombstone: { select: { recordId: true } } } })
    : null;
  if (!record) throw new RecordEraseRuleError("record_not_found");
  // The registered identity is not a clinical record: erasing it would withhold the whole chart (ADR 023). The desk
  // corrects an identity with a new version instead.
  if (record.resourceType === IDENTITY_RESOURCE_TYPE) throw new RecordEraseRuleError("identity_record");
  if (record.tombstone) throw new RecordEraseRuleError("record_already_erased");
  if (record.status !== "ANCHORED") throw new RecordEraseRuleError("record_not_anchored");
  const pending = await db().privilegedRequest.count({
    where: { kind: "RECORD_ERASE", status: "PENDING", expiresAt: { gt: new Date() }, params: { path: ["recordId"], equals: params.recordId } },
  });
  if (pending > 0) throw new RecordEraseRuleError("erase_pending");
}

/**
 * The approved step, inside the approval's transaction: the statement is built from the request row as claimed
 * (requester, approver, approval time) and the record's commitment, and handed to the database's one erasing
 * function, which checks it field by field before it destroys anything.
 */
export async function executeRecordErase(tx: AuditTx, caller: Caller, params: RecordEraseParams, requestId: string): Promise<{ recordId: string; statementHash: string }> {
  const [request, record] = await Promise.all([
    tx.privilegedRequest.findUniqueOrThrow({ where: { id: requestId }, select: { requestedById: true, decidedById: true, decidedAt: true } }),
    tx.medicalRecord.findUnique({ where: { id: params.recordId }, select: { id: true, patientId: true, commitment: true, status: true, tombstone: { select: { recordId: true } } } }),
  ]);
  if (!record) throw new RecordEraseRuleError("record_not_found");
  if (record.tombstone) throw new RecordEraseRuleError("record_already_erased");
  if (record.status !== "ANCHORED") throw new RecordEraseRuleError("record_not_anchored");
  const { bytes, hash } = tombstoneBytes({
    format: TOMBSTONE_FORMAT,
    recordId: record.id,
    commitment: record.commitment,
    requestId,
    requestedById: request.requestedById,
    approvedById: request.decidedById!,
    legalBasis: params.legalBasis,
    reasonSha256: reasonSha256(params.reason),
    erasedAt: request.decidedAt!.toISOString(),
  });
  let erased: { hash: string } | undefined;
  try {
    [erased] = await tx.$queryRaw<{ hash: string }[]>`SELECT chartproof_erase_record(${requestId}::uuid, ${bytes}) AS hash`;
  } catch (error) {
    // The database's own checks (a requester no longer an active officer, …): refused, the transaction rolls back.
    if (error instanceof Error && /history is append-only/.test(error.message)) throw new RecordEraseRuleError("erase_refused");
    throw error;
  }
  if (erased?.hash !== hash) throw new Error("the database anchored another tombstone hash than the one built");
  await appendAccessEventIn(
    tx,
    {
      actor: caller.actor,
      action: "record.erased",
      outcome: "ALLOWED",
      purpose: "OPERATIONS",
      patientId: record.patientId,
      details: { recordId: record.id, requestId, legalBasis: params.legalBasis, requestedById: request.requestedById, statementHash: hash },
    },
    caller.context,
  );
  return { recordId: record.id, statementHash: hash };
}

function requireErasureOfficer(caller: Caller): Extract<Actor, { kind: "STAFF" }> {
  const actor = caller.actor;
  if (actor.kind !== "STAFF" || !can(actor, "record.erase.request")) throw new AccessDeniedError();
  return actor;
}

/**
 * The compliance officer's view: erasure requests of the last 90 days (any status) and every tombstone, with whether
 * its unit is anchored yet. Record ids, types, dates and MRNs only — never content. Logged as one event.
 */
export async function listRecordErasures(caller: Caller): Promise<RecordErasureDto[]> {
  const officer = requireErasureOfficer(caller);
  const since = new Date(Date.now() - 90 * 24 * 3600_000);
  const requests = await db().privilegedRequest.findMany({
    where: { kind: "RECORD_ERASE", OR: [{ createdAt: { gt: since } }, { tombstone: { isNot: null } }] },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: {
      id: true,
      params: true,
      status: true,
      createdAt: true,
      expiresAt: true,
      decidedAt: true,
      requestedById: true,
      decidedById: true,
      tombstone: { select: { erasedAt: true, statementHash: true, batch: { select: { batchNumber: true, status: true, txHash: true } } } },
    },
  });
  const recordIds = requests.map((r) => (r.params as RecordEraseParams).recordId).filter(isUuid);
  const staffIds = [...new Set(requests.flatMap((r) => [r.requestedById, ...(r.decidedById ? [r.decidedById] : [])]))];
  const [records, staff] = await Promise.all([
    db().medicalRecord.findMany({ where: { id: { in: recordIds } }, select: { id: true, resourceType: true, recordedAt: true, patientId: true, patient: { select: { mrn: true } } } }),
    db().staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true } }),
  ]);
  const recordById = new Map(records.map((r) => [r.id, r]));
  const name = new Map(staff.map((s) => [s.id, s.name]));
  const now = new Date();
  await appendAccessEvent(
    { actor: officer, action: "record_erasures.viewed", outcome: "ALLOWED", purpose: "AUDIT", details: { recordIds: [...new Set(recordIds)] } },
    caller.context,
  );
  return requests.map((r) => {
    const p = r.params as RecordEraseParams;
    const record = recordById.get(p.recordId);
    const t = r.tombstone;
    return {
      requestId: r.id,
      recordId: p.recordId,
      legalBasis: p.legalBasis,
      reason: p.reason,
      status: r.status === "PENDING" && r.expiresAt <= now ? "EXPIRED" : r.status,
      requestedBy: name.get(r.requestedById) ?? null,
      decidedBy: r.decidedById ? (name.get(r.decidedById) ?? null) : null,
      createdAt: r.createdAt.toISOString(),
      decidedAt: r.decidedAt?.toISOString() ?? null,
      record: record ? { resourceType: record.resourceType, recordedAt: record.recordedAt.toISOString(), mrn: record.patient.mrn } : null,
      tombstone: t
        ? {
            erasedAt: t.erasedAt.toISOString(),
            statementHash: t.statementHash,
            unit: t.batch ? { number: t.batch.batchNumber.toString(), status: t.batch.status, txHash: t.batch.txHash } : null,
          }
        : null,
      own: r.requestedById === officer.id,
    };
  });
}

/** The tombstone of one record, for the pages that show it (the doctor's record page, the proof download). */
export async function tombstoneOf(recordId: string) {
  return db().recordTombstone.findUnique({
    where: { recordId },
    select: {
      legalBasis: true,
      erasedAt: true,
      statement: true,
      statementHash: true,
      batch: { select: { chainId: true, contractAddress: true, batchNumber: true, root: true, txHash: true, blockNumber: true, status: true } },
    },
  });
}
