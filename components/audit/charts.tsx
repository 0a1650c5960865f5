import { useId } from "react";
import type { ChartPointDto } from "@/lib/dto/compliance";

// Small inline-SVG bar charts (no chart library). Each is a figure with a visible title, an SVG with role="img" named by
// that title and described in words, and a visually hidden table holding every number for screen readers.

type ChartProps = {
  title: string;
  description: string;
  data: ChartPointDto[];
  /** Column headings for the hidden data table. */
  labelHeading: string;
  valueHeading: string;
  emptyText: string;
  /** How a point's label is written under a bar and in the table (e.g. a day as "11-26"). */
  formatLabel?: (label: string) => string;
  formatValue?: (value: number) => string;
};

function niceMax(max: number): number {
  if (max <= 5) return Math.max(1, max);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s * 4 >= max) ?? magnitude * 10;
  return Math.ceil(max / step) * step;
}

function DataTableFor({ title, data, labelHeading, valueHeading, formatLabel, formatValue }: ChartProps) {
  return (
    <table className="sr-only">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">{labelHeading}</th>
          <th scope="col">{valueHeading}</th>
        </tr>
      </thead>
      <tbody>
        {data.map((d) => (
          <tr key={d.label}>
            <th scope="row">{formatLabel ? formatLabel(d.label) : d.label}</th>
            <td>{formatValue ? formatValue(d.value) : d.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Vertical bars over a sequence (e.g. days), with a value axis and every fifth label. */
export function ColumnChart(props: ChartProps) {
  const { title, description, data, emptyText, formatLabel = (l) => l, formatValue = String } = props;
  const id = useId();
  const width = 1000;
  const height = 240;
  const left = 44;
  const bottom = 28;
  const top = 10;
  const plotH = height - top - bottom;
  const plotW = width - left - 8;
  const max = niceMax(Math.max(0, ...data.map((d) => d.value)));
  const slot = plotW / Math.max(1, data.length);
  const barW = Math.max(2, slot * 0.7);
  const ticks = [0, max / 2, max];
  const total = data.reduce((s, d) => s + d.value, 0);
  return (
    <figure className="rounded-lg border border-line bg-surface p-4" data-chart={title}>
      <figcaption id={`${id}-title`} className="font-semibold">
        {title}
      </figcaption>
      <p id={`${id}-desc`} className="mb-2 text-xs text-ink-muted">
        {description}
      </p>
      {total === 0 ? (
        <p className="py-8 text-center text-sm text-ink-muted">{emptyText}</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} className="h-auto w-full">
          {ticks.map((tick) => {
            const y = top + plotH - (tick / max) * plotH;
            return (
              <g key={tick}>
                <line x1={left} x2={width - 8} y1={y} y2={y} className="stroke-line" strokeWidth={1} />
                <text x={left - 6} y={y + 4} textAnchor="end" className="fill-ink-muted text-[13px]">
                  {formatValue(Math.round(tick))}
                </text>
              </g>
            );
          })}
          {data.map((d, i) => {
            const h = (d.value / max) * plotH;
            const x = left + i * slot + (slot - barW) / 2;
            return (
              <g key={d.label}>
                <rect x={x} y={top + plotH - h} width={barW} height={Math.max(h, d.value > 0 ? 1 : 0)} className="fill-brand" rx={1}>
                  <title>{`${formatLabel(d.label)}: ${formatValue(d.value)}`}</title>
                </rect>
                {i % 5 === 0 || i === data.length - 1 ? (
                  <text x={x + barW / 2} y={height - 10} textAnchor="middle" className="fill-ink-muted text-[13px]">
                    {formatLabel(d.label)}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      )}
      <DataTableFor {...props} />
    </figure>
  );
}

/** Horizontal bars for a ranking (e.g. top accessors, alerts by kind), with the value at the end of each bar. */
export function BarList(props: ChartProps) {
  const { title, description, data, emptyText, formatLabel = (l) => l, formatValue = String } = props;
  const id = useId();
  const rowH = 28;
  const labelW = 190;
  const width = 500;
  const height = Math.max(rowH, data.length * rowH) + 4;
  const max = Math.max(1, ...data.map((d) => d.value));
  const plotW = width - labelW - 48;
  return (
    <figure className="rounded-lg border border-line bg-surface p-4" data-chart={title}>
      <figcaption id={`${id}-title`} className="font-semibold">
        {title}
      </figcaption>
      <p id={`${id}-desc`} className="mb-2 text-xs text-ink-muted">
        {description}
      </p>
      {data.length === 0 ? (
        <p className="py-8 text-center text-sm text-ink-muted">{emptyText}</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} className="h-auto w-full">
          {data.map((d, i) => {
            const y = 2 + i * rowH;
            const w = Math.max(2, (d.value / max) * plotW);
            const label = formatLabel(d.label);
            return (
              <g key={`${d.label}-${i}`}>
                <text x={labelW - 8} y={y + rowH / 2 + 4} textAnchor="end" className="fill-ink text-[13px]">
                  {label.length > 24 ? `${label.slice(0, 23)}…` : label}
                </text>
                <rect x={labelW} y={y + 4} width={w} height={rowH - 8} className="fill-brand" rx={2}>
                  <title>{`${label}: ${formatValue(d.value)}`}</title>
                </rect>
                <text x={labelW + w + 6} y={y + rowH / 2 + 4} className="fill-ink text-[13px] tabular-nums">
                  {formatValue(d.value)}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      <DataTableFor {...props} />
    </figure>
  );
}
