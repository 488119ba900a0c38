/** Quantiles judged on their interval: order statistics chosen by inverting Wilson. */
import { describe, expect, it } from 'vitest';
import {
  histogramQuantileWithInterval,
  judgedRate,
  minValuesToBound,
  quantileRanks,
  quantileWithInterval,
} from '../../../src/check/bounds.js';
import { addToHistogram, type Histogram } from '../../../src/eval/histogram.js';
import { normalQuantile, wilsonInterval } from '../../../src/stats/index.js';

/**
 * Produced with Python (scipy.stats.norm.ppf(0.975) and the Wilson formula written out
 * independently): hi = min{k : wilson_lo(k, n) ≥ q}, lo = max{k : wilson_hi(k − 1, n) ≤ q}.
 */
const REFERENCE: [number, number, [number | undefined, number | undefined]][] = [
  [10, 0.9, [8, undefined]],
  [34, 0.9, [28, undefined]],
  [35, 0.9, [29, 35]],
  [50, 0.9, [41, 50]],
  [100, 0.9, [85, 96]],
  [1000, 0.9, [882, 919]],
  [10, 0.5, [2, 9]],
  [100, 0.5, [41, 60]],
  [1000, 0.5, [470, 531]],
];

describe('quantile bounds', () => {
  it('picks the order statistics of the reference', () => {
    for (const [n, q, [lo, hi]] of REFERENCE)
      expect(quantileRanks(n, q), `n=${n} q=${q}`).toEqual({ lo, hi });
  });

  it('needs 9·z² values to bound a p90 at all (n/(n + z²) ≥ 0.9)', () => {
    const z = normalQuantile(0.975);
    expect(minValuesToBound(0.9)).toBe(Math.ceil(9 * z * z));
    expect(minValuesToBound(0.9)).toBe(35);
  });

  it('the upper bound is at most x exactly when the share of values ≤ x has its Wilson lower bound ≥ 0.9', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i * 37) % 101);
    const q = quantileWithInterval(values, 0.9);
    for (const x of [80, 85, 89, 90, 91, 92, 95, 100]) {
      const share = values.filter((v) => v <= x).length;
      expect(q.hi <= x, `x=${x}`).toBe(wilsonInterval(share, values.length).lo >= 0.9);
    }
  });

  it('reports the nearest-rank quantile, and an unbounded interval when the data cannot bound it', () => {
    expect(quantileWithInterval([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 0.9)).toEqual({
      n: 10,
      value: 9,
      lo: 8,
      hi: Infinity,
    });
    expect(quantileWithInterval([], 0.9)).toEqual({ n: 0, value: NaN, lo: NaN, hi: Infinity });
  });

  it('a histogram gives the same ranks, at bucket resolution', () => {
    const values = Array.from({ length: 300 }, (_, i) => 10 + (i % 97));
    const h: Histogram = {};
    for (const v of values) addToHistogram(h, v);
    const raw = quantileWithInterval(values, 0.9);
    const binned = histogramQuantileWithInterval(h, values.length, 0.9);
    for (const k of ['value', 'lo', 'hi'] as const) expect(binned[k] / raw[k]).toBeCloseTo(1, 1);
  });

  it('judges a rate on its upper bound or estimate, and not at all without a denominator', () => {
    const r = { count: 3, of: 100, rate: 0.03, ...wilsonInterval(3, 100) };
    expect(judgedRate(r, 'upper')).toBe(r.hi);
    expect(judgedRate(r, 'point')).toBe(0.03);
    expect(judgedRate({ count: 0, of: 0, rate: 0, lo: 0, hi: 1 }, 'upper')).toBeUndefined();
  });
});
