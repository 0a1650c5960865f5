import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { log } from "@/lib/log";

export type AlertInput = { kind: string; severity: "INFO" | "WARNING" | "CRITICAL"; details: Record<string, unknown>; dedupeKey?: string };

/**
 * Raises an alert unless an unresolved one with the same kind and dedupe key is already open, so that a condition
 * seen on every worker tick is one alert, not thousands. Details carry ids and counts, never record contents.
 */
export async function raiseAlert(input: AlertInput): Promise<boolean> {
  const details = { ...input.details, ...(input.dedupeKey ? { dedupeKey: input.dedupeKey } : {}) } as Prisma.InputJsonValue;
  if (input.dedupeKey) {
    const dedupeKey = input.dedupeKey;
    // Under a lock on (kind, key): a burst of concurrent refusals raises one alert, not one each.
    const created = await db().$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${input.kind}|${dedupeKey}`}, 4242))`;
      const open = await tx.alert.findFirst({
        where: { kind: input.kind, resolvedAt: null, details: { path: ["dedupeKey"], equals: dedupeKey } },
        select: { id: true },
      });
      if (open) return false;
      await tx.alert.create({ data: { kind: input.kind, severity: input.severity, details } });
      return true;
    }, { maxWait: 15_000, timeout: 15_000 });
    if (created) log.warn({ alert: input.kind, severity: input.severity }, "alert raised");
    return created;
  }
  await db().alert.create({ data: { kind: input.kind, severity: input.severity, details } });
  log.warn({ alert: input.kind, severity: input.severity }, "alert raised");
  return true;
}
