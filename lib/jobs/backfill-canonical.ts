import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { canonicalBytes } from "@/lib/integrity";
import { newVerificationCaches, verifiableRecordSelect, verifyRecords } from "@/lib/verification";
import { raiseAlert } from "./alerts";

export type BackfillReport = {
  /** Rows that had no stored bytes and got them now. */
  filled: number;
  /** Of those, what the full verification then said. */
  verified: number;
  pending: number;
  tampered: number;
  unavailable: number;
  /** Never reached: erased rows are not backfilled (the verdict type has the case). */
  erased: number;
  /** Rows whose JSONB resource cannot be canonicalized at all: left without bytes, flagged tampered. */
  unserializable: number;
};

/**
 * Gives every recipe-v1 record created before stored canonical bytes (migration 20261207183800) its bytes, and
 * PROVES the backfill (docs/decisions/017-stored-canonical-bytes.md): the bytes are the RFC 8785 form of the JSONB
 * resource as it stands, written only where none are stored, then each row is put through the full verification —
 * the commitment recomputed from the new bytes, the proof walked, the batch root READ FROM THE CHAIN (cold caches,
 * nothing trusted from this process), and for pending rows and for v1's unbound source and supersession link the
 * sealed creation event. A row that fails is flagged (`integrity.backfill_mismatch`, critical) and never rewritten:
 * it stays `tampered` on every view. The counts are written as one `integrity.backfill_verified` access event.
 *
 * Idempotent (only rows without bytes are touched); the worker runs it at start, `npm run backfill-canonical` on
 * demand. Rows the chain cannot be asked about now are counted `unavailable` and proven again by every view and
 * sweep.
 */
export async function backfillCanonicalBytes(opts: { pageSize?: number } = {}): Promise<BackfillReport> {
  const pageSize = opts.pageSize ?? 1000;
  const report: BackfillReport = { filled: 0, verified: 0, pending: 0, tampered: 0, unavailable: 0, erased: 0, unserializable: 0 };
  const caches = newVerificationCaches();
  let after: string | undefined;
  for (;;) {
    const missing = await db().medicalRecord.findMany({
      // An erased record has no bytes on purpose (its tombstone says so; the database refuses bytes for it).
      where: { canonical: null, tombstone: null, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, patientId: true, resource: true },
      orderBy: { id: "asc" },
      take: pageSize,
    });
    if (missing.length === 0) break;
    after = missing.at(-1)!.id;
    const ids: string[] = [];
    const hex: string[] = [];
    for (const row of missing) {
      let bytes: Buffer;
      try {
        bytes = canonicalBytes(row.resource);
      } catch {
        report.unserializable += 1;
        report.tampered += 1;
        await raiseAlert({ kind: "integrity.backfill_mismatch", severity: "CRITICAL", details: { recordId: row.id, patientId: row.patientId, reason: "unserializable" }, dedupeKey: row.id });
        continue;
      }
      ids.push(row.id);
      hex.push(bytes.toString("hex"));
    }
    if (ids.length === 0) continue;
    // Only where no bytes are stored yet: bytes once written are never replaced, here or anywhere.
    report.filled += await db().$executeRaw`
      UPDATE "MedicalRecord" AS r SET "canonical" = decode(u.hex, 'hex')
      FROM unnest(${ids}::uuid[], ${hex}::text[]) AS u(id, hex)
      WHERE r."id" = u.id AND r."canonical" IS NULL`;

    const rows = await db().medicalRecord.findMany({ where: { id: { in: ids } }, select: { ...verifiableRecordSelect, resource: true }, orderBy: { id: "asc" } });
    const verdicts = await verifyRecords(rows, { caches, exactCopy: true });
    for (const [i, verdict] of verdicts.entries()) {
      report[verdict.verification] += 1;
      if (verdict.verification === "tampered") {
        const row = rows[i]!;
        const failed = Object.entries(verdict.levels).flatMap(([level, result]) => (result === "mismatch" || result === "missing" ? [level] : []));
        await raiseAlert({ kind: "integrity.backfill_mismatch", severity: "CRITICAL", details: { recordId: row.id, patientId: row.patientId, failed }, dedupeKey: row.id });
      }
    }
  }
  if (report.filled + report.unserializable > 0) {
    await appendAccessEvent(
      { actor: "SYSTEM", action: "integrity.backfill_verified", outcome: "ALLOWED", purpose: "OPERATIONS", details: { ...report } },
      { ip: null, requestId: null },
    );
  }
  return report;
}
