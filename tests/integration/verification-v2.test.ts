// Stored canonical bytes, recipe v2 and the backfill of v1 records (docs/decisions/017-stored-canonical-bytes.md).
// Every tamper case runs on a WARM process: the chart is rendered (roots and proven pairs cached), one column of one
// record is changed by SQL without touching any timestamp, and the very next render must say `tampered`.
import { randomBytes, randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createPatient } from "@/lib/jobs/patient-identity";
import { appendAccessEventIn } from "@/lib/audit";
import type { Caller } from "@/lib/dal/caller";
import { getPatientChart } from "@/lib/dal/patients";
import { getRecordProof } from "@/lib/dal/record-proof";
import { reviewAlert } from "@/lib/dal/compliance";
import { canonicalBytes, computeCommitment, newSalt } from "@/lib/integrity";
import { anchorEverything, type AnchoringConfig } from "@/lib/jobs/anchoring";
import { backfillCanonicalBytes } from "@/lib/jobs/backfill-canonical";
import { createRecords } from "@/lib/jobs/create-records";
import { sweepAllRecords } from "@/lib/jobs/sweep";
import { ledgers } from "@/lib/verification";
import { asInsider, asOwner, callerFor, ensureDemo } from "./helpers";

const run = randomBytes(3).toString("hex");
const config: AnchoringConfig = { batchSize: 1024, windowSeconds: 0, checkpointEveryBatches: 1, checkpointEveryMinutes: 0 };
const system = { ip: null, requestId: null };
let doctor: Caller;
let patientId: string;
let ids: string[];
const restore: (() => Promise<unknown>)[] = [];

const observation = (i: number) => ({
  resourceType: "Observation",
  status: "final",
  code: { text: `Glucose ${i}` },
  valueQuantity: { value: 90 + i, unit: "mg/dL" },
});

async function newPatient(mrn: string): Promise<string> {
  const row = await createPatient({ mrn, name: "검증 환자", birthDate: new Date("1970-03-04"), sex: "MALE" });
  const doc = await db().staff.findUniqueOrThrow({ where: { id: doctor.actor.id }, select: { id: true } });
  await db().consent.create({ data: { patientId: row.id, scope: "TREATMENT", granteeStaffId: doc.id, recordClasses: [] } });
  return row.id;
}

async function verdicts(patient = patientId): Promise<Map<string, string>> {
  const chart = await getPatientChart(doctor, patient);
  return new Map(chart.records.map((r) => [r.id, r.verification]));
}

beforeAll(async () => {
  await ensureDemo();
  const doc = await db().staff.create({
    data: { email: `v2-doc.${run}@hospital.example`, name: "Dr Verify", passwordHash: "", role: "DOCTOR", status: "ACTIVE", licenceNumber: "L-V2" },
    select: { email: true },
  });
  doctor = await callerFor(doc.email);
  patientId = await newPatient(`V2${run}`);
  ids = await createRecords(
    Array.from({ length: 4 }, (_, i) => ({ patientId, resourceType: "Observation", resource: observation(i), recordedAt: new Date(Date.UTC(2025, 0, 1 + i)), source: "HOSPITAL_SYSTEM" })),
    "SYSTEM",
    system,
  );
  await anchorEverything(ledgers(), config);
});

afterEach(async () => {
  while (restore.length) await restore.pop()!();
});

describe("a new record", () => {
  it("keeps its exact canonical bytes, is committed with recipe v2, and its JSONB copy agrees", async () => {
    const row = await db().medicalRecord.findUniqueOrThrow({
      where: { id: ids[0]! },
      select: { canonical: true, recipeVersion: true, identityVersion: true, resourceCopyIntact: true, resource: true },
    });
    expect(Buffer.from(row.canonical!).toString("utf8")).toBe(canonicalBytes(observation(0)).toString("utf8"));
    expect(row).toMatchObject({ recipeVersion: 2, identityVersion: 1, resourceCopyIntact: true, resource: observation(0) });
    expect([...(await verdicts()).values()]).toEqual(["verified", "verified", "verified", "verified"]);
  });
});

