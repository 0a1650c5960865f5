import { db } from "@/lib/db";
import { headLeaf, type ChainHead } from "@/lib/audit/seal-root";
import { buildMerkleTree, type Hex32 } from "@/lib/integrity";
import { anchorRoot, readRoots } from "@/lib/ledger";
import type { Ledger } from "@/lib/verification";

export type LostRootsReport = { lost: number; reanchored: number; inconsistent: bigint[] };

type Unit = { id: string; number: bigint; root: string; contractAddress: string; leaves: () => Promise<string[]> };

/**
 * DEMO CONVENIENCE ONLY (embedded chains): when a local chain lost roots the index says were anchored, re-anchors
 * each lost unit on the current contract from its members' stored hashes. The production configuration never
 * calls this: there a missing root is an incident, and records stay `tampered` until someone investigates.
 */
export async function reanchorLostRoots(ledgers: { private: Ledger; public: Ledger | null }): Promise<LostRootsReport> {
  const report: LostRootsReport = { lost: 0, reanchored: 0, inconsistent: [] };
  const batches = await db().anchorBatch.findMany({
    where: { chainId: ledgers.private.chainId, status: "CONFIRMED" },
    select: { id: true, batchNumber: true, root: true, contractAddress: true, kind: true, seal: { select: { heads: true } } },
  });
  await reanchor(
    ledgers.private,
    batches.map((b) => ({
      ...b,
      number: b.batchNumber,
      leaves: async () =>
        b.kind === "AUDIT_SEAL"
          ? [...((b.seal?.heads ?? []) as ChainHead[])].sort((x, y) => x.chain - y.chain).map(headLeaf)
          : (await db().medicalRecord.findMany({ where: { batchId: b.id }, select: { commitment: true }, orderBy: { leafIndex: "asc" } })).map((r) => r.commitment),
    })),
    (id, contractAddress) => db().anchorBatch.update({ where: { id }, data: { contractAddress } }),
    report,
  );
  if (ledgers.public) {
    const checkpoints = await db().checkpoint.findMany({
      where: { chainId: ledgers.public.chainId, status: "CONFIRMED" },
      select: { id: true, checkpointNumber: true, root: true, contractAddress: true },
    });
    await reanchor(
      ledgers.public,
      checkpoints.map((c) => ({
        ...c,
        number: c.checkpointNumber,
        leaves: async () => (await db().anchorBatch.findMany({ where: { checkpointId: c.id }, select: { root: true }, orderBy: { checkpointLeafIndex: "asc" } })).map((b) => b.root),
      })),
      (id, contractAddress) => db().checkpoint.update({ where: { id }, data: { contractAddress } }),
      report,
    );
  }
  return report;
}

async function reanchor(ledger: Ledger, units: Unit[], moveTo: (id: string, contractAddress: string) => Promise<unknown>, report: LostRootsReport) {
  if (units.length === 0) return;
  const onChain = await readRoots(ledger.clients, units.map((u) => u.number));
  for (const unit of units) {
    const here = unit.contractAddress.toLowerCase() === ledger.contractAddress.toLowerCase();
    const chainRoot = here ? onChain.get(unit.number) : null;
    if (chainRoot) continue;
    report.lost += 1;
    const leaves = await unit.leaves();
    const root = leaves.length > 0 ? buildMerkleTree(leaves as Hex32[]).root : null;
    if (root === null || root !== unit.root) {
      report.inconsistent.push(unit.number);
      continue;
    }
    if ((await readRoots(ledger.clients, [unit.number])).get(unit.number) !== root) {
      await anchorRoot(ledger.clients, { batchId: unit.number, root, confirmations: 1 });
    }
    await moveTo(unit.id, ledger.contractAddress);
    report.reanchored += 1;
  }
}
