/**
 * Turning recorded series into the MetricPoints a judge reads: pick the series of a group of
 * hosts, take the rows in a time window, and combine the groups' rows at each timestamp the way
 * the world combines hosts (rates pool events and samples, counts add, the rest is n-weighted).
 */
import type { MetricName, MetricPoint, Minutes } from '../world/types.js';
import type { RecordedSeries } from './inputs.js';
import { TIME_EPSILON } from './time.js';

const RATE_METRICS: ReadonlySet<MetricName> = new Set([
  'error_rate',
  'slow_rate',
  'conversion_rate',
]);
const SUM_METRICS: ReadonlySet<MetricName> = new Set(['crash_count', 'requests']);

/** Index of the first row with t > x (rows sorted by time). */
function upperBound(t: readonly number[], x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Row {
  t: number;
  value: number;
  n: number;
  events: number;
}

/** Rows of the series with from < t ≤ to (both with the time tolerance), in time order. */
function rowsIn(series: readonly RecordedSeries[], from: Minutes, to: Minutes): Row[] {
  const out: Row[] = [];
  for (const s of series) {
    const a = upperBound(s.t, from + TIME_EPSILON);
    const b = upperBound(s.t, to + TIME_EPSILON);
    for (let i = a; i < b; i++)
      out.push({ t: s.t[i]!, value: s.value[i]!, n: s.n[i]!, events: s.events[i]! });
  }
  out.sort((x, y) => x.t - y.t);
  return out;
}

/**
 * Combines rows of several groups taken at one time into one point: a rate pools events over
 * samples; crash_count and requests add; any other metric is the n-weighted mean (a weighted
 * mean of per-group percentiles is an approximation of the pooled percentile). Rows with a
 * missing value are left out; a point with none left is missing (NaN).
 */
export function combineRows(metric: MetricName, t: Minutes, rows: readonly Row[]): MetricPoint {
  let n = 0;
  let events = 0;
  let sum = 0;
  let weighted = 0;
  let count = 0;
  for (const r of rows) {
    if (Number.isNaN(r.value)) continue;
    count++;
    n += r.n;
    events += r.events;
    sum += r.value;
    weighted += r.n * r.value;
  }
  if (count === 0) return { t, value: NaN, n: 0, events: 0 };
  if (RATE_METRICS.has(metric)) return { t, value: n > 0 ? events / n : NaN, n, events };
  if (SUM_METRICS.has(metric)) return { t, value: sum, n, events: 0 };
  return { t, value: n > 0 ? weighted / n : sum / count, n, events: 0 };
}

/** The combined points of a group of series over (from, to], one per distinct timestamp. */
export function pointsIn(
  metric: MetricName,
  series: readonly RecordedSeries[],
  from: Minutes,
  to: Minutes,
): MetricPoint[] {
  const rows = rowsIn(series, from, to);
  const out: MetricPoint[] = [];
  let i = 0;
  while (i < rows.length) {
    let j = i + 1;
    while (j < rows.length && rows[j]!.t - rows[i]!.t <= TIME_EPSILON) j++;
    out.push(combineRows(metric, rows[i]!.t, rows.slice(i, j)));
    i = j;
  }
  return out;
}

/** The combined point of a group of series at exactly time t (within the tolerance); NaN when none. */
export function pointAt(
  metric: MetricName,
  series: readonly RecordedSeries[],
  t: Minutes,
  label: Minutes,
): MetricPoint {
  const rows = rowsIn(series, t - 2 * TIME_EPSILON, t);
  return { ...combineRows(metric, t, rows), t: label };
}

/** The time of the latest row at or before `to` and after `from`, or undefined. */
export function latestTime(
  series: readonly RecordedSeries[],
  from: Minutes,
  to: Minutes,
): Minutes | undefined {
  let best: Minutes | undefined;
  for (const s of series) {
    const b = upperBound(s.t, to + TIME_EPSILON);
    if (b === 0) continue;
    const t = s.t[b - 1]!;
    if (t > from + TIME_EPSILON && (best === undefined || t > best)) best = t;
  }
  return best;
}

/**
 * The usual spacing of the recording: the median gap between consecutive rows of a series,
 * over every series (1 when no series has two rows).
 */
export function recordingStep(series: readonly RecordedSeries[]): Minutes {
  const gaps: number[] = [];
  for (const s of series) {
    // A sample of gaps per series keeps this cheap on long recordings.
    const stride = Math.max(1, Math.floor(s.t.length / 1000));
    for (let i = stride; i < s.t.length; i += stride) gaps.push(s.t[i]! - s.t[i - 1]!);
  }
  if (gaps.length === 0) return 1;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 2)]!;
}
