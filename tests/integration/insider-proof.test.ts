import { spawn } from "node:child_process";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db";
import { GENESIS_HASH, hashAccessEvent } from "@/lib/audit/event-hash";
import { loadVerifiedRecords } from "@/lib/dal/verified-records";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { createRecords } from "@/lib/jobs/create-records";
import { announceWorkerDatabaseRole, databaseRoleStanding, databaseRoleWarning } from "@/lib/jobs/database-role";
import { computeCommitment } from "@/lib/integrity";
import { forgetCachedRoots, ledgers } from "@/lib/verification";
import { asOwner, ensureDemo } from "./helpers";

/*
 * Insider-proof, part 1 (issue #15; docs/threat-model.md): what the database itself refuses, tried with the very
 * connections the app uses — the web tier's role and the worker's role — and what the worker and the checks do about
 * what only the owner (past the triggers) can still do.
 */

const stack = inject("stack");
const TIERS = ["web", "worker"] as const;
type Tier = (typeof TIERS)[number];
const config: AnchoringConfig = { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
const REFUSED = /permission denied|history is append-only|duplicate key value violates unique constraint "AccessEvent_record_created_key"/;

let patientId: string;
const restore: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  await ensureDemo();
  // A patient of this file's own: the demo patients' record counts are other files' expectations.
  patientId = (
    await db().patient.create({ data: { mrn: `IP-${Date.now()}`, name: "Insider Proof", birthDate: new Date("1970-01-01T00:00:00Z"), sex: "UNKNOWN" }, select: { id: true } })
  ).id;
});

afterEach(async () => {
  while (restore.length) await restore.pop()!();
  forgetCachedRoots();
});

async function connect(tier: Tier): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: tier === "web" ? stack.webDatabaseUrl : stack.workerDatabaseUrl });
  await client.connect();
  return client;
}

