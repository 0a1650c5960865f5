// Sign-in throttling policy (pure numbers; lib/dal/actors.ts counts the failures). Failures are kept per account
// and per IP: a burst against one account locks that account for the window, and one address guessing across
// many accounts is refused as a whole. Every failure is also an access event, so compliance sees the attack.
export const THROTTLE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 30;

export function isThrottled(counts: { account: number; ip: number }): boolean {
  return counts.account >= MAX_FAILURES_PER_ACCOUNT || counts.ip >= MAX_FAILURES_PER_IP;
}

// ——— Counted before evaluated (docs/decisions/019-four-eyes-and-sign-in.md) ———
// Every attempt takes a row in SignInAttempt under a per-key advisory lock BEFORE its password is checked, so 40
// parallel guesses (even across web processes) see each other: at most the free number are evaluated. Beyond it an
// attempt must wait a growing delay since the last one (429 + Retry-After; never a sleep in the request). Buckets:
//  - pair: one account from one source address — the attacker's own bucket; it cannot delay the owner elsewhere;
//  - account: one account from anywhere — a short cap, so a distributed attack slows guessing without locking out;
//  - source: one address across accounts — spraying.
// Rows of a successful attempt (and of a password-only step that asks for the second factor) are removed, so the
// buckets hold failures and attempts in flight.
export type ThrottleBucket = "pair" | "account" | "source";

export const FREE_ATTEMPTS: Readonly<Record<ThrottleBucket, number>> = { pair: MAX_FAILURES_PER_ACCOUNT, account: 20, source: MAX_FAILURES_PER_IP };
const DELAY_BASE_SECONDS: Readonly<Record<ThrottleBucket, number>> = { pair: 30, account: 5, source: 30 };
const DELAY_CAP_SECONDS: Readonly<Record<ThrottleBucket, number>> = { pair: THROTTLE_WINDOW_MINUTES * 60, account: 60, source: THROTTLE_WINDOW_MINUTES * 60 };

/** The gap an attempt must leave after the previous one, given the attempts already in the window. */
export function requiredGapSeconds(bucket: ThrottleBucket, attempts: number): number {
  if (attempts < FREE_ATTEMPTS[bucket]) return 0;
  return Math.min(DELAY_CAP_SECONDS[bucket], DELAY_BASE_SECONDS[bucket] * 2 ** (attempts - FREE_ATTEMPTS[bucket]));
}

/** Seconds until the next attempt may be evaluated (0: now). */
export function retryAfterSeconds(bucket: ThrottleBucket, attempts: number, lastAt: Date | null, now: Date = new Date()): number {
  const gap = requiredGapSeconds(bucket, attempts);
  if (gap === 0 || lastAt === null) return 0;
  return Math.max(0, Math.ceil(gap - (now.getTime() - lastAt.getTime()) / 1000));
}

/** Failed sign-ins (anywhere) in this many minutes that raise a password-spraying alert. */
export const SPRAY_WINDOW_MINUTES = 20;
export const SPRAY_ALERT_FAILURES = 50;
/** Wrong second factors after a right password, per account in the window, that raise a critical alert. */
export const SECOND_FACTOR_ALERT_FAILURES = 3;
