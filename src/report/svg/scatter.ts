/** A labelled scatter of policies with interval crosshairs and the Pareto front drawn. */
import { axisBottom, axisLeft, frame } from './frame.js';
import { el, fmt, fragment, type Markup } from './markup.js';
import { linearScale, niceDomain } from './scale.js';
import { textWidth, THEME, truncate } from './theme.js';

/** One point; the optional intervals draw light crosshairs. */
export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  xLo?: number;
  xHi?: number;
  yLo?: number;
  yHi?: number;
  color: string;
  tooltip?: string;
}

/** Options of a scatter chart. */
export interface ScatterOptions {
  title: string;
  points: readonly ScatterPoint[];
  xLabel: string;
  yLabel: string;
  formatX: (v: number) => string;
  formatY: (v: number) => string;
  /** Draw the Pareto front for minimising both x and y. */
  pareto?: boolean;
  /** Shade the region x ≤ target.x, y ≤ target.y (e.g. within both budgets), with a label. */
  target?: { x: number; y: number; label: string };
  /** A class on the root besides `chart scatter`. */
  className?: string;
  width?: number;
  height?: number;
}

/**
 * Indices of the points no other point beats on both axes (smaller is better on both),
 * ordered by x. Points with a non-finite coordinate take no part.
 * @example paretoFront([{x: 0, y: 1}, {x: 1, y: 0}, {x: 1, y: 1}]) // [0, 1]
 */
