// Sign-in throttling policy (pure numbers; lib/dal/actors.ts counts the failures). Failures are kept per account
// and per IP: a burst against one account locks that account for the window, and one address guessing across
// many accounts is refused as a whole. Every failure is also an access event, so compliance sees the attack.
export const THROTTLE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 30;

export function isThrottled(counts: { account: number; ip: number }): boolean {
  return counts.account >= MAX_FAILURES_PER_ACCOUNT || counts.ip >= MAX_FAILURES_PER_IP;
}
