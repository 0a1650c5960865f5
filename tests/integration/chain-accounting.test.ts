import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { accountForChain, CHAIN_ALERT, CREATION_ALERT } from "@/lib/jobs/chain-accounting";
import { createRecords } from "@/lib/jobs/create-records";
import { reconcileWithChains } from "@/lib/jobs/reconcile";
import { findAnchorEvent } from "@/lib/ledger";
import { forgetCachedRoots, ledgers } from "@/lib/verification";
import { asOwner } from "./helpers";

/*
 * Chain-first accounting (issue #17, docs/decisions/022-chain-first-accounting.md), against the database's owner with
 * the triggers off (session_replication_role = replica): what the owner deletes — a record and every row that names
 * it — is still found, because the check starts from the roots the chain holds and asks the database to rebuild them.
 */

const config: AnchoringConfig = { batchSize: 64, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
let patientId: string;
const restore: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  patientId = (
    await db().patient.create({ data: { mrn: `CA-${Date.now()}`, name: "Chain Accounting", birthDate: new Date("1960-05-05T00:00:00Z"), sex: "FEMALE" }, select: { id: true } })
  ).id;
});

afterEach(async () => {
  while (restore.length) await restore.pop()!();
  forgetCachedRoots();
});

afterAll(async () => {
  // Closed with a note, as an officer would after the review, so that no later file's chart shows these breaks.
  await asOwner(
    `UPDATE "Alert" SET "reviewedAt" = now(), "resolvedAt" = now(), "reviewNote" = 'chain-accounting test' WHERE kind = ANY($1::text[]) AND "reviewedAt" IS NULL`,
    [[CHAIN_ALERT, CREATION_ALERT, "integrity.reconcile_mismatch", "anchoring.number_squatted"]],
  );
});

