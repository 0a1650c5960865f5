import { db } from "@/lib/db";
import { merkleRoot, type Hex32 } from "@/lib/integrity";
import { onChainRootsOf } from "@/lib/audit/on-chain-seals";
import { isOnLedger, type Ledger } from "@/lib/verification";
import { accountForChain, type AccountingReport } from "./chain-accounting";
import { raiseAlert } from "./alerts";

type Comparison = {
  /** Units the chain holds that the database accounts for by number. */
  checked: number;
  /** Confirmed in the database, absent on chain. */
  missing: string[];
  /** On chain with another root than the database's. */
  mismatched: string[];
  /** Confirmed rows that name another chain or contract than the one configured. */
  foreign: string[];
  /** On chain with no row in the database (a restore from an older backup, or a root this hospital did not write). */
  unaccounted: string[];
  /** Checkpoints only: rows whose member batch roots do not rebuild the checkpoint's root. */
  unreproduced: string[];
};

export type ReconcileReport = {
  batches: Comparison;
  checkpoints: Comparison;
  /** The full chain-first accounting of the private chain (every root rebuilt, creation events accounted for). */
  accounting: AccountingReport;
};

const empty = (): Comparison => ({ checked: 0, missing: [], mismatched: [], foreign: [], unaccounted: [], unreproduced: [] });

/**
 * `npm run reconcile` and the worker's RECONCILE_CRON job: chain-first. Starts from the roots each chain's events say
 * exist (never from AnchorBatch or Checkpoint rows), and makes the database account for each of them — on the private
 * chain in full (lib/jobs/chain-accounting.ts), on the public chain every checkpoint rebuilt from its member batch
 * roots — then the other way: every unit the database says is confirmed is on its chain with its root. Breaks raise
 * critical alerts; nothing is repaired automatically (docs/operations/restore-and-incident.md).
 * @throws LedgerError when the private chain cannot be read.
 */
export async function reconcileWithChains(ledgers: { private: Ledger; public: Ledger | null }): Promise<ReconcileReport> {
  const accounting = await accountForChain(ledgers.private);
  const batches = empty();
  const numbers = (kind: string) => accounting.chainBreaks.filter((b) => b.break === kind).map((b) => b.batchNumber);
  batches.missing = numbers("unit_not_on_chain");
  batches.mismatched = numbers("unit_root_differs");
  batches.unaccounted = numbers("root_unaccounted");
  batches.unreproduced = numbers("root_unreproduced");
  batches.checked = accounting.rootsOnChain - batches.unaccounted.length;
  batches.foreign = (
    await db().anchorBatch.findMany({ where: { status: "CONFIRMED" }, select: { batchNumber: true, chainId: true, contractAddress: true } })
  )
    .filter((b) => !isOnLedger(ledgers.private, b))
    .map((b) => b.batchNumber.toString());
  const checkpoints = await reconcileCheckpoints(ledgers.public);

  const report: ReconcileReport = { batches, checkpoints, accounting };
  // The private chain's roots unaccounted for or not rebuilt are already one alert each (integrity.chain_unaccounted,
  // which an officer closes for good); this summary alert keeps what reconcile always reported, and the checkpoints.
  const problems =
    batches.missing.length + batches.mismatched.length + batches.foreign.length +
    checkpoints.missing.length + checkpoints.mismatched.length + checkpoints.foreign.length + checkpoints.unaccounted.length + checkpoints.unreproduced.length;
  if (problems > 0) {
    await raiseAlert({
      kind: "integrity.reconcile_mismatch",
      severity: "CRITICAL",
      details: { batches: { ...batches }, checkpoints: { ...checkpoints } },
      dedupeKey: `reconcile:${new Date().toISOString().slice(0, 10)}`,
    });
  }
  return report;
}

/** The public chain's checkpoints, from its events: each has its row, whose member batch roots rebuild it. */
async function reconcileCheckpoints(ledger: Ledger | null): Promise<Comparison> {
  const out = empty();
  const rows = await db().checkpoint.findMany({ where: { status: "CONFIRMED" }, select: { id: true, checkpointNumber: true, root: true, chainId: true, contractAddress: true } });
  if (!ledger) {
    out.foreign = rows.map((r) => r.checkpointNumber.toString());
    return out;
  }
  const mine = rows.filter((r) => isOnLedger(ledger, r));
  out.foreign = rows.filter((r) => !isOnLedger(ledger, r)).map((r) => r.checkpointNumber.toString());
  const onChain = await onChainRootsOf(ledger);
  const rowByNumber = new Map(mine.map((r) => [r.checkpointNumber, r]));
  const chainByNumber = new Map(onChain.map((r) => [r.number, r.root]));
  const members = await db().$queryRaw<{ checkpointId: string; roots: string[] }[]>`
    SELECT "checkpointId"::text AS "checkpointId", array_agg(lower(root) ORDER BY "checkpointLeafIndex") AS roots
    FROM "AnchorBatch" WHERE "checkpointId" IS NOT NULL GROUP BY "checkpointId"`;
  const rootsOf = new Map(members.map((m) => [m.checkpointId, m.roots]));
  for (const root of onChain) {
    const row = rowByNumber.get(root.number);
    if (!row) {
      out.unaccounted.push(root.number.toString());
      continue;
    }
    out.checked += 1;
    if (row.root.toLowerCase() !== root.root) out.mismatched.push(root.number.toString());
    const batchRoots = rootsOf.get(row.id);
    if (!batchRoots || rebuiltRoot(batchRoots) !== root.root) out.unreproduced.push(root.number.toString());
  }
  for (const row of mine) if (!chainByNumber.has(row.checkpointNumber)) out.missing.push(row.checkpointNumber.toString());
  return out;
}

function rebuiltRoot(leaves: string[]): string | null {
  try {
    return leaves.length === 0 ? null : merkleRoot(leaves as Hex32[]);
  } catch {
    return null;
  }
}
