import "server-only";
import { randomInt } from "node:crypto";
import type { Prisma } from "@/lib/generated/prisma/client";
import { pgPool } from "@/lib/db";
import { reportDatabaseFailure } from "@/lib/db-health";
import { roleOf, type Actor } from "@/lib/authz";
import { AUDIT_CHAINS, GENESIS_HASH, hashAccessEvent } from "./event-hash";
import type { AccessAction } from "./actions";

export type AuditContext = { ip: string | null; requestId: string | null };

export type AccessEventInput = {
  actor: Actor | "SYSTEM";
  action: AccessAction;
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

type ChainHead = { chain: number; seq: bigint; lastChainSeq: bigint | null; lastHash: string | null };

// One statement (the audit_lock_chain function): the lock of a free chain (1..AUDIT_CHAINS, tried from a random
// start; chain 0 holds the log written before sharding and takes no new events), so an append never queues behind
// a transaction that stalls holding a chain — only when all are busy does it wait for one — then the next global seq
// and that chain's head, read after the lock so that it sees the chain's last committed event.
const LOCK_CHAIN_SQL = `SELECT chain, seq, "lastChainSeq", "lastHash" FROM audit_lock_chain($1::int, $2::int, $3::int)`;

const INSERT_SQL = `INSERT INTO "AccessEvent" (seq, chain, "chainSeq", "occurredAt", "actorKind", "actorId", "actorRole", action, "patientId",
  outcome, purpose, ip, "requestId", details, "prevHash", hash)
  VALUES ($1::bigint, $2::int, $3::bigint, $4::timestamptz, $5::"ActorKind", $6::text, $7::text, $8::text, $9::uuid, $10::"AccessOutcome",
  $11::"AccessPurpose", $12::text, $13::text, $14::jsonb, $15::text, $16::text)`;

function eventFields(input: AccessEventInput, context: AuditContext, head: ChainHead) {
  const actor = input.actor === "SYSTEM" ? null : input.actor;
  const fields = {
    seq: BigInt(head.seq),
    chain: head.chain,
    chainSeq: (head.lastChainSeq === null ? 0n : BigInt(head.lastChainSeq)) + 1n,
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
    prevHash: head.lastHash ?? GENESIS_HASH,
  };
  return { ...fields, hash: hashAccessEvent(fields) };
}

function insertParams(e: ReturnType<typeof eventFields>): unknown[] {
  return [
    e.seq.toString(), e.chain, e.chainSeq.toString(), e.occurredAt, e.actorKind, e.actorId, e.actorRole, e.action, e.patientId,
    e.outcome, e.purpose, e.ip, e.requestId, JSON.stringify(e.details), e.prevHash, e.hash,
  ];
}

const lockParams = () => [randomInt(AUDIT_CHAINS), AUDIT_CHAINS, APPEND_LOCK_CLASS];

/**
 * Appends one event to the hash-chained access log. Throws when it cannot be written: callers must not
 * show patient data they failed to log. This is the portal's hottest write (one per page view), so it runs on the
 * raw pool in three round trips (BEGIN + lock, INSERT, COMMIT) rather than through a Prisma interactive transaction.
 */
export async function appendAccessEvent(input: AccessEventInput, context: AuditContext): Promise<bigint> {
  const client = await pgPool().connect().catch((error: unknown) => {
    reportDatabaseFailure();
    throw error;
  });
  let healthy = true;
  // A connection lost between statements emits `error` on the client: without a listener it would end the process.
  const onLost = () => {
    healthy = false;
    reportDatabaseFailure();
  };
  client.on("error", onLost);
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<ChainHead>(LOCK_CHAIN_SQL, lockParams());
    const event = eventFields(input, context, rows[0]!);
    await client.query(INSERT_SQL, insertParams(event));
    await client.query("COMMIT");
    return event.seq;
  } catch (error) {
    // A connection whose transaction state is unknown is destroyed rather than returned to the pool.
    await client.query("ROLLBACK").catch(() => (healthy = false));
    throw error;
  } finally {
    client.removeListener("error", onLost);
    client.release(healthy ? undefined : true);
  }
}

