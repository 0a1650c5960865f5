import { db } from "@/lib/db";
import { parseTombstoneStatement, statementMatches } from "@/lib/integrity/tombstone";
import { processCaches } from "./caches";
import { chainRootsFor } from "./chain-roots";
import { databaseAnswers } from "./creation-events";
import { ledgers } from "./ledgers";
import { RECORDED_TAMPERED_KINDS, type RecordVerdict, type VerifiableRow, type VerifyOptions } from "./verify-records";

/*
 * Erased records (docs/decisions/016-database-refuses-to-rewrite-history.md, "Erasure"). A lawful erasure blanks a
 * record's content, bytes and salt and keeps its commitment and leaf; its tombstone is anchored as its own unit. Such
 * a row can never pass the content level, so verifyRecords hands the rows that look erased (no bytes, no salt) here:
 * each is `erased` when, and only when,
 *   - a tombstone names it, whose stored statement hashes to the tombstone's hash and names this record, this
 *     commitment and a requester other than the approver;
 *   - its commitment is still the one its id's earliest creation event fixed, and still proven in its batch root,
 *     which the private chain holds (the record existed, exactly so, until it was erased);
 *   - the tombstone's unit, once confirmed, is on the private chain with the statement's hash (until then the
 *     erasure is recorded but not yet anchored: still `erased`);
 *   - no open alert records it tampered.
 * A chain that cannot be asked gives `unavailable`; anything else is `tampered`. Never `verified`: there is no
 * content left to verify.
 */

/** Blank content and salt: what chartproof_erase_record leaves; a row that only looks so without a tombstone is tampered. */
export function looksErased(row: Pick<VerifiableRow, "canonical" | "salt">): boolean {
  return row.canonical === null && row.salt === "";
}

type Verify = (rows: readonly VerifiableRow[], opts?: VerifyOptions) => Promise<RecordVerdict[]>;

/** verifyRecords for a set of rows some of which look erased: those are judged here, the others by `verify`. */
export async function verifyWithErasures(rows: readonly VerifiableRow[], opts: VerifyOptions, verify: Verify): Promise<RecordVerdict[]> {
  const erasedAt: number[] = [];
  const otherAt: number[] = [];
  rows.forEach((row, i) => (looksErased(row) ? erasedAt : otherAt).push(i));
  const erasedRows = erasedAt.map((i) => rows[i]!);
  // The normal path judges the leaf of an erased row too: its batch and checkpoint levels are checked on their own
  // and only those are read here. The salt it is handed is not hex (so the row no longer looks erased, and its content
  // level fails, as it must).
  const leafRows = erasedRows.map((row) => ({ ...row, salt: "erased" }));
  const [others, leaves, erased] = await Promise.all([
    otherAt.length > 0 ? verify(otherAt.map((i) => rows[i]!), opts) : Promise.resolve([]),
    verify(leafRows, { ...opts, recorded: false }),
    tombstonesOf(erasedRows, opts),
  ]);
  const out: RecordVerdict[] = new Array(rows.length);
  otherAt.forEach((at, k) => (out[at] = others[k]!));
  erasedAt.forEach((at, k) => {
    const leaf = leaves[k]!;
    const tombstone = erased.get(erasedRows[k]!.id) ?? "tampered";
    const { batchPath, batchAnchor, checkpointPath, checkpointAnchor } = leaf.levels;
    const chainLevels = [batchPath, batchAnchor, checkpointPath, checkpointAnchor];
    const verification =
      tombstone === "tampered" || batchPath !== "ok" || chainLevels.some((l) => l === "mismatch" || l === "missing")
        ? "tampered"
        : tombstone === "unavailable" || batchAnchor !== "ok"
          ? "unavailable"
          : "erased";
    out[at] = {
      verification,
      // The leaf's batch root inside a checkpoint the public chain holds: the record's existence is public.
      checkpoint: verification === "erased" && checkpointPath === "ok" && checkpointAnchor === "ok" ? "public" : "none",
      overdue: false,
      levels: { ...leaf.levels, commitment: "skipped", creation: tombstone === "tampered" ? "mismatch" : "ok" },
      creationReasons: [],
    };
  });
  return out;
}

/** Per erased-looking row: its tombstone's verdict ("erased" when sound, "unavailable" when its unit's chain cannot be asked). */
async function tombstonesOf(rows: readonly VerifiableRow[], opts: VerifyOptions): Promise<Map<string, "erased" | "tampered" | "unavailable">> {
  const out = new Map<string, "erased" | "tampered" | "unavailable">();
  if (rows.length === 0) return out;
  const ids = rows.map((r) => r.id);
  const [tombstones, { contradictions, recordedTampered: flagged }] = await Promise.all([
    db().recordTombstone.findMany({
      where: { recordId: { in: ids } },
      select: {
        recordId: true,
        commitment: true,
        statement: true,
        statementHash: true,
        batch: { select: { chainId: true, contractAddress: true, batchNumber: true, root: true, kind: true, status: true } },
      },
    }),
    databaseAnswers(rows, opts.recorded === false ? null : RECORDED_TAMPERED_KINDS),
  ]);
  const confirmed = tombstones.flatMap((t) => (t.batch?.status === "CONFIRMED" ? [{ chainId: t.batch.chainId, contractAddress: t.batch.contractAddress, number: t.batch.batchNumber }] : []));
  const rootOf = await chainRootsFor(ledgers().private, confirmed, (opts.caches ?? processCaches()).roots);
  const byId = new Map(tombstones.map((t) => [t.recordId, t]));
  for (const row of rows) {
    const t = byId.get(row.id);
    const sound =
      t !== undefined &&
      !contradictions.has(row.id) &&
      !flagged.has(row.id) &&
      t.commitment === row.commitment &&
      statementMatches(parseTombstoneStatement(t.statement), t.statement, t.statementHash, row) &&
      (t.batch === null || (t.batch.kind === "TOMBSTONE" && t.batch.root === t.statementHash));
    if (!sound) {
      out.set(row.id, "tampered");
      continue;
    }
    if (t.batch?.status !== "CONFIRMED") {
      out.set(row.id, "erased");
      continue;
    }
    const onChain = rootOf({ chainId: t.batch.chainId, contractAddress: t.batch.contractAddress, number: t.batch.batchNumber });
    out.set(row.id, onChain === undefined ? "unavailable" : onChain !== null && onChain.toLowerCase() === t.statementHash.toLowerCase() ? "erased" : "tampered");
  }
  return out;
}
