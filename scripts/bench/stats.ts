/** Percentiles of timing samples, shared by the benchmark's parts (scripts/bench.ts). */

export type Stats = { n: number; p50: number; p95: number; p99: number; min: number; max: number; mean: number };

/** Nearest-rank percentiles (no interpolation): p99 of fewer than 100 samples is the largest or close to it. */
export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) return { n: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, min: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return {
    n: sorted.length,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    min: sorted[0]!,
    max: sorted.at(-1)!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

/** Milliseconds since `start` (a process.hrtime.bigint()). */
export const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
