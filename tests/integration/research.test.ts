// Research cohorts and de-identified exports against real Postgres and a real anvil: consent at query time,
// suppression and the differencing control, Safe Harbor output scanned for every seeded identifier, pseudonym
// stability, and the manifest anchored for real and verified against the chain (in the app and by the sponsor's CLI).
import { execFile } from "node:child_process";
import { hkdfSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { readPublishedTrustAnchors } from "@/lib/dal/trust-anchors";
import { canonicalize } from "@/lib/integrity";
import type { Caller } from "@/lib/dal/caller";
import { searchPatients, getPatientChart } from "@/lib/dal/patients";
import { listAccessLog } from "@/lib/dal/access-log";
import {
  cohortBuilderView,
  countCohort,
  exportCohort,
  exportFileContent,
  exportManifestBundle,
  getCohort,
  getExport,
  ResearchExportRefusedError,
  saveCohort,
  verifyExport,
} from "@/lib/dal/research";
import { patientListQuerySchema } from "@/lib/dto/patients";
import { accessLogQuerySchema } from "@/lib/dto/compliance";
import { anchorEverything } from "@/lib/jobs/anchoring";
import { DEMO_IDENTIFIER_PATIENT, DEMO_PATIENTS, DEMO_WARD_PATIENTS } from "@/lib/jobs/demo-data";
import { DEMO_RESEARCH_PATIENTS } from "@/lib/jobs/demo-research";
import { cohortCriteriaSchema, type CohortCriteria } from "@/lib/research/criteria";
import { pseudonym } from "@/lib/research/deidentify";
import { ledgers } from "@/lib/verification";
import { scanForIdentifiers } from "../support/identifier-scan";
import { asOwner, callerFor, ensureDemo, patientByMrn } from "./helpers";

/** PIPA's record for a pseudonymised release (Art. 28-2, 28-4). */
const PIPA = { purpose: "Outcomes of type 2 diabetes care, 2020-2026", irbApprovalNumber: "IRB-2026-0142", keyCustodian: "Research data office, Kim Data", retainUntil: "2031-12-31" };
const CONFIG = { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
const criteria = (c: Partial<CohortCriteria> = {}): CohortCriteria => cohortCriteriaSchema.parse(c);

let researcher: Caller;
let colleague: Caller;
let doctor: Caller;
let tmp: string;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  await ensureDemo();
  researcher = await callerFor("researcher@demo.chartproof.local");
  doctor = await callerFor("doctor@demo.chartproof.local");
  // A second researcher: released sets are shared across researchers, who may pool what they saw.
  const second = await db().staff.create({ data: { email: "researcher2@research.test", name: "Researcher Two", role: "RESEARCHER", passwordHash: "x" }, select: { id: true } });
  cleanup.push(() => asOwner(`DELETE FROM "Staff" WHERE id = $1`, [second.id]));
  colleague = await callerFor("researcher2@research.test");
  tmp = await mkdtemp(join(tmpdir(), "chartproof-research-"));
});

afterAll(async () => {
  // The app's role may not delete exported files or released sets (they are evidence); the owner removes this file's.
  await asOwner(`DELETE FROM "ResearchExportFile"`);
  await asOwner(`DELETE FROM "ResearchExport"`);
  await asOwner(`DELETE FROM "ResearchCohort"`);
  await asOwner(`DELETE FROM "ResearchQueryRelease"`);
  while (cleanup.length) await cleanup.pop()!();
  await rm(tmp, { recursive: true, force: true });
});

/** The patients' ids the demo admits to general research use (not study-bound, not revoked). */
async function generalResearchPatients(): Promise<string[]> {
  const mrns = [...DEMO_PATIENTS, ...DEMO_WARD_PATIENTS, DEMO_IDENTIFIER_PATIENT, ...DEMO_RESEARCH_PATIENTS].filter((p) => p.research?.kind === "general").map((p) => p.mrn);
  return Promise.all(mrns.map(async (mrn) => (await patientByMrn(mrn)).id));
}

const key = () => Buffer.from(hkdfSync("sha256", env().AUTH_SECRET, "chartproof", "research-pseudonym-v1", 32));
const lines = (content: string) => content.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

async function allFiles(caller: Caller, exportId: string): Promise<{ name: string; content: string }[]> {
  const detail = await getExport(caller, exportId);
  return Promise.all(detail.files.map(async (f) => ({ name: f.name, content: await exportFileContent(caller, exportId, f.name) })));
}

