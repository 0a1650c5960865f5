import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { Ledger } from "@/lib/verification";
import { onChainSeals, SEAL_NUMBER_BASE, type OnChainSeal } from "./on-chain-seals";
import { chainsInUse, rebuilds, sealRowsFor, type SealRow } from "./sealed-heads";
import { walkChain, type LogBreak } from "./walk-chain";

export type { LogBreak, LogBreakKind } from "./walk-chain";

export type LogCheck = {
  checkedEvents: number;
  chains: number;
  /** The earliest break in the log's global order, or null when every seal on chain is accounted for and every link holds. */
  firstBreak: LogBreak | null;
  /** Every seal that is missing or rewritten, and the first break of each broken chain. */
  breaks: LogBreak[];
  /** Seal roots the contract holds (read from its events, not from the database). */
  sealsOnChain: number;
  /** The newest seal on chain, with what its row says when the row rebuilds its root. */
  newestSeal: { number: string; blockNumber: string; sealedAt: string | null; eventCount: string | null } | null;
  /** Events after the newest seal on chain: the only ones that could vanish without a trace. */
  unsealedEvents: number;
  /** When the oldest of them was written. */
  unsealedSince: string | null;
  sealIntervalSeconds: number;
};

/** How old an unsealed event may be before it is a break: two sealing intervals and a minute for the chain. */
export function unsealedGraceSeconds(): number {
  return 2 * env().AUDIT_SEAL_SECONDS + 60;
}

// Older seals are rebuilt from their heads on a rolling cycle, this many per check (the newest one every time: its
// heads alone prove every sealed event). Per process; a restart starts the cycle again.
const OLDER_SEALS_PER_CHECK = 500;
let rollingFrom = 0;

const ROW_PAGE = 10_000;

/**
 * Chain-first: starts from the seal roots the contract holds (its RootAnchored events in the seal range), never from
 * the database's rows. Every seal on chain must have its row, with the same root; the newest (and, rolling, older
 * ones) must rebuild its root from its heads; every chain must hash-link from genesis through each rebuilt seal's
 * head at its position. Reads the chain first, then the database (a seal's row is written before its root is sent,
 * and its heads before its row), in keyset pages, never the whole table at once.
 * @throws LedgerError when the chain cannot be read: then nothing has been checked.
 */
