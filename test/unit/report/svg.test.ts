import { describe, expect, it } from 'vitest';
import {
  el,
  fragment,
  histogramBins,
  linearScale,
  markerKindFor,
  niceDomain,
  niceTicks,
  niceTimeStep,
  paretoFront,
  placeLabels,
  renderBarChart,
  renderHistogram,
  renderScatter,
  renderTimelineSvg,
  timeScale,
  trusted,
} from '../../../src/report/svg/index.js';
import type { TimelineEntry } from '../../../src/pipeline/types.js';
import { assertBalanced, countTags } from './markup-check.js';

describe('markup', () => {
  it('escapes text children and attribute values, but not trusted markup', () => {
    const m = el('text', { 'data-x': '"><script>' }, '<b>&</b>', trusted('<tspan>ok</tspan>'));
    expect(m.value).toBe(
      '<text data-x="&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;&lt;/b&gt;<tspan>ok</tspan></text>',
    );
  });
  it('refuses tag and attribute names that are not names', () => {
    expect(() => el('g onload=x')).toThrow(/bad tag name/);
    expect(() => el('g', { 'x" onload="y': 1 })).toThrow(/bad attribute name/);
  });
  it('self-closes SVG shapes only, rounds numbers, skips undefined', () => {
    expect(el('rect', { x: 1.23456, y: undefined }).value).toBe('<rect x="1.23"/>');
    expect(el('div', {}).value).toBe('<div></div>');
    expect(fragment('a', undefined, false, null, 2, ['<', el('br')]).value).toBe('a2&lt;<br>');
  });
});

describe('scales', () => {
  it('maps the domain onto the range linearly', () => {
    const s = linearScale([0, 10], [100, 200]);
    expect(s(0)).toBe(100);
    expect(s(2.5)).toBe(125);
    expect(s(10)).toBe(200);
    expect(linearScale([3, 3], [0, 10])(3)).toBe(5);
  });
  it('chooses 1-2-5 ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 27, 4)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(niceDomain(0, 0.27, 4)).toEqual([0, 0.3]);
    expect(niceDomain(0, 0, 4)).toEqual([0, 1]);
  });
  it('chooses ticks on readable times for a time axis', () => {
    expect(niceTimeStep(0, 180, 4)).toBe(60);
    expect(niceTimeStep(0, 50, 5)).toBe(10);
    expect(timeScale([0, 180], [0, 100]).ticks(4)).toEqual([0, 60, 120, 180]);
    expect(timeScale([0, 100], [0, 100]).ticks(4)).toEqual([0, 30, 60, 90]);
  });
});