describe("who may do research", () => {
  it("a researcher reaches no chart, no patient list and no access log; a doctor no cohort", async () => {
    const me = await patientByMrn(DEMO_PATIENTS[0]!.mrn);
    await expect(searchPatients(researcher, patientListQuerySchema.parse({}))).rejects.toMatchObject({ name: "AccessDeniedError" });
    await expect(getPatientChart(researcher, me.id)).rejects.toMatchObject({ name: "AccessDeniedError" });
    await expect(listAccessLog(researcher, accessLogQuerySchema.parse({}))).rejects.toMatchObject({ name: "AccessDeniedError" });
    await expect(countCohort(doctor, criteria())).rejects.toMatchObject({ name: "AccessDeniedError" });
  });
});

describe("cohorts, consent and suppression", () => {
  it("counts only patients with an active research consent, logged as research.cohort_counted", async () => {
    const expected = (await generalResearchPatients()).length;
    expect(expected).toBeGreaterThanOrEqual(11);
    const before = await db().accessEvent.count({ where: { action: "research.cohort_counted" } });
    expect(await countCohort(researcher, criteria())).toEqual({ released: true, count: expected });
    const event = await db().accessEvent.findFirstOrThrow({ where: { action: "research.cohort_counted", actorId: researcher.actor.id }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ purpose: "RESEARCH", outcome: "ALLOWED", patientId: null, details: { released: true, count: expected } });
    expect(await db().accessEvent.count({ where: { action: "research.cohort_counted" } })).toBe(before + 1);
  });

  it("the demo's research population answers a condition, an observation and a medication query, each released, each with its code in the look-up", async () => {
    const queries = [
      { criteria: criteria({ conditions: ["44054006"] }), kind: "conditions", code: "44054006" },
      { criteria: criteria({ observations: [{ code: "2089-1" }] }), kind: "observations", code: "2089-1" },
      { criteria: criteria({ medications: ["745679"] }), kind: "medications", code: "745679" },
    ] as const;
    for (const q of queries) {
      const view = await cohortBuilderView(researcher, q.criteria);
      expect(view.count, q.code).toMatchObject({ released: true });
      expect((view.count as { count: number }).count, q.code).toBeGreaterThanOrEqual(env().RESEARCH_MIN_CELL);
      expect(view.codes[q.kind].map((o) => o.value), q.code).toContain(q.code);
    }
  });

  it("suppresses small cells as '< threshold' and records no release for them", async () => {
    // Hypertension is on the problem list of the five front-desk demo patients only; two of them release conditions.
    const releases = await db().researchQueryRelease.count();
    expect(await countCohort(researcher, criteria({ conditions: ["Hypertension"] }))).toEqual({ released: false, threshold: env().RESEARCH_MIN_CELL });
    expect(await db().researchQueryRelease.count()).toBe(releases);
  });

  it("defeats the classic differencing attack: count(A), then count(A and not X), by any researcher", async () => {
    // A: the women with a creatinine result — the ward's and the demo patient's (10000001, whose history has them) — far
    // enough from the whole consented population released above.
    const a = criteria({ observations: [{ code: "2160-0" }], sex: "FEMALE" });
    const countA = await countCohort(researcher, a);
    expect(countA.released).toBe(true);
    // X: the oldest patient in A, removed by an age bound that excludes exactly one person.
    const generalIds = new Set(await generalResearchPatients());
    const withCreatinine = [...DEMO_WARD_PATIENTS.map((p) => p.mrn), DEMO_PATIENTS[0]!.mrn];
    const ward = await db().patient.findMany({ where: { mrn: { in: withCreatinine }, sex: "FEMALE" }, select: { id: true, birthDate: true } });
    const inA = ward.filter((p) => generalIds.has(p.id)).sort((x, y) => x.birthDate.getTime() - y.birthDate.getTime());
    expect(inA.length).toBe((countA as { count: number }).count);
    const now = new Date();
    const age = (d: Date) => now.getUTCFullYear() - d.getUTCFullYear() - (now < new Date(Date.UTC(now.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())) ? 1 : 0);
    const oldest = age(inA[0]!.birthDate);
    expect(age(inA[1]!.birthDate)).toBeLessThan(oldest);
    const aNotX = criteria({ ...a, ageMax: oldest - 1 });
    for (const who of [researcher, colleague]) {
      expect(await countCohort(who, aNotX)).toEqual({ released: false, threshold: env().RESEARCH_MIN_CELL });
    }
    // The same holds for an export: a saved "A and not X" is refused, and the refusal is logged.
    const saved = await saveCohort(colleague, { name: "A minus one", studyId: null, criteria: aNotX });
    await expect(exportCohort(colleague, saved.id, "SAFE_HARBOR")).rejects.toBeInstanceOf(ResearchExportRefusedError);
    expect(await db().accessEvent.findFirstOrThrow({ where: { action: "research.exported", actorId: colleague.actor.id }, orderBy: { seq: "desc" } })).toMatchObject({ outcome: "DENIED" });
    expect(await db().researchExport.count({ where: { cohortId: saved.id } })).toBe(0);
    // A set released before is answered again, to anyone.
    expect((await countCohort(colleague, a)).released).toBe(true);
  });

  it("a study-bound consent counts only for that study's cohorts", async () => {
    const study = await db().researchStudy.findUniqueOrThrow({ where: { code: "CP-DM-2026" }, select: { id: true } });
    const studyOnly = DEMO_WARD_PATIENTS.filter((p) => p.research?.kind === "study");
    const saved = await saveCohort(researcher, { name: "Diabetes study, everyone", studyId: study.id, criteria: criteria() });
    const detail = await getCohort(researcher, saved.id);
    // Differs from the general cohort released above by the study-only patients (fewer than the threshold): suppressed.
    expect(studyOnly.length).toBeLessThan(env().RESEARCH_MIN_CELL);
    expect(detail.current).toEqual({ released: false, threshold: env().RESEARCH_MIN_CELL });
    const snapshot = (await db().researchCohort.findUniqueOrThrow({ where: { id: saved.id }, select: { consentSnapshot: true } })).consentSnapshot as { count: number; sha256: string };
    expect(snapshot.count).toBe((await generalResearchPatients()).length + studyOnly.length);
    expect(detail.snapshot.sha256).toBe(snapshot.sha256);
    expect(detail).not.toHaveProperty("snapshot.count");
    expect(detail.study?.id).toBe(study.id);
  });
});

