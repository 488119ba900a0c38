/**
 * Judging a figure on its interval: rates on the Wilson 95% bound, quantiles (time to detect,
 * lead time) on order statistics chosen by inverting the same Wilson interval. The p-quantile
 * is at most x when the share of values ≤ x is at least p; "judged on the upper bound" asks
 * that share's Wilson lower bound to reach p, which singles out one order statistic.
 */
import type { RateWithInterval } from '../eval/types.js';
import { histogramQuantile, type Histogram } from '../eval/histogram.js';
import { wilsonInterval } from '../stats/index.js';

/** Which end of the 95% interval a budget is judged on: the upper bound (default) or the estimate. */
export type Bound = 'upper' | 'point';

/** The value a rate is judged by; undefined when nothing was counted (no builds of that kind). */
export function judgedRate(r: RateWithInterval, bound: Bound): number | undefined {
  if (r.of === 0) return undefined;
  return bound === 'upper' ? r.hi : r.rate;
}

/**
 * 1-based ranks of the order statistics bounding the q-quantile of n values at the given
 * confidence: `hi` is the smallest k whose Wilson lower bound of k/n reaches q (undefined
 * when even k = n does not: too few values to bound it), `lo` the largest k with the Wilson
 * upper bound of (k − 1)/n at most q.
 *
 * @example quantileRanks(100, 0.9) // { lo: 85, hi: 96 }
 */
export function quantileRanks(
  n: number,
  q: number,
  confidence = 0.95,
): { lo: number | undefined; hi: number | undefined } {
  let hi: number | undefined;
  for (let k = 1; k <= n; k++) {
    if (wilsonInterval(k, n, confidence).lo >= q) {
      hi = k;
      break;
    }
  }
  let lo: number | undefined;
  for (let k = n; k >= 1; k--) {
    if (wilsonInterval(k - 1, n, confidence).hi <= q) {
      lo = k;
      break;
    }
  }
  return { lo, hi };
}

/**
 * The fewest values whose q-quantile has an upper bound at this confidence: with n values all
 * at most x, the Wilson lower bound of n/n is n/(n + z²), which must reach q.
 * @example minValuesToBound(0.9) // 35
 */
export function minValuesToBound(q: number, confidence = 0.95): number {
  let n = 1;
  while (wilsonInterval(n, n, confidence).lo < q) n++;
  return n;
}

/** A quantile with its 95% interval; bounds are NaN/Infinity when the values cannot give them. */
export interface QuantileWithInterval {
  n: number;
  /** Nearest-rank quantile (the definition compare's summary uses). */
  value: number;
  lo: number;
  hi: number;
}

/** The q-quantile of raw values with its interval. Empty input gives NaN with hi = Infinity. */
export function quantileWithInterval(values: readonly number[], q: number): QuantileWithInterval {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { n, value: NaN, lo: NaN, hi: Infinity };
  const at = (k: number): number => sorted[Math.min(n, Math.max(1, k)) - 1]!;
  const r = quantileRanks(n, q);
  return {
    n,
    value: at(Math.ceil(q * n - 1e-9)),
    lo: r.lo === undefined ? -Infinity : at(r.lo),
    hi: r.hi === undefined ? Infinity : at(r.hi),
  };
}

/** The same from a histogram of n values (bucket midpoints, 1% resolution). */
export function histogramQuantileWithInterval(
  h: Histogram,
  n: number,
  q: number,
): QuantileWithInterval {
  if (n === 0) return { n, value: NaN, lo: NaN, hi: Infinity };
  // Asking for rank k by (k − ½)/n keeps float rounding from stepping to rank k + 1.
  const at = (k: number): number => histogramQuantile(h, (k - 0.5) / n);
  const r = quantileRanks(n, q);
  return {
    n,
    value: histogramQuantile(h, q),
    lo: r.lo === undefined ? -Infinity : at(r.lo),
    hi: r.hi === undefined ? Infinity : at(r.hi),
  };
}

/** The value a quantile is judged by: its upper bound or its estimate. */
export function judgedQuantile(v: QuantileWithInterval, bound: Bound): number {
  return bound === 'upper' ? v.hi : v.value;
}
