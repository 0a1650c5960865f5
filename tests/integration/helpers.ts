import pg from "pg";
import { inject } from "vitest";
import { db } from "@/lib/db";
import { findActiveActor } from "@/lib/dal/actors";
import type { Caller } from "@/lib/dal/caller";
import { approvePrivilegedRequest, requestPrivileged, type ApprovalResult, type PrivilegedParams } from "@/lib/dal/privileged-requests";
import { seedDemo } from "@/lib/jobs/seed-demo";
import { ledgers } from "@/lib/verification";
import type { AccessAction } from "@/lib/audit";
import type { AlertKind } from "@/lib/alerts/kinds";

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
 * Runs SQL as the database's owner (a superuser on the test server), not as the app's roles: for tests that act as
 * an insider with the owner's powers, or that must break the database under the app. The owner can disable the
 * triggers that keep history append-only, and by default this does (session_replication_role = replica), as such an
 * insider would; `{ triggers: true }` runs with them, to show what they refuse even to the owner.
 */
export async function asOwner(
  statement: string,
  values: unknown[] = [],
  opts: { triggers?: boolean } = {},
): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
  return asRole(inject("stack").ownerDatabaseUrl, statement, values, opts.triggers ? [] : ["SET session_replication_role = replica"]);
}

/** Runs SQL as one of the app's tiers: the web tier's role or the worker's, exactly as they connect. */
export function asTier(
  tier: "web" | "worker",
  statement: string,
  values: unknown[] = [],
): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
  const stack = inject("stack");
  return asRole(tier === "web" ? stack.webDatabaseUrl : stack.workerDatabaseUrl, statement, values);
}

async function asRole(url: string, statement: string, values: unknown[], setup: string[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const line of setup) await client.query(line);
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

/**
 * Runs one statement as an insider who controls the database: the owner, with row triggers off for the session
 * (session_replication_role = replica), so that the history guards do not stop it. What such an edit leaves behind
 * is what verification must catch.
 */
export async function asInsider(statement: string, values: unknown[] = []): Promise<number> {
  return (await asOwner(statement, values)).rowCount;
}

/**
 * Stops the shared private chain (SIGSTOP) while `body` runs, then resumes it and waits until it answers again. A
 * resumed node first drains the requests that timed out while it was stopped; on a loaded machine that takes longer
 * than one read's timeout, and the next test must not inherit it.
 */
export async function withPrivateChainStopped<T>(body: () => Promise<T>): Promise<T> {
  const { anvilPid } = inject("stack").private;
  process.kill(anvilPid, "SIGSTOP");
  try {
    return await body();
  } finally {
    process.kill(anvilPid, "SIGCONT");
    const until = Date.now() + 60_000;
    for (;;) {
      try {
        await ledgers().private.clients.publicClient.getBlockNumber({ cacheTime: 0 });
        break;
      } catch (error) {
        if (Date.now() > until) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

/**
 * An action no product code writes, for tests of the log's mechanics: filtering on it finds only the test's own
 * events. The product's writers accept only `AccessAction`s; tests opt out here, in one place.
 */
export function testAction(name: string): AccessAction {
  return name as AccessAction;
}

/** An alert kind no product code raises, for tests of the alert path itself (see `testAction`). */
export function testAlertKind(name: string): AlertKind {
  return name as AlertKind;
}
