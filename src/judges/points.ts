/**
 * What every judge does with metric points: aggregate a window the way the metric means it,
 * drop missing values, and (for judges that keep state) pick out the points not seen yet.
 */
import type { MetricName, MetricPoint } from '../world/types.js';
import type { JudgeInput, JudgeResult, MetricData, Verdict } from './types.js';

/** Metrics whose points carry events out of n (errors of requests, checkouts of sessions). */
const RATE_METRICS: ReadonlySet<MetricName> = new Set([
  'error_rate',
  'slow_rate',
  'conversion_rate',
]);
/** Metrics whose points are counts that add up over a window. */
const SUM_METRICS: ReadonlySet<MetricName> = new Set(['crash_count', 'requests']);

/** Whether a metric is a rate of events over a sample (error_rate, slow_rate, conversion_rate). */
export function isRateMetric(metric: MetricName): boolean {
  return RATE_METRICS.has(metric);
}

/** A point with data: a number for the value and, for rates, a positive sample. */
export function isValidPoint(metric: MetricName, p: MetricPoint): boolean {
  if (Number.isNaN(p.value)) return false;
  return !RATE_METRICS.has(metric) || p.n > 0;
}

/** A window's aggregate: the value the threshold applies to, with its sample. */
export interface Aggregate {
  /** NaN when no point has data. */
  value: number;
  /** Σn of the points with data. */
  n: number;
  /** Σevents of the points with data. */
  events: number;
  /** Points with data. */
  points: number;
}

/**
 * Aggregates points over a window, skipping NaN points: rates are Σevents/Σn; crash_count and
 * requests are sums; everything else is the n-weighted mean of the values (a plain mean when
 * no point has a positive n).
 */
export function aggregate(metric: MetricName, points: readonly MetricPoint[]): Aggregate {
  let n = 0;
  let events = 0;
  let sum = 0;
  let weighted = 0;
  let count = 0;
  for (const p of points) {
    if (!isValidPoint(metric, p)) continue;
    count++;
    sum += p.value;
    if (p.n > 0) {
      n += p.n;
      events += p.events;
      weighted += p.n * p.value;
    }
  }
  let value: number;
  if (count === 0) value = NaN;
  else if (RATE_METRICS.has(metric)) value = events / n;
  else if (SUM_METRICS.has(metric)) value = sum;
  else value = n > 0 ? weighted / n : sum / count;
  return { value, n, events, points: count };
}

/** The values of points, NaN either removed or replaced by 0 (Kayenta's nanStrategy). */
export function pointValues(
  points: readonly MetricPoint[],
  nanStrategy: 'remove' | 'replace',
): number[] {
  const out: number[] = [];
  for (const p of points) {
    if (!Number.isNaN(p.value)) out.push(p.value);
    else if (nanStrategy === 'replace') out.push(0);
  }
  return out;
}

/** The check's data for a metric, or undefined when the caller sent none. */
export function metricData(
  input: JudgeInput,
  metric: MetricName = input.metric,
): MetricData | undefined {
  return input.data[metric];
}

/**
 * A judge's result whose reason line is written, and whose figures are cleaned of non-finite
 * numbers, only when someone reads them: a simulated trial takes hundreds of measurements and
 * reads none of their reasons, while `explain` and the backtester read every one.
 */
class JudgeVerdict implements JudgeResult {
  private why: string | (() => string);
  private numbers: Record<string, number>;
  private cleaned = false;

  constructor(
    readonly verdict: Verdict,
    reason: string | (() => string),
    figures: Record<string, number>,
  ) {
    this.why = reason;
    this.numbers = figures;
  }

  get reason(): string {
    if (typeof this.why !== 'string') this.why = this.why();
    return this.why;
  }

  get figures(): Record<string, number> {
    if (!this.cleaned) {
      const clean: Record<string, number> = {};
      for (const [k, x] of Object.entries(this.numbers)) if (Number.isFinite(x)) clean[k] = x;
      this.numbers = clean;
      this.cleaned = true;
    }
    return this.numbers;
  }

