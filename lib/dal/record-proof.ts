import "server-only";
import { db } from "@/lib/db";
import { withheldProof, type WithheldProof } from "@/lib/integrity/withheld";
import { ERASED_PROOF_FORMAT, type ErasedProof, type TombstoneStatement } from "@/lib/integrity/tombstone";
import { tombstoneOf } from "./record-erasure";
import { appendAccessEvent } from "@/lib/audit";
import { summarizeResource } from "@/lib/fhir/summarize";
import { checkAttachments } from "@/lib/fhir/attachment";
import { buildProofBundle, walkProof, type ProofBundle } from "@/lib/integrity/proof-bundle";
import { resourceOf, verifiableRecordSelect, verifyRecords, type RecordVerdict } from "@/lib/verification";
import type { ProofStepDto, RecordProofDto, RecordVersionDto } from "@/lib/dto";
import { isUuid } from "@/lib/ids";
import { alertIdentity, verifyPatientIdentity } from "./chart-identity";
import { AccessDeniedError, type Caller } from "./caller";
import { decideChartAccess, requireStaff } from "./chart-access";

/** The record is not anchored yet (or its index row holds no well-formed proof), so there is nothing to export. */
export class ProofNotExportableError extends Error {
  override name = "ProofNotExportableError";
  readonly reason: "not_anchored" | "malformed";
  constructor(reason: "not_anchored" | "malformed") {
    super(reason === "not_anchored" ? "The record is not anchored yet." : "The record's stored proof is malformed.");
    this.reason = reason;
  }
}

const recordSelect = {
  ...verifiableRecordSelect,
  leafIndex: true,
  supersededAt: true,
  batch: {
    select: {
      ...verifiableRecordSelect.batch.select,
      checkpointLeafIndex: true,
      checkpoint: { select: { ...verifiableRecordSelect.batch.select.checkpoint.select, status: true } },
    },
  },
} as const;

type Action = "record.viewed" | "record.proof_exported";

/**
 * The chart's access rule (lib/dal/chart-access.ts `decideChartAccess`: consent covering the record's class and
 * date, or the doctor's own open emergency grant) applied to one record. A denial is logged as `action` DENIED and
 * thrown as AccessDeniedError (404), whether the patient, the record or the access is missing, so the response
 * never tells which.
 */
async function authorizeRecord(caller: Caller, patientId: string, recordId: string, action: Action) {
  const doctor = requireStaff(caller, "chart.view");
  const decision = await decideChartAccess(doctor, patientId);
  const row =
    decision.allowed && isUuid(recordId)
      ? await db().medicalRecord.findFirst({ where: { id: recordId, patientId: decision.patient.id }, select: recordSelect })
      : null;
  const reason = !decision.allowed ? decision.reason : !row ? "record_not_found" : !decision.access.covers(row) ? "not_covered" : null;
  if (reason !== null || !decision.allowed || !row) {
    await appendAccessEvent(
      {
        actor: doctor,
        action,
        outcome: "DENIED",
        purpose: decision.allowed ? decision.access.purpose : "TREATMENT",
        patientId: decision.patient?.id ?? null,
        details: { recordId: isUuid(recordId) ? recordId.toLowerCase() : null, reason },
      },
      caller.context,
    );
    throw new AccessDeniedError();
  }
  return { doctor, patient: decision.patient, access: decision.access, row };
}

type ProofRow = NonNullable<Awaited<ReturnType<typeof authorizeRecord>>["row"]>;

/**
 * The record's versions (a correction is a new record naming the one it replaces), oldest first, each verified on
 * its own and limited to what the caller's access covers. One entry when the record was never corrected. The
 * record itself is verified in the same verifyRecords call as its other versions, so the page reports one result.
 */
