/** `npm run reconcile`: compares every anchored batch and checkpoint in the database with its chain (after a restore). */
import { disconnectDb } from "@/lib/db";
import { reconcileWithChains } from "@/lib/jobs/reconcile";
import { ledgers } from "@/lib/verification";

const report = await reconcileWithChains(ledgers());
console.log(JSON.stringify(report, null, 2));
await disconnectDb();
const problems = [report.batches, report.checkpoints].some((r) => r.missing.length + r.mismatched.length + r.foreign.length > 0);
process.exit(problems ? 1 : 0);
