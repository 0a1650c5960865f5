import "server-only";
import { hkdfSync, randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { appendAccessEvent, appendAccessEventIn, type AuditTx } from "@/lib/audit";
import { can, type Permission } from "@/lib/authz";
import { env } from "@/lib/env";
import { resourceOf, verifiableRecordSelect, verifyRecords } from "@/lib/verification";
import { readRoots } from "@/lib/ledger";
import { isOnLedger, ledgers } from "@/lib/verification";
import { selectCohort, type CohortPatient, type CohortRecord, type CohortSelection, type ResearchConsent } from "@/lib/research/cohort";
import { COHORT_RECORD_TYPES, cohortCriteriaSchema, criteriaToSearchParams, type CohortCriteria } from "@/lib/research/criteria";
import { deidentify, type ExportMode } from "@/lib/research/deidentify";
import {
  checkFiles,
  consentSnapshotDigest,
  deidentificationTerms,
  manifestHash,
  MANIFEST_FORMAT,
  pipaRecord,
  sha256Hex,
  type ConsentSnapshotEntry,
  type ExportManifest,
  type PseudonymisationTerms,
} from "@/lib/research/manifest";
import { codeLookup, type CodeLookup } from "@/lib/research/code-lookup";
import { decideRelease, symmetricDifferenceSize, type CountRelease } from "@/lib/research/suppression";
import {
  countDto,
  EXPORT_FILE_NAME,
  type AnchorStateDto,
  type CohortCountDto,
  type CohortDetailDto,
  type CohortSummaryDto,
  type ExportAnchorDto,
  type ExportDetailDto,
  type ExportSummaryDto,
  type ExportVerificationDto,
  type ManifestBundleDto,
  type StudyOptionDto,
} from "@/lib/dto/research";
import { isUuid } from "@/lib/ids";
import { AccessDeniedError, type Caller } from "./caller";

/** An export the rules refuse (the cohort's count would be suppressed); nothing is written but the refusal event. */
export class ResearchExportRefusedError extends Error {
  override name = "ResearchExportRefusedError";
  constructor(readonly code: "cohort_suppressed" | "pipa_terms_required") {
    super(code);
  }
}

/** A study id that names no open study. */
export class UnknownStudyError extends Error {
  override name = "UnknownStudyError";
  constructor() {
    super("unknown_study");
  }
}

type Researcher = Extract<Caller["actor"], { kind: "STAFF" }>;

function requireResearcher(caller: Caller, permission: Extract<Permission, `research.${string}`>): Researcher {
  if (caller.actor.kind !== "STAFF" || !can(caller.actor, permission)) throw new AccessDeniedError();
  return caller.actor;
}

// Count decisions and the releases they record are serialised: two concurrent queries must not both be released
// when together they would difference out a small cell.
const RELEASE_LOCK_KEY = 0x43_50_52_53; // "CPRS"

/** The file that keeps the export's consent list with the hospital (dates about people: never downloadable). */
const CONSENT_SNAPSHOT_FILE = "consent-snapshot.json";

function pseudonymKey(): Buffer {
  const configured = env().RESEARCH_PSEUDONYM_KEY;
  if (configured) return Buffer.from(configured, "utf8");
  return Buffer.from(hkdfSync("sha256", env().AUTH_SECRET, "chartproof", "research-pseudonym-v1", 32));
}

async function studyOption(studyId: string | null): Promise<StudyOptionDto | null> {
  if (!studyId) return null;
  if (!isUuid(studyId)) throw new UnknownStudyError();
  const study = await db().researchStudy.findFirst({ where: { id: studyId, closedAt: null }, select: { id: true, code: true, title: true } });
  if (!study) throw new UnknownStudyError();
  return study;
}

type Population = { patients: (CohortPatient & { address: string | null })[]; records: CohortRecord[]; consents: Map<string, ResearchConsent> };

/**
 * Everyone whose RESEARCH consent is active now and could admit this study's records, with their current records.
 * Consents are evaluated at query time (lib/research/cohort.ts), so a revocation applies to the very next query.
 * Records whose content no longer matches their commitment are left out: research gets no data the chain contradicts.
 */
async function loadPopulation(studyId: string | null, now: Date): Promise<Population> {
  const consents = await db().consent.findMany({
    where: {
      scope: "RESEARCH",
      OR: [{ studyId: null }, ...(studyId ? [{ studyId }] : [])],
      validFrom: { lte: now },
      AND: [{ OR: [{ validUntil: null }, { validUntil: { gt: now } }] }, { OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] }],
    },
    select: { id: true, patientId: true, scope: true, studyId: true, recordClasses: true, dataFrom: true, dataUntil: true, validFrom: true, validUntil: true, revokedAt: true },
  });
  const byPatient = new Map<string, ResearchConsent[]>();
  for (const c of consents) byPatient.set(c.patientId, [...(byPatient.get(c.patientId) ?? []), c]);
  const ids = [...byPatient.keys()];
  if (ids.length === 0) return { patients: [], records: [], consents: new Map() };
  const [patients, rows] = await Promise.all([
    db().patient.findMany({ where: { id: { in: ids } }, select: { id: true, birthDate: true, sex: true, address: true } }),
    db().medicalRecord.findMany({
      where: { patientId: { in: ids }, supersededAt: null, resourceType: { in: [...COHORT_RECORD_TYPES] } },
      select: verifiableRecordSelect,
    }),
  ]);
  // A record whose content no longer matches its commitment, or whose commitment is not the one its id was created
  // with (or that was anchored before and reset), is tampered: its content never reaches a count or an export. The
  // rest is researched from the stored bytes that were just hashed, never the JSONB query copy.
  const verdicts = await verifyRecords(rows);
  const records = rows.flatMap((r, i) => {
    const resource = verdicts[i]!.verification === "tampered" ? null : resourceOf(r);
    return resource === null ? [] : [{ id: r.id, patientId: r.patientId, resourceType: r.resourceType, recordedAt: r.recordedAt, resource }];
  });
  return {
    patients: patients.map((p) => ({ ...p, consents: byPatient.get(p.id)! })),
    records,
    consents: new Map(consents.map((c) => [c.id, c])),
  };
}

