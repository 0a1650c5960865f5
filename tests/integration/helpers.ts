import pg from "pg";
import { inject } from "vitest";
import { db } from "@/lib/db";
import { findActiveActor } from "@/lib/dal/actors";
import type { Caller } from "@/lib/dal/caller";
import { approvePrivilegedRequest, requestPrivileged, type ApprovalResult, type PrivilegedParams } from "@/lib/dal/privileged-requests";
import { seedDemo } from "@/lib/jobs/seed-demo";
import { ledgers } from "@/lib/verification";

/** The demo hospital, seeded once per database (the seed refuses a non-empty one). */
export async function ensureDemo(): Promise<void> {
  if ((await db().staff.count()) === 0) await seedDemo(ledgers());
}

export async function callerFor(email: string, kind: "STAFF" | "PATIENT" = "STAFF"): Promise<Caller> {
  const row =
    kind === "STAFF"
      ? await db().staff.findUniqueOrThrow({ where: { email }, select: { id: true } })
      : await db().patient.findUniqueOrThrow({ where: { portalEmail: email }, select: { id: true } });
  const actor = await findActiveActor(kind, row.id);
  if (!actor) throw new Error(`${email} is not active`);
  return { actor, context: { ip: "127.0.0.1", requestId: "test" } };
}

export function patientByMrn(mrn: string) {
  return db().patient.findUniqueOrThrow({ where: { mrn }, select: { id: true } });
}

/**
 * Runs SQL as the database's owner (a superuser on the test server), not as the app's role: for tests that act as
 * an insider with SQL access, or that must break the database under the app.
 */
export async function asOwner(statement: string, values: unknown[] = []): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
  const client = new pg.Client({ connectionString: inject("stack").ownerDatabaseUrl });
  await client.connect();
  try {
    const result = await client.query(statement, values);
    return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
  } finally {
    await client.end();
  }
}

/**
 * Four eyes: `requester` asks for a privileged step and the demo's second administrator approves it; returns what the
 * approval executed (a new account's code, a credential's token…).
 */
export async function requestApproved<K extends PrivilegedParams["kind"]>(
  requester: Caller,
  params: Extract<PrivilegedParams, { kind: K }>,
  approverEmail = "admin2@demo.chartproof.local",
): Promise<Extract<ApprovalResult, { kind: K }>> {
  const outcome = await requestPrivileged(requester, params);
  if (outcome.status !== "pending") throw new Error("expected a pending request");
  return (await approvePrivilegedRequest(await callerFor(approverEmail), outcome.requestId)) as Extract<ApprovalResult, { kind: K }>;
}

/** A service credential as an administrator requests it (a year, no scope unless given), approved by the second admin. */
export function credentialParams(name: string, scope: { scopeMrn?: string; scopeDepartmentId?: string } = {}) {
  return {
    kind: "SERVICE_CREDENTIAL" as const,
    credential: { name, expiresAt: new Date(Date.now() + 364 * 24 * 3600_000).toISOString(), scopeMrn: scope.scopeMrn ?? null, scopeDepartmentId: scope.scopeDepartmentId ?? null },
  };
}
