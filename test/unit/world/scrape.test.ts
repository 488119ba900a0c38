/**
 * Scrapes and query ranges as Prometheus has them: a range selector `x[w]` at t selects the
 * samples in (t − w, t] (left-open since Prometheus 3.0, prometheus.io "Prometheus 3.0
 * migration guide"); `rate` needs two of them (promql/functions.go, extrapolatedRate).
 */
import { describe, expect, it } from 'vitest';
import { samplesNeeded, scrapesIn, windowCoverage } from '../../../src/world/scrape.js';
import { METRIC_NAMES } from '../../../src/world/types.js';

describe('scrapesIn: the scrapes a left-open range selects', () => {
  const grid = { anchor: 0.25, interval: 0.5 }; // scrapes at …, 0.25, 0.75, 1.25, …

  it('excludes a scrape at the range start and includes one at its end', () => {
    expect(scrapesIn(grid, 0.25, 1.25)).toEqual({ count: 2, first: 0.75, last: 1.25 });
    expect(scrapesIn(grid, 0.24, 1.25)).toEqual({ count: 3, first: 0.25, last: 1.25 });
  });

  it('a range exactly one scrape interval long holds exactly one scrape, whatever its phase', () => {
    for (let t = 10; t < 11; t += 0.01) expect(scrapesIn(grid, t - 0.5, t).count).toBe(1);
  });

  it('a range two intervals long always holds two; one shorter than an interval holds at most one', () => {
    for (let t = 10; t < 11; t += 0.01) {
      expect(scrapesIn(grid, t - 1, t).count).toBe(2);
      expect(scrapesIn(grid, t - 0.4, t).count).toBeLessThanOrEqual(1);
    }
  });

  it('an empty range says so with NaN ends', () => {
    const r = scrapesIn(grid, 0.3, 0.7);
    expect(r.count).toBe(0);
    expect(r.first).toBeNaN();
  });

  it('times that are sums of minutes still land on the grid', () => {
    const g = { anchor: 2040.1 + 0.3, interval: 0.5 };
    const t = g.anchor + 7 * 0.5;
    expect(scrapesIn(g, t - 1, t)).toMatchObject({ count: 2, last: t });
  });
});

describe('samplesNeeded and windowCoverage', () => {
  it('counters need two samples, gauges one', () => {
    const gauges = METRIC_NAMES.filter((m) => samplesNeeded(m) === 1);
    expect(gauges).toEqual(['memory', 'connections']);
  });

  it('classifies windows against the scrape interval', () => {
    expect(windowCoverage(1, 0.5, 'error_rate')).toBe('always');
    expect(windowCoverage(0.5, 0.5, 'error_rate')).toBe('never');
    expect(windowCoverage(0.75, 0.5, 'error_rate')).toBe('sometimes');
    expect(windowCoverage(1, 1, 'latency_p99')).toBe('never');
    expect(windowCoverage(0.5, 0.5, 'memory')).toBe('always');
    expect(windowCoverage(0.25, 0.5, 'memory')).toBe('sometimes');
  });
});
