/** A histogram from bucket upper edges and counts (the shape eval's ttdHistogram uses). */
import { axisLeft, frame } from './frame.js';
import { el, fragment, type Markup } from './markup.js';
import { linearScale, niceDomain } from './scale.js';
import { textWidth, THEME } from './theme.js';

/** One drawn bucket: [lo, hi) with its count; `open` marks an overflow bucket (infinite edge). */
export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
  open: boolean;
}

/**
 * Turns upper edges into bins. The first bucket starts at 0 (or one bucket width below a first
 * edge ≤ 0); a non-finite last edge becomes an overflow bucket as wide as the one before it.
 */
export function histogramBins(edges: readonly number[], counts: readonly number[]): HistogramBin[] {
  const n = Math.min(edges.length, counts.length);
  const bins: HistogramBin[] = [];
  for (let i = 0; i < n; i++) {
    const upper = edges[i]!;
    const prevHi = i === 0 ? undefined : bins[i - 1]!.hi;
    let lo: number;
    if (prevHi !== undefined) lo = prevHi;
    else if (upper > 0 || !Number.isFinite(upper)) lo = 0;
    else {
      const next = edges[1];
      lo = upper - (next !== undefined && Number.isFinite(next) ? next - upper : 1);
    }
    const open = !Number.isFinite(upper);
    const prevWidth = i === 0 ? 1 : bins[i - 1]!.hi - bins[i - 1]!.lo;
    const hi = open ? lo + (prevWidth > 0 ? prevWidth : 1) : upper;
    bins.push({ lo, hi, count: counts[i]!, open });
  }
  return bins;
}

/** Options of a histogram. */
export interface HistogramOptions {
  title: string;
  edges: readonly number[];
  counts: readonly number[];
  xLabel: string;
  yLabel?: string;
  color: string;
  /** Format of the bucket edges. */
  formatX: (v: number) => string;
  /** A shared count axis, so small multiples compare at a glance. */
  yMax?: number;
  width?: number;
  height?: number;
}

/**
 * Renders the histogram. Buckets are drawn side by side with equal widths and labelled with
 * their edges, because detection-time buckets usually widen (5 min, …, 6 h): on a linear axis
 * the short early buckets, where fast gates put everything, would be slivers. An empty
 * histogram says so instead of drawing nothing.
 */
export function renderHistogram(o: HistogramOptions): Markup {
  const width = o.width ?? 300;
  const height = o.height ?? 190;
  const margin = { top: 30, right: 16, bottom: 46, left: 48 };
  const bins = histogramBins(o.edges, o.counts);
  const total = bins.reduce((s, b) => s + b.count, 0);
  const maxCount = Math.max(1, o.yMax ?? 0, ...bins.map((b) => b.count));
  const y = linearScale(niceDomain(0, maxCount, 3), [height - margin.bottom, margin.top]);
  const yTicks = y.ticks(3).filter((t) => Number.isInteger(t));
  const left = margin.left;
  const right = width - margin.right;
  const bottom = height - margin.bottom;
  const step = bins.length > 0 ? (right - left) / bins.length : 0;
  // Label every k-th edge so the labels do not collide.
  const labelWidth = Math.max(1, ...bins.map((b) => textWidth(o.formatX(b.hi), 10))) + 6;
  const every = Math.max(1, Math.ceil(labelWidth / Math.max(1, step)));

  const edgeLabels = bins.length === 0 ? [] : [bins[0]!.lo, ...bins.map((b) => b.hi)];
  const xAxis = el(
    'g',
    { class: 'axis axis-x' },
    el('line', { x1: left, x2: right, y1: bottom, y2: bottom, stroke: THEME.axis }),
    edgeLabels.map((v, i) => {
      const x = left + i * step;
      const last = i === bins.length;
      const show = i % every === 0 && !(last && bins[bins.length - 1]!.open);
      return fragment(
        el('line', { x1: x, x2: x, y1: bottom, y2: bottom + (show ? 4 : 2), stroke: THEME.axis }),
        show
          ? el(
              'text',
              { x, y: bottom + 15, 'text-anchor': 'middle', 'font-size': 10, fill: THEME.muted },
              o.formatX(v),
            )
          : undefined,
      );
    }),
    el('text', { x: (left + right) / 2, y: bottom + 32, 'text-anchor': 'middle' }, o.xLabel),
  );

  return frame(
    { width, height, title: o.title, className: 'histogram' },
    axisLeft({
      scale: y,
      at: left,
      gridTo: right,
      ticks: yTicks,
      format: (v) => String(v),
      label: o.yLabel,
    }),
    xAxis,
    bins.map((b, i) =>
      el(
        'rect',
        {
          x: left + i * step + 0.5,
          y: y(b.count),
          width: Math.max(0, step - 1),
          height: Math.max(0, y(0) - y(b.count)),
          fill: o.color,
          'fill-opacity': b.open ? 0.5 : 1,
          class: 'bin',
        },
        el(
          'title',
          {},
          `${b.open ? `≥ ${o.formatX(b.lo)}` : `${o.formatX(b.lo)}–${o.formatX(b.hi)}`}: ${b.count}`,
        ),
      ),
    ),
    total === 0
      ? el(
          'text',
          {
            x: (left + right) / 2,
            y: (margin.top + bottom) / 2,
            'text-anchor': 'middle',
            fill: THEME.muted,
          },
          'nothing detected',
        )
      : undefined,
  );
}
