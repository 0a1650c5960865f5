import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { createPatient } from "@/lib/jobs/patient-identity";
import { AccessDeniedError, type Caller } from "@/lib/dal/caller";
import { approvePrivilegedRequest, rejectPrivilegedRequest, requestPrivileged } from "@/lib/dal/privileged-requests";
import { RecordEraseRuleError, listRecordErasures } from "@/lib/dal/record-erasure";
import { exportRecordProof, getRecordProof } from "@/lib/dal/record-proof";
import { exportOwnRecords } from "@/lib/dal/own-records";
import { loadVerifiedRecords } from "@/lib/dal/verified-records";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { createRecords } from "@/lib/jobs/create-records";
import { reconcileWithChains } from "@/lib/jobs/reconcile";
import { sweepAllRecords } from "@/lib/jobs/sweep";
import { canonicalize } from "@/lib/integrity/canonical-json";
import { isErasedProof, reasonSha256, TOMBSTONE_FORMAT, tombstoneBytes, type ErasedProof } from "@/lib/integrity/tombstone";
import { forgetCachedRoots, ledgers } from "@/lib/verification";
import { formatErasedReport, main as verifyProofCli, verifyErasedProof, verifyRecordExport } from "@/scripts/verify-proof";
import { parseRecordExport } from "@/lib/integrity/record-export";
import { asOwner, callerFor, ensureDemo } from "./helpers";

/*
 * Lawful erasure by an anchored tombstone (issue #15; docs/decisions/016-database-refuses-to-rewrite-history.md,
 * "Erasure"). A compliance officer requests, an administrator approves; the database alone destroys the content,
 * bytes and salt, through its owner's function, and only on such a request; every check then says `erased`.
 * Tried with the very connections the app uses: the web tier's role and the worker's role.
 */

const stack = inject("stack");
const TIERS = ["web", "worker"] as const;
const config: AnchoringConfig = { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
const REFUSED = /permission denied|history is append-only/;
const COMPLIANCE = "compliance@demo.chartproof.local";
const ADMIN = "admin@demo.chartproof.local";
const DOCTOR = "doctor@demo.chartproof.local";
const rpc = () => ({ rpcUrl: stack.private.rpcUrl });

let patientId: string;
let officer: Caller;
let admin: Caller;
let consentId: string;

beforeAll(async () => {
  await ensureDemo();
  // A patient of this file's own, with the demo doctor's consent: the demo patients' records are other files' expectations.
  patientId = (
    await createPatient({ mrn: `ER-${Date.now()}`, name: "Erasure Patient", birthDate: new Date("1980-01-01T00:00:00Z"), sex: "UNKNOWN" })
  ).id;
  const doctor = await db().staff.findUniqueOrThrow({ where: { email: DOCTOR }, select: { id: true } });
  consentId = (await db().consent.create({ data: { patientId, granteeStaffId: doctor.id, scope: "TREATMENT", recordClasses: [] }, select: { id: true } })).id;
  officer = await callerFor(COMPLIANCE);
  admin = await callerFor(ADMIN);
});

// Other files count the demo doctor's consented patients: this file's consent ends with it.
afterAll(async () => {
  await db().consent.update({ where: { id: consentId }, data: { revokedAt: new Date() } });
});

async function anchoredRecord(label: string): Promise<string> {
  const [id] = await createRecords(
    [{ patientId, resourceType: "Condition", resource: { resourceType: "Condition", code: { text: `Misfiled diagnosis (${label})` } }, recordedAt: new Date(), source: "CLINICIAN" }],
    "SYSTEM",
    { ip: null, requestId: null },
  );
  await anchorEverything(ledgers(), config);
  return id!;
}

async function requestErase(recordId: string, reason = "Patient's written request no. 2026-117, identity checked at the desk") {
  const outcome = await requestPrivileged(officer, { kind: "RECORD_ERASE", recordId, legalBasis: "PIPA_ART36_REQUEST", reason });
  if (outcome.status !== "pending") throw new Error("an erasure must wait for its approver");
  return outcome.requestId;
}

async function connect(tier: (typeof TIERS)[number]): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: tier === "web" ? stack.webDatabaseUrl : stack.workerDatabaseUrl });
  await client.connect();
  return client;
}

async function attempt(tier: (typeof TIERS)[number], statement: string, values: unknown[] = []): Promise<string | null> {
  const client = await connect(tier);
  try {
    await client.query("BEGIN");
    await client.query(statement, values);
    await client.query("ROLLBACK");
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end();
  }
}

