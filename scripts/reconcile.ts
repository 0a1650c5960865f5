/**
 * `npm run reconcile`: chain-first. Every root the chains' events say exists is accounted for by the database (every
 * record batch rebuilt from its rows, every creation event accounted for), and every confirmed unit in the database
 * is on its chain; the worker runs the same on RECONCILE_CRON. Exit code 1 when anything does not account.
 */
import { disconnectDb } from "@/lib/db";
import { reconcileWithChains } from "@/lib/jobs/reconcile";
import { ledgers } from "@/lib/verification";

const report = await reconcileWithChains(ledgers());
console.log(JSON.stringify(report, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2));
await disconnectDb();
const problems =
  [report.batches, report.checkpoints].some((r) => r.missing.length + r.mismatched.length + r.foreign.length + r.unaccounted.length + r.unreproduced.length > 0) ||
  report.accounting.chainBreaks.length + report.accounting.creationBreaks.length > 0;
process.exit(problems ? 1 : 0);