  toJSON(): JudgeResult {
    return { verdict: this.verdict, reason: this.reason, figures: this.figures };
  }
}

/**
 * Builds a result. `reason` may be a function, called the first time the reason is read, so
 * a hot path pays nothing for formatting; `figures` must not be changed afterwards (they are
 * cleaned of non-finite numbers when first read, so reports stay clean).
 */
export function verdict(
  v: Verdict,
  reason: string | (() => string),
  figures: Record<string, number> = {},
): JudgeResult {
  return new JudgeVerdict(v, reason, figures);
}

/**
 * Remembers which interval ends a stateful judge has consumed, so that it folds each point in
 * once whatever window the check uses (interval, cumulative or a lookback), and picks up a
 * point that arrives late (metrics delay) the first time it has data. Assumes one point per
 * interval end in a series, which is how the pipeline sends them.
 */
export class FreshPoints {
  private readonly seen = new Set<number>();
  // The last series taken: its points' times, and which of them were not consumed then (no
  // data yet, or no partner). A growing (cumulative) window sends the same points again at
  // every measurement; where the new series starts with the same times, only those not
  // consumed and the new ones are looked at, so a check that reads every minute for hours
  // costs per measurement what its new points cost, not everything since it began.
  private readonly lastTimes: number[] = [];
  private lastOpen: number[] = [];

  /** The valid points whose time has not been consumed, in time order; marks them consumed. */
  take(metric: MetricName, points: readonly MetricPoint[]): MetricPoint[] {
    const out: MetricPoint[] = [];
    const look = this.toLookAt(points);
    for (const i of look) {
      const p = points[i]!;
      if (this.seen.has(p.t) || !isValidPoint(metric, p)) continue;
      out.push(p);
    }
    out.sort((a, b) => a.t - b.t);
    for (const p of out) this.seen.add(p.t);
    this.remember(points, look);
    return out;
  }

  /**
   * Indices of `points` that may hold a time not consumed: those of the last series' leading
   * points this one repeats that were open then, and every point after them. The others
   * repeat a time that was consumed, which a full scan would skip too.
   */
  private toLookAt(points: readonly MetricPoint[]): number[] {
    const last = this.lastTimes;
    const n = Math.min(last.length, points.length);
    let same = 0;
    while (same < n && points[same]!.t === last[same]) same++;
    const look: number[] = [];
    for (const i of this.lastOpen) if (i < same) look.push(i);
    for (let i = same; i < points.length; i++) look.push(i);
    last.length = same;
    for (let i = same; i < points.length; i++) last.push(points[i]!.t);
    return look;
  }

  /** After a take: which of the looked-at points are still open. */
  private remember(points: readonly MetricPoint[], looked: readonly number[]): void {
    this.lastOpen = looked.filter((i) => !this.seen.has(points[i]!.t));
  }

  /**
   * Pairs of canary and baseline points at the same time, both valid and not yet consumed,
   * in time order; marks their times consumed. A canary point whose baseline has not arrived
   * waits for it.
   */
  takePairs(
    metric: MetricName,
    canary: readonly MetricPoint[],
    baseline: readonly MetricPoint[],
  ): [MetricPoint, MetricPoint][] {
    // The pipeline sends both series on the same interval ends, so the partner is usually at
    // the same index; a map by time is built only when it is not.
    let byTime: Map<number, MetricPoint> | undefined;
    const out: [MetricPoint, MetricPoint][] = [];
    const look = this.toLookAt(canary);
    for (const i of look) {
      const c = canary[i]!;
      if (this.seen.has(c.t) || !isValidPoint(metric, c)) continue;
      let b: MetricPoint | undefined = baseline[i];
      if (b === undefined || b.t !== c.t) {
        if (byTime === undefined) {
          byTime = new Map();
          for (const x of baseline) byTime.set(x.t, x);
        }
        b = byTime.get(c.t);
      }
      if (b !== undefined && isValidPoint(metric, b)) out.push([c, b]);
    }
    out.sort((a, b) => a[0].t - b[0].t);
    for (const [c] of out) this.seen.add(c.t);
    this.remember(canary, look);
    return out;
  }
}
