import type { TrendPoint } from "@/lib/chart-summary/types";

const WIDTH = 96;
const HEIGHT = 24;
const PAD = 3;

/**
 * A small trend graph: the values of one test in one unit, placed by date (not by index), the newest point marked.
 * Inline SVG, no chart library; the numbers themselves are in the row and in `label` for assistive technology.
 */
export function TrendSparkline({ points, label, high }: { points: TrendPoint[]; label: string; high?: boolean }) {
  if (points.length < 2) return null;
  const times = points.map((p) => p.at);
  const values = points.map((p) => p.value);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const [v0, v1] = [Math.min(...values), Math.max(...values)];
  const x = (t: number) => PAD + (t1 === t0 ? (WIDTH - 2 * PAD) / 2 : ((t - t0) / (t1 - t0)) * (WIDTH - 2 * PAD));
  const y = (v: number) => (v1 === v0 ? HEIGHT / 2 : PAD + (1 - (v - v0) / (v1 - v0)) * (HEIGHT - 2 * PAD));
  const path = points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  const last = points.at(-1)!;
  return (
    <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} data-trend={points.length} className="block shrink-0 overflow-visible">
      <title>{label}</title>
      <polyline points={path} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" strokeLinecap="round" className="text-ink-muted" />
      <circle cx={x(last.at)} cy={y(last.value)} r="2.5" className={high ? "fill-danger" : "fill-brand"} />
    </svg>
  );
}