describe("on a warm process, one column changed by SQL is tampered at the very next render", () => {
  // [column, SET clause]: each leaves every timestamp of the row as it was.
  const cases: [string, string][] = [
    ["canonical bytes (one byte)", `"canonical" = overlay("canonical" placing '\\x20'::bytea from 2 for 1)`],
    ["canonical bytes and JSONB copy, alike", `"canonical" = convert_to(replace(convert_from("canonical", 'UTF8'), 'Glucose', 'Glucosa'), 'UTF8'), "resource" = jsonb_set("resource", '{code,text}', to_jsonb(replace("resource"->'code'->>'text', 'Glucose', 'Glucosa')))`],
    ["JSONB query copy only", `"resource" = jsonb_set("resource", '{status}', '"entered-in-error"')`],
    ["salt", `"salt" = '0x${"ab".repeat(32)}'`],
    ["commitment", `"commitment" = '0x${"cd".repeat(32)}'`],
    ["proof", `"proof" = '[]'::jsonb`],
    ["source (relabelled)", `"source" = 'CLINICIAN'`],
    ["identity version", `"identityVersion" = 2`],
    ["recipe version (downgraded)", `"recipeVersion" = 1`],
    ["resource type", `"resourceType" = 'Condition'`],
  ];
  it.each(cases)("%s", async (_, set) => {
    const target = ids[1]!;
    expect((await verdicts()).get(target)).toBe("verified"); // warm: roots and proven pairs now cached
    const before = await asOwner(`SELECT * FROM "MedicalRecord" WHERE "id" = $1`, [target]);
    await asInsider(`UPDATE "MedicalRecord" SET ${set} WHERE "id" = $1`, [target]);
    restore.push(() => putBack(target, before.rows[0]!));
    const after = await verdicts();
    expect(after.get(target)).toBe("tampered");
    expect([...after].filter(([id]) => id !== target).every(([, v]) => v === "verified")).toBe(true);
  });

  it("a forged supersession link (the record claims to correct another) is tampered, on the chart and the record page", async () => {
    const [target, other] = [ids[2]!, ids[3]!];
    expect((await verdicts()).get(target)).toBe("verified");
    await asInsider(`UPDATE "MedicalRecord" SET "supersedesId" = $2 WHERE "id" = $1`, [target, other]);
    restore.push(() => asInsider(`UPDATE "MedicalRecord" SET "supersedesId" = NULL WHERE "id" = $1`, [target]));
    expect((await verdicts()).get(target)).toBe("tampered");
    const proof = await getRecordProof(doctor, patientId, target);
    expect(proof.record).toMatchObject({ verification: "tampered", resource: null, summary: null });
    expect(proof.levels.commitment).toBe("mismatch");
  });

  it("after the change is undone, the record verifies again (nothing was cached per record)", async () => {
    expect([...(await verdicts()).values()].every((v) => v === "verified")).toBe(true);
  });
});

describe("the database refuses, to the app and to the owner alike", () => {
  it("to change stored bytes, the recipe or the identity version once written", async () => {
    const target = ids[0]!;
    await expect(db().$executeRaw`UPDATE "MedicalRecord" SET "canonical" = ${Buffer.from("{}")} WHERE "id" = ${target}::uuid`).rejects.toThrow(/append-only/);
    await expect(asOwner(`UPDATE "MedicalRecord" SET "recipeVersion" = 1 WHERE "id" = $1`, [target], { triggers: true })).rejects.toThrow(/append-only/);
    await expect(asOwner(`UPDATE "MedicalRecord" SET "identityVersion" = 9 WHERE "id" = $1`, [target], { triggers: true })).rejects.toThrow(/append-only/);
    await expect(asOwner(`UPDATE "MedicalRecord" SET "resourceCopyIntact" = true WHERE "id" = $1`, [target], { triggers: true })).rejects.toThrow(/can only be updated to DEFAULT/);
  });
});

describe("a tampered verdict recorded between views", () => {
  it("stands after the row is put back, survives the officer's review, and is cleared only by the worker's sweep", async () => {
    const target = ids[3]!;
    expect((await verdicts()).get(target)).toBe("verified");
    await asInsider(`UPDATE "MedicalRecord" SET "source" = 'CLINICIAN' WHERE "id" = $1`, [target]);
    const swept = await sweepAllRecords();
    expect(swept.tampered).toBeGreaterThanOrEqual(1);
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "integrity.record_tampered", resolvedAt: null, details: { path: ["recordId"], equals: target } } });
    // The insider puts the row back: the data alone would verify, but the recorded verdict may only get worse.
    await asInsider(`UPDATE "MedicalRecord" SET "source" = 'HOSPITAL_SYSTEM' WHERE "id" = $1`, [target]);
    expect((await verdicts()).get(target)).toBe("tampered");
    expect((await getRecordProof(doctor, patientId, target)).record.verification).toBe("tampered");
    // A review alone does not clear it: the alert stays open until the worker finds the record sound again.
    await reviewAlert(await callerFor("compliance@demo.chartproof.local"), alert.id, "Source restored from the hospital system's log.");
    expect(await db().alert.findUniqueOrThrow({ where: { id: alert.id }, select: { resolvedAt: true, reviewedAt: true } })).toMatchObject({ resolvedAt: null, reviewedAt: expect.any(Date) });
    expect((await verdicts()).get(target)).toBe("tampered");
    const cleared = await sweepAllRecords();
    expect(cleared.cleared).toBeGreaterThanOrEqual(1);
    expect((await db().alert.findUniqueOrThrow({ where: { id: alert.id }, select: { resolvedAt: true } })).resolvedAt).not.toBeNull();
    expect((await verdicts()).get(target)).toBe("verified");
  });
});

/** Restores a row's columns as the owner read them (bytea and jsonb through their text forms). */
async function putBack(id: string, row: Record<string, unknown>) {
  await asInsider(
    `UPDATE "MedicalRecord" SET "canonical" = $2, "resource" = $3::jsonb, "salt" = $4, "commitment" = $5, "proof" = $6::jsonb, "source" = $7,
       "identityVersion" = $8, "recipeVersion" = $9, "resourceType" = $10 WHERE "id" = $1`,
    [id, row.canonical, JSON.stringify(row.resource), row.salt, row.commitment, JSON.stringify(row.proof), row.source, row.identityVersion, row.recipeVersion, row.resourceType],
  );
}

