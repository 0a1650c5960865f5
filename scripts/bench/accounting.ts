/**
 * The chain-first accounting at scale (issue #17; docs/decisions/022-chain-first-accounting.md): `accountForChain`
 * — every root the private chain's events list rebuilt from the database, the anchored-leaf registry against the rows,
 * every creation event accounted for — run twice as the worker's RECONCILE_CRON job runs it (the process's root cache
 * is already filled by the anchoring before it, as in a running worker); the cold read of every RootAnchored event from
 * the deployment block, which a restarted worker pays once, is timed on its own. Then one content sweep
 * (`sweepAllRecords`, every record re-hashed), whose cycle may be longer than the accounting's.
 */
import { ms } from "./stats";

export type AccountingResult = {
  records: number;
  chainRead: { seconds: number; roots: number };
  cold: { seconds: number; rootsOnChain: number; recordBatches: number; leaves: number; creationEvents: number; chainBreaks: number; creationBreaks: number };
  warm: { seconds: number };
  sweep: { seconds: number; checked: number; verified: number; tampered: number } | null;
};

export async function measureAccounting(opts: { sweep: boolean; say: (line: string) => void; keep?: (partial: AccountingResult) => Promise<void> }): Promise<AccountingResult> {
  const { db } = await import("@/lib/db");
  const { accountForChain } = await import("@/lib/jobs/chain-accounting");
  const { sweepAllRecords } = await import("@/lib/jobs/sweep");
  const { ledgers } = await import("@/lib/verification");
  const { headBlock, listAnchoredRoots } = await import("@/lib/ledger");
  const records = await db().medicalRecord.count();
  const clients = ledgers().private.clients;
  let start = process.hrtime.bigint();
  const all = await listAnchoredRoots(clients, { fromBlock: 0n, toBlock: await headBlock(clients) });
  const chainRead = { seconds: ms(start) / 1000, roots: all.length };
  opts.say(`every RootAnchored event from genesis: ${all.length} roots in ${chainRead.seconds.toFixed(2)} s`);

  opts.say(`chain accounting over ${records.toLocaleString("en-US")} records (cold: every RootAnchored event read)…`);
  start = process.hrtime.bigint();
  const cold = await accountForChain(ledgers().private);
  const coldSeconds = ms(start) / 1000;
  opts.say(`  cold ${coldSeconds.toFixed(1)} s: ${cold.rootsOnChain} roots, ${cold.leaves.toLocaleString("en-US")} leaves, ${cold.chainBreaks.length + cold.creationBreaks.length} breaks`);
  start = process.hrtime.bigint();
  await accountForChain(ledgers().private);
  const warmSeconds = ms(start) / 1000;
  opts.say(`  warm ${warmSeconds.toFixed(1)} s`);
  if (cold.chainBreaks.length + cold.creationBreaks.length > 0) {
    opts.say(`  BREAKS in a clean database: ${JSON.stringify([...cold.chainBreaks.slice(0, 3), ...cold.creationBreaks.slice(0, 3)])}`);
  }

  const result: AccountingResult = {
    records,
    chainRead,
    cold: {
      seconds: coldSeconds,
      rootsOnChain: cold.rootsOnChain,
      recordBatches: cold.recordBatches,
      leaves: cold.leaves,
      creationEvents: cold.creationEvents,
      chainBreaks: cold.chainBreaks.length,
      creationBreaks: cold.creationBreaks.length,
    },
    warm: { seconds: warmSeconds },
    sweep: null,
  };
  // Kept before the sweep, whose run at the largest scale is the longest part.
  await opts.keep?.(result);
  if (opts.sweep) {
    opts.say("content sweep (sweepAllRecords: every record re-hashed and proven)…");
    start = process.hrtime.bigint();
    const report = await sweepAllRecords();
    result.sweep = { seconds: ms(start) / 1000, checked: report.checked, verified: report.verified, tampered: report.tampered };
    opts.say(`  sweep ${result.sweep.seconds.toFixed(1)} s for ${report.checked.toLocaleString("en-US")} records`);
  }
  return result;
}
