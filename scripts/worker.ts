/**
 * `npm run worker`: the anchoring service (docs/decisions/006-anchoring-service.md). Runs on pg-boss queues in the
 * application's database: `anchoring` (stately: one active, one queued, across any number of workers) ticks every
 * ANCHOR_WINDOW_SECONDS and on a one-minute schedule as a safety net; `integrity-sweep` re-verifies every record on
 * SWEEP_CRON; `access-log-check` checks the access log against the seals on chain on AUDIT_CHECK_CRON; `reconcile` accounts
 * for every root on chain and every creation event (chain-first, lib/jobs/reconcile.ts) on RECONCILE_CRON; `alert-delivery`
 * POSTs alerts to ALERT_WEBHOOK_URL when one is configured. Chain errors fail the job and pg-boss retries it with exponential backoff.
 */
import PgBoss from "pg-boss";
import { disconnectDb } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { anchoringTick, type AnchorStep } from "@/lib/jobs/anchoring";
import { sweepAllRecords } from "@/lib/jobs/sweep";
import { announceWorkerDatabaseRole } from "@/lib/jobs/database-role";
import { backfillCanonicalBytes } from "@/lib/jobs/backfill-canonical";
import { backfillIdentityRecords } from "@/lib/jobs/patient-identity";
import { runPrivacyAlerts } from "@/lib/jobs/privacy-alerts";
import { runAccessLogCheck } from "@/lib/jobs/access-log-check";
import { reconcileWithChains } from "@/lib/jobs/reconcile";
import { deliverPendingAlerts } from "@/lib/jobs/alert-delivery";
import { ledgers } from "@/lib/verification";

const ANCHORING = "anchoring";
const SWEEP = "integrity-sweep";
const PRIVACY = "privacy-alerts";
const LOG_CHECK = "access-log-check";
const RECONCILE = "reconcile";
const ALERT_DELIVERY = "alert-delivery";

// Fault injection for the exactly-once tests: the process kills itself at the named step. Never set in production.
const faultAt = process.env.CHARTPROOF_FAULT_AT as AnchorStep | undefined;
const fault = faultAt
  ? (step: AnchorStep) => {
      if (step === faultAt) {
        log.warn({ step }, "fault injection: SIGKILL");
        process.kill(process.pid, "SIGKILL");
      }
    }
  : undefined;

/**
 * pg-boss 10.4 completes (or fails) a job without awaiting it (src/manager.js, `work()`'s onFetch): a database
 * connection lost at that moment — a PostgreSQL restart — rejects with nobody listening, and Node would end the
 * worker (the resilience suite saw it). Such a job is left active; it expires and runs again, which every job here
 * tolerates (anchoring is exactly-once by design, the sweep and the privacy scan are repeatable). Any other unhandled
 * rejection still ends the process.
 */
const CONNECTION_LOST = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"]);
process.on("unhandledRejection", (reason) => {
  const code = (reason as { code?: unknown } | null)?.code;
  const message = reason instanceof Error ? reason.message : String(reason);
  if ((typeof code === "string" && CONNECTION_LOST.has(code)) || /connection terminated|terminating connection/i.test(message)) {
    log.error({ err: message, code }, "database connection lost while the job queue settled a job; the job will expire and run again");
    return;
  }
  log.fatal({ err: message }, "unhandled rejection");
  process.exit(1);
});

