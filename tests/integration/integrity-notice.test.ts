import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { reviewAlert } from "@/lib/dal/compliance";
import { openIntegrityFailure } from "@/lib/dal/integrity-notice";
import { AccessDeniedError } from "@/lib/dal/caller";
import { raiseAlert } from "@/lib/jobs/alerts";
import { callerFor, ensureDemo } from "./helpers";

beforeAll(async () => {
  await ensureDemo();
});

/** Compliance closes every open unattributable break with a note, so that each test starts from none. */
async function closeAll() {
  const officer = await callerFor("compliance@demo.chartproof.local");
  const open = await db().$queryRaw<{ id: string }[]>`
    SELECT id::text FROM "Alert" WHERE "reviewedAt" IS NULL AND severity = 'CRITICAL' AND kind LIKE 'integrity.%'
      AND NOT (details ? 'patientId') AND NOT (details ? 'recordId')`;
  for (const { id } of open) await reviewAlert(officer, id, "Reviewed in the test: restored from the chain.");
}

describe("a break no chart can be spared from", () => {
  it("every chart says when it happened until an officer closes it with a note", async () => {
    await closeAll();
    const doctor = await callerFor("doctor@demo.chartproof.local");
    expect(await openIntegrityFailure(doctor)).toBeNull();

    await raiseAlert({ kind: "integrity.access_log_break", severity: "CRITICAL", details: { kind: "seal_missing", chain: null, chainSeq: null, sealNumber: "4611686018427387905" }, dedupeKey: "test:notice" });
    const alert = await db().alert.findFirstOrThrow({ where: { kind: "integrity.access_log_break", reviewedAt: null }, orderBy: { createdAt: "desc" } });
    expect(await openIntegrityFailure(doctor)).toEqual({ failedAt: alert.createdAt.toISOString() });
    // A patient reading their own records is told too: an absence there may not mean absence either.
    expect(await openIntegrityFailure(await callerFor("patient@demo.chartproof.local", "PATIENT"))).toEqual({ failedAt: alert.createdAt.toISOString() });

    // Resolving without a review does not close it; the officer's note does.
    await db().alert.update({ where: { id: alert.id }, data: { resolvedAt: new Date() } });
    expect(await openIntegrityFailure(doctor)).not.toBeNull();
    await reviewAlert(await callerFor("compliance@demo.chartproof.local"), alert.id, "Log restored from backup; seals match again.");
    expect(await openIntegrityFailure(doctor)).toBeNull();
  });

  it("a break tied to a patient or a record stays on that chart, not on every chart", async () => {
    await closeAll();
    const doctor = await callerFor("doctor@demo.chartproof.local");
    await raiseAlert({ kind: "integrity.record_tampered", severity: "CRITICAL", details: { recordId: crypto.randomUUID(), patientId: crypto.randomUUID() } });
    await raiseAlert({ kind: "integrity.commitment_mismatch", severity: "CRITICAL", details: { recordId: crypto.randomUUID() } });
    await raiseAlert({ kind: "privacy.volume_spike", severity: "CRITICAL", details: {} });
    expect(await openIntegrityFailure(doctor)).toBeNull();
  });

  it("is asked for only by someone who may read records (a doctor, or a patient for their own)", async () => {
    await expect(openIntegrityFailure(await callerFor("researcher@demo.chartproof.local"))).rejects.toThrow(AccessDeniedError);
  });
});
