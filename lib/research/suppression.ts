// Small-cell suppression and the differencing control. Pure: the DAL holds the lock and the released sets.

/** What a count query shows: the number, or only that it is below the threshold. */
export type CountRelease = { released: true; count: number } | { released: false; threshold: number; reason: "small_cell" | "differencing" };

/** |a Δ b| for two SORTED arrays of distinct ids, stopping early once `limit` is reached. */
export function symmetricDifferenceSize(a: readonly string[], b: readonly string[], limit = Infinity): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length && n < limit) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (a[i]! < b[j]!) {
      i++;
      n++;
    } else {
      j++;
      n++;
    }
  }
  return Math.min(limit, n + (a.length - i) + (b.length - j));
}

/**
 * Releases a count only when the set holds at least `threshold` patients AND, against every set released before (by
 * any researcher: they may pool what they saw), differs by none or by at least `threshold` patients. Otherwise the
 * answer is "< threshold" and nothing is recorded, so a suppressed answer never narrows what later queries may
 * release. Without the second rule count(A) − count(A and not X) would reveal whether X is in A, and its attributes.
 */
export function decideRelease(set: readonly string[], released: Iterable<readonly string[]>, threshold: number): CountRelease {
  if (set.length < threshold) return { released: false, threshold, reason: "small_cell" };
  for (const earlier of released) {
    // Sizes alone bound the difference from below: most earlier sets are ruled out without a merge.
    if (Math.abs(earlier.length - set.length) >= threshold) continue;
    const d = symmetricDifferenceSize(set, earlier, threshold);
    if (d > 0 && d < threshold) return { released: false, threshold, reason: "differencing" };
  }
  return { released: true, count: set.length };
}