describe('paretoFront', () => {
  it('keeps the points nothing beats on both axes, ordered by x', () => {
    const pts = [
      { x: 0.03, y: 0.03 },
      { x: 0.01, y: 0.12 },
      { x: 0.02, y: 0.2 }, // dominated by the second
      { x: 0.006, y: 0.27 },
      { x: 0.03, y: 0.03 }, // a tie: neither dominates the other
      { x: Number.NaN, y: 0 },
    ];
    expect(paretoFront(pts)).toEqual([3, 1, 0, 4]);
  });
  it('drops a point equal on one axis and worse on the other', () => {
    expect(
      paretoFront([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toEqual([0]);
  });
});

describe('histogramBins', () => {
  it('starts the first bucket at 0 and closes an infinite last bucket', () => {
    expect(histogramBins([5, 10, 30, Infinity], [1, 2, 3, 4])).toEqual([
      { lo: 0, hi: 5, count: 1, open: false },
      { lo: 5, hi: 10, count: 2, open: false },
      { lo: 10, hi: 30, count: 3, open: false },
      { lo: 30, hi: 50, count: 4, open: true },
    ]);
  });
});

describe('charts', () => {
  it('draws a bar with a whisker for each category and a note for missing data', () => {
    const svg = renderBarChart({
      title: 'Shipped bad',
      xLabel: 'share',
      format: (v) => `${v}`,
      data: [
        { label: 'a', value: 0.1, lo: 0.05, hi: 0.2, color: '#000' },
        { label: 'b', value: Number.NaN, color: '#000' },
      ],
    }).value;
    assertBalanced(svg);
    expect(svg.match(/class="value"/g)).toHaveLength(1);
    expect(svg.match(/class="whisker"/g)).toHaveLength(1);
    expect(svg).toContain('no data');
  });
  /** A scatter of `points` with plain axes. */
  const scatter = (options: Pick<Parameters<typeof renderScatter>[0], 'points' | 'pareto'>) =>
    renderScatter({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      formatX: String,
      formatY: String,
      ...options,
    }).value;
  it('draws the Pareto front through the undominated points only', () => {
    const svg = scatter({
      pareto: true,
      points: [
        { label: 'a', x: 0.1, y: 0.1, color: '#000' },
        { label: 'b', x: 0.2, y: 0.2, color: '#000' },
      ],
    });
    assertBalanced(svg);
    expect(svg).toContain('class="pareto-front"');
    expect(svg.match(/r="9"/g)).toHaveLength(1);
  });
  it("prints a built-in policy's name in full beside its point", () => {
    const svg = scatter({
      points: [
        { label: 'truthful-fleet-baseline', x: 0.17, y: 0.04, color: '#000' },
        { label: 'a'.repeat(60), x: 0.4, y: 0.2, color: '#000' },
      ],
    });
    expect(svg).toContain('>truthful-fleet-baseline</text>');
    // A name far wider than the room is still cut.
    expect(svg).not.toContain(`>${'a'.repeat(60)}</text>`);
  });
  it('draws one bar per bucket and says when nothing was detected', () => {
    const full = renderHistogram({
      title: 'h',
      edges: [5, 10, 15],
      counts: [1, 0, 3],
      xLabel: 'x',
      color: '#000',
      formatX: String,
    }).value;
    expect(full.match(/class="bin"/g)).toHaveLength(3);
    const empty = renderHistogram({
      title: 'h',
      edges: [5, 10],
      counts: [0, 0],
      xLabel: 'x',
      color: '#000',
      formatX: String,
    }).value;
    expect(empty).toContain('nothing detected');
  });
});

describe('renderTimelineSvg', () => {
  const svg = renderTimelineSvg({
    title: 'error_rate <canary>',
    series: [
      {
        name: 'canary',
        points: [
          [0, 0.01],
          [1, 0.02],
          [2, Number.NaN],
          [3, 0.03],
          [4, 0.05],
        ],
      },
      {
        name: 'baseline',
        points: [
          [0, 0.01],
          [4, 0.01],
        ],
        dashed: true,
      },
    ],
    markers: [
      { t: 1, label: 'stage one-box', kind: 'stage' },
      { t: 3, label: 'errors: fail <3/3>', kind: 'decision' },
      { t: 3.5, label: 'rollback', kind: 'rollback' },
    ],
    xLabel: 'minutes',
    yLabel: 'error rate',
  });

  it('is a standalone, well-formed SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertBalanced(svg);
  });
  it('breaks a line at missing data and dashes dashed series', () => {
    expect(countTags(svg, 'polyline')).toBe(3);
    expect(svg.match(/<polyline[^>]*stroke-dasharray/g)).toHaveLength(1);
  });
  it('draws one marker per event, labels escaped', () => {
    expect(svg.match(/class="marker marker-/g)).toHaveLength(3);
    expect(svg).toContain('errors: fail &lt;3/3&gt;');
    expect(svg).toContain('error_rate &lt;canary&gt;');
    expect(svg).not.toContain('<canary>');
  });
  it('maps every pipeline timeline kind to a marker kind (measurements excepted)', () => {
    const kinds: Array<TimelineEntry['kind']> = [
      'ci',
      'drill',
      'stage-start',
      'window-wait',
      'deployed',
      'measurement',
      'check-done',
      'approval',
      'promote',
      'pause',
      'watch-start',
      'shipped',
      'rollback-start',
      'rollback-done',
      'rollback-failed',
      'restart',
      'onset',
      'end',
    ];
    const mapped = kinds.map(markerKindFor);
    expect(mapped.filter((k) => k === undefined)).toHaveLength(1);
    expect(markerKindFor('rollback-failed')).toBe('rollback');
    expect(markerKindFor('check-done')).toBe('decision');
  });
});

describe('placeLabels', () => {
  const plot = { x0: 60, y0: 24, x1: 400, y1: 220 };
  const boxes = (
    pts: Array<{ cx: number; cy: number; label: string }>,
  ): ReturnType<typeof placeLabels> => placeLabels(pts, plot);
  const overlap = (
    a: { x0: number; y0: number; x1: number; y1: number },
    b: { x0: number; y0: number; x1: number; y1: number },
  ) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

  it('keeps the labels of nearly coincident points apart and inside the plot', () => {
    // Two policies 3 px apart near the top-left corner (argo-canary and green-ci-only in the suite).
    const placed = boxes([
      { cx: 67, cy: 61, label: 'argo-canary' },
      { cx: 64, cy: 59, label: 'green-ci-only' },
      { cx: 73, cy: 89, label: 'codedeploy-canary' },
    ]);
    for (let i = 0; i < placed.length; i++) {
      const b = placed[i]!.box;
      expect(b.x0).toBeGreaterThanOrEqual(plot.x0);
      expect(b.x1).toBeLessThanOrEqual(plot.x1);
      expect(b.y0).toBeGreaterThanOrEqual(plot.y0);
      for (let j = 0; j < i; j++) expect(overlap(b, placed[j]!.box), `${i} vs ${j}`).toBe(false);
    }
  });

  it('puts a label on the left of a point in the right half', () => {
    const [p] = boxes([{ cx: 380, cy: 120, label: 'before-after' }]);
    expect(p!.anchor).toBe('end');
    expect(p!.box.x1).toBeLessThanOrEqual(380);
  });
});