/**
 * Decides a release under the lock and records a released set (once), in the caller's transaction. Earlier sets are
 * compared by their members who may still be researched: a patient who has since withdrawn every research consent
 * leaves every cohort, and that departure — which no researcher chose — must not lock the cohort out for good.
 */
async function releaseIn(tx: AuditTx, researcherId: string, set: readonly string[], now: Date): Promise<CountRelease> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RELEASE_LOCK_KEY})`;
  const threshold = env().RESEARCH_MIN_CELL;
  // Only sets whose size is within the threshold (plus those who left since) can differ from this one by fewer than
  // `threshold` patients: read those, then drop the departed.
  const near = await tx.researchQueryRelease.findMany({ where: { releasedCount: { gt: set.length - threshold } }, select: { patientIds: true } });
  const members = [...new Set(near.flatMap((r) => r.patientIds))];
  const stillEligible = new Set(
    members.length === 0
      ? []
      : (
          await tx.consent.findMany({
            where: {
              scope: "RESEARCH",
              patientId: { in: members },
              validFrom: { lte: now },
              AND: [{ OR: [{ validUntil: null }, { validUntil: { gt: now } }] }, { OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] }],
            },
            select: { patientId: true },
            distinct: ["patientId"],
          })
        ).map((c) => c.patientId),
  );
  const earlier = near.map((r) => r.patientIds.filter((id) => stillEligible.has(id)).sort());
  const decision = decideRelease(set, earlier, threshold);
  if (decision.released && !near.some((r) => r.patientIds.length === set.length && symmetricDifferenceSize(set, [...r.patientIds].sort()) === 0)) {
    await tx.researchQueryRelease.create({ data: { researcherId, patientIds: [...set], releasedCount: set.length } });
  }
  return decision;
}

async function evaluate(criteria: CohortCriteria, studyId: string | null, now: Date): Promise<{ population: Population; selection: CohortSelection }> {
  const population = await loadPopulation(studyId, now);
  return { population, selection: selectCohort(population.patients, population.records, criteria, studyId, now) };
}

function countEventDetails(criteria: CohortCriteria, studyId: string | null, release: CountRelease, cohortId?: string) {
  return {
    criteria: criteriaToSearchParams(criteria).toString(),
    studyId,
    ...(cohortId ? { cohortId } : {}),
    released: release.released,
    ...(release.released ? { count: release.count } : { reason: release.reason }),
  };
}

/** Counts a cohort (counts only, suppressed below the threshold and against differencing). One `research.cohort_counted` event. */
export async function countCohort(caller: Caller, criteria: CohortCriteria, studyId: string | null = null): Promise<CohortCountDto> {
  return (await cohortBuilderView(caller, criteria, studyId)).count;
}

/**
 * The builder's page: the count, and the code look-up — the codes the research-covered records carry (of the study's
 * population, before the criteria), each held by at least RESEARCH_MIN_CELL patients. One evaluation for both.
 */
export async function cohortBuilderView(caller: Caller, criteria: CohortCriteria, studyId: string | null = null): Promise<{ count: CohortCountDto; codes: CodeLookup }> {
  const researcher = requireResearcher(caller, "research.cohort");
  const parsed = cohortCriteriaSchema.parse(criteria);
  await studyOption(studyId);
  const now = new Date();
  const { population, selection } = await evaluate(parsed, studyId, now);
  const covered = selectCohort(population.patients, population.records, cohortCriteriaSchema.parse({}), studyId, now);
  const codes = codeLookup(covered.records, researchMinCell());
  const release = await db().$transaction(async (tx) => {
    const decision = await releaseIn(tx, researcher.id, selection.patientIds, now);
    await appendAccessEventIn(tx, { actor: researcher, action: "research.cohort_counted", outcome: "ALLOWED", purpose: "RESEARCH", details: countEventDetails(parsed, studyId, decision) }, caller.context);
    return decision;
  });
  return { count: countDto(release), codes };
}

export async function listStudies(caller: Caller): Promise<StudyOptionDto[]> {
  requireResearcher(caller, "research.cohort");
  return db().researchStudy.findMany({ where: { closedAt: null }, select: { id: true, code: true, title: true }, orderBy: { code: "asc" } });
}

function snapshotEntries(selection: CohortSelection, consents: Map<string, ResearchConsent>): ConsentSnapshotEntry[] {
  return selection.consentIds.map((id) => {
    const c = consents.get(id)!;
    return {
      id,
      studyId: c.studyId,
      recordClasses: [...c.recordClasses],
      dataFrom: c.dataFrom?.toISOString() ?? null,
      dataUntil: c.dataUntil?.toISOString() ?? null,
      validFrom: c.validFrom.toISOString(),
      validUntil: c.validUntil?.toISOString() ?? null,
    };
  });
}

/** Saves a cohort definition with the consent snapshot it was built on. One `research.cohort_saved` event. */
export async function saveCohort(caller: Caller, input: { name: string; studyId: string | null; criteria: CohortCriteria }): Promise<{ id: string }> {
  const researcher = requireResearcher(caller, "research.cohort");
  const criteria = cohortCriteriaSchema.parse(input.criteria);
  const study = await studyOption(input.studyId);
  const now = new Date();
  const { population, selection } = await evaluate(criteria, study?.id ?? null, now);
  const entries = snapshotEntries(selection, population.consents);
  const digest = consentSnapshotDigest(entries);
  return db().$transaction(async (tx) => {
    const cohort = await tx.researchCohort.create({
      data: {
        name: input.name,
        criteria,
        studyId: study?.id ?? null,
        consentSnapshot: { capturedAt: now.toISOString(), count: entries.length, sha256: digest.sha256, consents: entries },
        createdById: researcher.id,
      },
      select: { id: true },
    });
    await appendAccessEventIn(tx, { actor: researcher, action: "research.cohort_saved", outcome: "ALLOWED", purpose: "RESEARCH", details: { cohortId: cohort.id, studyId: study?.id ?? null } }, caller.context);
    return cohort;
  });
}

/** The researcher's own saved cohorts, newest first. Definitions only: no patient data, no event. */
export async function listCohorts(caller: Caller): Promise<CohortSummaryDto[]> {
  const researcher = requireResearcher(caller, "research.cohort");
  const rows = await db().researchCohort.findMany({
    where: { createdById: researcher.id },
    select: { id: true, name: true, createdAt: true, study: { select: { id: true, code: true, title: true } }, _count: { select: { exports: true } } },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return rows.map((r) => ({ id: r.id, name: r.name, study: r.study, createdAt: r.createdAt.toISOString(), exportCount: r._count.exports }));
}

function anchorState(batch: { status: string } | null): AnchorStateDto {
  if (!batch) return "pending";
  return batch.status === "CONFIRMED" ? "anchored" : batch.status === "FAILED" ? "failed" : "pending";
}

async function ownCohort(researcher: Researcher, cohortId: string) {
  if (!isUuid(cohortId)) throw new AccessDeniedError();
  const cohort = await db().researchCohort.findFirst({
    where: { id: cohortId, createdById: researcher.id },
    select: { id: true, name: true, criteria: true, consentSnapshot: true, createdAt: true, study: { select: { id: true, code: true, title: true } } },
  });
  if (!cohort) throw new AccessDeniedError();
  return { ...cohort, criteria: cohortCriteriaSchema.parse(cohort.criteria) };
}

/** One saved cohort, re-counted now (a `research.cohort_counted` event), with its exports. */
export async function getCohort(caller: Caller, cohortId: string): Promise<CohortDetailDto> {
  const researcher = requireResearcher(caller, "research.cohort");
  const cohort = await ownCohort(researcher, cohortId);
  const now = new Date();
  const { selection } = await evaluate(cohort.criteria, cohort.study?.id ?? null, now);
  const release = await db().$transaction(async (tx) => {
    const decision = await releaseIn(tx, researcher.id, selection.patientIds, now);
    await appendAccessEventIn(
      tx,
      { actor: researcher, action: "research.cohort_counted", outcome: "ALLOWED", purpose: "RESEARCH", details: countEventDetails(cohort.criteria, cohort.study?.id ?? null, decision, cohort.id) },
      caller.context,
    );
    return decision;
  });
  const exports = await db().researchExport.findMany({
    where: { cohortId: cohort.id, createdById: researcher.id },
    select: { id: true, mode: true, createdAt: true, manifestHash: true, manifest: true, batch: { select: { status: true } } },
    orderBy: { createdAt: "desc" },
  });
  const snapshot = cohort.consentSnapshot as { capturedAt: string; count: number; sha256: string };
  return {
    id: cohort.id,
    name: cohort.name,
    study: cohort.study,
    criteria: cohort.criteria,
    criteriaQuery: criteriaToSearchParams(cohort.criteria).toString(),
    createdAt: cohort.createdAt.toISOString(),
    snapshot: { sha256: snapshot.sha256, capturedAt: snapshot.capturedAt },
    current: countDto(release),
    exports: exports.map(
      (e): ExportSummaryDto => ({
        id: e.id,
        mode: e.mode,
        createdAt: e.createdAt.toISOString(),
        manifestHash: e.manifestHash,
        anchorState: anchorState(e.batch),
        patients: (e.manifest as ExportManifest).counts.patients,
      }),
    ),
  };
}

/**
 * Exports a saved cohort, de-identified, as NDJSON with a manifest whose hash the anchoring worker anchors as an
 * EXPORT_MANIFEST unit. Consents are evaluated now: a patient whose research consent was revoked is not in it. The
 * export is a release like a count: refused (and logged as refused) when its count would be suppressed.
 */
export async function exportCohort(
  caller: Caller,
  cohortId: string,
  mode: ExportMode,
  terms?: PseudonymisationTerms,
): Promise<{ exportId: string; manifestHash: string }> {
  const researcher = requireResearcher(caller, "research.export");
  // PIPA Art. 28-4: no pseudonymised release without its record (purpose, IRB approval, key custodian, retention).
  if (mode === "PSEUDONYMISED" && !terms) throw new ResearchExportRefusedError("pipa_terms_required");
  const cohort = await ownCohort(researcher, cohortId);
  const studyId = cohort.study?.id ?? null;
  const now = new Date();
  const { population, selection } = await evaluate(cohort.criteria, studyId, now);
  const exportId = randomUUID();
  const inCohort = new Set(selection.patientIds);
  const result = deidentify({
    mode,
    now,
    patients: population.patients.filter((p) => inCohort.has(p.id)),
    records: selection.records,
    ...(mode === "PSEUDONYMISED" ? { pseudonymisation: { key: pseudonymKey(), scope: studyId ?? "general" } } : {}),
  });
  const entries = snapshotEntries(selection, population.consents);
  const consents = consentSnapshotDigest(entries);
  const manifest: ExportManifest = {
    format: MANIFEST_FORMAT,
    exportId,
    createdAt: now.toISOString(),
    exportedBy: { staffId: researcher.id, role: "RESEARCHER" },
    cohort: { id: cohort.id, name: cohort.name, criteria: cohort.criteria, study: cohort.study ? { code: cohort.study.code, title: cohort.study.title } : null },
    mode,
    safeHarbor: mode === "SAFE_HARBOR",
    deidentification: deidentificationTerms(mode),
    ...(mode === "PSEUDONYMISED" && terms ? { pipa: pipaRecord(terms) } : {}),
    consentSnapshot: { count: entries.length, sha256: consents.sha256, evaluatedAt: now.toISOString() },
    counts: { patients: result.patientCount, resources: result.resourceCount, omittedByType: result.omittedByType },
    files: result.files.map((f) => ({ name: f.name, resourceType: f.resourceType, sha256: sha256Hex(f.content), lines: f.lineCount, bytes: Buffer.byteLength(f.content) })),
  };
  const { hash } = manifestHash(manifest);
  const outcome = await db().$transaction(
    async (tx) => {
      const decision = await releaseIn(tx, researcher.id, selection.patientIds, now);
      if (!decision.released) {
        await appendAccessEventIn(
          tx,
          { actor: researcher, action: "research.exported", outcome: "DENIED", purpose: "RESEARCH", details: { cohortId: cohort.id, mode, reason: decision.reason } },
          caller.context,
        );
        return null;
      }
      await tx.researchExport.create({ data: { id: exportId, cohortId: cohort.id, mode, manifest, manifestHash: hash, createdById: researcher.id, createdAt: now }, select: { id: true } });
      await tx.researchExportFile.createMany({
        data: [
          ...result.files.map((f, i) => ({ exportId, name: f.name, resourceType: f.resourceType, content: f.content, sha256: manifest.files[i]!.sha256, lineCount: f.lineCount })),
          { exportId, name: CONSENT_SNAPSHOT_FILE, resourceType: "ConsentSnapshot", content: consents.canonical, sha256: consents.sha256, lineCount: 1 },
        ],
      });
      await appendAccessEventIn(
        tx,
        {
          actor: researcher,
          action: "research.exported",
          outcome: "ALLOWED",
          purpose: "RESEARCH",
          details: { exportId, cohortId: cohort.id, mode, patients: result.patientCount, resources: result.resourceCount, manifestHash: hash },
        },
        caller.context,
      );
      return { exportId, manifestHash: hash };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  if (!outcome) throw new ResearchExportRefusedError("cohort_suppressed");
  return outcome;
}

async function ownExport(researcher: Researcher, exportId: string) {
  if (!isUuid(exportId)) throw new AccessDeniedError();
  const row = await db().researchExport.findFirst({
    where: { id: exportId, createdById: researcher.id },
    select: {
      id: true,
      mode: true,
      manifest: true,
      manifestHash: true,
      createdAt: true,
      cohort: { select: { id: true, name: true } },
      batch: { select: { batchNumber: true, chainId: true, contractAddress: true, txHash: true, blockNumber: true, anchoredAt: true, status: true } },
    },
  });
  if (!row) throw new AccessDeniedError();
  return { ...row, manifest: row.manifest as ExportManifest };
}

function anchorDto(batch: Awaited<ReturnType<typeof ownExport>>["batch"]): ExportAnchorDto {
  return {
    state: anchorState(batch),
    batchNumber: batch?.batchNumber.toString() ?? null,
    chainId: batch?.chainId ?? null,
    contractAddress: batch?.contractAddress ?? null,
    txHash: batch?.txHash ?? null,
    blockNumber: batch?.blockNumber?.toString() ?? null,
    anchoredAt: batch?.anchoredAt?.toISOString() ?? null,
  };
}

/** An export's manifest, anchor and file list (metadata: no event; the files' downloads are logged). */
export async function getExport(caller: Caller, exportId: string): Promise<ExportDetailDto> {
  const researcher = requireResearcher(caller, "research.export");
  const row = await ownExport(researcher, exportId);
  return {
    id: row.id,
    cohort: row.cohort,
    mode: row.mode,
    createdAt: row.createdAt.toISOString(),
    manifest: row.manifest,
    manifestHash: row.manifestHash,
    anchor: anchorDto(row.batch),
    files: row.manifest.files.map((f) => ({ name: f.name, resourceType: f.resourceType, sha256: f.sha256, lines: f.lines, bytes: f.bytes })),
  };
}

/** One NDJSON file of an export, as stored. One `research.export_downloaded` event. */
export async function exportFileContent(caller: Caller, exportId: string, name: string): Promise<string> {
  const researcher = requireResearcher(caller, "research.export");
  if (!EXPORT_FILE_NAME.test(name)) throw new AccessDeniedError();
  const row = await ownExport(researcher, exportId);
  const file = await db().researchExportFile.findUnique({ where: { exportId_name: { exportId: row.id, name } }, select: { content: true } });
  if (!file) throw new AccessDeniedError();
  await appendAccessEvent({ actor: researcher, action: "research.export_downloaded", outcome: "ALLOWED", purpose: "RESEARCH", details: { exportId: row.id, file: name } }, caller.context);
  return file.content;
}

/** The manifest with its hash and anchor, for a sponsor's `npm run verify-manifest`. Logged like a download. */
export async function exportManifestBundle(caller: Caller, exportId: string): Promise<ManifestBundleDto> {
  const researcher = requireResearcher(caller, "research.export");
  const row = await ownExport(researcher, exportId);
  await appendAccessEvent({ actor: researcher, action: "research.export_downloaded", outcome: "ALLOWED", purpose: "RESEARCH", details: { exportId: row.id, file: "manifest.json" } }, caller.context);
  const b = row.batch;
  return {
    manifest: row.manifest,
    manifestHash: row.manifestHash,
    anchor:
      b && b.status !== "FAILED"
        ? { kind: "EXPORT_MANIFEST", chainId: b.chainId, contractAddress: b.contractAddress, batchNumber: b.batchNumber.toString(), txHash: b.txHash, blockNumber: b.blockNumber?.toString() ?? null }
        : null,
  };
}

/**
 * Re-hashes every stored file, recomputes the manifest's hash and compares it with the root READ FROM THE CHAIN for
 * the export's unit (the database is not trusted for the root). Fails closed: a contradiction is `tampered`, a chain
 * that cannot be read is `unavailable`. One `research.export_verified` event.
 */
export async function verifyExport(caller: Caller, exportId: string): Promise<ExportVerificationDto> {
  const researcher = requireResearcher(caller, "research.export");
  const row = await ownExport(researcher, exportId);
  const stored = await db().researchExportFile.findMany({ where: { exportId: row.id }, select: { name: true, content: true } });
  const ndjson = stored.filter((f) => f.name !== CONSENT_SNAPSHOT_FILE);
  const files = checkFiles(row.manifest, ndjson);
  const snapshot = stored.find((f) => f.name === CONSENT_SNAPSHOT_FILE);
  const snapshotHash = snapshot ? sha256Hex(snapshot.content) : null;
  files.push({ name: CONSENT_SNAPSHOT_FILE, expected: row.manifest.consentSnapshot.sha256, actual: snapshotHash, ok: snapshotHash === row.manifest.consentSnapshot.sha256 });
  const recomputed = manifestHash(row.manifest).hash;
  const hashOk = recomputed === row.manifestHash;

  let chain: ExportVerificationDto["chain"] = { state: "not_anchored", root: null, batchNumber: null };
  const batch = row.batch;
  if (batch && batch.status !== "FAILED") {
    const ledger = ledgers().private;
    const batchNumber = batch.batchNumber.toString();
    if (!isOnLedger(ledger, batch)) chain = { state: "unavailable", root: null, batchNumber };
    else {
      try {
        const root = (await readRoots(ledger.clients, [batch.batchNumber])).get(batch.batchNumber) ?? null;
        if (root === null) chain = { state: batch.status === "CONFIRMED" ? "mismatch" : "not_anchored", root: null, batchNumber };
        else chain = { state: root.toLowerCase() === recomputed ? "match" : "mismatch", root, batchNumber };
      } catch {
        chain = { state: "unavailable", root: null, batchNumber };
      }
    }
  }
  const contradicted = !hashOk || files.some((f) => !f.ok) || chain.state === "mismatch";
  const verdict = contradicted ? "tampered" : chain.state === "match" ? "verified" : chain.state === "unavailable" ? "unavailable" : "pending";
  await appendAccessEvent(
    { actor: researcher, action: "research.export_verified", outcome: "ALLOWED", purpose: "RESEARCH", details: { exportId: row.id, verdict } },
    caller.context,
  );
  return { verdict, files, manifestHash: { stored: row.manifestHash, recomputed, ok: hashOk }, chain, checkedAt: new Date().toISOString() };
}

/** The small-cell threshold, for the builder's explanation. */
export function researchMinCell(): number {
  return env().RESEARCH_MIN_CELL;
}