async function main() {
  const config = env();
  if (!config.LEDGER_WRITER_KEY) throw new Error("LEDGER_WRITER_KEY is required: the worker is the only process that anchors.");
  const chains = ledgers();
  await announceWorkerDatabaseRole();
  // Records from before stored canonical bytes get them, each proven against the chains (ADR 017); until then they
  // verify as unavailable, and pending ones wait for it before they can be anchored.
  // A failure (a chain down, a role without the grant) must not stop anchoring: the rows stay `unavailable` and
  // the backfill runs again at the next start.
  try {
    const backfill = await backfillCanonicalBytes();
    if (backfill.filled + backfill.unserializable > 0) log.info(backfill, "canonical bytes backfilled and verified");
  } catch (error) {
    log.error({ err: error instanceof Error ? error.message : String(error) }, "canonical bytes backfill failed; records without bytes stay unavailable");
  }
  // Patients registered before identity records get their first identity version (ADR 023); until then their chart
  // header is red and the body withheld.
  try {
    let filled = 0;
    for (let n = await backfillIdentityRecords(); n > 0; n = await backfillIdentityRecords()) filled += n;
    if (filled > 0) log.info({ filled }, "patient identity versions committed");
  } catch (error) {
    log.error({ err: error instanceof Error ? error.message : String(error) }, "identity backfill failed; those charts stay withheld");
  }
  const anchoringConfig = {
    sealEverySeconds: config.AUDIT_SEAL_SECONDS,
    batchSize: config.ANCHOR_BATCH_SIZE,
    windowSeconds: config.ANCHOR_WINDOW_SECONDS,
    checkpointEveryBatches: config.CHECKPOINT_EVERY_BATCHES,
    checkpointEveryMinutes: config.CHECKPOINT_EVERY_MINUTES,
  };

  // Frequent maintenance so that the job of a worker that died is expired (and the queue freed) within a minute.
  const boss = new PgBoss({ connectionString: config.DATABASE_URL, schema: "pgboss", application_name: "chartproof-worker", maintenanceIntervalSeconds: 15 });
  boss.on("error", (error) => log.error({ err: error.message }, "job queue error"));
  await boss.start();
  // A tick is bounded (a few units, never waiting for confirmations), so a minute is generous; a worker killed
  // mid-tick holds the queue's single active slot only that long.
  const retry = { retryLimit: 12, retryDelay: 1, retryBackoff: true };
  await boss.createQueue(ANCHORING, { name: ANCHORING, policy: "stately", expireInSeconds: 60, ...retry });
  await boss.createQueue(SWEEP, { name: SWEEP, policy: "stately", expireInSeconds: 60 * 60, ...retry });
  await boss.schedule(ANCHORING, "* * * * *");
  await boss.schedule(SWEEP, config.SWEEP_CRON);
  // One privacy scan at a time (stately): two concurrent scans could raise the same alert twice.
  await boss.createQueue(PRIVACY, { name: PRIVACY, policy: "stately", expireInSeconds: 10 * 60, ...retry });
  await boss.schedule(PRIVACY, config.PRIVACY_ALERTS_CRON);

  await boss.work(ANCHORING, { pollingIntervalSeconds: 0.5 }, async () => {
    const report = await anchoringTick(chains, anchoringConfig, fault);
    if (report.batchesConfirmed || report.checkpointsConfirmed || report.waiting) log.info(report, "anchoring tick");
    await boss.send(ANCHORING, {}, { startAfter: Math.max(1, Math.ceil(config.ANCHOR_WINDOW_SECONDS)) });
  });
  await boss.work(SWEEP, { pollingIntervalSeconds: 5 }, async () => {
    log.info(await sweepAllRecords(), "integrity sweep");
  });
  await boss.work(PRIVACY, { pollingIntervalSeconds: 5 }, async () => {
    const report = await runPrivacyAlerts({ timeZone: config.DEFAULT_TIME_ZONE });
    if (Object.values(report.raised).some((n) => n > 0)) log.warn({ raised: report.raised }, "privacy alerts raised");
  });
  // The access log against the seals on chain; breaks raise critical alerts (lib/jobs/access-log-check.ts).
  await boss.createQueue(LOG_CHECK, { name: LOG_CHECK, policy: "stately", expireInSeconds: 30 * 60, ...retry });
  await boss.schedule(LOG_CHECK, config.AUDIT_CHECK_CRON);
  await boss.work(LOG_CHECK, { pollingIntervalSeconds: 5 }, async () => {
    const outcome = await runAccessLogCheck(chains.private);
    if (outcome.status === "checked") log.info({ checkedEvents: outcome.check.checkedEvents, breaks: outcome.check.breaks.length, unsealedEvents: outcome.check.unsealedEvents }, "access log check");
    else log.warn("access log check: the chain could not be read, nothing was checked");
  });
  // Chain-first accounting: every root on chain rebuilt from the database, every creation event accounted for.
  await boss.createQueue(RECONCILE, { name: RECONCILE, policy: "stately", expireInSeconds: 30 * 60, ...retry });
  await boss.schedule(RECONCILE, config.RECONCILE_CRON);
  await boss.work(RECONCILE, { pollingIntervalSeconds: 5 }, async () => {
    const report = await reconcileWithChains(chains);
    const { chainBreaks, creationBreaks, ...counts } = report.accounting;
    log.info({ ...counts, chainBreaks: chainBreaks.length, creationBreaks: creationBreaks.length, checkpoints: report.checkpoints.checked }, "chain accounting");
  });
  // Alerts leave the database: every few seconds, the undelivered ones go to the webhook (retried with backoff).
  const webhook = config.ALERT_WEBHOOK_URL;
  if (webhook) {
    await boss.createQueue(ALERT_DELIVERY, { name: ALERT_DELIVERY, policy: "stately", expireInSeconds: 5 * 60, ...retry });
    await boss.schedule(ALERT_DELIVERY, "* * * * *");
    await boss.work(ALERT_DELIVERY, { pollingIntervalSeconds: 1 }, async () => {
      const report = await deliverPendingAlerts(webhook);
      if (report.delivered || report.failed) log.info(report, "alert delivery");
      await boss.send(ALERT_DELIVERY, {}, { startAfter: 5 });
    });
    await boss.send(ALERT_DELIVERY, {});
  }
  await boss.send(ANCHORING, {});
  log.info({ chains: [chains.private.chainId, chains.public?.chainId ?? null] }, "anchoring worker started");

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await boss.stop({ graceful: true, timeout: 20_000 });
    await disconnectDb();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  log.fatal({ err: error instanceof Error ? error.message : String(error) }, "worker failed to start");
  process.exit(1);
});
