import "server-only";
import { db } from "@/lib/db";
import { can } from "@/lib/authz";
import type { IntegrityFailureDto } from "@/lib/dto";
import { AccessDeniedError, type Caller } from "./caller";

/**
 * The oldest critical integrity alert that names no patient and no record — a break that cannot be tied to any one
 * chart (an access log that no longer matches its seals on chain, a root nobody accounts for) — and that no officer
 * has closed with a note (reviewed) yet. While one is open, every chart says it may be incomplete.
 */
export async function openIntegrityFailure(caller: Caller): Promise<IntegrityFailureDto | null> {
  // Doctors on every chart and record page, patients on their own records: whoever reads records must know that an
  // absence may not mean absence. The notice names no patient and no record.
  if (!can(caller.actor, "chart.view") && !can(caller.actor, "own_records.view")) throw new AccessDeniedError();
  const [row] = await db().$queryRaw<{ createdAt: Date }[]>`
    SELECT "createdAt" FROM "Alert"
    WHERE "reviewedAt" IS NULL AND severity = 'CRITICAL' AND kind LIKE 'integrity.%'
      AND NOT (details ? 'patientId') AND NOT (details ? 'recordId')
    ORDER BY "createdAt" ASC LIMIT 1`;
  return row ? { failedAt: row.createdAt.toISOString() } : null;
}
