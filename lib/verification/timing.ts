import { AsyncLocalStorage } from "node:async_hooks";

/** What verifyRecords spent in one request: its wall time (ms) over all calls, and the rows it verified. */
export type VerificationTiming = { ms: number; calls: number; rows: number };

// On globalThis under a registered symbol: the web server and the app's bundled server code are separate module
// instances in one process, and must share the one store.
const KEY = Symbol.for("chartproof.verificationTiming");
const holder = globalThis as { [KEY]?: AsyncLocalStorage<VerificationTiming> };
const store = () => (holder[KEY] ??= new AsyncLocalStorage<VerificationTiming>());

/**
 * Runs `work` with a tally of verifyRecords' time in it (the web server wraps each request in this, and sends the
 * tally as a `Server-Timing` entry; the bench wraps in-process calls). Always on: there is no switch.
 */
export function withVerificationTiming<T>(work: (timing: VerificationTiming) => T): T {
  const timing: VerificationTiming = { ms: 0, calls: 0, rows: 0 };
  return store().run(timing, () => work(timing));
}

/** Adds one verifyRecords call to the current request's tally (nothing outside a tallied request). */
export function noteVerification(ms: number, rows: number): void {
  const timing = store().getStore();
  if (!timing) return;
  timing.ms += ms;
  timing.calls += 1;
  timing.rows += rows;
}

/** The `Server-Timing` entry for a tally (no patient data: a duration and counts). */
export function serverTimingEntry(timing: VerificationTiming): string {
  return `verify;dur=${timing.ms.toFixed(2)};desc="${timing.rows} rows in ${timing.calls} calls"`;
}
