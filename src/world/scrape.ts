/**
 * How a scenario's metrics are collected, as Prometheus collects them: every target is scraped
 * on a grid of the scrape interval whose phase is the target's own (Prometheus offsets each
 * target's scrapes by a hash of the target, scrape/target.go `offset`), and a query's range
 * selector `x[w]` evaluated at t selects the samples in (t − w, t] (left-open since Prometheus
 * 3.0, prometheus.io/docs/prometheus/latest/migration). `rate`, `increase` and
 * `histogram_quantile` over a rate need two samples in the range, else the series is absent
 * from the result (promql/functions.go, `extrapolatedRate`); a gauge read with `*_over_time`
 * needs one. Pure: no world, no randomness; the trial draws the phase.
 */
import type { MetricName, Minutes } from './types.js';

/** The scrape times of a trial: `anchor + k × interval` for every whole k. */
export interface ScrapeGrid {
  /** One scrape time; the others are whole intervals away. */
  readonly anchor: Minutes;
  readonly interval: Minutes;
}

/** The scrapes a range selects: how many, and the first and last (NaN when none). */
export interface ScrapesInRange {
  count: number;
  first: Minutes;
  last: Minutes;
}

// Times are sums of minutes: a scrape that lands on a range's end up to rounding is inside it.
const EPS = 1e-9;

/** The scrapes of `grid` in the left-open range (from, to]. */
export function scrapesIn(grid: ScrapeGrid, from: Minutes, to: Minutes): ScrapesInRange {
  const { anchor, interval } = grid;
  const firstK = Math.floor((from - anchor) / interval + EPS) + 1;
  const lastK = Math.floor((to - anchor) / interval + EPS);
  const count = Math.max(0, lastK - firstK + 1);
  if (count === 0) return { count, first: NaN, last: NaN };
  return { count, first: anchor + firstK * interval, last: anchor + lastK * interval };
}

/**
 * Samples a query over a metric needs in its range to return anything: two for counters read
 * through `rate`/`increase` (requests, errors, latency histogram buckets, restarts, sessions and
 * checkouts), one for gauges read with `avg_over_time` (memory, connections in use).
 */
export function samplesNeeded(metric: MetricName): 1 | 2 {
  switch (metric) {
    case 'memory':
    case 'connections':
      return 1;
    case 'error_rate':
    case 'latency_p50':
    case 'latency_p90':
    case 'latency_p99':
    case 'slow_rate':
    case 'crash_count':
    case 'conversion_rate':
    case 'requests':
      return 2;
    default: {
      const never: never = metric;
      throw new Error(`unknown metric ${String(never)}`);
    }
  }
}

/**
 * Whether a window of length `w` holds the samples `metric` needs, at scrape interval `s`,
 * whatever its phase: `always` when w ≥ need × s; `never` when it cannot hold them in any
 * phase (w ≤ (need − 1) × s: a left-open range exactly one interval long holds exactly one
 * scrape); otherwise `sometimes` (the phase decides, measurement by measurement).
 */
export function windowCoverage(
  w: Minutes,
  s: Minutes,
  metric: MetricName,
): 'always' | 'sometimes' | 'never' {
  const need = samplesNeeded(metric);
  if (w >= need * s - EPS) return 'always';
  if (w <= (need - 1) * s + EPS) return 'never';
  return 'sometimes';
}
