import "server-only";
import { db } from "@/lib/db";
import { appendAccessEvent } from "@/lib/audit";
import { can } from "@/lib/authz";
import type { AccessEventDto } from "@/lib/dto";
import { AccessDeniedError, type Caller } from "./caller";

export async function listRecentAccessEvents(caller: Caller, limit = 100): Promise<AccessEventDto[]> {
  if (!can(caller.actor, "access_log.read")) throw new AccessDeniedError();
  const events = await db().accessEvent.findMany({
    select: { seq: true, occurredAt: true, actorKind: true, actorId: true, actorRole: true, action: true, patientId: true, outcome: true, purpose: true, ip: true },
    orderBy: { seq: "desc" },
    take: Math.min(Math.max(limit, 1), 500),
  });
  await appendAccessEvent(
    { actor: caller.actor, action: "access_log.viewed", outcome: "ALLOWED", purpose: "AUDIT", details: { fromSeq: events.at(-1)?.seq.toString() ?? null, toSeq: events[0]?.seq.toString() ?? null } },
    caller.context,
  );
  return events.map((e) => ({ ...e, seq: e.seq.toString(), occurredAt: e.occurredAt.toISOString() }));
}
