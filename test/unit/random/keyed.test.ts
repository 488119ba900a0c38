/**
 * Keyed streams must behave like independent uniform streams: across neighbouring keys (a
 * point's key differs from the next one's in its interval end only) and along one stream.
 * Checked against closed forms: a χ² goodness of fit of 100 equal bins (mean 99, sd √198),
 * correlations of independent uniforms (sd 1/√n), and the moments of a uniform.
 */
import { describe, expect, it } from 'vitest';
import { poisson } from '../../../src/random/index.js';
import { hashNumber, hashString, KeyedStream } from '../../../src/random/keyed.js';

const N = 100_000;
const BINS = 100;

/** χ² of n uniforms against BINS equal bins. */
function chiSquare(values: Float64Array): number {
  const counts = new Float64Array(BINS);
  for (const v of values) counts[Math.floor(v * BINS)]!++;
  const expected = values.length / BINS;
  let chi = 0;
  for (const c of counts) chi += (c - expected) ** 2 / expected;
  return chi;
}

function correlation(x: Float64Array, y: Float64Array): number {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < x.length; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= x.length;
  my /= y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The first `draws` numbers of the streams keyed by consecutive interval ends. */
function neighbours(draws: number): Float64Array[] {
  const rng = new KeyedStream();
  const out = Array.from({ length: draws }, () => new Float64Array(N));
  const group = hashString('c:3x4,7x2');
  for (let k = 0; k < N; k++) {
    rng.seed(hashString('gatesim/1/0/observe'), group, 5, hashNumber(10_080 + k));
    for (let j = 0; j < draws; j++) out[j]![k] = rng.next();
  }
  return out;
}

describe('KeyedStream', () => {
  it('restarts at the same sequence for the same key, and another for any other word', () => {
    const a = new KeyedStream();
    const b = new KeyedStream();
    a.seed(1, 2, 3, 4);
    const first = [a.next(), a.next(), a.next()];
    a.seed(1, 2, 3, 4);
    expect([a.next(), a.next(), a.next()]).toEqual(first);
    const keys: [number, number, number, number][] = [
      [0, 2, 3, 4],
      [1, 0, 3, 4],
      [1, 2, 0, 4],
      [1, 2, 3, 0],
    ];
    for (const [k0, k1, k2, k3] of keys) {
      b.seed(k0, k1, k2, k3);
      expect([b.next(), b.next(), b.next()]).not.toEqual(first);
    }
  });

  it('draws uniforms in [0, 1) across neighbouring keys: χ², mean and variance hold', () => {
    for (const values of neighbours(3)) {
      for (const v of values) expect(v >= 0 && v < 1).toBe(true);
      // χ² with 99 degrees of freedom: mean 99, sd √198 ≈ 14.1; 5 sd either side.
      const chi = chiSquare(values);
      expect(chi).toBeGreaterThan(99 - 5 * Math.sqrt(198));
      expect(chi).toBeLessThan(99 + 5 * Math.sqrt(198));
      let sum = 0;
      let sq = 0;
      for (const v of values) {
        sum += v;
        sq += v * v;
      }
      const mean = sum / N;
      // Uniform: mean ½ (sd 1/√(12n)), variance 1/12.
      expect(Math.abs(mean - 0.5)).toBeLessThan(5 / Math.sqrt(12 * N));
      expect(Math.abs(sq / N - mean * mean - 1 / 12)).toBeLessThan(0.002);
    }
  });

  it('neighbouring keys and successive draws are uncorrelated', () => {
    const [first, second, third] = neighbours(3) as [Float64Array, Float64Array, Float64Array];
    const bound = 5 / Math.sqrt(N);
    // Along one stream.
    expect(Math.abs(correlation(first, second))).toBeLessThan(bound);
    expect(Math.abs(correlation(second, third))).toBeLessThan(bound);
    // Between the streams of consecutive interval ends.
    expect(Math.abs(correlation(first.subarray(0, N - 1), first.subarray(1)))).toBeLessThan(
      5 / Math.sqrt(N - 1),
    );
  });

  it('feeds the samplers: a Poisson count per key has the Poisson mean and variance', () => {
    const rng = new KeyedStream();
    const n = 50_000;
    const mean = 40;
    let sum = 0;
    let sq = 0;
    for (let k = 0; k < n; k++) {
      rng.seed(11, 22, 33, hashNumber(k));
      const x = poisson(rng, mean);
      sum += x;
      sq += x * x;
    }
    const m = sum / n;
    expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(mean / n));
    // Var of the sample variance ≈ (μ₄ − σ⁴)/n = (λ + 2λ²)/n for a Poisson.
    expect(Math.abs(sq / n - m * m - mean)).toBeLessThan(5 * Math.sqrt((mean + 2 * mean ** 2) / n));
  });
});
