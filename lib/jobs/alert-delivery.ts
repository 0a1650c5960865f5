import { db } from "@/lib/db";
import { log } from "@/lib/log";

export type DeliveryReport = { delivered: number; failed: number };

const PAGE = 50;
const TIMEOUT_MS = 5_000;
// 5 s, 10 s, 20 s … capped at 15 minutes: a receiver that is down for hours gets a retry every quarter hour, forever.
const backoffMs = (attempts: number) => Math.min(5_000 * 2 ** Math.min(attempts - 1, 20), 15 * 60_000);

/**
 * The worker's outbox for alerts: POSTs every alert not yet delivered (oldest first, a page per run) to `url` as JSON,
 * with the alert id as `Idempotency-Key` (a receiver may see one twice, never zero times). A refused or unreachable
 * delivery is logged and retried with backoff; the alert stays in the database and in the JSON log whatever happens.
 */
export async function deliverPendingAlerts(url: string, opts: { now?: Date } = {}): Promise<DeliveryReport> {
  const now = opts.now ?? new Date();
  const report: DeliveryReport = { delivered: 0, failed: 0 };
  const due = await db().alert.findMany({
    where: { deliveredAt: null, OR: [{ nextDeliveryAt: null }, { nextDeliveryAt: { lte: now } }] },
    select: { id: true, kind: true, severity: true, details: true, createdAt: true, deliveryAttempts: true },
    orderBy: { createdAt: "asc" },
    take: PAGE,
  });
  for (const alert of due) {
    const body = { source: "chartproof", alertId: alert.id, kind: alert.kind, severity: alert.severity, raisedAt: alert.createdAt.toISOString(), details: alert.details };
    const failure = await post(url, alert.id, body);
    if (failure === null) {
      await db().alert.update({ where: { id: alert.id }, data: { deliveredAt: new Date(), nextDeliveryAt: null } });
      report.delivered += 1;
    } else {
      const attempts = alert.deliveryAttempts + 1;
      await db().alert.update({ where: { id: alert.id }, data: { deliveryAttempts: attempts, nextDeliveryAt: new Date(now.getTime() + backoffMs(attempts)) } });
      // The whole alert again, so that the log alone carries what the webhook did not receive.
      log.error({ kind: "alert_delivery_failed", alertId: alert.id, alertKind: alert.kind, severity: alert.severity, details: alert.details, attempts, reason: failure }, "alert webhook delivery failed; will retry");
      report.failed += 1;
    }
  }
  return report;
}

/** Null when the receiver accepted (2xx); otherwise why not (a status or an error name, never the URL). */
async function post(url: string, alertId: string, body: unknown): Promise<string | null> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": alertId },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "error",
    });
    await response.body?.cancel();
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    return error instanceof Error ? (error.name === "TimeoutError" ? "timeout" : error.name) : "error";
  }
}
