import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binomAtLeast,
  binomCdf,
  binomLogAtLeast,
  binomLogCdf,
  binomLogPmf,
  binomPmf,
  binomQuantile,
  mcnemar,
  rateDropPValue,
} from '../../../src/stats/binomial.js';
import { close, readStatsFixture, type ScipyFixture } from './fixtures.js';

const FC = { seed: 20240601, numRuns: 200 } as const;
const scipy = readStatsFixture<ScipyFixture>('scipy-reference.json');

describe('binomial tails against scipy.stats.binom', () => {
  for (const c of scipy.binomTails) {
    it(`n = ${c.n}, p = ${c.p}, k = ${c.k}`, () => {
      expect(close(binomPmf(c.k, c.n, c.p), c.pmf, 1e-12, 1e-300)).toBe(true);
      expect(close(binomCdf(c.k, c.n, c.p), c.cdf, 1e-11, 1e-15)).toBe(true);
      expect(close(binomAtLeast(c.k, c.n, c.p), c.atLeast, 1e-11, 1e-15)).toBe(true);
      // Far tails keep their relative accuracy in log space.
      expect(close(binomLogCdf(c.k, c.n, c.p), c.logcdf, 1e-11, 1e-13)).toBe(true);
      expect(close(binomLogAtLeast(c.k, c.n, c.p), c.logAtLeast, 1e-11, 1e-13)).toBe(true);
    });
  }

  it('closed forms: Binomial(10, ½) at 5 is 252/1024; P(X ≤ 0) = qⁿ', () => {
    expect(binomPmf(5, 10, 0.5)).toBeCloseTo(252 / 1024, 15);
    expect(binomCdf(0, 40, 0.1)).toBeCloseTo(0.9 ** 40, 15);
    expect(binomLogPmf(11, 10, 0.5)).toBe(-Infinity);
  });
});

describe('binomial properties', () => {
  const args = fc.record({
    n: fc.integer({ min: 0, max: 3000 }),
    p: fc.double({ min: 0, max: 1, noNaN: true }),
    q: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  it('P(X ≤ k) + P(X ≥ k + 1) = 1, both in [0, 1]', () => {
    fc.assert(
      fc.property(args, ({ n, p, q }) => {
        const k = Math.floor(q * n);
        const a = binomCdf(k, n, p);
        const b = binomAtLeast(k + 1, n, p);
        return a >= 0 && a <= 1 && b >= 0 && b <= 1 && Math.abs(a + b - 1) < 1e-12;
      }),
      FC,
    );
  });

  it('the cdf sums the pmf', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        (n, p) => {
          let sum = 0;
          for (let k = 0; k <= n; k++) {
            sum += binomPmf(k, n, p);
            if (Math.abs(binomCdf(k, n, p) - sum) > 1e-12) return false;
          }
          return Math.abs(sum - 1) < 1e-12;
        },
      ),
      { ...FC, numRuns: 50 },
    );
  });

  it('binomQuantile is the smallest k with P(X ≤ k) ≥ prob', () => {
    fc.assert(
      fc.property(args, ({ n, p, q }) => {
        const prob = Math.max(q, 1e-9);
        const k = binomQuantile(prob, n, p);
        return binomCdf(k, n, p) >= prob && (k === 0 || binomCdf(k - 1, n, p) < prob);
      }),
      FC,
    );
  });
});

describe('mcnemar against scipy.stats.binomtest(b, b + c, 0.5)', () => {
  for (const c of scipy.mcnemar) {
    it(`b = ${c.b}, c = ${c.c}`, () => {
      expect(close(mcnemar(c.b, c.c).pValue, c.pValue, 1e-12, 1e-16)).toBe(true);
    });
  }

  it('is symmetric in b and c, and 1 without discordant pairs', () => {
    fc.assert(
      fc.property(
        fc.nat(500),
        fc.nat(500),
        (b, c) => mcnemar(b, c).pValue === mcnemar(c, b).pValue,
      ),
      FC,
    );
    expect(mcnemar(0, 0).pValue).toBe(1);
  });
});

describe('rateDropPValue (conditional binomial test of two rates)', () => {
  it('equals the binomial cdf at π = e_A/(e_A + e_B) exposure share', () => {
    // 20 + 40 events; A had a third of the exposure, so under H₀ X ~ Binomial(60, 1/3).
    expect(rateDropPValue(12, 1000, 48, 2000)).toBeCloseTo(binomCdf(12, 60, 1 / 3), 15);
    // With a tolerated 10% drop, π = 0.9·1000/(0.9·1000 + 2000).
    expect(rateDropPValue(12, 1000, 48, 2000, 0.9)).toBeCloseTo(binomCdf(12, 60, 900 / 2900), 15);
    expect(rateDropPValue(0, 10, 0, 10)).toBe(1);
  });
});