export function paretoFront(points: ReadonlyArray<{ x: number; y: number }>): number[] {
  const idx = points
    .map((p, i) => ({ ...p, i }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const front = idx.filter(
    (p) => !idx.some((q) => q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y)),
  );
  front.sort((a, b) => a.x - b.x || a.y - b.y || a.i - b.i);
  return front.map((p) => p.i);
}

const finiteOr = (v: number | undefined, fallback: number): number =>
  v !== undefined && Number.isFinite(v) ? v : fallback;

/**
 * Widest a point's label may be, in estimated pixels: room for a name such as
 * truthful-fleet-baseline (about 23 characters), which 150 cut to "truthful-fleet-base…".
 */
const LABEL_WIDTH = 180;

/** Where a point's label goes: its anchor and the box it covers, estimated without a browser. */
interface LabelPlace {
  x: number;
  y: number;
  anchor: 'start' | 'end';
  box: { x0: number; y0: number; x1: number; y1: number };
}

const overlaps = (a: LabelPlace['box'], b: LabelPlace['box']): boolean =>
  a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Places labels one by one beside their points: above or below, right or left (the side
 * nearer the middle first), then further out, taking the first spot that stays inside the plot and clear of
 * the labels and points placed so far (greedy; nearby policies otherwise print on each other).
 */
export function placeLabels(
  points: ReadonlyArray<{ cx: number; cy: number; label: string }>,
  plot: { x0: number; y0: number; x1: number; y1: number },
): LabelPlace[] {
  const placed: LabelPlace['box'][] = points.map((p) => ({
    x0: p.cx - 5,
    y0: p.cy - 5,
    x1: p.cx + 5,
    y1: p.cy + 5,
  }));
  return points.map((p) => {
    const w = textWidth(p.label);
    const h = THEME.fontSize;
    const at = (dx: number, dy: number, anchor: 'start' | 'end'): LabelPlace => {
      const x = p.cx + dx;
      const y = p.cy + dy;
      const x0 = anchor === 'start' ? x : x - w;
      return { x, y, anchor, box: { x0, y0: y - h + 2, x1: x0 + w, y1: y + 2 } };
    };
    const preferRight = p.cx < (plot.x0 + plot.x1) / 2;
    const sides: Array<'start' | 'end'> = preferRight ? ['start', 'end'] : ['end', 'start'];
    const candidates = [-7, 15, -19, 27, -31, 39].flatMap((dy) =>
      [8, 16].flatMap((dx) => sides.map((a) => at(a === 'start' ? dx : -dx, dy, a))),
    );
    const inside = (c: LabelPlace): boolean =>
      c.box.x0 >= plot.x0 && c.box.x1 <= plot.x1 && c.box.y0 >= plot.y0 && c.box.y1 <= plot.y1;
    const free =
      candidates.find((c) => inside(c) && !placed.some((b) => overlaps(b, c.box))) ??
      candidates.find(inside) ??
      candidates[0]!;
    placed.push(free.box);
    return free;
  });
}

/** Renders the scatter. Points with a non-finite coordinate are listed as "not plotted". */
export function renderScatter(o: ScatterOptions): Markup {
  const width = o.width ?? 460;
  const height = o.height ?? 340;
  const margin = { top: 44, right: 24, bottom: 60, left: 62 };
  const plotted = o.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const skipped = o.points.filter((p) => !(Number.isFinite(p.x) && Number.isFinite(p.y)));
  const maxX = Math.max(0, o.target?.x ?? 0, ...plotted.map((p) => finiteOr(p.xHi, p.x)));
  const maxY = Math.max(0, o.target?.y ?? 0, ...plotted.map((p) => finiteOr(p.yHi, p.y)));
  const x = linearScale(niceDomain(0, maxX > 0 ? maxX : 0.01, 4), [
    margin.left,
    width - margin.right,
  ]);
  const y = linearScale(niceDomain(0, maxY > 0 ? maxY : 0.01, 4), [
    height - margin.bottom,
    margin.top,
  ]);

  const target =
    o.target === undefined
      ? undefined
      : el(
          'g',
          { class: 'target' },
          el('rect', {
            x: x(0),
            y: y(o.target.y),
            width: Math.max(0, x(o.target.x) - x(0)),
            height: Math.max(0, y(0) - y(o.target.y)),
            fill: '#1b7a33',
            'fill-opacity': 0.1,
            stroke: '#1b7a33',
            'stroke-opacity': 0.5,
            'stroke-dasharray': '3 3',
          }),
          el(
            'text',
            { x: x(o.target.x) + 4, y: y(o.target.y) + 12, fill: '#1b7a33', 'font-size': 11 },
            o.target.label,
          ),
        );

  let front: Markup | undefined;
  if (o.pareto === true) {
    const order = paretoFront(o.points);
    const pts = order.map((i) => o.points[i]!);
    if (pts.length > 0) {
      // The staircase bounding the region the front dominates: right along y, then down.
      let d = `M${fmt(x(pts[0]!.x))},${fmt(y(pts[0]!.y))}`;
      for (let k = 1; k < pts.length; k++) d += ` H${fmt(x(pts[k]!.x))} V${fmt(y(pts[k]!.y))}`;
      front = el(
        'g',
        { class: 'pareto-front' },
        el('path', {
          d,
          fill: 'none',
          stroke: THEME.muted,
          'stroke-width': 1.5,
          'stroke-dasharray': '6 4',
        }),
        pts.map((p) =>
          el('circle', {
            cx: x(p.x),
            cy: y(p.y),
            r: 9,
            fill: 'none',
            stroke: THEME.muted,
            'stroke-width': 1.2,
          }),
        ),
      );
    }
  }

  // Each label as printed, cut once: placement measures the same text the chart prints.
  const printed = plotted.map((p) => truncate(p.label, LABEL_WIDTH));
  const labels = placeLabels(
    plotted.map((p, i) => ({ cx: x(p.x), cy: y(p.y), label: printed[i]! })),
    { x0: margin.left, y0: 24, x1: width - 4, y1: height - margin.bottom },
  );
  const marks = plotted.map((p, i) => {
    const cx = x(p.x);
    const cy = y(p.y);
    const place = labels[i]!;
    return el(
      'g',
      { class: 'point' },
      el('title', {}, p.tooltip ?? `${p.label}: (${o.formatX(p.x)}, ${o.formatY(p.y)})`),
      p.xLo !== undefined && p.xHi !== undefined && Number.isFinite(p.xLo) && Number.isFinite(p.xHi)
        ? el('line', {
            x1: x(p.xLo),
            x2: x(p.xHi),
            y1: cy,
            y2: cy,
            stroke: p.color,
            'stroke-opacity': 0.45,
          })
        : undefined,
      p.yLo !== undefined && p.yHi !== undefined && Number.isFinite(p.yLo) && Number.isFinite(p.yHi)
        ? el('line', {
            x1: cx,
            x2: cx,
            y1: y(p.yLo),
            y2: y(p.yHi),
            stroke: p.color,
            'stroke-opacity': 0.45,
          })
        : undefined,
      el('circle', { cx, cy, r: 5, fill: p.color, stroke: '#ffffff', 'stroke-width': 1 }),
      el(
        'text',
        { x: place.x, y: place.y, 'text-anchor': place.anchor, class: 'point-label' },
        printed[i]!,
      ),
    );
  });

  return frame(
    {
      width,
      height,
      title: o.title,
      className: o.className === undefined ? 'scatter' : `scatter ${o.className}`,
    },
    axisBottom({
      scale: x,
      at: height - margin.bottom,
      gridTo: margin.top,
      format: o.formatX,
      label: o.xLabel,
    }),
    axisLeft({
      scale: y,
      at: margin.left,
      gridTo: width - margin.right,
      format: o.formatY,
      label: o.yLabel,
    }),
    target,
    front,
    ...marks,
    fragment(
      o.pareto === true
        ? el(
            'text',
            { x: margin.left, y: height - 8, fill: THEME.muted, 'font-size': 11 },
            'Dashed: Pareto front. Lines: 95% intervals.',
          )
        : undefined,
      skipped.length > 0
        ? el(
            'text',
            {
              x: width - margin.right,
              y: margin.top + 12,
              'text-anchor': 'end',
              fill: THEME.muted,
              'font-size': 11,
            },
            truncate(
              `not plotted (no data): ${skipped.map((p) => p.label).join(', ')}`,
              width - margin.left - margin.right,
              11,
            ),
          )
        : undefined,
    ),
  );
}
