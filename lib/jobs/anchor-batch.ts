import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { buildMerkleTree, computeCommitment, type Hex32 } from "@/lib/integrity";
import { anchorRoot, readRoots, type LedgerClients } from "@/lib/ledger";

export type AnchoringLedger = { clients: LedgerClients; chainId: number; contractAddress: string; confirmations: number };

export type AnchoredBatch = { batchNumber: bigint; root: Hex32; recordCount: number; txHash: string; blockNumber: bigint };

// One anchoring writer at a time per database: two workers must never assign the same batch number.
const ANCHOR_LOCK_KEY = 0x43_50_41_4e; // "CPAN"

/**
 * Anchors the oldest pending records (up to maxRecords) as one Merkle batch on the private chain and stores each
 * record's proof. Records whose content no longer matches their commitment are left pending and reported.
 */
export async function anchorNextBatch(ledger: AnchoringLedger, opts: { maxRecords: number }): Promise<AnchoredBatch | null> {
  return db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ANCHOR_LOCK_KEY})`;
      const pending = await tx.medicalRecord.findMany({
        where: { status: "PENDING" },
        select: { id: true, patientId: true, resourceType: true, resource: true, recordedAt: true, commitment: true, salt: true },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: opts.maxRecords,
      });
      const sound = pending.filter((r) => computeCommitment({ ...r, recordId: r.id }, r.salt) === r.commitment);
      if (sound.length < pending.length) {
        log.error({ recordIds: pending.filter((r) => !sound.includes(r)).map((r) => r.id) }, "pending records do not match their commitments; not anchored");
      }
      if (sound.length === 0) return null;

      const tree = buildMerkleTree(sound.map((r) => r.commitment as Hex32));
      const last = await tx.anchorBatch.findFirst({
        where: { chainId: ledger.chainId, contractAddress: ledger.contractAddress },
        orderBy: { batchNumber: "desc" },
        select: { batchNumber: true },
      });
      let batchNumber = (last?.batchNumber ?? 0n) + 1n;
      // A root already on chain for this number was sent by an attempt that died before writing here. Skip the
      // number (the root stays on chain, proving nothing the index relies on); the integrity service reconciles.
      while ((await readRoots(ledger.clients, [batchNumber])).get(batchNumber)) batchNumber += 1n;

      const anchored = await anchorRoot(ledger.clients, { batchId: batchNumber, root: tree.root, confirmations: ledger.confirmations });
      const batch = await tx.anchorBatch.create({
        data: {
          chainId: ledger.chainId,
          contractAddress: ledger.contractAddress,
          batchNumber,
          root: tree.root,
          txHash: anchored.txHash,
          blockNumber: anchored.blockNumber,
          recordCount: sound.length,
          anchoredAt: new Date(),
        },
        select: { id: true },
      });
      await tx.$executeRaw`
        UPDATE "MedicalRecord" AS r
        SET "batchId" = ${batch.id}::uuid, "leafIndex" = u.idx, "proof" = u.proof, "status" = 'ANCHORED'
        FROM unnest(${sound.map((r) => r.id)}::uuid[], ${sound.map((_, i) => i)}::int[], ${tree.proofs.map((p) => JSON.stringify(p))}::jsonb[]) AS u(id, idx, proof)
        WHERE r."id" = u.id AND r."status" = 'PENDING'`;
      return { batchNumber, root: tree.root, recordCount: sound.length, txHash: anchored.txHash, blockNumber: anchored.blockNumber };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** Anchors until nothing is pending. */
export async function anchorAllPending(ledger: AnchoringLedger, opts: { maxRecords: number }): Promise<AnchoredBatch[]> {
  const batches: AnchoredBatch[] = [];
  for (let batch = await anchorNextBatch(ledger, opts); batch; batch = await anchorNextBatch(ledger, opts)) batches.push(batch);
  return batches;
}