/** One statement as `tier`; resolves to the error message, or null when the database accepted it. */
async function attempt(tier: Tier, statement: string, values: unknown[] = []): Promise<string | null> {
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

async function anchoredRecord(label: string) {
  const [id] = await createRecords(
    [{ patientId, resourceType: "Condition", resource: { resourceType: "Condition", code: { text: `Hypertension (${label})` } }, recordedAt: new Date(), source: "CLINICIAN" }],
    "SYSTEM",
    { ip: null, requestId: null },
  );
  await anchorEverything(ledgers(), config);
  return db().medicalRecord.findUniqueOrThrow({
    where: { id: id! },
    select: {
      id: true,
      patientId: true,
      resourceType: true,
      recordedAt: true,
      resource: true,
      source: true,
      supersedesId: true,
      identityVersion: true,
      salt: true,
      commitment: true,
      status: true,
      batchId: true,
      leafIndex: true,
      proof: true,
    },
  });
}

describe.each(TIERS)("as the %s tier's role", (tier) => {
  it("connects as its own restricted role, neither owner nor superuser", async () => {
    const client = await connect(tier);
    try {
      const { rows } = await client.query<{ user: string; superuser: boolean; owner: boolean }>(
        `SELECT current_user AS user, r.rolsuper AS superuser, t.tableowner = current_user AS owner
         FROM pg_roles r, pg_tables t WHERE r.rolname = current_user AND t.tablename = 'MedicalRecord'`,
      );
      expect(rows[0]).toEqual({ user: stack.roles[tier], superuser: false, owner: false });
    } finally {
      await client.end();
    }
  });

  it("the forged-creation transaction is refused: a second hash-chained record.created for an anchored id", async () => {
    const record = await anchoredRecord(`forged creation, ${tier}`);
    const forged = { resourceType: "Condition", code: { text: "No known conditions" } };
    const commitment = computeCommitment({ ...record, recipe: 2, recordId: record.id, resource: forged }, record.salt);
    const client = await connect(tier);
    try {
      await client.query("BEGIN");
      // A correctly chained event, as lib/audit appends one: the chain's head under its lock, the next seq, the hash.
      const head = (await client.query(`SELECT chain, seq, "lastChainSeq", "lastHash" FROM audit_lock_chain(0, 16, ${0x43_50_41_45})`)).rows[0] as {
        chain: number;
        seq: string;
        lastChainSeq: string | null;
        lastHash: string | null;
      };
      const fields = {
        seq: BigInt(head.seq),
        chain: head.chain,
        chainSeq: BigInt(head.lastChainSeq ?? 0) + 1n,
        occurredAt: new Date(),
        actorKind: "SYSTEM" as const,
        actorId: null,
        actorRole: null,
        action: "record.created",
        patientId,
        outcome: "ALLOWED" as const,
        purpose: "OPERATIONS",
        ip: null,
        requestId: null,
        details: { recordId: record.id, commitment, resourceType: "Condition", source: "CLINICIAN" },
        prevHash: head.lastHash ?? GENESIS_HASH,
      };
      const insert = client.query(
        `INSERT INTO "AccessEvent" (seq, chain, "chainSeq", "occurredAt", "actorKind", action, "patientId", outcome, purpose, details, "prevHash", hash)
         VALUES ($1, $2, $3, $4, 'SYSTEM', 'record.created', $5, 'ALLOWED', 'OPERATIONS', $6, $7, $8)`,
        [fields.seq.toString(), fields.chain, fields.chainSeq.toString(), fields.occurredAt, patientId, JSON.stringify(fields.details), fields.prevHash, hashAccessEvent(fields)],
      );
      await expect(insert).rejects.toThrow(/AccessEvent_record_created_key/);
    } finally {
      await client.query("ROLLBACK").catch(() => {});
      await client.end();
    }
    // The other steps of that transaction, each on its own, are refused too.
    expect(await attempt(tier, `UPDATE "MedicalRecord" SET resource = $1, commitment = $2 WHERE id = $3`, [JSON.stringify(forged), commitment, record.id])).toMatch(REFUSED);
    expect(await attempt(tier, `UPDATE "MedicalRecord" SET status = 'PENDING', "batchId" = NULL, "leafIndex" = NULL, proof = NULL WHERE id = $1`, [record.id])).toMatch(REFUSED);
    expect(await db().medicalRecord.findUniqueOrThrow({ where: { id: record.id }, select: { commitment: true, status: true } })).toEqual({ commitment: record.commitment, status: "ANCHORED" });
  });

  it.each([
    ["resource", `'{"resourceType":"Condition"}'::jsonb`],
    ["salt", `'0x${"ab".repeat(32)}'`],
    ["commitment", `'0x${"cd".repeat(32)}'`],
    ["patientId", `(SELECT id FROM "Patient" WHERE mrn = '10000002')`],
    ["recordedAt", `now()`],
    ["source", `'SEED'`],
    ["resourceType", `'Observation'`],
  ])("a committed column (%s) never changes", async (column, value) => {
    const record = await db().medicalRecord.findFirstOrThrow({ where: { patientId, status: "ANCHORED" }, select: { id: true } });
    expect(await attempt(tier, `UPDATE "MedicalRecord" SET "${column}" = ${value} WHERE id = $1`, [record.id])).toMatch(REFUSED);
  });

  it("an anchored record's status, batch, leaf and proof never regress", async () => {
    const record = await db().medicalRecord.findFirstOrThrow({ where: { patientId, status: "ANCHORED" }, select: { id: true } });
    const other = await db().anchorBatch.findFirstOrThrow({ where: { status: "CONFIRMED", kind: "RECORDS", records: { none: { id: record.id } } }, select: { id: true } });
    for (const set of [`status = 'PENDING'`, `"batchId" = '${other.id}'`, `"leafIndex" = "leafIndex" + 1000`, `proof = '[["forged"]]'::jsonb`]) {
      expect(await attempt(tier, `UPDATE "MedicalRecord" SET ${set} WHERE id = $1`, [record.id]), set).toMatch(REFUSED);
    }
  });

  it.each(["MedicalRecord", "AccessEvent", "AuditSeal", "RecordUpload", "Alert", "AnchorBatch", "Checkpoint", "AnchoredLeaf", "AnchoringRefusal"])("no %s row is deleted or truncated", async (table) => {
    expect(await attempt(tier, `DELETE FROM "${table}"`)).toMatch(REFUSED);
    expect(await attempt(tier, `TRUNCATE "${table}" CASCADE`)).toMatch(REFUSED);
  });

  it("alerts: only the review columns change, and a review stays", async () => {
    const id = (await asOwner(`INSERT INTO "Alert" (id, kind, severity, details) VALUES (gen_random_uuid(), 'test.insider', 'CRITICAL', '{"n":1}') RETURNING id`)).rows[0]!.id as string;
    for (const set of [`kind = 'test.quiet'`, `severity = 'INFO'`, `details = '{}'::jsonb`, `"createdAt" = now() - interval '1 year'`]) {
      expect(await attempt(tier, `UPDATE "Alert" SET ${set} WHERE id = $1`, [id]), set).toMatch(REFUSED);
    }
    const client = await connect(tier);
    try {
      await client.query(`UPDATE "Alert" SET "reviewedAt" = now(), "resolvedAt" = now(), "reviewNote" = 'looked at' WHERE id = $1`, [id]);
    } finally {
      await client.end();
    }
    expect(await attempt(tier, `UPDATE "Alert" SET "resolvedAt" = NULL, "reviewedAt" = NULL WHERE id = $1`, [id])).toMatch(REFUSED);
  });

  it("anchor and checkpoint rows: what was sent never changes; only the worker writes them", async () => {
    const batch = await db().anchorBatch.findFirstOrThrow({ where: { status: "CONFIRMED" }, select: { id: true, checkpointId: true } });
    expect(await attempt(tier, `UPDATE "AnchorBatch" SET root = $1 WHERE id = $2`, [`0x${"55".repeat(32)}`, batch.id])).toMatch(REFUSED);
    expect(await attempt(tier, `UPDATE "AnchorBatch" SET status = 'FAILED' WHERE id = $1`, [batch.id])).toMatch(REFUSED);
    expect(await attempt(tier, `UPDATE "Checkpoint" SET status = 'PREPARED' WHERE id = $1`, [batch.checkpointId])).toMatch(REFUSED);
    const insert = `INSERT INTO "AnchorBatch" (id, "chainId", "contractAddress", "batchNumber", root, "recordCount") VALUES (gen_random_uuid(), 1, '0x0', 999999999, '0x00', 1)`;
    if (tier === "web") expect(await attempt(tier, insert)).toMatch(/permission denied/);
    else expect(await attempt(tier, insert)).toBeNull();
  });
});

describe("the tiers' roles", () => {
  it("are never the owner or a superuser: recording one as a tier is refused", async () => {
    await expect(asOwner(`SELECT chartproof_set_roles(current_user, $1)`, [stack.roles.worker], { triggers: true })).rejects.toThrow(/neither the owner nor a superuser/);
    expect((await asOwner(`SELECT tier, role FROM "_chartproof_roles" ORDER BY tier`)).rows).toEqual([
      { tier: "web", role: stack.roles.web },
      { tier: "worker", role: stack.roles.worker },
    ]);
  });
});

/** Starts the web server (`npm run start:prod`'s entry) with this database URL and returns what it printed first. */
function webServerStartup(databaseUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(process.cwd(), "scripts", "web-server.ts")], {
      // Nothing is served here; the role is checked before Next is even loaded.
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const done = () => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      resolve(output);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`web server printed no database role within 30 s:\n${output}`));
    }, 30_000);
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        if (/database role|RUNS AS THE DATABASE/.test(output)) done();
      });
    }
    child.on("exit", () => done());
  });
}