async function verifyWithVersions(
  row: ProofRow,
  covers: (record: { resourceType: string; recordedAt: Date }) => boolean,
): Promise<{ verdict: RecordVerdict; versions: RecordVersionDto[] }> {
  if (row.supersedesId === null && row.supersededAt === null) {
    const [verdict] = await verifyRecords([row]);
    return { verdict: verdict!, versions: [{ id: row.id, createdAt: row.createdAt.toISOString(), verification: verdict!.verification, current: true }] };
  }
  const linked = await db().medicalRecord.findMany({
    where: { patientId: row.patientId, id: { not: row.id }, OR: [{ supersedesId: { not: null } }, { supersededAt: { not: null } }] },
    select: { ...verifiableRecordSelect, supersededAt: true },
  });
  const byId = new Map([...linked, row].map((r) => [r.id, r]));
  const next = new Map([...linked, row].flatMap((r) => (r.supersedesId ? [[r.supersedesId, r] as const] : [])));
  let first = byId.get(row.id);
  const seen = new Set<string>();
  while (first?.supersedesId && byId.has(first.supersedesId) && !seen.has(first.id)) {
    seen.add(first.id);
    first = byId.get(first.supersedesId);
  }
  const chain: (typeof linked)[number][] = [];
  for (let r = first; r && chain.length <= linked.length; r = next.get(r.id)) chain.push(r);
  const visible = chain.filter((r) => r.id === row.id || covers(r));
  if (!visible.some((r) => r.id === row.id)) visible.push(row);
  const verdicts = await verifyRecords(visible);
  const at = visible.findIndex((r) => r.id === row.id);
  return {
    verdict: verdicts[at]!,
    versions: visible.map((r, i) => ({ id: r.id, createdAt: r.createdAt.toISOString(), verification: verdicts[i]!.verification, current: r.supersededAt === null })),
  };
}

function stepsOf(leaf: string, proof: unknown): ProofStepDto[] | null {
  return walkProof(leaf, proof)?.map(({ side, sibling, node }) => ({ side, sibling, node })) ?? null;
}

/**
 * One consented record with its whole verification path: commitment, Merkle steps, batch and private-chain anchor,
 * public checkpoint, and each level's result. Logs exactly one `record.viewed` (ALLOWED, or DENIED before throwing
 * AccessDeniedError) before returning; if the event cannot be written, this throws and nothing is shown.
 * The salt is not returned (it is in the export only).
 */
export async function getRecordProof(caller: Caller, patientId: string, recordId: string): Promise<RecordProofDto> {
  const { doctor, patient, access, row } = await authorizeRecord(caller, patientId, recordId, "record.viewed");
  // The page shows the record under the patient's name: that name must be the anchored identity (ADR 023).
  const [{ verdict, versions }, identity] = await Promise.all([verifyWithVersions(row, access.covers), verifyPatientIdentity(patient)]);
  await alertIdentity(patient.id, identity);
  // With an identity that fails, the record's content is withheld like a tampered record's: whose it is is unknown.
  const contentWithheld = verdict.verification === "tampered" || identity.withheld;
  const tombstone = verdict.verification === "erased" ? await tombstoneOf(row.id) : null;
  const built = buildProofBundle(row);
  // Shown from the bytes that were just hashed, parsed once; never the JSONB query copy.
  const resource = contentWithheld ? null : resourceOf(row);
  const batch = row.batch;
  // As in the bundle: a checkpoint counts once it is confirmed on the public chain.
  const checkpoint = batch?.checkpoint?.status === "CONFIRMED" ? batch.checkpoint : null;

  await appendAccessEvent(
    {
      actor: doctor,
      action: "record.viewed",
      outcome: "ALLOWED",
      purpose: access.purpose,
      patientId: patient.id,
      details: {
        recordId: row.id,
        verification: verdict.verification,
        ...(identity.state !== "verified" ? { identity: identity.state } : {}),
        ...(versions.length > 1 ? { versionIds: versions.map((v) => v.id) } : {}),
        ...(access.kind === "emergency" ? { grantId: access.grant.id } : {}),
      },
    },
    caller.context,
  );

  return {
    versions,
    patient: { id: patient.id, name: patient.name, mrn: patient.mrn },
    identity,
    record: {
      id: row.id,
      resourceType: row.resourceType,
      recordedAt: row.recordedAt.toISOString(),
      source: row.source,
      verification: verdict.verification,
      checkpoint: verdict.checkpoint,
      overdue: verdict.overdue,
      summary: resource === null ? null : summarizeResource(resource),
      resource,
      attachments: resource === null ? [] : checkAttachments(resource),
    },
    commitment: row.commitment,
    leafIndex: row.leafIndex,
    steps: row.status === "ANCHORED" || batch ? stepsOf(row.commitment, row.proof) : [],
    batch: batch
      ? {
          number: batch.batchNumber.toString(),
          root: batch.root,
          chainId: batch.chainId,
          contractAddress: batch.contractAddress,
          txHash: batch.txHash,
          blockNumber: batch.blockNumber?.toString() ?? null,
          anchoredAt: batch.anchoredAt?.toISOString() ?? null,
        }
      : null,
    checkpoint:
      batch && checkpoint
        ? {
            number: checkpoint.checkpointNumber.toString(),
            root: checkpoint.root,
            chainId: checkpoint.chainId,
            contractAddress: checkpoint.contractAddress,
            txHash: checkpoint.txHash,
            blockNumber: checkpoint.blockNumber?.toString() ?? null,
            anchoredAt: checkpoint.anchoredAt?.toISOString() ?? null,
            leafIndex: batch.checkpointLeafIndex,
            steps: stepsOf(batch.root, batch.checkpointProof),
          }
        : null,
    levels: verdict.levels,
    exportable: built.ok || tombstone !== null,
    erasure: tombstone
      ? { erasedAt: tombstone.erasedAt.toISOString(), legalBasis: tombstone.legalBasis, statementHash: tombstone.statementHash, unitNumber: tombstone.batch?.batchNumber.toString() ?? null }
      : null,
  };
}