export async function checkAccessLog(opts: { ledger: Ledger; unsealedGraceSeconds: number; now?: Date; olderSeals?: number }): Promise<LogCheck> {
  const now = opts.now ?? new Date();
  const seals = await onChainSeals(opts.ledger);
  const sealBreaks: LogBreak[] = [];
  const sealBreak = (kind: "seal_missing" | "seal_mismatch", seal: OnChainSeal) =>
    sealBreaks.push({ kind, chain: null, chainSeq: null, seq: null, occurredAt: null, sealNumber: seal.number.toString() });

  // 1. Every seal on chain has its row, with the root the chain holds: a merge of two lists sorted by number (the
  // rows read a page at a time, a few dozen bytes each).
  const accounted = new Set<bigint>();
  let next = 0;
  for await (const row of sealRowRoots(opts.ledger)) {
    while (next < seals.length && seals[next]!.number < row.number) sealBreak("seal_missing", seals[next++]!);
    if (next < seals.length && seals[next]!.number === row.number) {
      const seal = seals[next++]!;
      if (row.root !== seal.root) sealBreak("seal_mismatch", seal);
      else accounted.add(seal.number);
    }
  }
  while (next < seals.length) sealBreak("seal_missing", seals[next++]!);

  // 2. Heads rebuild roots: the newest seal whose row is intact (its heads cover everything sealed), and a window of
  // older ones.
  const olderCount = Math.min(opts.olderSeals ?? OLDER_SEALS_PER_CHECK, seals.length);
  if (rollingFrom >= seals.length) rollingFrom = 0;
  const window = seals.slice(rollingFrom, rollingFrom + olderCount);
  rollingFrom += olderCount;
  const newestIntact = [...seals].reverse().find((s) => accounted.has(s.number));
  const toRebuild = [...new Set([...window, ...(newestIntact ? [newestIntact] : [])])].filter((s) => accounted.has(s.number));
  const rows = await sealRowsFor(opts.ledger, toRebuild.map((s) => s.number));
  const expected = new Map<number, Map<string, { hash: string; sealNumber: string }>>();
  let trusted: SealRow | null = null;
  for (const seal of toRebuild) {
    const row = rows.get(seal.number);
    if (!rebuilds(row, seal)) {
      sealBreak(row ? "seal_mismatch" : "seal_missing", seal);
      continue;
    }
    // The newest seal whose heads rebuild its root vouches for everything sealed up to it.
    if (!trusted || row.number > trusted.number) trusted = row;
    for (const head of row.heads) {
      const atChain = expected.get(head.chain) ?? new Map<string, { hash: string; sealNumber: string }>();
      atChain.set(head.chainSeq, { hash: head.hash, sealNumber: seal.number.toString() });
      expected.set(head.chain, atChain);
    }
  }
  const trustedHeads = new Map((trusted?.heads ?? []).map((h) => [h.chain, BigInt(h.chainSeq)]));

  // 3. Every chain from genesis: its links, and each rebuilt seal's head at its position.
  const chainBreaks: LogBreak[] = [];
  let checked = 0;
  let unsealed = 0;
  let oldestUnsealed: { at: Date; chain: number; chainSeq: string; seq: string } | null = null;
  const inDb = await chainsInUse();
  const chains = [...new Set([...inDb, ...expected.keys()])].sort((a, b) => a - b);
  for (const chain of chains) {
    const heads = expected.get(chain) ?? new Map();
    let headBreak: LogBreak | null = null;
    const sealedTo = trustedHeads.get(chain) ?? 0n;
    const walk = await walkChain(chain, null, (e) => {
      const position = e.chainSeq.toString();
      const head = heads.get(position);
      if (head) {
        heads.delete(position);
        if (head.hash !== e.hash) headBreak ??= { kind: "edited", chain, chainSeq: position, seq: e.seq.toString(), occurredAt: e.occurredAt.toISOString(), sealNumber: head.sealNumber };
      }
      if (e.chainSeq > sealedTo) {
        unsealed += 1;
        if (!oldestUnsealed || e.occurredAt < oldestUnsealed.at) oldestUnsealed = { at: e.occurredAt, chain, chainSeq: position, seq: e.seq.toString() };
      }
    });
    checked += walk.checked;
    // A sealed head the walk never reached: the database head fell behind what was sealed (events deleted at the end).
    const lost = [...heads].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))[0];
    const candidates = [walk.firstBreak, headBreak, lost ? { kind: "deleted" as const, chain, chainSeq: lost[0], seq: null, occurredAt: null, sealNumber: lost[1].sealNumber } : null];
    const first = candidates.filter((b): b is LogBreak => b !== null).sort((a, b) => (BigInt(a.chainSeq ?? 0) < BigInt(b.chainSeq ?? 0) ? -1 : 1))[0];
    if (first) chainBreaks.push(first);
  }

  // 4. Events no seal on chain covers, older than the grace: the worker is not sealing (or its seals do not land).
  const tail = oldestUnsealed as { at: Date; chain: number; chainSeq: string; seq: string } | null;
  if (tail && tail.at.getTime() < now.getTime() - opts.unsealedGraceSeconds * 1000 && !chainBreaks.some((b) => b.chain === tail.chain)) {
    chainBreaks.push({ kind: "unsealed_tail", chain: tail.chain, chainSeq: tail.chainSeq, seq: tail.seq, occurredAt: tail.at.toISOString(), sealNumber: null });
  }

  const order = (b: LogBreak) => (b.seq === null ? Number.MAX_SAFE_INTEGER : Number(b.seq));
  const breaks = [...sealBreaks, ...chainBreaks.sort((a, b) => order(a) - order(b))];
  const newest = seals.at(-1) ?? null;
  const newestRow = newest && trusted?.number === newest.number ? trusted : null;
  return {
    checkedEvents: checked,
    chains: chains.length,
    firstBreak: breaks[0] ?? null,
    breaks,
    sealsOnChain: seals.length,
    newestSeal: newest
      ? { number: newest.number.toString(), blockNumber: newest.blockNumber.toString(), sealedAt: newestRow?.sealedAt.toISOString() ?? null, eventCount: newestRow?.eventCount.toString() ?? null }
      : null,
    unsealedEvents: unsealed,
    unsealedSince: tail?.at.toISOString() ?? null,
    sealIntervalSeconds: env().AUDIT_SEAL_SECONDS,
  };
}

/** Each seal-range row's root, in number order (keyset pages). A number whose seal row is gone is left out. */
async function* sealRowRoots(ledger: Ledger): AsyncGenerator<{ number: bigint; root: string }> {
  let after = SEAL_NUMBER_BASE;
  for (;;) {
    const page = await db().anchorBatch.findMany({
      where: { chainId: ledger.chainId, contractAddress: { equals: ledger.contractAddress, mode: "insensitive" }, kind: "AUDIT_SEAL", batchNumber: { gt: after } },
      select: { batchNumber: true, seal: { select: { root: true } } },
      orderBy: { batchNumber: "asc" },
      take: ROW_PAGE,
    });
    for (const row of page) if (row.seal) yield { number: row.batchNumber, root: row.seal.root.toLowerCase() };
    if (page.length < ROW_PAGE) return;
    after = page.at(-1)!.batchNumber;
  }
}
