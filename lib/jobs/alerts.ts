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
    const open = await db().alert.findFirst({
      where: { kind: input.kind, resolvedAt: null, details: { path: ["dedupeKey"], equals: input.dedupeKey } },
      select: { id: true },
    });
    if (open) return false;
  }
  await db().alert.create({ data: { kind: input.kind, severity: input.severity, details } });
  log.warn({ alert: input.kind, severity: input.severity }, "alert raised");
  return true;
}
