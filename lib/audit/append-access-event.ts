import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { roleOf, type Actor } from "@/lib/authz";
import { GENESIS_HASH, hashAccessEvent } from "./event-hash";

export type AuditContext = { ip: string | null; requestId: string | null };

export type AccessEventInput = {
  actor: Actor | "SYSTEM";
  action: string;
  outcome: "ALLOWED" | "DENIED";
  patientId?: string | null;
  purpose?: "TREATMENT" | "EMERGENCY" | "OPERATIONS" | "AUDIT" | "SELF_ACCESS" | "RESEARCH" | null;
  details?: Record<string, unknown>;
};

// Appends serialize on one transaction-scoped advisory lock so that seq order is hash-chain order.
// (Throughput and sharding of this lock are the compliance issue's concern; see docs/decisions.)
const APPEND_LOCK_KEY = 0x43_50_41_45; // "CPAE"

export type AuditTx = Prisma.TransactionClient;

/**
 * Appends one event to the hash-chained access log. Throws when it cannot be written: callers must not
 * show patient data they failed to log.
 */
export async function appendAccessEvent(input: AccessEventInput, context: AuditContext): Promise<bigint> {
  return db().$transaction((tx) => appendAccessEventIn(tx, input, context));
}

/** The same, inside the caller's transaction, so an event and the change it records commit together. */
export async function appendAccessEventIn(tx: AuditTx, input: AccessEventInput, context: AuditContext): Promise<bigint> {
  const actor = input.actor === "SYSTEM" ? null : input.actor;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})`;
  const last = await tx.accessEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const fields = {
    seq: (last?.seq ?? 0n) + 1n,
    occurredAt: new Date(),
    actorKind: actor?.kind ?? ("SYSTEM" as const),
    actorId: actor?.id ?? null,
    actorRole: actor ? roleOf(actor) : null,
    action: input.action,
    patientId: input.patientId ?? null,
    outcome: input.outcome,
    purpose: input.purpose ?? null,
    ip: context.ip,
    requestId: context.requestId,
    details: input.details ?? {},
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await tx.accessEvent.create({
    data: { ...fields, details: fields.details as Prisma.InputJsonValue, hash: hashAccessEvent(fields) },
    select: { seq: true },
  });
  return fields.seq;
}
