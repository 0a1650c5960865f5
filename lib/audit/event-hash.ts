import { createHash } from "node:crypto";
import { canonicalize } from "@/lib/integrity";

export const GENESIS_HASH = `0x${"0".repeat(64)}`;

/** Parallel hash chains that new events spread over (1..AUDIT_CHAINS); see docs/decisions/010-access-log.md. */
export const AUDIT_CHAINS = 16;

export type HashedEventFields = {
  seq: bigint;
  chain: number;
  chainSeq: bigint;
  occurredAt: Date;
  actorKind: "STAFF" | "PATIENT" | "SYSTEM";
  actorId: string | null;
  actorRole: string | null;
  action: string;
  patientId: string | null;
  outcome: "ALLOWED" | "DENIED";
  purpose: string | null;
  ip: string | null;
  requestId: string | null;
  details: unknown;
  prevHash: string;
};

/**
 * Each event's hash covers every field and its predecessor's hash (the previous event of the same chain), so an
 * edit, deletion or reorder breaks the chain. Chain 0 — the single chain written before sharding — keeps its
 * original recipe (without chain and chainSeq, which were implicit), so logs written then still verify.
 */
export function hashAccessEvent(event: HashedEventFields): string {
  // Exactly these fields, picked by name, so a row read back from the database (with its own hash and any
  // columns added later) hashes the same as the event did when it was written.
  const body = canonicalize({
    seq: event.seq.toString(),
    ...(event.chain === 0 ? {} : { chain: event.chain, chainSeq: event.chainSeq.toString() }),
    occurredAt: event.occurredAt.toISOString(),
    actorKind: event.actorKind,
    actorId: event.actorId,
    actorRole: event.actorRole,
    action: event.action,
    patientId: event.patientId,
    outcome: event.outcome,
    purpose: event.purpose,
    ip: event.ip,
    requestId: event.requestId,
    details: event.details,
    prevHash: event.prevHash,
  });
  return `0x${createHash("sha256").update(body, "utf8").digest("hex")}`;
}