describe("the backfill of recipe-v1 records", () => {
  /** A record as the product created them before ADR 017: recipe v1, its creation event, no bytes yet. */
  async function createV1(patient: string, i: number): Promise<string> {
    const id = randomUUID();
    const salt = newSalt();
    const resource = observation(100 + i);
    const recordedAt = new Date(Date.UTC(2024, 5, 1 + i));
    const commitment = computeCommitment({ recipe: 1, recordId: id, patientId: patient, resourceType: "Observation", recordedAt, resource }, salt);
    await db().$transaction(async (tx) => {
      const seq = await appendAccessEventIn(
        tx,
        { actor: "SYSTEM", action: "record.created", outcome: "ALLOWED", patientId: patient, purpose: "OPERATIONS", details: { recordId: id, commitment, resourceType: "Observation", source: "SEED" } },
        system,
      );
      // Created with its bytes so that the worker anchors it as it anchored v1 records; they are removed below.
      await tx.medicalRecord.create({
        data: { id, patientId: patient, resourceType: "Observation", resource, canonical: canonicalBytes(resource), recipeVersion: 1, recordedAt, source: "SEED", commitment, salt, status: "PENDING", creationEventSeq: seq },
        select: { id: true },
      });
    });
    return id;
  }

  it("proves every backfilled row with the full verification, flags the one that fails without rewriting it, and logs the counts", async () => {
    // Rows other files left without bytes (raw inserts of the insider tests) are backfilled first, so the counts
    // below are this test's own.
    await backfillCanonicalBytes();
    const legacy = await newPatient(`V1${run}`);
    const [good, relabelled, changed] = [await createV1(legacy, 0), await createV1(legacy, 1), await createV1(legacy, 2)];
    await anchorEverything(ledgers(), config);
    const pending = await createV1(legacy, 3);
    const all = [good, relabelled, changed, pending];
    const commitments = await db().medicalRecord.findMany({ where: { id: { in: all } }, select: { id: true, commitment: true }, orderBy: { id: "asc" } });
    // The state the migration leaves: no bytes (as the owner, past any trigger); and, before it, an insider edit.
    await asOwner(
      `SET session_replication_role = replica;
       UPDATE "MedicalRecord" SET "resource" = jsonb_set("resource", '{valueQuantity,value}', '999') WHERE "id" = '${changed}';
       UPDATE "MedicalRecord" SET "canonical" = NULL WHERE "id" IN ('${all.join("','")}');`,
    );
    expect((await verdicts(legacy)).get(good)).toBe("unavailable"); // never verified before it is proven
    const before = (await db().accessEvent.aggregate({ _max: { seq: true } }))._max.seq ?? 0n;

    const report = await backfillCanonicalBytes();
    expect(report).toMatchObject({ filled: 4, verified: 2, pending: 1, tampered: 1, unavailable: 0, unserializable: 0 });
    const event = await db().accessEvent.findFirstOrThrow({ where: { seq: { gt: before }, action: "integrity.backfill_verified" } });
    expect(event).toMatchObject({ actorKind: "SYSTEM", outcome: "ALLOWED", details: { filled: 4, verified: 2, pending: 1, tampered: 1 } });
    const alert = await db().alert.findFirst({ where: { kind: "integrity.backfill_mismatch", resolvedAt: null, details: { path: ["recordId"], equals: changed } } });
    expect(alert?.severity).toBe("CRITICAL");
    // Never rewritten: the commitments are those of creation; the flagged row stays tampered on every view.
    expect(await db().medicalRecord.findMany({ where: { id: { in: all } }, select: { id: true, commitment: true }, orderBy: { id: "asc" } })).toEqual(commitments);
    const shown = await verdicts(legacy);
    expect([shown.get(good), shown.get(relabelled), shown.get(changed), shown.get(pending)]).toEqual(["verified", "verified", "tampered", "pending"]);

    // Idempotent: nothing left to fill, nothing logged.
    expect(await backfillCanonicalBytes()).toMatchObject({ filled: 0, tampered: 0 });
    expect(await db().accessEvent.count({ where: { seq: { gt: event.seq }, action: "integrity.backfill_verified" } })).toBe(0);

    // v1 does not bind the source: its sealed creation event does. A relabel on a warm process is tampered.
    await asInsider(`UPDATE "MedicalRecord" SET "source" = 'CLINICIAN' WHERE "id" = $1`, [relabelled]);
    restore.push(() => asInsider(`UPDATE "MedicalRecord" SET "source" = 'SEED' WHERE "id" = $1`, [relabelled]));
    const afterRelabel = await verdicts(legacy);
    expect([afterRelabel.get(good), afterRelabel.get(relabelled)]).toEqual(["verified", "tampered"]);
    // The pending v1 row, now with its bytes, is anchored like any other.
    await anchorEverything(ledgers(), config);
    expect((await verdicts(legacy)).get(pending)).toBe("verified");
  });
});
