/**
 * Metric lines over time with vertical event markers: what `gatesim explain` draws for one
 * trial (canary vs baseline, stage changes, check decisions, rollback).
 */
import type { TimelineEntry } from '../../pipeline/types.js';
import { axisBottom, axisLeft, frame, legend, type LegendItem } from './frame.js';
import { el, fmt, type Markup } from './markup.js';
import { linearScale, niceDomain, timeScale } from './scale.js';
import { colorAt, truncate } from './theme.js';
import { formatNumber, formatTimeTick } from '../format.js';

/** What a marker stands for; sets its colour and dash. */
export type MarkerKind = 'stage' | 'decision' | 'rollback' | 'fault' | 'confounder' | 'note';

/** One metric line; NaN values break the line (missing data shows as a gap). */
export interface TimelineSeries {
  name: string;
  points: ReadonlyArray<readonly [t: number, value: number]>;
  dashed?: boolean;
}

/** A vertical line at time `t` with a label. */
export interface TimelineMarker {
  t: number;
  label: string;
  kind: MarkerKind;
}

/** Options of `renderTimelineSvg`. */
export interface TimelineOptions {
  title: string;
  series: readonly TimelineSeries[];
  markers: readonly TimelineMarker[];
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Tick format for time; defaults to compact minutes (`30m`, `1h30m`, `2h`). */
  formatX?: (t: number) => string;
  /** Tick format for values; defaults to a plain number. */
  formatY?: (v: number) => string;
}

function markerStyle(kind: MarkerKind): { color: string; dash: string | undefined; label: string } {
  switch (kind) {
    case 'stage':
      return { color: '#555555', dash: '2 3', label: 'stage' };
    case 'decision':
      return { color: '#E69F00', dash: undefined, label: 'decision' };
    case 'rollback':
      return { color: '#D55E00', dash: undefined, label: 'rollback' };
    case 'fault':
      return { color: '#882255', dash: '6 3', label: 'fault' };
    case 'confounder':
      return { color: '#999933', dash: '6 3', label: 'confounder' };
    case 'note':
      return { color: '#aaaaaa', dash: '1 3', label: 'note' };
    default: {
      const never: never = kind;
      throw new Error(`unknown marker kind ${String(never)}`);
    }
  }
}

/**
 * The marker kind for a pipeline timeline entry, or undefined for entries too frequent to mark
 * (measurements), so `explain` can map a trial's story onto the chart.
 */
export function markerKindFor(kind: TimelineEntry['kind']): MarkerKind | undefined {
  switch (kind) {
    case 'stage-start':
    case 'deployed':
    case 'promote':
    case 'watch-start':
    case 'shipped':
      return 'stage';
    case 'ci':
    case 'drill':
    case 'check-done':
    case 'approval':
    case 'pause':
      return 'decision';
    case 'rollback-start':
    case 'rollback-done':
    case 'rollback-failed':
    case 'page':
      return 'rollback';
    case 'onset':
    case 'restart':
      return 'fault';
    case 'world':
      return 'confounder';
    case 'window-wait':
    case 'end':
      return 'note';
    case 'measurement':
      return undefined;
    default: {
      const never: never = kind;
      throw new Error(`unknown timeline kind ${String(never)}`);
    }
  }
}

