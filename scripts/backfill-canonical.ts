/**
 * `npm run backfill-canonical`: gives recipe-v1 records their stored canonical bytes and proves every one with the
 * full verification against the chains (lib/jobs/backfill-canonical.ts). The worker runs the same at start; this is
 * for an operator who wants the counts now. Exit status 1 when any row was flagged tampered.
 */
import { disconnectDb } from "@/lib/db";
import { backfillCanonicalBytes } from "@/lib/jobs/backfill-canonical";

try {
  const report = await backfillCanonicalBytes();
  console.log(JSON.stringify(report));
  process.exitCode = report.tampered > 0 ? 1 : 0;
} finally {
  await disconnectDb();
}