describe("de-identified exports", () => {
  let everyone: string;

  beforeAll(async () => {
    everyone = (await saveCohort(researcher, { name: "Everyone consented", studyId: null, criteria: criteria() })).id;
  });

  it("Safe Harbor: none of the 18 identifier kinds survives, scanning every output byte and the manifest", async () => {
    const started = performance.now();
    const { exportId } = await exportCohort(researcher, everyone, "SAFE_HARBOR");
    const elapsed = performance.now() - started;
    const files = await allFiles(researcher, exportId);
    const detail = await getExport(researcher, exportId);
    const identifier = await db().patient.findUniqueOrThrow({ where: { mrn: DEMO_IDENTIFIER_PATIENT.mrn }, select: { id: true, records: { select: { id: true } } } });
    const allPatients = await db().patient.findMany({ select: { id: true, mrn: true, name: true, phone: true } });
    const allRecords = await db().medicalRecord.findMany({ select: { id: true } });
    const output = files.map((f) => f.content).join("") + JSON.stringify(detail.manifest);
    const findings = scanForIdentifiers(output, {
      patientIds: allPatients.map((p) => p.id),
      recordIds: allRecords.map((r) => r.id),
      mrns: allPatients.map((p) => p.mrn),
      // Whole names, and each word of them that could identify: other test files name patients "Test Patient 7", whose
      // "Patient" is every export's resource type and whose "7" is any value, so bare numbers and that word are not.
      names: allPatients.flatMap((p) => [p.name, ...p.name.split(" ").filter((word) => /\p{L}/u.test(word) && word !== "Patient")]),
      phones: allPatients.flatMap((p) => (p.phone ? [p.phone] : [])),
    });
    expect(findings).toEqual([]);
    expect(identifier.records.length).toBeGreaterThan(5);
    // The identifier patient is in it, de-identified: 90+, province only; her Coverage was never exported.
    const patients = lines(files.find((f) => f.name === "Patient.ndjson")!.content);
    expect(patients).toHaveLength(detail.manifest.counts.patients);
    expect(patients.filter((p) => p.extension)).toEqual([expect.objectContaining({ extension: [expect.objectContaining({ valueString: "90+" })], address: [{ state: "서울특별시", country: "KR" }] })]);
    expect(files.map((f) => f.name)).not.toContain("Coverage.ndjson");
    expect(detail.manifest).toMatchObject({ mode: "SAFE_HARBOR", safeHarbor: true, deidentification: { linkable: false } });
    console.info(`Safe Harbor export of ${detail.manifest.counts.resources} resources (${detail.manifest.counts.patients} patients) in ${elapsed.toFixed(0)} ms`);
  });

  it("never contains a patient without an active research consent; a revocation excludes the patient from every later export", async () => {
    const first = await exportCohort(researcher, everyone, "PSEUDONYMISED", PIPA);
    const scope = "general";
    const idsIn = async (exportId: string) => new Set(lines(await exportFileContent(researcher, exportId, "Patient.ndjson")).map((p) => p.id as string));
    const general = await generalResearchPatients();
    const present = await idsIn(first.exportId);
    expect(present).toEqual(new Set(general.map((id) => pseudonym({ key: key(), scope }, "Patient", id))));
    const outsiders = await db().patient.findMany({ where: { id: { notIn: general } }, select: { id: true } });
    expect(outsiders.length).toBeGreaterThan(5);
    for (const o of outsiders) expect(present.has(pseudonym({ key: key(), scope }, "Patient", o.id))).toBe(false);

    // The identifier patient revokes: effective at once, for every later export.
    const revoking = await patientByMrn(DEMO_IDENTIFIER_PATIENT.mrn);
    const consent = await db().consent.findFirstOrThrow({ where: { patientId: revoking.id, scope: "RESEARCH" }, select: { id: true } });
    await db().consent.update({ where: { id: consent.id }, data: { revokedAt: new Date() } });
    cleanup.push(() => db().consent.update({ where: { id: consent.id }, data: { revokedAt: null } }));
    const after = await exportCohort(researcher, everyone, "PSEUDONYMISED", PIPA);
    const afterIds = await idsIn(after.exportId);
    expect(afterIds.has(pseudonym({ key: key(), scope }, "Patient", revoking.id))).toBe(false);
    expect(afterIds.size).toBe(present.size - 1);
    expect((await getExport(researcher, after.exportId)).manifest.consentSnapshot.count).toBe(general.length - 1);
  });

  it("a pseudonymised export records PIPA's terms in its anchored manifest, and is refused without them", async () => {
    await expect(exportCohort(researcher, everyone, "PSEUDONYMISED")).rejects.toMatchObject({ code: "pipa_terms_required" });
    const { exportId } = await exportCohort(researcher, everyone, "PSEUDONYMISED", PIPA);
    const { manifest } = await getExport(researcher, exportId);
    expect(manifest.pipa).toEqual({
      legalBasis: expect.stringContaining("Art. 28-2"),
      safeguards: expect.stringContaining("Art. 28-4"),
      ...PIPA,
      destroyOn: PIPA.retainUntil,
    });
    const safeHarbor = await exportCohort(researcher, everyone, "SAFE_HARBOR");
    expect((await getExport(researcher, safeHarbor.exportId)).manifest.pipa).toBeUndefined();
  });

  it("a pseudonymised export repeated gives the same pseudonyms (and the same files)", async () => {
    const one = await exportCohort(researcher, everyone, "PSEUDONYMISED", PIPA);
    const two = await exportCohort(researcher, everyone, "PSEUDONYMISED", PIPA);
    const a = await allFiles(researcher, one.exportId);
    const b = await allFiles(researcher, two.exportId);
    expect(a).toEqual(b);
    expect(one.manifestHash).not.toBe(two.manifestHash); // two exports, two manifests (ids, times)
    const manifest = (await getExport(researcher, one.exportId)).manifest;
    expect(manifest).toMatchObject({ mode: "PSEUDONYMISED", safeHarbor: false, deidentification: { linkable: true } });
    expect(await db().accessEvent.count({ where: { action: "research.exported", outcome: "ALLOWED", details: { path: ["exportId"], equals: one.exportId } } })).toBe(1);
  });

  it("the manifest's hash is anchored as an EXPORT_MANIFEST unit and verifies against the chain; tampering is caught", async () => {
    const { exportId, manifestHash } = await exportCohort(researcher, everyone, "SAFE_HARBOR");
    expect((await verifyExport(researcher, exportId)).verdict).toBe("pending");
    await anchorEverything(ledgers(), CONFIG);
    const detail = await getExport(researcher, exportId);
    expect(detail.anchor.state).toBe("anchored");
    const batch = await db().anchorBatch.findFirstOrThrow({ where: { researchExport: { id: exportId } }, select: { kind: true, root: true, status: true } });
    expect(batch).toMatchObject({ kind: "EXPORT_MANIFEST", root: manifestHash, status: "CONFIRMED" });
    const ok = await verifyExport(researcher, exportId);
    expect(ok).toMatchObject({ verdict: "verified", chain: { state: "match", root: manifestHash }, manifestHash: { ok: true } });
    expect(ok.files.every((f) => f.ok)).toBe(true);

    // An insider edits a stored file: the re-hash no longer matches the manifest.
    const file = await db().researchExportFile.findFirstOrThrow({ where: { exportId, name: "Observation.ndjson" }, select: { id: true, content: true } });
    await asOwner(`UPDATE "ResearchExportFile" SET content = $1 WHERE id = $2`, [file.content.replace(/"value":\d+/, '"value":999'), file.id]);
    expect((await verifyExport(researcher, exportId)).verdict).toBe("tampered");
    await asOwner(`UPDATE "ResearchExportFile" SET content = $1 WHERE id = $2`, [file.content, file.id]);
    // ... or edits the manifest and its hash together: the chain still holds the original.
    const stored = await db().researchExport.findUniqueOrThrow({ where: { id: exportId }, select: { manifest: true, manifestHash: true } });
    const forged = { ...(stored.manifest as object), mode: "PSEUDONYMISED" };
    const { manifestHash: hashOf } = await import("@/lib/research/manifest");
    await asOwner(`UPDATE "ResearchExport" SET manifest = $1, "manifestHash" = $2 WHERE id = $3`, [JSON.stringify(forged), hashOf(forged).hash, exportId]);
    expect(await verifyExport(researcher, exportId)).toMatchObject({ verdict: "tampered", chain: { state: "mismatch" } });
    await asOwner(`UPDATE "ResearchExport" SET manifest = $1, "manifestHash" = $2 WHERE id = $3`, [JSON.stringify(stored.manifest), stored.manifestHash, exportId]);
    expect((await verifyExport(researcher, exportId)).verdict).toBe("verified");
  });

  it("the sponsor's CLI verifies the downloaded bundle and files without the database (0), and refuses a changed file (1)", async () => {
    const { exportId } = await exportCohort(researcher, everyone, "SAFE_HARBOR");
    await anchorEverything(ledgers(), CONFIG);
    const bundle = await exportManifestBundle(researcher, exportId);
    expect(bundle.anchor).not.toBeNull();
    const dir = join(tmp, exportId);
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dir);
    await writeFile(join(dir, "manifest.json"), JSON.stringify(bundle));
    const files = await allFiles(researcher, exportId);
    for (const f of files) await writeFile(join(dir, f.name), f.content);
    const run = async (args: string[]) => {
      try {
        const { stdout } = await promisify(execFile)(join("node_modules", ".bin", "tsx"), ["scripts/verify-manifest.ts", ...args], { timeout: 60_000 });
        return { code: 0, stdout };
      } catch (error) {
        const e = error as { code?: number; stdout?: string };
        return { code: e.code ?? -1, stdout: e.stdout ?? "" };
      }
    };
    const paths = files.map((f) => join(dir, f.name));
    // Pinned to the hospital's published trust anchors (ADR 027); without a pin nothing is VERIFIED.
    const anchorsFile = join(dir, "anchors.json");
    await writeFile(anchorsFile, canonicalize(await readPublishedTrustAnchors()));
    const rpc = [env().LEDGER_RPC_URL, "--anchors", anchorsFile];
    const good = await run([join(dir, "manifest.json"), ...paths, "--rpc", ...rpc]);
    expect(good.code, good.stdout).toBe(0);
    expect(good.stdout).toContain("VERIFIED");
    expect(good.stdout).toMatch(/\[ok {2}\] pinned: chain and contract, runtime code hash, writer authorised at that block/);
    expect((await run([join(dir, "manifest.json"), ...paths, "--rpc", env().LEDGER_RPC_URL])).code).toBe(2); // nothing pinned
    await writeFile(paths[0]!, files[0]!.content + "\n");
    expect((await run([join(dir, "manifest.json"), ...paths, "--rpc", ...rpc])).code).toBe(1);
    expect((await run([join(dir, "manifest.json"), "--rpc", ...rpc])).code).toBe(1); // files missing
    expect((await run([paths[1]!, "--rpc", ...rpc])).code).toBe(2); // not a bundle
  });

  it("a researcher sees only their own cohorts and exports", async () => {
    await expect(getCohort(colleague, everyone)).rejects.toMatchObject({ name: "AccessDeniedError" });
    const { exportId } = await exportCohort(researcher, everyone, "SAFE_HARBOR");
    await expect(getExport(colleague, exportId)).rejects.toMatchObject({ name: "AccessDeniedError" });
    await expect(exportFileContent(researcher, exportId, "consent-snapshot.json")).rejects.toMatchObject({ name: "AccessDeniedError" });
    await expect(exportFileContent(researcher, exportId, "../x.ndjson")).rejects.toMatchObject({ name: "AccessDeniedError" });
  });
});