/** Splits a series into runs of finite points, so gaps in the data stay gaps. */
function runs(points: TimelineSeries['points']): Array<Array<readonly [number, number]>> {
  const out: Array<Array<readonly [number, number]>> = [];
  let current: Array<readonly [number, number]> = [];
  for (const p of points) {
    if (Number.isFinite(p[0]) && Number.isFinite(p[1])) current.push(p);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Draws metric lines over time with stage changes and decisions marked; returns a standalone
 * SVG document string (also embeddable in HTML).
 * @example renderTimelineSvg({ title: 'error_rate', series: [{ name: 'canary', points }],
 *   markers: [{ t: 12, label: 'rollback', kind: 'rollback' }], xLabel: 'time', yLabel: 'errors' })
 */
export function renderTimelineSvg(o: TimelineOptions): string {
  return renderTimeline(o).value;
}

/** `renderTimelineSvg` as markup, for embedding in a page built with `el`. */
export function renderTimeline(o: TimelineOptions): Markup {
  const width = o.width ?? 720;
  const formatX = o.formatX ?? formatTimeTick;
  const formatY = o.formatY ?? ((v: number) => formatNumber(v, 4));
  const seriesLegend: LegendItem[] = o.series.map((s, i) => ({
    label: s.name,
    color: colorAt(i),
    ...(s.dashed === true ? { dashed: true } : {}),
  }));
  const kinds = [...new Set(o.markers.map((m) => m.kind))];
  const markerLegend: LegendItem[] = kinds.map((k) => {
    const st = markerStyle(k);
    return { label: st.label, color: st.color, ...(st.dash === undefined ? {} : { dashed: true }) };
  });
  const legendWidth = width - 70;
  const probe = legend([...seriesLegend, ...markerLegend], 60, 0, legendWidth);
  const margin = { top: 44 + probe.rows * 16, right: 20, bottom: 46, left: 64 };
  const height = o.height ?? margin.top + 260 + margin.bottom;

  const ts = [
    ...o.series.flatMap((s) => s.points.map((p) => p[0])),
    ...o.markers.map((m) => m.t),
  ].filter(Number.isFinite);
  const vs = o.series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const tMin = ts.length > 0 ? Math.min(...ts) : 0;
  const tMax = ts.length > 0 ? Math.max(...ts) : 1;
  const vMin = Math.min(0, ...vs);
  const vMax = vs.length > 0 ? Math.max(...vs) : 1;
  const x = timeScale(tMax > tMin ? [tMin, tMax] : [tMin, tMin + 1], [
    margin.left,
    width - margin.right,
  ]);
  const y = linearScale(niceDomain(vMin, vMax > vMin ? vMax : vMin + 1, 4), [
    height - margin.bottom,
    margin.top,
  ]);
  const top = margin.top;
  const bottom = height - margin.bottom;

  const lines = o.series.map((s, i) =>
    el(
      'g',
      { class: 'series' },
      el('title', {}, s.name),
      runs(s.points).map((run) =>
        run.length === 1
          ? el('circle', { cx: x(run[0]![0]), cy: y(run[0]![1]), r: 2, fill: colorAt(i) })
          : el('polyline', {
              points: run.map(([t, v]) => `${fmt(x(t))},${fmt(y(v))}`).join(' '),
              fill: 'none',
              stroke: colorAt(i),
              'stroke-width': 1.6,
              'stroke-linejoin': 'round',
              'stroke-dasharray': s.dashed === true ? '5 3' : undefined,
            }),
      ),
    ),
  );

  // Labels run up the left of their line; one too close to the previous label moves to the right.
  let lastLabelX = -Infinity;
  const markers = [...o.markers]
    .filter((m) => Number.isFinite(m.t))
    .sort((a, b) => a.t - b.t)
    .map((m) => {
      const st = markerStyle(m.kind);
      const mx = x(m.t);
      const labelX = mx - lastLabelX < 12 ? mx + 12 : mx - 3;
      lastLabelX = labelX;
      return el(
        'g',
        { class: `marker marker-${m.kind}` },
        el('title', {}, `${formatX(m.t)}: ${m.label}`),
        el('line', {
          x1: mx,
          x2: mx,
          y1: top,
          y2: bottom,
          stroke: st.color,
          'stroke-width': 1.2,
          'stroke-dasharray': st.dash,
        }),
        el(
          'text',
          {
            x: 0,
            y: 0,
            transform: `translate(${fmt(labelX)} ${fmt(top + 4)}) rotate(-90)`,
            'text-anchor': 'end',
            'font-size': 10,
            fill: st.color,
            stroke: '#ffffff',
            'stroke-width': 3,
            'paint-order': 'stroke',
          },
          truncate(m.label, bottom - top - 8, 10),
        ),
      );
    });

  return frame(
    { width, height, title: o.title, className: 'timeline' },
    legend([...seriesLegend, ...markerLegend], 60, 40, legendWidth).markup,
    axisBottom({ scale: x, at: bottom, gridTo: top, format: formatX, label: o.xLabel }),
    axisLeft({
      scale: y,
      at: margin.left,
      gridTo: width - margin.right,
      format: formatY,
      label: o.yLabel,
    }),
    ...lines,
    ...markers,
  );
}
