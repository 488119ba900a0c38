/** Horizontal bars with interval whiskers: one bar per category (policy), labels on the left. */
import { axisBottom, frame } from './frame.js';
import { el, fragment, type Markup } from './markup.js';
import { bandScale, linearScale, niceDomain, niceTimeDomain, timeScale } from './scale.js';
import { THEME, textWidth, truncate } from './theme.js';

/** One bar. A non-finite value draws no bar but a "no data" note. */
export interface BarDatum {
  label: string;
  value: number;
  /** Interval whisker, drawn when both ends are finite. */
  lo?: number;
  hi?: number;
  /** A second, lighter bar behind the main one (e.g. p90 behind p50). */
  extent?: number;
  color: string;
  /** Text at the end of the bar; defaults to the formatted value. */
  valueLabel?: string;
  /** Tooltip text; defaults to label and value label. */
  tooltip?: string;
}

/** Options of a horizontal bar chart. */
export interface BarChartOptions {
  title: string;
  data: readonly BarDatum[];
  xLabel: string;
  /** Value label format (and tick format unless `tickFormat` is given). */
  format: (v: number) => string;
  tickFormat?: (v: number) => string;
  /** Forces the value axis to reach at least this far (e.g. 1 for rates shown to 100%). */
  minMax?: number;
  width?: number;
  className?: string;
  /** Legend line under the title, e.g. what the whiskers and light bars mean. */
  note?: string;
  /** `time`: values are minutes and ticks fall on readable times. Default `linear`. */
  scale?: 'linear' | 'time';
}

const BAR_STEP = 26;

/**
 * Renders horizontal bars with optional whiskers and a lighter extent bar.
 * @example renderBarChart({ title: 'Shipped bad', data, xLabel: 'share of bad builds', format: formatPercent })
 */
export function renderBarChart(o: BarChartOptions): Markup {
  const width = o.width ?? 460;
  const labelWidth = Math.min(170, Math.max(60, ...o.data.map((d) => textWidth(d.label) + 16)));
  const valueWidth = Math.max(
    40,
    ...o.data.map(
      (d) =>
        textWidth(Number.isFinite(d.value) ? (d.valueLabel ?? o.format(d.value)) : 'no data') + 12,
    ),
  );
  const margin = {
    top: o.note === undefined ? 30 : 44,
    right: Math.min(160, valueWidth),
    bottom: 44,
    left: labelWidth,
  };
  const height = margin.top + margin.bottom + Math.max(1, o.data.length) * BAR_STEP;
  const finite = o.data.flatMap((d) =>
    [d.value, d.hi ?? Number.NaN, d.extent ?? Number.NaN].filter(Number.isFinite),
  );
  const max = Math.max(o.minMax ?? 0, ...finite, 0);
  const range = [margin.left, width - margin.right] as const;
  const x =
    o.scale === 'time'
      ? timeScale(niceTimeDomain(0, max > 0 ? max : 60, 4), range)
      : linearScale(niceDomain(0, max > 0 ? max : 1, 4), range);
  const y = bandScale(o.data.length, [margin.top, height - margin.bottom], 0.35);
  const clampX = (v: number): number => x(Math.max(x.domain[0], Math.min(x.domain[1], v)));

  const rows = o.data.map((d, i) => {
    const top = y.at(i);
    const mid = y.mid(i);
    const valueLabel = d.valueLabel ?? o.format(d.value);
    const hasValue = Number.isFinite(d.value);
    const hasWhisker =
      d.lo !== undefined && d.hi !== undefined && Number.isFinite(d.lo) && Number.isFinite(d.hi);
    const end = Math.max(
      hasValue ? clampX(d.value) : x(0),
      hasWhisker ? clampX(d.hi!) : 0,
      d.extent !== undefined && Number.isFinite(d.extent) ? clampX(d.extent) : 0,
    );
    return el(
      'g',
      { class: 'bar' },
      el('title', {}, d.tooltip ?? `${d.label}: ${valueLabel}`),
      el(
        'text',
        { x: margin.left - 8, y: mid + 4, 'text-anchor': 'end', class: 'category' },
        truncate(d.label, margin.left - 12),
      ),
      d.extent !== undefined && Number.isFinite(d.extent)
        ? el('rect', {
            x: x(0),
            y: top,
            width: Math.max(0, clampX(d.extent) - x(0)),
            height: y.bandwidth,
            fill: d.color,
            'fill-opacity': 0.3,
            class: 'extent',
          })
        : undefined,
      hasValue
        ? el('rect', {
            x: x(0),
            y: top,
            width: Math.max(0, clampX(d.value) - x(0)),
            height: y.bandwidth,
            fill: d.color,
            class: 'value',
          })
        : undefined,
      hasWhisker
        ? fragment(
            el('line', {
              x1: clampX(d.lo!),
              x2: clampX(d.hi!),
              y1: mid,
              y2: mid,
              stroke: THEME.text,
              'stroke-width': 1.2,
              class: 'whisker',
            }),
            el('line', {
              x1: clampX(d.lo!),
              x2: clampX(d.lo!),
              y1: mid - 5,
              y2: mid + 5,
              stroke: THEME.text,
            }),
            el('line', {
              x1: clampX(d.hi!),
              x2: clampX(d.hi!),
              y1: mid - 5,
              y2: mid + 5,
              stroke: THEME.text,
            }),
          )
        : undefined,
      el(
        'text',
        { x: end + 6, y: mid + 4, fill: hasValue ? THEME.text : THEME.muted, class: 'value-label' },
        hasValue ? valueLabel : 'no data',
      ),
    );
  });

  return frame(
    { width, height, title: o.title, className: o.className ?? 'bar-chart' },
    o.note === undefined ? undefined : el('text', { x: 8, y: 34, fill: THEME.muted }, o.note),
    axisBottom({
      scale: x,
      at: height - margin.bottom,
      gridTo: margin.top,
      format: o.tickFormat ?? o.format,
      label: o.xLabel,
    }),
    ...rows,
  );
}