function row(id: string) {
  return db().medicalRecord.findUniqueOrThrow({ where: { id }, select: { resource: true, canonical: true, salt: true, commitment: true, status: true, batchId: true } });
}

describe("the lawful path: requested by compliance, approved by an administrator", () => {
  let recordId: string;
  let before: Awaited<ReturnType<typeof row>>;
  let requestId: string;

  it("nothing is erased by the request; the approval destroys content, bytes and salt and keeps the commitment and leaf", async () => {
    recordId = await anchoredRecord("lawful");
    before = await row(recordId);
    requestId = await requestErase(recordId);
    expect(await row(recordId)).toEqual(before);
    // Neither may do the other's part: the officer cannot approve, the administrator cannot request.
    await expect(approvePrivilegedRequest(officer, requestId)).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(requestPrivileged(admin, { kind: "RECORD_ERASE", recordId, legalBasis: "COURT_ORDER", reason: "an administrator alone" })).rejects.toBeInstanceOf(AccessDeniedError);
    // A second request for the same record waits behind the first.
    await expect(requestErase(recordId)).rejects.toMatchObject({ code: "erase_pending" });

    const result = await approvePrivilegedRequest(admin, requestId);
    expect(result).toMatchObject({ kind: "RECORD_ERASE", recordId });
    const after = await row(recordId);
    expect(after).toEqual({ resource: {}, canonical: null, salt: "", commitment: before.commitment, status: "ANCHORED", batchId: before.batchId });

    const tombstone = await db().recordTombstone.findUniqueOrThrow({ where: { recordId } });
    const statement = JSON.parse(Buffer.from(tombstone.statement).toString("utf8")) as Record<string, unknown>;
    const staff = await db().staff.findMany({ where: { email: { in: [COMPLIANCE, ADMIN] } }, select: { id: true, email: true } });
    const idOf = (email: string) => staff.find((s) => s.email === email)!.id;
    expect(statement).toMatchObject({
      format: TOMBSTONE_FORMAT,
      recordId,
      commitment: before.commitment,
      requestId,
      requestedById: idOf(COMPLIANCE),
      approvedById: idOf(ADMIN),
      legalBasis: "PIPA_ART36_REQUEST",
      reasonSha256: reasonSha256("Patient's written request no. 2026-117, identity checked at the desk"),
    });
    expect(tombstone.statementHash).toBe(result.kind === "RECORD_ERASE" ? result.statementHash : null);

    // Every step is in the access log, and the database itself raised the alert.
    const events = await db().accessEvent.findMany({
      where: { OR: [{ details: { path: ["requestId"], equals: requestId } }] },
      orderBy: { seq: "asc" },
      select: { action: true, actorId: true, patientId: true },
    });
    expect(events.map((e) => e.action)).toEqual(["privileged_request.created", "record.erased", "privileged_request.approved"]);
    expect(events.find((e) => e.action === "record.erased")).toMatchObject({ actorId: idOf(ADMIN), patientId });
    expect(await db().alert.count({ where: { kind: "record.erased", details: { path: ["recordId"], equals: recordId } } })).toBe(1);
  });

  it("the worker anchors the tombstone as its own unit; the chain holds the statement's hash", async () => {
    await anchorEverything(ledgers(), config);
    const tombstone = await db().recordTombstone.findUniqueOrThrow({ where: { recordId }, select: { statementHash: true, batch: { select: { kind: true, status: true, root: true, batchNumber: true } } } });
    expect(tombstone.batch).toMatchObject({ kind: "TOMBSTONE", status: "CONFIRMED", root: tombstone.statementHash });
    const { readRoots } = await import("@/lib/ledger");
    const onChain = await readRoots(ledgers().private.clients, [tombstone.batch!.batchNumber]);
    expect(onChain.get(tombstone.batch!.batchNumber)?.toLowerCase()).toBe(tombstone.statementHash);
  });

  it("every check accepts it as erased: chart, record page, proof.json, sweep, reconcile, verify-proof, the patient's export", async () => {
    forgetCachedRoots();
    expect((await loadVerifiedRecords(patientId)).find((r) => r.id === recordId)).toMatchObject({ verification: "erased", summary: null });

    const page = await getRecordProof(await callerFor(DOCTOR), patientId, recordId);
    expect(page.record).toMatchObject({ verification: "erased", resource: null, summary: null });
    expect(page.erasure).toMatchObject({ legalBasis: "PIPA_ART36_REQUEST" });
    expect(page.exportable).toBe(true);

    const proof = JSON.parse(JSON.stringify(await exportRecordProof(await callerFor(DOCTOR), patientId, recordId))) as ErasedProof;
    expect(isErasedProof(proof)).toBe(true);
    expect(JSON.stringify(proof)).not.toMatch(/Misfiled diagnosis|"salt"|"resource"/);
    // Pinned by hand to the configured contract (ADR 027): nothing is proven without a pin.
    const checked = await verifyErasedProof(proof, { ...rpc(), pins: { kind: "contracts", private: stack.private.contractAddress.toLowerCase(), public: null } });
    expect(checked.levels).toEqual({ statement: "ok", leafPath: "ok", leafAnchor: "ok", tombstoneAnchor: "ok" });
    expect(formatErasedReport(proof, checked)).toMatch(/ERASED LAWFULLY/);
    // The outsider's command on the downloaded file: exit 0, "ERASED LAWFULLY", no content.
    const dir = await mkdtemp(join(tmpdir(), "chartproof-erased-"));
    try {
      const file = join(dir, "proof.json");
      await writeFile(file, JSON.stringify(proof));
      let printed = "";
      const out = { write: (text: string) => ((printed += text), true) } as unknown as typeof process.stdout;
      expect(await verifyProofCli([file, "--rpc", stack.private.rpcUrl, "--contract", stack.private.contractAddress], out, out as unknown as typeof process.stderr)).toBe(0);
      expect(printed).toMatch(/ERASED LAWFULLY/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // A statement edited in the file no longer matches what the chain holds.
    const forged = { ...proof, tombstone: { ...proof.tombstone, statement: { ...proof.tombstone.statement, legalBasis: "COURT_ORDER" as const } } };
    expect((await verifyErasedProof(forged, rpc())).ok).toBe(false);

    const sweep = await sweepAllRecords();
    expect(sweep.erased).toBeGreaterThanOrEqual(1);
    expect(await db().alert.count({ where: { kind: "integrity.record_tampered", details: { path: ["recordId"], equals: recordId } } })).toBe(0);

    const reconcile = await reconcileWithChains(ledgers());
    expect(reconcile.batches).toMatchObject({ missing: [], mismatched: [] });

    // The patient's own export: the erased entry has no content, and verify-proof accepts it.
    const patientCaller: Caller = { actor: { kind: "PATIENT", id: patientId, patientId, name: "Erasure Patient", email: "erasure@example.kr" }, context: { ip: "127.0.0.1", requestId: "test" } };
    const exported = JSON.parse(JSON.stringify(await exportOwnRecords(patientCaller))) as unknown;
    expect(JSON.stringify(exported)).not.toContain("Misfiled diagnosis (lawful)");
    const parsed = parseRecordExport(exported);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.entries.find((e) => e.recordId === recordId)).toMatchObject({ state: "erased" });
    const report = await verifyRecordExport(parsed.entries, rpc());
    expect(report).toMatchObject({ failed: [], ok: true });
    expect(report.erased).toBeGreaterThanOrEqual(1);
  });

  it("the compliance officer's list shows the request, its approver and the anchored tombstone, logged", async () => {
    const list = await listRecordErasures(officer);
    expect(list.find((e) => e.requestId === requestId)).toMatchObject({ recordId, status: "APPROVED", tombstone: { unit: { status: "CONFIRMED" } } });
    expect(await db().accessEvent.count({ where: { action: "record_erasures.viewed", actorId: officer.actor.id } })).toBeGreaterThanOrEqual(1);
    await expect(listRecordErasures(admin)).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it("an erased record is erased once: a second request and a restore of its content are refused", async () => {
    await expect(requestErase(recordId)).rejects.toMatchObject({ code: "record_already_erased" });
    for (const tier of TIERS) {
      expect(await attempt(tier, `UPDATE "MedicalRecord" SET "canonical" = convert_to('{"resourceType":"Condition"}', 'UTF8') WHERE id = $1`, [recordId]), tier).toMatch(REFUSED);
      expect(await attempt(tier, `UPDATE "RecordTombstone" SET "legalBasis" = 'COURT_ORDER' WHERE "recordId" = $1`, [recordId]), tier).toMatch(REFUSED);
      expect(await attempt(tier, `DELETE FROM "RecordTombstone" WHERE "recordId" = $1`, [recordId]), tier).toMatch(REFUSED);
    }
  });
});

describe.each(TIERS)("as the %s tier's role: content is destroyed only through an approved tombstone", (tier) => {
  it("blanking content, bytes or salt directly is refused, and so is writing a tombstone", async () => {
    const recordId = await anchoredRecord(`direct, ${tier}`);
    expect(await attempt(tier, `UPDATE "MedicalRecord" SET resource = '{}'::jsonb, "canonical" = NULL, salt = '' WHERE id = $1`, [recordId])).toMatch(REFUSED);
    expect(await attempt(tier, `UPDATE "MedicalRecord" SET "canonical" = NULL WHERE id = $1`, [recordId])).toMatch(REFUSED);
    const { bytes, hash } = tombstoneBytes({
      format: TOMBSTONE_FORMAT,
      recordId,
      commitment: (await row(recordId)).commitment,
      requestId: recordId,
      requestedById: officer.actor.id,
      approvedById: admin.actor.id,
      legalBasis: "COURT_ORDER",
      reasonSha256: reasonSha256("no request"),
      erasedAt: new Date().toISOString(),
    });
    expect(
      await attempt(
        tier,
        `INSERT INTO "RecordTombstone" ("recordId", "requestId", commitment, "legalBasis", reason, "requestedById", "approvedById", "erasedAt", statement, "statementHash")
         SELECT id, id, commitment, 'COURT_ORDER', 'no request', $2, $3, now(), $4, $5 FROM "MedicalRecord" WHERE id = $1`,
        [recordId, officer.actor.id, admin.actor.id, bytes, hash],
      ),
    ).toMatch(/permission denied/);
    // Even the owner, triggers on, cannot blank it without a tombstone.
    await expect(asOwner(`UPDATE "MedicalRecord" SET resource = '{}'::jsonb, "canonical" = NULL, salt = '' WHERE id = $1`, [recordId], { triggers: true })).rejects.toThrow(/history is append-only/);
  });

  it("the erasing function refuses a request that is not approved, and a statement that does not match the request", async () => {
    const recordId = await anchoredRecord(`function, ${tier}`);
    const requestId = await requestErase(recordId, `Court order 2026-가합-${tier}, received by the privacy office`);
    const request = await db().privilegedRequest.findUniqueOrThrow({ where: { id: requestId }, select: { requestedById: true } });
    const statementFor = (erasedAt: Date, approvedById: string, legalBasis: "PIPA_ART36_REQUEST" | "COURT_ORDER" = "PIPA_ART36_REQUEST") =>
      tombstoneBytes({
        format: TOMBSTONE_FORMAT,
        recordId,
        commitment: "0x" + "00".repeat(32),
        requestId,
        requestedById: request.requestedById,
        approvedById,
        legalBasis,
        reasonSha256: reasonSha256(`Court order 2026-가합-${tier}, received by the privacy office`),
        erasedAt: erasedAt.toISOString(),
      }).bytes;
    // Still pending: refused.
    expect(await attempt(tier, `SELECT chartproof_erase_record($1::uuid, $2)`, [requestId, statementFor(new Date(), admin.actor.id)])).toMatch(REFUSED);
    const client = await connect(tier);
    try {
      await client.query("BEGIN");
      const decidedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      // As a compromised tier could write it: "approved" by an administrator, with a statement that is not the request's.
      await client.query(`UPDATE "PrivilegedRequest" SET status = 'APPROVED', "decidedById" = $2, "decidedAt" = $3 WHERE id = $1`, [requestId, admin.actor.id, decidedAt]);
      await client.query("SAVEPOINT s");
      await expect(client.query(`SELECT chartproof_erase_record($1::uuid, $2)`, [requestId, statementFor(decidedAt, admin.actor.id)])).rejects.toThrow(/does not match/);
      await client.query("ROLLBACK TO SAVEPOINT s");
      await expect(client.query(`SELECT chartproof_erase_record($1::uuid, $2)`, [requestId, Buffer.from("not json")])).rejects.toThrow(REFUSED);
    } finally {
      await client.query("ROLLBACK").catch(() => {});
      await client.end();
    }
    expect((await row(recordId)).salt).not.toBe("");
    await rejectPrivilegedRequest(officer, requestId);
  });
});

describe.each(TIERS)("as the %s tier's role: the approval's own call", (tier) => {
  it("erases through chartproof_erase_record, and only the three columns, with the statement the approval builds", async () => {
    const recordId = await anchoredRecord(`approval call, ${tier}`);
    const reason = `Court order 2026-가합-${tier}-2, received by the privacy office`;
    const requestId = await requestErase(recordId, reason);
    const before = await row(recordId);
    const client = await connect(tier);
    try {
      await client.query("BEGIN");
      const decidedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      // What approvePrivilegedRequest's claim writes, then what executeRecordErase calls, on this role's connection.
      await client.query(`UPDATE "PrivilegedRequest" SET status = 'APPROVED', "decidedById" = $2, "decidedAt" = $3 WHERE id = $1`, [requestId, admin.actor.id, decidedAt]);
      const { bytes, hash } = tombstoneBytes({
        format: TOMBSTONE_FORMAT,
        recordId,
        commitment: before.commitment,
        requestId,
        requestedById: officer.actor.id,
        approvedById: admin.actor.id,
        legalBasis: "PIPA_ART36_REQUEST",
        reasonSha256: reasonSha256(reason),
        erasedAt: decidedAt.toISOString(),
      });
      const erased = await client.query(`SELECT chartproof_erase_record($1::uuid, $2) AS hash`, [requestId, bytes]);
      expect(erased.rows[0]).toEqual({ hash });
      const after = await client.query(`SELECT resource, "canonical", salt, commitment, status FROM "MedicalRecord" WHERE id = $1`, [recordId]);
      expect(after.rows[0]).toEqual({ resource: {}, canonical: null, salt: "", commitment: before.commitment, status: "ANCHORED" });
    } finally {
      // Rolled back: this test shows the role's path, not another erased record.
      await client.query("ROLLBACK").catch(() => {});
      await client.end();
    }
    await rejectPrivilegedRequest(officer, requestId);
  });
});

describe("what only an owner past the triggers can do is shown as tampered, never erased", () => {
  it("content blanked without a tombstone is tampered", async () => {
    const recordId = await anchoredRecord("owner blanks");
    const before = await db().medicalRecord.findUniqueOrThrow({ where: { id: recordId }, select: { resource: true, canonical: true, salt: true } });
    await asOwner(`UPDATE "MedicalRecord" SET resource = '{}'::jsonb, "canonical" = NULL, salt = '' WHERE id = $1`, [recordId]);
    try {
      forgetCachedRoots();
      expect((await loadVerifiedRecords(patientId)).find((r) => r.id === recordId)).toMatchObject({ verification: "tampered" });
    } finally {
      await asOwner(`UPDATE "MedicalRecord" SET resource = $2::jsonb, "canonical" = $3, salt = $4 WHERE id = $1`, [recordId, JSON.stringify(before.resource), before.canonical, before.salt]);
    }
  });

  it("a tombstone whose statement was edited is tampered", async () => {
    const recordId = await anchoredRecord("owner edits tombstone");
    await approvePrivilegedRequest(admin, await requestErase(recordId, "Misfiled: belongs to another patient with the same name"));
    const tombstone = await db().recordTombstone.findUniqueOrThrow({ where: { recordId }, select: { statement: true } });
    const statement = JSON.parse(Buffer.from(tombstone.statement).toString("utf8")) as Record<string, unknown>;
    await asOwner(`UPDATE "RecordTombstone" SET statement = $2 WHERE "recordId" = $1`, [recordId, Buffer.from(canonicalize({ ...statement, legalBasis: "COURT_ORDER" }), "utf8")]);
    try {
      forgetCachedRoots();
      expect((await loadVerifiedRecords(patientId)).find((r) => r.id === recordId)).toMatchObject({ verification: "tampered" });
    } finally {
      await asOwner(`UPDATE "RecordTombstone" SET statement = $2 WHERE "recordId" = $1`, [recordId, tombstone.statement]);
    }
    forgetCachedRoots();
    expect((await loadVerifiedRecords(patientId)).find((r) => r.id === recordId)).toMatchObject({ verification: "erased" });
  });

  it("a pending record cannot be erased: its commitment must be on chain first", async () => {
    const [id] = await createRecords(
      [{ patientId, resourceType: "Condition", resource: { resourceType: "Condition", code: { text: "pending" } }, recordedAt: new Date(), source: "CLINICIAN" }],
      "SYSTEM",
      { ip: null, requestId: null },
    );
    await expect(requestErase(id!)).rejects.toBeInstanceOf(RecordEraseRuleError);
    await anchorEverything(ledgers(), config);
  });
});
