import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../../src/stats/quantiles.js';
import { wilsonInterval } from '../../../src/stats/wilson.js';
import { readStatsFixture, type ScipyFixture } from './fixtures.js';

const FC = { seed: 20240601, numRuns: 300 } as const;
const scipy = readStatsFixture<ScipyFixture>('scipy-reference.json');

describe('wilsonInterval against scipy binomtest(k, n).proportion_ci(method="wilson")', () => {
  for (const c of scipy.wilson) {
    it(`${c.successes}/${c.trials} at ${c.confidence}`, () => {
      const w = wilsonInterval(c.successes, c.trials, c.confidence);
      expect(w.lo).toBeCloseTo(c.lo, 9);
      expect(w.hi).toBeCloseTo(c.hi, 9);
    });
  }

  it('contains p̂, stays in [0, 1] and narrows as trials grow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, q) => {
          const k = Math.floor(q * n);
          const w = wilsonInterval(k, n);
          const wider = wilsonInterval(k, n, 0.99);
          const more = wilsonInterval(4 * k, 4 * n);
          const p = k / n;
          return (
            w.lo >= 0 &&
            w.hi <= 1 &&
            w.lo <= p &&
            p <= w.hi &&
            wider.lo <= w.lo &&
            wider.hi >= w.hi &&
            more.hi - more.lo <= w.hi - w.lo + 1e-12
          );
        },
      ),
      FC,
    );
  });

  it('no trials: the whole unit interval', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lo: 0, hi: 1 });
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
  });
});

describe('quantile (type 7) against numpy.quantile', () => {
  it('matches numpy at every probability', () => {
    const { data, probs, numpyLinear } = scipy.quantiles;
    probs.forEach((p, i) => expect(quantile(data, p)).toBeCloseTo(numpyLinear[i]!, 12));
  });

  it('ignores NaN; median of an even count averages the middle two', () => {
    expect(median([4, NaN, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([NaN]))).toBe(true);
  });

  it('is monotone in p and bounded by min and max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const qa = quantile(xs, lo);
          const qb = quantile(xs, hi);
          return qa <= qb && qa >= Math.min(...xs) && qb <= Math.max(...xs);
        },
      ),
      FC,
    );
  });
});
