import "server-only";
import { randomInt } from "node:crypto";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { roleOf, type Actor } from "@/lib/authz";
import { AUDIT_CHAINS, GENESIS_HASH, hashAccessEvent } from "./event-hash";

export type AuditContext = { ip: string | null; requestId: string | null };

export type AccessEventInput = {
  actor: Actor | "SYSTEM";
  action: string;
  outcome: "ALLOWED" | "DENIED";
  patientId?: string | null;
  purpose?: "TREATMENT" | "EMERGENCY" | "OPERATIONS" | "AUDIT" | "SELF_ACCESS" | "RESEARCH" | null;
  details?: Record<string, unknown>;
};

// The log is AUDIT_CHAINS parallel hash chains (docs/decisions/010-access-log.md): an append locks only its own
// chain (a transaction-scoped advisory lock per chain), so appends on different chains never wait for each other.
// The global `seq` comes from a sequence; each chain's `chainSeq` is contiguous under its lock.
const APPEND_LOCK_CLASS = 0x43_50_41_45; // "CPAE"

export type AuditTx = Prisma.TransactionClient;

/**
 * Takes the lock of a free chain (1..AUDIT_CHAINS; chain 0 holds the log written before sharding and takes no new
 * events), starting at a random one, so an append never queues behind a transaction that stalls holding a chain.
 * Only when every chain is busy does it wait for one.
 */
async function lockAChain(tx: AuditTx): Promise<number> {
  const start = randomInt(AUDIT_CHAINS);
  for (let i = 0; i < AUDIT_CHAINS; i++) {
    const chain = 1 + ((start + i) % AUDIT_CHAINS);
    const [{ locked }] = await tx.$queryRaw<[{ locked: boolean }]>`SELECT pg_try_advisory_xact_lock(${APPEND_LOCK_CLASS}::int, ${chain}::int) AS locked`;
    if (locked) return chain;
  }
  const chain = 1 + start;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${APPEND_LOCK_CLASS}::int, ${chain}::int)`;
  return chain;
}

/**
 * Appends one event to the hash-chained access log. Throws when it cannot be written: callers must not
 * show patient data they failed to log.
 */
export async function appendAccessEvent(input: AccessEventInput, context: AuditContext): Promise<bigint> {
  // Under a burst a page view waits for a connection rather than failing: the default 2 s wait turned load into 500s.
  return db().$transaction((tx) => appendAccessEventIn(tx, input, context), { maxWait: 10_000, timeout: 10_000 });
}

/** The same, inside the caller's transaction, so an event and the change it records commit together. */
export async function appendAccessEventIn(tx: AuditTx, input: AccessEventInput, context: AuditContext): Promise<bigint> {
  const actor = input.actor === "SYSTEM" ? null : input.actor;
  const chain = await lockAChain(tx);
  // One round trip for the global position and the chain's head.
  const [{ seq, lastChainSeq, lastHash }] = await tx.$queryRaw<[{ seq: bigint; lastChainSeq: bigint | null; lastHash: string | null }]>`
    SELECT nextval('accessevent_seq_seq') AS seq, head."chainSeq" AS "lastChainSeq", head.hash AS "lastHash"
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT "chainSeq", hash FROM "AccessEvent" WHERE chain = ${chain} ORDER BY "chainSeq" DESC LIMIT 1) AS head ON true`;
  const fields = {
    seq,
    chain,
    chainSeq: (lastChainSeq ?? 0n) + 1n,
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
    prevHash: lastHash ?? GENESIS_HASH,
  };
  await tx.accessEvent.create({
    data: { ...fields, details: fields.details as Prisma.InputJsonValue, hash: hashAccessEvent(fields) },
    select: { seq: true },
  });
  return seq;
}
