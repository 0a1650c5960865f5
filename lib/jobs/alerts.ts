import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { appendAccessEventIn } from "@/lib/audit";
import { log } from "@/lib/log";
import type { AlertKind } from "@/lib/alerts/kinds";

export type AlertInput = { kind: AlertKind; severity: "INFO" | "WARNING" | "CRITICAL"; details: Record<string, unknown>; dedupeKey?: string };

/**
 * THE way an alert is raised (every caller, web tier and worker): unless an unresolved one with the same kind and
 * dedupe key is already open — so that a condition seen on every tick is one alert, not thousands — it is written in
 * one transaction with an `alert.raised` access event (hash-chained and sealed on chain, so that deleting the alert
 * row is itself found), then logged as a JSON line `kind: "alert"` (a copy outside the database), and the worker POSTs
 * it to ALERT_WEBHOOK_URL (lib/jobs/alert-delivery.ts). Details carry ids and counts, never record contents.
 */
export async function raiseAlert(input: AlertInput): Promise<boolean> {
  const details = { ...input.details, ...(input.dedupeKey ? { dedupeKey: input.dedupeKey } : {}) } as Prisma.InputJsonValue;
  const dedupeKey = input.dedupeKey;
  const raised = await db().$transaction(
    async (tx) => {
      if (dedupeKey) {
        // Under a lock on (kind, key): a burst of concurrent refusals raises one alert, not one each.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${input.kind}|${dedupeKey}`}, 4242))`;
        const open = await tx.alert.findFirst({
          where: { kind: input.kind, resolvedAt: null, details: { path: ["dedupeKey"], equals: dedupeKey } },
          select: { id: true },
        });
        if (open) return null;
      }
      const alert = await tx.alert.create({ data: { kind: input.kind, severity: input.severity, details }, select: { id: true, createdAt: true } });
      await appendAccessEventIn(
        tx,
        { actor: "SYSTEM", action: "alert.raised", outcome: "ALLOWED", purpose: "OPERATIONS", details: { alertId: alert.id, kind: input.kind, severity: input.severity, details } },
        { ip: null, requestId: null },
      );
      return alert;
    },
    { maxWait: 15_000, timeout: 15_000 },
  );
  if (!raised) return false;
  log.warn({ kind: "alert", alertId: raised.id, alertKind: input.kind, severity: input.severity, raisedAt: raised.createdAt.toISOString(), details }, "alert raised");
  return true;
}