/** Deletes rows as the owner past the triggers, and queues their return (generated columns left to PostgreSQL). */
async function takeOut(table: string, where: string, values: unknown[]): Promise<number> {
  const { rows } = await asOwner(`DELETE FROM "${table}" WHERE ${where} RETURNING to_jsonb("${table}".*) AS row`, values);
  if (rows.length > 0) {
    const columns = (
      await asOwner(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`, [table])
    ).rows.map((r) => `"${r.column_name as string}"`);
    restore.push(() =>
      asOwner(`INSERT INTO "${table}" (${columns.join(", ")}) SELECT ${columns.join(", ")} FROM jsonb_populate_recordset(NULL::"${table}", $1::jsonb)`, [
        JSON.stringify(rows.map((r) => r.row)),
      ]),
    );
  }
  return rows.length;
}

async function anchoredBatch(label: string, count: number) {
  const ids = await createRecords(
    Array.from({ length: count }, (_, i) => ({
      patientId,
      resourceType: "AllergyIntolerance",
      resource: { resourceType: "AllergyIntolerance", code: { text: `${label} ${i}` }, patient: { reference: "Patient/x" } },
      recordedAt: new Date(),
      source: "CLINICIAN",
    })),
    "SYSTEM",
    { ip: null, requestId: null },
  );
  await anchorEverything(ledgers(), config);
  const rows = await db().medicalRecord.findMany({
    where: { id: { in: ids.map(String) } },
    select: { id: true, commitment: true, leafIndex: true, proof: true, batchId: true, batch: { select: { batchNumber: true } } },
    orderBy: { leafIndex: "asc" },
  });
  expect(new Set(rows.map((r) => r.batchId)).size).toBe(1);
  return { rows, batchNumber: rows[0]!.batch!.batchNumber.toString(), batchId: rows[0]!.batchId! };
}

function openAlert(kind: string, dedupeKey: string) {
  return db().alert.findFirst({ where: { kind, resolvedAt: null, details: { path: ["dedupeKey"], equals: dedupeKey } }, select: { severity: true, details: true } });
}

/**
 * Deletes access events as the owner. Their return must first remove what the test appended since on the same chains
 * (a deleted head's position is taken by the next event), so that each chain links exactly as before.
 */
async function takeOutEvents(where: string, values: unknown[]): Promise<void> {
  const newest = (await asOwner(`SELECT coalesce(max(seq), 0)::text AS seq FROM "AccessEvent"`)).rows[0]!.seq as string;
  const chains = (await asOwner(`SELECT DISTINCT chain FROM "AccessEvent" WHERE ${where}`, values)).rows.map((r) => r.chain as number);
  if ((await takeOut("AccessEvent", where, values)) === 0) return;
  const reinsert = restore.pop()!;
  restore.push(async () => {
    await asOwner(`DELETE FROM "AccessEvent" WHERE seq > $1::bigint AND chain = ANY($2::int[])`, [newest, chains]);
    await reinsert();
  });
}

/** Deletes a record and every row that names it: its creation and every other event, its leaf, its check, its alerts. */
async function eraseWithoutTrace(recordId: string): Promise<void> {
  await takeOutEvents(`details::text LIKE '%' || $1 || '%'`, [recordId]);
  await takeOut("Alert", `details::text LIKE '%' || $1 || '%'`, [recordId]);
  await takeOut("RecordCheck", `"recordId" = $1`, [recordId]);
  await takeOut("AnchoredLeaf", `"recordId" = $1`, [recordId]);
  expect(await takeOut("MedicalRecord", `id = $1`, [recordId])).toBe(1);
}

describe("chain-first accounting", () => {
  it("a sound batch accounts: its rows rebuild the root the chain holds, and reconcile starts from the chain", async () => {
    const { batchNumber } = await anchoredBatch("sound", 3);
    const report = await accountForChain(ledgers().private);
    expect(report.recordBatches).toBeGreaterThan(0);
    expect(report.leaves).toBeGreaterThanOrEqual(3);
    expect(report.chainBreaks.filter((b) => b.batchNumber === batchNumber)).toEqual([]);
    expect(report.creationBreaks.filter((b) => b.patientId === patientId)).toEqual([]);
    const reconciled = await reconcileWithChains(ledgers());
    expect(reconciled.batches.checked).toBeGreaterThan(0);
    expect(reconciled.batches.missing).not.toContain(batchNumber);
    expect(reconciled.checkpoints.checked).toBeGreaterThan(0);
  });

  it("a record deleted with every row that names it is found from the chain, by batch and leaf", async () => {
    const { rows, batchNumber } = await anchoredBatch("deleted", 3);
    const victim = rows[1]!;
    await eraseWithoutTrace(victim.id);
    expect((await asOwner(`SELECT count(*)::int AS n FROM "AccessEvent" WHERE details::text LIKE '%' || $1 || '%'`, [victim.id])).rows[0]!.n).toBe(0);

    const report = await accountForChain(ledgers().private);
    const found = report.chainBreaks.find((b) => b.batchNumber === batchNumber && b.leafIndex === victim.leafIndex);
    expect(found).toMatchObject({ break: "leaf_without_row", commitment: victim.commitment.toLowerCase() });
    const alert = await openAlert(CHAIN_ALERT, `leaf_without_row:${batchNumber}:${victim.leafIndex}`);
    expect(alert?.severity).toBe("CRITICAL");
    expect(alert?.details).toMatchObject({ batchNumber, leafIndex: victim.leafIndex });
    // Nothing names the record any more: the break is nobody's chart's, so every chart says it may be incomplete.
    expect(alert?.details).not.toHaveProperty("patientId");
  });

  it("a forged second leaf for a record id: its row claims another batch's leaf while its registry entry stays", async () => {
    const { rows, batchNumber } = await anchoredBatch("second leaf", 2);
    const other = await anchoredBatch("second leaf, other batch", 2);
    const record = rows[0]!;
    const taken = other.rows[1]!;
    // The owner points the record at a second place — another batch's leaf, with that leaf's proof — past the triggers.
    await asOwner(`UPDATE "MedicalRecord" SET "batchId" = $2, "leafIndex" = $3, proof = $4 WHERE id = $1`, [record.id, other.batchId, taken.leafIndex, JSON.stringify(taken.proof)]);
    restore.push(() =>
      asOwner(`UPDATE "MedicalRecord" SET "batchId" = $2, "leafIndex" = $3, proof = $4 WHERE id = $1`, [record.id, record.batchId, record.leafIndex, JSON.stringify(record.proof)]),
    );

    const report = await accountForChain(ledgers().private);
    const alert = await openAlert(CHAIN_ALERT, `record_in_two_leaves:${batchNumber}:${record.leafIndex}`);
    expect(alert?.severity).toBe("CRITICAL");
    expect(alert?.details).toMatchObject({
      batchNumber,
      leafIndex: record.leafIndex,
      recordId: record.id,
      patientId,
      otherBatchNumber: other.batchNumber,
      otherLeafIndex: taken.leafIndex,
    });
    // And from the other side: the leaf it took is claimed twice, the leaf it left has no row.
    expect(report.chainBreaks).toContainEqual(expect.objectContaining({ break: "leaf_claimed_twice", batchNumber: other.batchNumber, leafIndex: taken.leafIndex, recordId: record.id }));
    expect(report.chainBreaks).toContainEqual(expect.objectContaining({ break: "leaf_without_row", batchNumber, leafIndex: record.leafIndex, recordId: record.id }));
  });

  it("a restore from an older backup: roots anchored after it are missing since they were anchored; numbering continues above them", async () => {
    await anchoredBatch("before the backup", 1);
    const { rows, batchNumber, batchId } = await anchoredBatch("after the backup", 2);
    // What the restored database lacks: the later unit, its records, their leaves and checks. (Their creation events
    // are kept here: a log restored with them, or sealed copies of them, name the records that are gone.)
    for (const row of rows) {
      await takeOut("RecordCheck", `"recordId" = $1`, [row.id]);
      await takeOut("AnchoredLeaf", `"recordId" = $1`, [row.id]);
    }
    await takeOut("MedicalRecord", `"batchId" = $1`, [batchId]);
    await takeOut("AnchorBatch", `id = $1`, [batchId]);

    const report = await accountForChain(ledgers().private);
    const missing = report.chainBreaks.find((b) => b.batchNumber === batchNumber);
    expect(missing).toMatchObject({ break: "root_unaccounted" });
    // The block's own time (the chain's clock, which a paused node lets fall behind the wall clock).
    const block = await ledgers().private.clients.publicClient.getBlock({ blockNumber: (await findAnchorEvent(ledgers().private.clients, BigInt(batchNumber)))!.blockNumber });
    expect(missing!.missingSince).toBe(new Date(Number(block.timestamp) * 1000).toISOString());
    const alert = await openAlert(CHAIN_ALERT, `root_unaccounted:${batchNumber}`);
    expect(alert?.details).toMatchObject({ batchNumber, missingSince: missing!.missingSince });
    expect((await reconcileWithChains(ledgers())).batches.unaccounted).toContain(batchNumber);
    for (const row of rows) expect(report.creationBreaks).toContainEqual(expect.objectContaining({ break: "creation_without_record", recordId: row.id, patientId }));

    // The next unit is numbered above what the chain holds, not from the restored table's last number.
    const next = await anchoredBatch("after the restore", 1);
    expect(BigInt(next.batchNumber)).toBeGreaterThan(BigInt(batchNumber));
  });

  it("creation events accounted for: a record hidden as superseded, and a creation event whose record is gone", async () => {
    const { rows } = await anchoredBatch("hidden", 2);
    const [hidden, gone] = rows;
    await asOwner(`UPDATE "MedicalRecord" SET "supersededAt" = now() WHERE id = $1`, [hidden!.id]);
    restore.push(() => asOwner(`UPDATE "MedicalRecord" SET "supersededAt" = NULL WHERE id = $1`, [hidden!.id]));
    // The record row alone is deleted; its sealed creation event stays.
    await takeOut("RecordCheck", `"recordId" = $1`, [gone!.id]);
    await takeOut("MedicalRecord", `id = $1`, [gone!.id]);

    const report = await accountForChain(ledgers().private);
    expect(report.creationBreaks).toContainEqual(expect.objectContaining({ break: "supersession_unaccounted", recordId: hidden!.id, patientId }));
    expect(report.creationBreaks).toContainEqual(expect.objectContaining({ break: "creation_without_record", recordId: gone!.id, patientId }));
    expect((await openAlert(CREATION_ALERT, `supersession_unaccounted:${hidden!.id}`))?.severity).toBe("CRITICAL");
    // The chain side names the same record, by its leaf.
    expect(report.chainBreaks).toContainEqual(expect.objectContaining({ break: "leaf_without_row", leafIndex: gone!.leafIndex, recordId: gone!.id, patientId }));
  });
});