/** The same, inside the caller's transaction, so an event and the change it records commit together. */
export async function appendAccessEventIn(tx: AuditTx, input: AccessEventInput, context: AuditContext): Promise<bigint> {
  const [head] = await tx.$queryRawUnsafe<ChainHead[]>(LOCK_CHAIN_SQL, ...lockParams());
  const event = eventFields(input, context, head!);
  await tx.$executeRawUnsafe(INSERT_SQL, ...insertParams(event));
  return event.seq;
}

// Many events in one statement: each column an array, unnested row by row (bounded by the rows, not by PostgreSQL's
// 65,535 bind parameters). The same table, columns, triggers and role as INSERT_SQL.
const INSERT_MANY_SQL = `INSERT INTO "AccessEvent" (seq, chain, "chainSeq", "occurredAt", "actorKind", "actorId", "actorRole", action, "patientId",
  outcome, purpose, ip, "requestId", details, "prevHash", hash)
  SELECT seq, chain, "chainSeq", "occurredAt"::timestamptz, "actorKind"::"ActorKind", "actorId", "actorRole", action, "patientId"::uuid,
    outcome::"AccessOutcome", purpose::"AccessPurpose", ip, "requestId", details::jsonb, "prevHash", hash
  FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
    $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
    AS e(seq, chain, "chainSeq", "occurredAt", "actorKind", "actorId", "actorRole", action, "patientId", outcome, purpose, ip,
      "requestId", details, "prevHash", hash)`;

// More global seqs for a chain already locked by audit_lock_chain (which handed out the first), in the order given.
const MORE_SEQS_SQL = `SELECT nextval('accessevent_seq_seq') AS seq FROM generate_series(1, $1::int) ORDER BY 1`;

/** Rows per INSERT: large enough that a bundle is a few statements, small enough that one statement stays modest. */
const EVENTS_PER_STATEMENT = 2_000;

/**
 * Many events in the caller's transaction, hash-chained exactly as one-by-one appends would be: one chain locked once,
 * its head read after the lock, the events' seqs, chainSeqs and hashes computed here in order (each event's prevHash
 * is the previous one's hash), then written with one multi-row INSERT per EVENTS_PER_STATEMENT. Returns their seqs,
 * in the order of `inputs`. Intake uses it so that a bundle is not one lock and one round trip per record.
 */
export async function appendAccessEventsIn(tx: AuditTx, inputs: readonly AccessEventInput[], context: AuditContext): Promise<bigint[]> {
  if (inputs.length === 0) return [];
  const [head] = await tx.$queryRawUnsafe<ChainHead[]>(LOCK_CHAIN_SQL, ...lockParams());
  const more = inputs.length > 1 ? await tx.$queryRawUnsafe<{ seq: bigint }[]>(MORE_SEQS_SQL, inputs.length - 1) : [];
  const seqs = [BigInt(head!.seq), ...more.map((r) => BigInt(r.seq))];
  const events: ReturnType<typeof eventFields>[] = [];
  let at: ChainHead = head!;
  inputs.forEach((input, i) => {
    const event = eventFields(input, context, { ...at, seq: seqs[i]! });
    events.push(event);
    at = { chain: at.chain, seq: event.seq, lastChainSeq: event.chainSeq, lastHash: event.hash };
  });
  for (let from = 0; from < events.length; from += EVENTS_PER_STATEMENT) {
    const slice = events.slice(from, from + EVENTS_PER_STATEMENT);
    const column = <T>(pick: (e: (typeof events)[number]) => T) => slice.map(pick);
    await tx.$executeRawUnsafe(
      INSERT_MANY_SQL,
      column((e) => e.seq.toString()),
      column((e) => e.chain),
      column((e) => e.chainSeq.toString()),
      column((e) => e.occurredAt.toISOString()),
      column((e) => e.actorKind),
      column((e) => e.actorId),
      column((e) => e.actorRole),
      column((e) => e.action),
      column((e) => e.patientId),
      column((e) => e.outcome),
      column((e) => e.purpose),
      column((e) => e.ip),
      column((e) => e.requestId),
      column((e) => JSON.stringify(e.details)),
      column((e) => e.prevHash),
      column((e) => e.hash),
    );
  }
  return events.map((e) => e.seq);
}
