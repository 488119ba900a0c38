import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bernoulli,
  binomial,
  exponential,
  lognormal,
  normal,
  poisson,
  streamFor,
  uniform,
  weightedIndex,
  type RandomStream,
} from '../../../src/random/index.js';

const N = 200_000;

function moments(
  draw: (rng: RandomStream) => number,
  n = N,
  purpose = 'moments',
): { mean: number; variance: number } {
  const rng = streamFor({ seed: 7, trial: 0, purpose });
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw(rng);
    sum += x;
    sq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sq / n - mean * mean };
}

/**
 * Checks sample moments against closed forms. The mean is allowed 5 standard errors
 * (σ/√n), the variance 5 standard errors of the sample variance (√((μ₄ − σ⁴)/n), bounded
 * here by σ²·√(κ/n) with a generous excess-kurtosis allowance κ).
 */
function expectMoments(
  draw: (rng: RandomStream) => number,
  mean: number,
  variance: number,
  kurtosisAllowance = 10,
): void {
  const m = moments(draw);
  expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / N) + 1e-12);
  expect(Math.abs(m.variance - variance)).toBeLessThan(
    5 * variance * Math.sqrt(kurtosisAllowance / N) + 1e-12,
  );
}

describe('streams', () => {
  it('the same key gives the same numbers; another key different ones', () => {
    const a = streamFor({ seed: 1, trial: 3, purpose: 'build' });
    const b = streamFor({ seed: 1, trial: 3, purpose: 'build' });
    const c = streamFor({ seed: 1, trial: 3, purpose: 'traffic:eu-west' });
    const xs = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(xs);
    expect([c.next(), c.next(), c.next()]).not.toEqual(xs);
  });

  it('drawing from one stream never changes another (any interleaving)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 100 }),
        fc.integer({ min: 0, max: 1000 }),
        (pattern, trial) => {
          const alone = streamFor({ seed: 9, trial, purpose: 'host:17' });
          const expected = pattern.filter((x) => x).map(() => alone.next());
          const mine = streamFor({ seed: 9, trial, purpose: 'host:17' });
          const other = streamFor({ seed: 9, trial, purpose: 'host:18' });
          const got: number[] = [];
          for (const useMine of pattern) {
            if (useMine) got.push(mine.next());
            else other.next();
          }
          expect(got).toEqual(expected);
        },
      ),
      { seed: 11, numRuns: 100 },
    );
  });
});

describe('samplers match their closed-form mean and variance', () => {
  it('uniform(2, 5)', () => expectMoments((r) => uniform(r, 2, 5), 3.5, 9 / 12));
  it('exponential(mean 4)', () => expectMoments((r) => exponential(r, 4), 4, 16));
  it('normal(3, 2)', () => expectMoments((r) => normal(r, 3, 2), 3, 4, 3));
  it('lognormal(0.1, 0.5)', () => {
    const mu = 0.1;
    const s = 0.5;
    expectMoments(
      (r) => lognormal(r, mu, s),
      Math.exp(mu + (s * s) / 2),
      (Math.exp(s * s) - 1) * Math.exp(2 * mu + s * s),
      50,
    );
  });
  it('bernoulli(0.3)', () => expectMoments((r) => (bernoulli(r, 0.3) ? 1 : 0), 0.3, 0.21));
  for (const mean of [0.5, 4, 9.9, 10, 37, 1000, 2.5e6]) {
    it(`poisson(${mean})`, () => expectMoments((r) => poisson(r, mean), mean, mean, 3 + 1 / mean));
  }
  for (const [n, p] of [
    [10, 0.3],
    [50, 0.1],
    [1000, 0.02],
    [1000, 0.5],
    [100000, 0.003],
    [5_000_000, 0.7],
    [2_000_000_000, 0.001],
  ] as const) {
    it(`binomial(${n}, ${p})`, () =>
      expectMoments((r) => binomial(r, n, p), n * p, n * p * (1 - p), 3 + 1 / (n * p * (1 - p))));
  }
  it('weightedIndex follows the weights', () => {
    const rng = streamFor({ seed: 3, trial: 0, purpose: 'w' });
    const counts = [0, 0, 0, 0];
    const w = [1, 0, 3, 6];
    for (let i = 0; i < N; i++) counts[weightedIndex(rng, w)]!++;
    expect(counts[1]).toBe(0);
    w.forEach((wi, i) => {
      const p = wi / 10;
      expect(Math.abs(counts[i]! / N - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N) + 1e-12);
    });
  });
});

describe('samplers with exact small-case checks', () => {
  it('poisson(2) probabilities match e^-λ λ^k / k!', () => {
    const rng = streamFor({ seed: 5, trial: 0, purpose: 'p' });
    const counts = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      const k = poisson(rng, 2);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let fact = 1;
    for (let k = 0; k < 6; k++) {
      if (k > 0) fact *= k;
      const p = (Math.exp(-2) * 2 ** k) / fact;
      expect(Math.abs((counts.get(k) ?? 0) / N - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
    }
  });

  it('binomial rejects bad parameters with the parameter named', () => {
    const rng = streamFor({ seed: 1, trial: 0, purpose: 'x' });
    expect(() => binomial(rng, 2.5, 0.1)).toThrow(/n must be a whole number/);
    expect(() => binomial(rng, 10, 1.5)).toThrow(/p must be in/);
    expect(() => poisson(rng, -1)).toThrow(/mean must be/);
  });

  it('large means cost no more than small ones (no loop proportional to the count)', () => {
    // Count uniform draws rather than time: transformed rejection uses a bounded number.
    let used = 0;
    const base = streamFor({ seed: 2, trial: 0, purpose: 'count' });
    const counting: RandomStream = { key: base.key, next: () => (used++, base.next()) };
    for (let i = 0; i < 1000; i++) poisson(counting, 1e9);
    expect(used / 1000).toBeLessThan(4);
    used = 0;
    for (let i = 0; i < 1000; i++) binomial(counting, 1e9, 0.4);
    expect(used / 1000).toBeLessThan(4);
  });
});
