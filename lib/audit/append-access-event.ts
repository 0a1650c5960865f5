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

type ChainHeadRow = { seq: bigint; lastChainSeq: bigint | null; lastHash: string | null };

/**
 * The lock of a free chain (1..AUDIT_CHAINS, tried in one statement from a random start; chain 0 holds the log written
 * before sharding and takes no new events), so an append never queues behind a transaction that stalls holding a
 * chain; only when all are busy does it wait for one. Then, in a second statement — its snapshot must be taken after
 * the lock, so that it sees the chain's last committed event — the next global seq and the chain's head.
 */
async function lockAChain(tx: AuditTx): Promise<ChainHeadRow & { chain: number }> {
  const start = randomInt(AUDIT_CHAINS);
  const [free] = await tx.$queryRaw<{ chain: number }[]>`
    SELECT chain FROM (SELECT 1 + ((${start}::int + n) % ${AUDIT_CHAINS}::int) AS chain, n FROM generate_series(0, ${AUDIT_CHAINS - 1}::int) AS n) AS c
    WHERE pg_try_advisory_xact_lock(${APPEND_LOCK_CLASS}::int, c.chain)
    ORDER BY n LIMIT 1`;
  const chain = free?.chain ?? 1 + start;
  if (!free) await tx.$executeRaw`SELECT pg_advisory_xact_lock(${APPEND_LOCK_CLASS}::int, ${chain}::int)`;
  const [row] = await tx.$queryRaw<ChainHeadRow[]>`
    SELECT nextval('accessevent_seq_seq') AS seq, head."chainSeq" AS "lastChainSeq", head.hash AS "lastHash"
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT "chainSeq", hash FROM "AccessEvent" WHERE chain = ${chain} ORDER BY "chainSeq" DESC LIMIT 1) AS head ON true`;
  return { chain, ...row! };
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
  const { chain, seq, lastChainSeq, lastHash } = await lockAChain(tx);
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