describe("start-up says who each tier is in the database", () => {
  it("the web server (npm start, start:prod) shouts when it runs as the owner, and not as its own role", async () => {
    expect(await webServerStartup(stack.ownerDatabaseUrl)).toMatch(/!!! THE WEB TIER RUNS AS THE DATABASE (OWNER|SUPERUSER)/);
    const restricted = await webServerStartup(stack.webDatabaseUrl);
    expect(restricted).toContain(`database role ${stack.roles.web}: restricted`);
    expect(restricted).not.toMatch(/!!!/);
  });

  it("the worker shouts and leaves a critical alert for the integrity page when unrestricted; as its own role, neither", async () => {
    expect(databaseRoleWarning("worker", { user: "postgres", superuser: true, owner: true, mayAnchor: true })).toMatch(/!!! THE WORKER RUNS AS THE DATABASE SUPERUSER/);
    expect(databaseRoleWarning("worker", { user: "x", superuser: false, owner: false, mayAnchor: false })).toMatch(/may not write anchors/);
    expect(await announceWorkerDatabaseRole()).toMatchObject({ user: stack.roles.worker, superuser: false, owner: false });
    expect(await db().alert.count({ where: { kind: "database.worker_unrestricted" } })).toBe(0);
  });
});

describe("the worker's own path", () => {
  it("reports its own standing: a restricted role that may anchor (the integrity page and start-up shout otherwise)", async () => {
    expect(await databaseRoleStanding()).toEqual({ user: stack.roles.worker, superuser: false, owner: false, mayAnchor: true });
  });

  it("only the worker's role moves a record forward; its forward move still works and registers the leaf", async () => {
    const [id] = await createRecords(
      [{ patientId, resourceType: "Observation", resource: { resourceType: "Observation", status: "final", code: { text: "forward" } }, recordedAt: new Date(), source: "CLINICIAN" }],
      "SYSTEM",
      { ip: null, requestId: null },
    );
    const batch = await db().anchorBatch.findFirstOrThrow({ where: { status: "CONFIRMED", kind: "RECORDS" }, select: { id: true } });
    expect(await attempt("web", `UPDATE "MedicalRecord" SET "batchId" = $1, "leafIndex" = 0, proof = '[]'::jsonb WHERE id = $2`, [batch.id, id])).toMatch(/permission denied/);
    // Even the worker cannot move it straight into an existing batch: the leaf is not in it.
    expect(await attempt("worker", `UPDATE "MedicalRecord" SET "batchId" = $1, "leafIndex" = 0, proof = '[]'::jsonb, status = 'ANCHORED' WHERE id = $2`, [batch.id, id])).toMatch(REFUSED);
    // The suite's own process is the worker: the anchoring service's path.
    await anchorEverything(ledgers(), config);
    const row = await db().medicalRecord.findUniqueOrThrow({ where: { id: id! }, select: { status: true, batchId: true, leafIndex: true, commitment: true } });
    expect(row.status).toBe("ANCHORED");
    expect(await db().anchoredLeaf.findUnique({ where: { recordId: id! }, select: { batchId: true, leafIndex: true, commitment: true } })).toEqual({
      batchId: row.batchId,
      leafIndex: row.leafIndex,
      commitment: row.commitment,
    });
  });

  it("an anchored record reset to PENDING by the owner (past the triggers) is refused by the worker, alerted and tampered", async () => {
    const record = await anchoredRecord("owner reset");
    // The owner's own connection, triggers on, is refused too; only disabling them gets through.
    await expect(asOwner(`UPDATE "MedicalRecord" SET status = 'PENDING', "batchId" = NULL, "leafIndex" = NULL, proof = NULL WHERE id = $1`, [record.id], { triggers: true })).rejects.toThrow(
      /history is append-only/,
    );
    await asOwner(`UPDATE "MedicalRecord" SET status = 'PENDING', "batchId" = NULL, "leafIndex" = NULL, proof = NULL WHERE id = $1`, [record.id]);
    restore.push(() =>
      asOwner(`UPDATE "MedicalRecord" SET status = 'ANCHORED', "batchId" = $1, "leafIndex" = $2, proof = $3 WHERE id = $4`, [record.batchId, record.leafIndex, JSON.stringify(record.proof), record.id]),
    );

    await anchorEverything(ledgers(), config);
    expect(await db().medicalRecord.findUniqueOrThrow({ where: { id: record.id }, select: { status: true, batchId: true } })).toEqual({ status: "PENDING", batchId: null });
    const alert = await db().alert.findFirst({ where: { kind: "integrity.reanchor_refused", details: { path: ["recordId"], equals: record.id } } });
    expect(alert?.severity).toBe("CRITICAL");
    // Content unchanged, so the commitment still matches: only the anchored-leaf registry shows the reset.
    expect(await db().alert.count({ where: { kind: "integrity.commitment_mismatch", details: { path: ["recordId"], equals: record.id } } })).toBe(0);

    // What the chart (and the patient's own view) renders: loadVerifiedRecords is their one loader.
    expect((await loadVerifiedRecords(patientId)).find((r) => r.id === record.id)).toMatchObject({ verification: "tampered", summary: null });
  });

  it("refused records leave the queue: sound records behind more refused ones than a batch holds still anchor", async () => {
    const small: AnchoringConfig = { ...config, batchSize: 3 };
    const observation = (label: string) => ({
      patientId,
      resourceType: "Observation",
      resource: { resourceType: "Observation", status: "final", code: { text: label } },
      recordedAt: new Date(),
      source: "CLINICIAN",
    });
    // Drain what other tests left waiting, so that the queue's head is this test's.
    await anchorEverything(ledgers(), config);
    const bad = await createRecords(Array.from({ length: 2 * small.batchSize + 1 }, (_, i) => observation(`refused ${i}`)), "SYSTEM", { ip: null, requestId: null });
    // The owner past the triggers swaps their salts: each no longer gives its commitment, so the worker refuses it.
    await asOwner(`UPDATE "MedicalRecord" SET salt = '0x' || encode(sha256(convert_to(id::text, 'UTF8')), 'hex') WHERE id = ANY($1::uuid[])`, [bad]);
    const good = await createRecords([observation("behind 1"), observation("behind 2")], "SYSTEM", { ip: null, requestId: null });

    await anchorEverything(ledgers(), small);
    const rows = await db().medicalRecord.findMany({ where: { id: { in: [...bad, ...good] } }, select: { id: true, status: true, anchoringRefusal: { select: { reasons: true } } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of good) expect(byId.get(id!)).toMatchObject({ status: "ANCHORED", anchoringRefusal: null });
    for (const id of bad) expect(byId.get(id!)).toMatchObject({ status: "PENDING", anchoringRefusal: { reasons: ["content_mismatch"] } });
    expect(await db().alert.count({ where: { kind: "integrity.commitment_mismatch", OR: bad.map((id) => ({ details: { path: ["recordId"], equals: id } })) } })).toBe(bad.length);
    // Still tampered wherever they are shown; a refusal is final, and only the worker may write one.
    const shown = await loadVerifiedRecords(patientId);
    for (const id of bad) expect(shown.find((r) => r.id === id)).toMatchObject({ verification: "tampered" });
    expect(await attempt("web", `INSERT INTO "AnchoringRefusal" ("recordId", reasons) VALUES ($1, '{}')`, [good[0]])).toMatch(/permission denied/);
    expect(await attempt("worker", `UPDATE "AnchoringRefusal" SET reasons = '{}' WHERE "recordId" = $1`, [bad[0]])).toMatch(REFUSED);
  });

  it("verification checks a record against the earliest creation event of its id", async () => {
    const record = await anchoredRecord("second creation");
    // Only an owner who also drops the unique index can write a second creation event; it is then the chart's
    // and the worker's to notice. Appended at the head of chain 0 (no other test appends there), then removed.
    const head = (await asOwner(`SELECT "chainSeq"::text AS "chainSeq", hash FROM "AccessEvent" WHERE chain = 0 ORDER BY "chainSeq" DESC LIMIT 1`)).rows[0] as
      | { chainSeq: string; hash: string }
      | undefined;
    await asOwner(`DROP INDEX "AccessEvent_record_created_key"`);
    restore.push(() => asOwner(`CREATE UNIQUE INDEX "AccessEvent_record_created_key" ON "AccessEvent" ((details ->> 'recordId')) WHERE action = 'record.created'`));
    const seq = BigInt((await asOwner(`SELECT nextval('accessevent_seq_seq')::text AS seq`)).rows[0]!.seq as string);
    const fields = {
      seq,
      chain: 0,
      chainSeq: BigInt(head?.chainSeq ?? 0) + 1n,
      occurredAt: new Date(),
      actorKind: "SYSTEM" as const,
      actorId: null,
      actorRole: null,
      action: "record.created",
      patientId,
      outcome: "ALLOWED" as const,
      purpose: "OPERATIONS",
      ip: null,
      requestId: null,
      details: { recordId: record.id, commitment: record.commitment, resourceType: "Condition", source: "CLINICIAN" },
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    await asOwner(
      `INSERT INTO "AccessEvent" (seq, chain, "chainSeq", "occurredAt", "actorKind", action, "patientId", outcome, purpose, details, "prevHash", hash)
       VALUES ($1, 0, $2, $3, 'SYSTEM', 'record.created', $4, 'ALLOWED', 'OPERATIONS', $5, $6, $7)`,
      [seq.toString(), fields.chainSeq.toString(), fields.occurredAt, patientId, JSON.stringify(fields.details), fields.prevHash, hashAccessEvent(fields)],
    );
    restore.push(() => asOwner(`DELETE FROM "AccessEvent" WHERE seq = $1`, [seq.toString()]));

    expect((await loadVerifiedRecords(patientId)).find((r) => r.id === record.id)).toMatchObject({ verification: "tampered", summary: null });
  });
});
