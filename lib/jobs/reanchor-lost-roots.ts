import { db } from "@/lib/db";
import { buildMerkleTree, type Hex32 } from "@/lib/integrity";
import { anchorRoot, readRoots } from "@/lib/ledger";
import type { AnchoringLedger } from "./anchor-batch";

export type LostRootsReport = { lost: number; reanchored: number; inconsistent: bigint[] };

/**
 * DEMO CONVENIENCE ONLY (embedded chain): when the local chain lost roots the index says were anchored, re-anchors
 * each lost batch on the current contract from the batch's stored commitments. The production configuration never
 * calls this: there a missing root is an incident, and records stay `tampered` until someone investigates.
 */
export async function reanchorLostRoots(ledger: AnchoringLedger): Promise<LostRootsReport> {
  const batches = await db().anchorBatch.findMany({
    where: { chainId: ledger.chainId },
    select: { id: true, batchNumber: true, root: true, contractAddress: true },
    orderBy: { batchNumber: "asc" },
  });
  if (batches.length === 0) return { lost: 0, reanchored: 0, inconsistent: [] };
  const onChain = await readRoots(ledger.clients, batches.map((b) => b.batchNumber));
  const lost = batches.filter((b) => onChain.get(b.batchNumber) == null || b.contractAddress !== ledger.contractAddress);
  const report: LostRootsReport = { lost: lost.length, reanchored: 0, inconsistent: [] };
  for (const batch of lost) {
    const chainRoot = onChain.get(batch.batchNumber);
    const records = await db().medicalRecord.findMany({ where: { batchId: batch.id }, select: { commitment: true }, orderBy: { leafIndex: "asc" } });
    const root = records.length > 0 ? buildMerkleTree(records.map((r) => r.commitment as Hex32)).root : null;
    if (root === null || root !== batch.root) {
      report.inconsistent.push(batch.batchNumber);
      continue;
    }
    const anchored =
      chainRoot === root
        ? null
        : await anchorRoot(ledger.clients, { batchId: batch.batchNumber, root, confirmations: ledger.confirmations });
    await db().anchorBatch.update({
      where: { id: batch.id },
      data: {
        contractAddress: ledger.contractAddress,
        ...(anchored ? { txHash: anchored.txHash, blockNumber: anchored.blockNumber, anchoredAt: new Date() } : {}),
      },
    });
    report.reanchored += 1;
  }
  return report;
}