/**
 * The proof bundle of one consented record (lib/integrity/proof-bundle.ts): the committed fields, salt, proof,
 * batch and checkpoint, enough to verify it against the chains without our database. It carries the record and its
 * salt, so it is patient data: logged as `record.proof_exported` (with the verdict at export time) before it is
 * returned. A `tampered` record's content is untrusted and never leaves: its download carries only its id, the
 * verdict and the failing level (lib/integrity/withheld.ts).
 *
 * @throws AccessDeniedError (logged as DENIED); ProofNotExportableError when the record is not anchored yet.
 */
export async function exportRecordProof(caller: Caller, patientId: string, recordId: string): Promise<ProofBundle | WithheldProof | ErasedProof> {
  const { doctor, patient, access, row } = await authorizeRecord(caller, patientId, recordId, "record.proof_exported");
  const built = buildProofBundle(row);
  const [verdict] = await verifyRecords([row]);
  const tampered = verdict!.verification === "tampered";
  const erased = verdict!.verification === "erased" ? erasedProofOf(row, await tombstoneOf(row.id)) : null;
  if (!built.ok && !tampered && !erased) throw new ProofNotExportableError(built.reason);
  await appendAccessEvent(
    {
      actor: doctor,
      action: "record.proof_exported",
      outcome: "ALLOWED",
      purpose: access.purpose,
      patientId: patient.id,
      details: { recordId: row.id, verification: verdict!.verification, ...(access.kind === "emergency" ? { grantId: access.grant.id } : {}) },
    },
    caller.context,
  );
  if (erased) return erased;
  return tampered || !built.ok ? withheldProof(row.id, verdict!.levels) : built.bundle;
}

/**
 * An erased record's download (lib/integrity/tombstone.ts): its leaf and path, and its tombstone with the unit that
 * anchors it — no content, no salt (there are none left). Null when the row or its tombstone lacks what it needs.
 */
export function erasedProofOf(
  row: {
    id: string;
    commitment: string;
    leafIndex: number | null;
    proof: unknown;
    batch: { chainId: number; contractAddress: string; batchNumber: bigint; root: string; txHash: string | null; blockNumber: bigint | null } | null;
  },
  tombstone: Awaited<ReturnType<typeof tombstoneOf>>): ErasedProof | null {
  const batch = row.batch;
  if (!tombstone || !batch || row.leafIndex === null || !Array.isArray(row.proof)) return null;
  const unit = tombstone.batch?.status === "CONFIRMED" ? tombstone.batch : null;
  return {
    format: ERASED_PROOF_FORMAT,
    recordId: row.id,
    verification: "erased",
    commitment: row.commitment,
    leafIndex: row.leafIndex,
    proof: row.proof as ErasedProof["proof"],
    batch: {
      chainId: batch.chainId,
      contract: batch.contractAddress,
      batchNumber: batch.batchNumber.toString(),
      root: batch.root,
      txHash: batch.txHash,
      blockNumber: batch.blockNumber?.toString() ?? null,
    },
    tombstone: {
      statement: JSON.parse(Buffer.from(tombstone.statement).toString("utf8")) as TombstoneStatement,
      statementHash: tombstone.statementHash,
      unit: unit
        ? { chainId: unit.chainId, contract: unit.contractAddress, batchNumber: unit.batchNumber.toString(), root: unit.root, txHash: unit.txHash, blockNumber: unit.blockNumber?.toString() ?? null }
        : null,
    },
  };
}
