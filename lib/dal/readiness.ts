import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { writerBalance } from "@/lib/ledger";
import { ledgers, type Ledger } from "@/lib/verification";

type ChainReport = { chainId: number; state: "up" | "down" | "not_configured"; blockNumber?: string; writerBalanceWei?: string };

export type ReadinessReport = {
  ready: boolean;
  database: "up" | "down";
  ledgers: { private: ChainReport; public: ChainReport };
  anchoring?: {
    pendingRecords: number;
    /** Age of the oldest record still waiting to be anchored. */
    oldestPendingSeconds: number | null;
    /** Records pending longer than PENDING_WARN_MINUTES. */
    overduePendingRecords: number;
    /** Age of the oldest anchored batch not yet in a public checkpoint. */
    checkpointLagSeconds: number | null;
    openAlerts: number;
  };
};

async function chainReport(ledger: Ledger | null, writer: string | undefined): Promise<ChainReport> {
  if (!ledger) return { chainId: 0, state: "not_configured" };
  try {
    const blockNumber = await ledger.clients.publicClient.getBlockNumber({ cacheTime: 0 });
    const balance = writer ? await writerBalance(ledger.clients, writer as `0x${string}`).catch(() => undefined) : undefined;
    return { chainId: ledger.chainId, state: "up", blockNumber: blockNumber.toString(), ...(balance !== undefined ? { writerBalanceWei: balance.toString() } : {}) };
  } catch {
    return { chainId: ledger.chainId, state: "down" };
  }
}

const secondsSince = (date: Date | null | undefined, now: Date) => (date ? Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000)) : null);

/**
 * Readiness for operators and load balancers: states, counts and ages only — no PHI, no URLs, no keys. Ready means
 * the database and the private chain answer (the public chain only adds a second level of proof).
 */
export async function checkReadiness(chains: { private: Ledger; public: Ledger | null } = ledgers()): Promise<ReadinessReport> {
  const now = new Date();
  const [privateChain, publicChain] = await Promise.all([
    chainReport(chains.private, env().LEDGER_WRITER_ADDRESS),
    chainReport(chains.public, env().PUBLIC_LEDGER_WRITER_ADDRESS),
  ]);
  try {
    const overdueBefore = new Date(now.getTime() - env().PENDING_WARN_MINUTES * 60_000);
    const [pendingRecords, oldestPending, overduePendingRecords, unchecked, openAlerts] = await Promise.all([
      db().medicalRecord.count({ where: { status: "PENDING" } }),
      db().medicalRecord.findFirst({ where: { status: "PENDING" }, orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
      db().medicalRecord.count({ where: { status: "PENDING", createdAt: { lt: overdueBefore } } }),
      db().anchorBatch.findFirst({ where: { status: "CONFIRMED", checkpointId: null }, orderBy: { anchoredAt: "asc" }, select: { anchoredAt: true } }),
      db().alert.count({ where: { resolvedAt: null } }),
    ]);
    return {
      ready: privateChain.state === "up",
      database: "up",
      ledgers: { private: privateChain, public: publicChain },
      anchoring: {
        pendingRecords,
        oldestPendingSeconds: secondsSince(oldestPending?.createdAt, now),
        overduePendingRecords,
        checkpointLagSeconds: chains.public ? secondsSince(unchecked?.anchoredAt, now) : null,
        openAlerts,
      },
    };
  } catch {
    return { ready: false, database: "down", ledgers: { private: privateChain, public: publicChain } };
  }
}
