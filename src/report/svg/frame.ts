/** The outer <svg> of a chart and its axes. */
import { el, fragment, type Child, type Markup } from './markup.js';
import type { LinearScale } from './scale.js';
import { THEME, truncate } from './theme.js';

/** Space around the plot area, in pixels. */
export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Options of the outer frame. */
export interface FrameOptions {
  width: number;
  height: number;
  title: string;
  /** A longer description for screen readers. */
  description?: string;
  /** A class on the root, so the page can style chart kinds. */
  className?: string;
}

/**
 * The root <svg>: scalable (viewBox; shrinks to its container), titled for accessibility and
 * carrying its own namespace so the same string can be saved as a standalone .svg file.
 */
export function frame(o: FrameOptions, ...body: Child[]): Markup {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${o.width} ${o.height}`,
      width: o.width,
      height: o.height,
      role: 'img',
      class: o.className === undefined ? 'chart' : `chart ${o.className}`,
      'font-family': THEME.font,
      'font-size': THEME.fontSize,
      fill: THEME.text,
      style: 'max-width:100%;height:auto',
    },
    el('title', {}, o.title),
    o.description === undefined ? undefined : el('desc', {}, o.description),
    el('rect', { x: 0, y: 0, width: o.width, height: o.height, fill: '#ffffff' }),
    // The full title stays in <title> (tooltips, screen readers); the drawn one must fit.
    el(
      'text',
      { x: 8, y: 18, 'font-size': THEME.titleSize, 'font-weight': 600 },
      truncate(o.title, o.width - 16, THEME.titleSize),
    ),
    ...body,
  );
}

/** Options of an axis along the bottom of a plot. */
export interface AxisOptions {
  scale: LinearScale;
  /** Where the axis line sits (y for a bottom axis, x for a left axis). */
  at: number;
  /** Grid lines run from the axis to here (the other side of the plot). */
  gridTo?: number;
  ticks?: number[];
  format: (v: number) => string;
  label?: string | undefined;
}

/** A horizontal value axis with ticks, tick labels, optional grid and a label. */
export function axisBottom(o: AxisOptions): Markup {
  const [r0, r1] = o.scale.range;
  const ticks = o.ticks ?? o.scale.ticks(Math.max(2, Math.round(Math.abs(r1 - r0) / 60)));
  return el(
    'g',
    { class: 'axis axis-x' },
    ticks.map((t) => {
      const x = o.scale(t);
      return fragment(
        o.gridTo === undefined
          ? undefined
          : el('line', { x1: x, x2: x, y1: o.gridTo, y2: o.at, stroke: THEME.grid }),
        el('line', { x1: x, x2: x, y1: o.at, y2: o.at + 4, stroke: THEME.axis }),
        el('text', { x, y: o.at + 16, 'text-anchor': 'middle', fill: THEME.muted }, o.format(t)),
      );
    }),
    el('line', { x1: r0, x2: r1, y1: o.at, y2: o.at, stroke: THEME.axis }),
    o.label === undefined
      ? undefined
      : el('text', { x: (r0 + r1) / 2, y: o.at + 32, 'text-anchor': 'middle' }, o.label),
  );
}

/** A vertical value axis on the left of a plot. */
export function axisLeft(o: AxisOptions): Markup {
  const [r0, r1] = o.scale.range;
  const ticks = o.ticks ?? o.scale.ticks(Math.max(2, Math.round(Math.abs(r1 - r0) / 50)));
  const mid = (r0 + r1) / 2;
  return el(
    'g',
    { class: 'axis axis-y' },
    ticks.map((t) => {
      const y = o.scale(t);
      return fragment(
        o.gridTo === undefined
          ? undefined
          : el('line', { x1: o.at, x2: o.gridTo, y1: y, y2: y, stroke: THEME.grid }),
        el('line', { x1: o.at - 4, x2: o.at, y1: y, y2: y, stroke: THEME.axis }),
        el('text', { x: o.at - 7, y: y + 4, 'text-anchor': 'end', fill: THEME.muted }, o.format(t)),
      );
    }),
    el('line', { x1: o.at, x2: o.at, y1: r0, y2: r1, stroke: THEME.axis }),
    o.label === undefined
      ? undefined
      : el(
          'text',
          {
            x: 0,
            y: 0,
            transform: `translate(14 ${mid}) rotate(-90)`,
            'text-anchor': 'middle',
          },
          o.label,
        ),
  );
}

/** One entry of a legend. */
export interface LegendItem {
  label: string;
  color: string;
  dashed?: boolean;
  shape?: 'line' | 'box';
}

/** A legend of coloured swatches, laid out left to right from (x, y), wrapping at `maxWidth`. */
export function legend(
  items: readonly LegendItem[],
  x: number,
  y: number,
  maxWidth: number,
): { markup: Markup; rows: number } {
  let cx = x;
  let cy = y;
  const parts: Markup[] = [];
  for (const item of items) {
    const w = 22 + item.label.length * THEME.fontSize * THEME.charWidth + 14;
    if (cx + w > x + maxWidth && cx > x) {
      cx = x;
      cy += 16;
    }
    parts.push(
      el(
        'g',
        { class: 'legend-item' },
        item.shape === 'box'
          ? el('rect', { x: cx, y: cy - 9, width: 16, height: 10, fill: item.color })
          : el('line', {
              x1: cx,
              x2: cx + 16,
              y1: cy - 4,
              y2: cy - 4,
              stroke: item.color,
              'stroke-width': 2,
              'stroke-dasharray': item.dashed === true ? '5 3' : undefined,
            }),
        el('text', { x: cx + 22, y: cy }, item.label),
      ),
    );
    cx += w;
  }
  return { markup: fragment(...parts), rows: items.length === 0 ? 0 : (cy - y) / 16 + 1 };
}
