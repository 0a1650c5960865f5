import { db } from "@/lib/db";
import { readRoots } from "@/lib/ledger";
import { isOnLedger, type Ledger } from "@/lib/verification";
import { raiseAlert } from "./alerts";

export type ReconcileReport = {
  batches: { checked: number; missing: string[]; mismatched: string[]; foreign: string[] };
  checkpoints: { checked: number; missing: string[]; mismatched: string[]; foreign: string[] };
};

const CHUNK = 500;

type Unit = { number: bigint; root: string; chainId: number; contractAddress: string };

async function compare(ledger: Ledger | null, units: Unit[]) {
  const out = { checked: 0, missing: [] as string[], mismatched: [] as string[], foreign: [] as string[] };
  for (let i = 0; i < units.length; i += CHUNK) {
    const chunk = units.slice(i, i + CHUNK);
    const mine = chunk.filter((u) => ledger && isOnLedger(ledger, u));
    out.foreign.push(...chunk.filter((u) => !mine.includes(u)).map((u) => u.number.toString()));
    const roots = ledger && mine.length ? await readRoots(ledger.clients, mine.map((u) => u.number)) : new Map();
    for (const unit of mine) {
      out.checked += 1;
      const root = roots.get(unit.number) ?? null;
      if (root === null) out.missing.push(unit.number.toString());
      else if (root.toLowerCase() !== unit.root.toLowerCase()) out.mismatched.push(unit.number.toString());
    }
  }
  return out;
}

/**
 * After a restore (or on demand): does every anchored batch and checkpoint in the database match the root its chain
 * holds? Missing or different roots raise a critical alert; nothing is repaired automatically.
 */
export async function reconcileWithChains(ledgers: { private: Ledger; public: Ledger | null }): Promise<ReconcileReport> {
  const batches = await db().anchorBatch.findMany({ where: { status: "CONFIRMED" }, select: { batchNumber: true, root: true, chainId: true, contractAddress: true }, orderBy: { batchNumber: "asc" } });
  const checkpoints = await db().checkpoint.findMany({ where: { status: "CONFIRMED" }, select: { checkpointNumber: true, root: true, chainId: true, contractAddress: true }, orderBy: { checkpointNumber: "asc" } });
  const report: ReconcileReport = {
    batches: await compare(ledgers.private, batches.map((b) => ({ ...b, number: b.batchNumber }))),
    checkpoints: await compare(ledgers.public, checkpoints.map((c) => ({ ...c, number: c.checkpointNumber }))),
  };
  const problems = [report.batches, report.checkpoints].reduce((n, r) => n + r.missing.length + r.mismatched.length + r.foreign.length, 0);
  if (problems > 0) {
    await raiseAlert({
      kind: "integrity.reconcile_mismatch",
      severity: "CRITICAL",
      details: { batches: report.batches, checkpoints: report.checkpoints },
      dedupeKey: `reconcile:${new Date().toISOString().slice(0, 10)}`,
    });
  }
  return report;
}
