import "server-only";
import pg from "pg";
import { env } from "./env";

/**
 * Whether the database can be reached, for proxy.ts: while it cannot, pages answer 503 with a friendly page instead
 * of failing one by one with a 500 (docs/decisions/014-resilience.md).
 *
 * A circuit breaker with a probe. Healthy: the answer is immediate and costs nothing; a `SELECT 1` runs in the
 * background at most once a second on one connection of its own. As soon as the application's pool reports a lost
 * connection (lib/db.ts calls reportDatabaseFailure from its pool's error events: a shutdown closes every idle
 * connection at once), or a probe finds the connection refused or lost (not merely slow), the breaker opens:
 * requests then wait for one shared probe (≤ 3 s, at most one every PROBE_INTERVAL_MS) and are refused while it
 * fails. The first successful probe closes it again; the
 * application's pool reconnects by itself, so nothing needs a restart.
 *
 * The state lives on globalThis so that the proxy's module and the pages' (bundled apart, one process) share it.
 */
const PROBE_INTERVAL_MS = 250;
const HEALTHY_RECHECK_MS = 1_000;
const PROBE_TIMEOUT_MS = 3_000;

type Breaker = {
  open: boolean;
  /** When the last probe started (ms). */
  probedAt: number;
  probing: Promise<boolean> | null;
  client: pg.Client | null;
};

const state = ((globalThis as unknown as { chartproofDbBreaker?: Breaker }).chartproofDbBreaker ??= {
  open: false,
  probedAt: 0,
  probing: null,
  client: null,
});

/** Called by lib/db.ts when a pooled connection fails: the next request checks before it renders. */
export function reportDatabaseFailure(): void {
  state.open = true;
}

/**
 * A probe that did not answer in time proves nothing: on an overloaded machine the event loop itself can be late
 * (the suite saw false 503s at load average 15 on 2 cores with a 1 s timeout). Only a refused, reset or terminated
 * connection — or the server saying it is shutting down or starting — counts as "down".
 */
const CONNECTION_LOST = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"]);
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && CONNECTION_LOST.has(code)) return true;
  return /connection terminated|terminating connection|server closed the connection|the database system is (starting up|shutting down)/i.test(String((error as Error | null)?.message ?? error));
}

/** true: answered; false: the connection is lost; null: no answer in time (keeps the current state). */
async function probeOnce(): Promise<boolean | null> {
  try {
    if (!state.client) {
      const client = new pg.Client({ connectionString: env().DATABASE_URL, connectionTimeoutMillis: PROBE_TIMEOUT_MS, application_name: "chartproof-health" });
      // A connection closed under it (a restart) is only noted; the query that follows fails and reopens the breaker.
      client.on("error", () => {
        if (state.client === client) state.client = null;
      });
      await client.connect();
      state.client = client;
    }
    await state.client.query({ text: "SELECT 1", query_timeout: PROBE_TIMEOUT_MS } as pg.QueryConfig);
    return true;
  } catch (error) {
    const client = state.client;
    state.client = null;
    void client?.end().catch(() => {});
    return isConnectionLoss(error) ? false : null;
  }
}

function probe(): Promise<boolean> {
  state.probing ??= (async () => {
    state.probedAt = Date.now();
    try {
      const answer = await probeOnce();
      if (answer !== null) state.open = !answer;
      return !state.open;
    } finally {
      state.probing = null;
    }
  })();
  return state.probing;
}

/**
 * True when pages may be rendered. Healthy: immediate (a background probe at most once a second). Open: waits for a
 * probe (shared by every request arriving meanwhile) unless one finished less than PROBE_INTERVAL_MS ago.
 */
export async function databaseAvailable(): Promise<boolean> {
  const now = Date.now();
  if (!state.open) {
    if (now - state.probedAt >= HEALTHY_RECHECK_MS && !state.probing) void probe();
    return true;
  }
  if (state.probing) return state.probing;
  if (now - state.probedAt < PROBE_INTERVAL_MS) return false;
  return probe();
}
