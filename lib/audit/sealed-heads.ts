import { db } from "@/lib/db";
import type { Ledger } from "@/lib/verification";
import { onChainSeals, type OnChainSeal } from "./on-chain-seals";
import { sealRoot, type ChainHead } from "./seal-root";
import { walkChain, type LogBreak } from "./walk-chain";

export type SealRow = { number: bigint; root: string; heads: ChainHead[]; sealedAt: Date; eventCount: bigint };

/** The seal rows the database holds for these on-chain seal numbers (a number missing from the map has none). */
export async function sealRowsFor(ledger: Ledger, numbers: readonly bigint[]): Promise<Map<bigint, SealRow>> {
  if (numbers.length === 0) return new Map();
  const rows = await db().anchorBatch.findMany({
    where: { chainId: ledger.chainId, contractAddress: { equals: ledger.contractAddress, mode: "insensitive" }, batchNumber: { in: [...numbers] }, kind: "AUDIT_SEAL" },
    select: { batchNumber: true, seal: { select: { root: true, heads: true, sealedAt: true, eventCount: true } } },
  });
  const out = new Map<bigint, SealRow>();
  for (const row of rows) {
    if (!row.seal || !Array.isArray(row.seal.heads)) continue;
    out.set(row.batchNumber, { number: row.batchNumber, root: row.seal.root, heads: row.seal.heads as ChainHead[], sealedAt: row.seal.sealedAt, eventCount: row.seal.eventCount });
  }
  return out;
}

/** Whether a seal row rebuilds the root the chain holds for its number. */
export function rebuilds(row: SealRow | undefined, seal: OnChainSeal): row is SealRow {
  return row !== undefined && row.root.toLowerCase() === seal.root && sealRoot(row.heads).toLowerCase() === seal.root;
}

export type SealedTail =
  | { ok: true; newest: OnChainSeal | null; newestRow: SealRow | null; heads: ChainHead[] }
  | { ok: false; newest: OnChainSeal | null; problem: LogBreak };

/**
 * The worker's memory of what it sealed is the chain itself: the newest seal root on chain. Its heads must still be
 * in the database — a row that rebuilds that root, each head present with its hash — and every chain must extend
 * them by valid links up to its current head. Returns those current heads (what the next seal may cover), or the
 * first problem: a database head that fell behind a sealed one, a rewritten tail, or a missing or rewritten seal.
 */
export async function sealedTail(ledger: Ledger): Promise<SealedTail> {
  const seals = await onChainSeals(ledger);
  const newest = seals.at(-1) ?? null;
  let newestRow: SealRow | null = null;
  if (newest) {
    const row = (await sealRowsFor(ledger, [newest.number])).get(newest.number);
    const at = { chain: null, chainSeq: null, seq: null, occurredAt: null, sealNumber: newest.number.toString() };
    if (!row) return { ok: false, newest, problem: { ...at, kind: "seal_missing" } };
    if (!rebuilds(row, newest)) return { ok: false, newest, problem: { ...at, kind: "seal_mismatch" } };
    newestRow = row;
  }
  const sealed = new Map((newestRow?.heads ?? []).map((h) => [h.chain, h]));
  const chains = new Set([...sealed.keys(), ...(await chainsInUse())]);
  const heads: ChainHead[] = [];
  for (const chain of [...chains].sort((a, b) => a - b)) {
    const start = sealed.get(chain);
    const walk = await walkChain(chain, start ? { ...start, sealNumber: newest!.number.toString() } : null);
    if (walk.firstBreak) return { ok: false, newest, problem: { ...walk.firstBreak, sealNumber: newest?.number.toString() ?? null } };
    if (walk.head) heads.push(walk.head);
  }
  return { ok: true, newest, newestRow, heads };
}

/**
 * The chains that hold events, by a loose index scan of (chain, chainSeq): one index probe per chain, never a scan of
 * the log, and every chain — including any the app never writes (an insider's).
 */
export async function chainsInUse(): Promise<number[]> {
  const rows = await db().$queryRaw<{ chain: number }[]>`
    WITH RECURSIVE c AS (
      (SELECT chain FROM "AccessEvent" ORDER BY chain LIMIT 1)
      UNION ALL
      SELECT (SELECT e.chain FROM "AccessEvent" e WHERE e.chain > c.chain ORDER BY e.chain LIMIT 1) FROM c WHERE c.chain IS NOT NULL
    )
    SELECT chain FROM c WHERE chain IS NOT NULL`;
  return rows.map((r) => r.chain);
}
