import { createHash } from "node:crypto";
import { canonicalize } from "@/lib/integrity";

export const GENESIS_HASH = `0x${"0".repeat(64)}`;

export type HashedEventFields = {
  seq: bigint;
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

/** Each event's hash covers every field and its predecessor's hash, so an edit, deletion or reorder breaks the chain. */
export function hashAccessEvent(event: HashedEventFields): string {
  const body = canonicalize({ ...event, seq: event.seq.toString(), occurredAt: event.occurredAt.toISOString() });
  return `0x${createHash("sha256").update(body, "utf8").digest("hex")}`;
}
