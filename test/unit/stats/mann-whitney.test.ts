import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ENUMERATE_MAX_PAIRS,
  kthPairwiseDifference,
  mannWhitneyU,
  selectInPlace,
} from '../../../src/stats/mann-whitney.js';
import { close, readStatsFixture, type ScipyFixture, type WilcoxFixture } from './fixtures.js';

const FC = { seed: 20240601, numRuns: 200 } as const;
const wilcox = readStatsFixture<WilcoxFixture>('wilcox-r.json');
const scipy = readStatsFixture<ScipyFixture>('scipy-reference.json');

// R's uniroot stops once its bracket is narrower than tol = 1e-4, so R's interval ends sit
// within 1e-4 of the exact step points this implementation returns.
const R_UNIROOT_TOL = 1e-4;

function isPairwiseDifference(v: number, x: number[], y: number[]): boolean {
  return x.some((xi) => y.some((yj) => Math.abs(xi - yj - v) <= 1e-12 * Math.max(1, Math.abs(v))));
}

describe('mannWhitneyU against R wilcox.test (exact = FALSE, correct = TRUE)', () => {
  for (const c of wilcox.cases) {
    for (const run of c.r) {
      it(`${c.name} ${run.alternative} ${run.confLevel}`, () => {
        const m = mannWhitneyU(c.x, c.y, {
          alternative: run.alternative,
          confLevel: run.confLevel,
        });
        expect(m.u).toBe(run.W);
        expect(close(m.pValue, run.pValue, 1e-9)).toBe(true);
        if (run.ciLow === null) expect(m.ciLow).toBe(-Infinity);
        else {
          expect(Math.abs(m.ciLow - run.ciLow)).toBeLessThanOrEqual(R_UNIROOT_TOL);
          expect(isPairwiseDifference(m.ciLow, c.x, c.y)).toBe(true);
        }
        if (run.ciHigh === null) expect(m.ciHigh).toBe(Infinity);
        else {
          expect(Math.abs(m.ciHigh - run.ciHigh)).toBeLessThanOrEqual(R_UNIROOT_TOL);
          expect(isPairwiseDifference(m.ciHigh, c.x, c.y)).toBe(true);
        }
        // With an odd number of pairs R's root of the uncorrected statistic is the median itself.
        if ((c.x.length * c.y.length) % 2 === 1) {
          expect(Math.abs(m.estimate - run.estimate)).toBeLessThanOrEqual(R_UNIROOT_TOL);
        }
      });
    }
  }

  it('covers both selection paths', () => {
    const sizes = wilcox.cases.map((c) => c.x.length * c.y.length);
    expect(Math.max(...sizes)).toBeGreaterThan(ENUMERATE_MAX_PAIRS);
    expect(Math.min(...sizes)).toBeLessThan(ENUMERATE_MAX_PAIRS);
  });
});

describe('mannWhitneyU against scipy.stats.mannwhitneyu(method="asymptotic")', () => {
  for (const c of scipy.mannWhitney) {
    const data = wilcox.cases.find((w) => w.name === c.name)!;
    for (const s of c.scipy) {
      it(`${c.name} ${s.alternative}`, () => {
        const m = mannWhitneyU(data.x, data.y, { alternative: s.alternative });
        expect(m.u).toBe(s.u);
        expect(close(m.pValue, s.pValue, 1e-12, 1e-15)).toBe(true);
      });
    }
    it(`${c.name}: Hodges-Lehmann equals numpy's median of pairwise differences`, () => {
      expect(mannWhitneyU(data.x, data.y).estimate).toBeCloseTo(c.hodgesLehmann, 12);
    });
  }
});

describe('mannWhitneyU closed forms', () => {
  it('x = 1..3 against y = 4..6: U = 0, z = −4/√5.25', () => {
    const m = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(m.u).toBe(0);
    expect(m.z).toBeCloseTo(-4 / Math.sqrt(5.25), 14);
    // 2Φ(−1.7457431…) = 0.080855598 (scipy.stats.norm.cdf).
    expect(m.pValue).toBeCloseTo(0.080855598, 8);
    expect(m.estimate).toBe(-3);
  });

  it('every value tied: p = 1 and z = 0', () => {
    const m = mannWhitneyU([2, 2, 2], [2, 2]);
    expect(m.pValue).toBe(1);
    expect(m.z).toBe(0);
    expect(m.estimate).toBe(0);
  });

  it('rejects NaN and empty samples', () => {
    expect(() => mannWhitneyU([1, NaN], [2])).toThrow(RangeError);
    expect(() => mannWhitneyU([], [2])).toThrow(RangeError);
  });
});

const sample = fc.array(
  fc.integer({ min: -50, max: 50 }).map((v) => v / 4),
  {
    minLength: 1,
    maxLength: 40,
  },
);

describe('mannWhitneyU properties', () => {
  it('U(x, y) + U(y, x) = n₁·n₂ and the two-sided p is symmetric', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const a = mannWhitneyU(x, y);
        const b = mannWhitneyU(y, x);
        return a.u + b.u === x.length * y.length && Math.abs(a.pValue - b.pValue) < 1e-12;
      }),
      FC,
    );
  });

  it('p-values lie in [0, 1]; off-centre, two-sided = 2 × the smaller one-sided p', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const two = mannWhitneyU(x, y);
        const less = mannWhitneyU(x, y, { alternative: 'less' }).pValue;
        const greater = mannWhitneyU(x, y, { alternative: 'greater' }).pValue;
        const inRange = [two.pValue, less, greater].every((p) => p >= 0 && p <= 1);
        // At U = n₁n₂/2 the ±½ corrections push both one-sided p-values above ½.
        const centred = two.u === (x.length * y.length) / 2;
        return (
          inRange &&
          (centred || Math.abs(two.pValue - Math.min(1, 2 * Math.min(less, greater))) < 1e-12)
        );
      }),
      FC,
    );
  });

  it('the estimate is antisymmetric, shift-equivariant and inside its interval', () => {
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -20, max: 20 }), (x, y, c) => {
        const a = mannWhitneyU(x, y);
        const b = mannWhitneyU(y, x);
        const shifted = mannWhitneyU(
          x.map((v) => v + c),
          y,
        );
        return (
          a.estimate === -b.estimate &&
          shifted.estimate === a.estimate + c &&
          a.ciLow <= a.estimate &&
          a.estimate <= a.ciHigh
        );
      }),
      FC,
    );
  });

  it('bisection selects the same pairwise difference as enumeration', () => {
    fc.assert(
      fc.property(sample, sample, fc.double({ min: 0, max: 1, noNaN: true }), (x, y, q) => {
        const k = 1 + Math.floor(q * (x.length * y.length - 1));
        return (
          kthPairwiseDifference(x, y, k, 'enumerate') === kthPairwiseDifference(x, y, k, 'bisect')
        );
      }),
      FC,
    );
  });

  it('bisection is exact on continuous data too', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (x, y) => {
          const k = Math.ceil((x.length * y.length) / 3);
          return (
            kthPairwiseDifference(x, y, k, 'enumerate') === kthPairwiseDifference(x, y, k, 'bisect')
          );
        },
      ),
      FC,
    );
  });

  it('a larger confidence level never narrows the interval', () => {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const a = mannWhitneyU(x, y, { confLevel: 0.9 });
        const b = mannWhitneyU(x, y, { confLevel: 0.99 });
        return b.ciLow <= a.ciLow && b.ciHigh >= a.ciHigh;
      }),
      FC,
    );
  });
});

describe('selectInPlace', () => {
  it('returns the k-th smallest value and leaves a partition around it', () => {
    const values = fc.array(
      fc.integer({ min: -20, max: 20 }).map((v) => v / 2),
      { minLength: 1, maxLength: 300 },
    );
    fc.assert(
      fc.property(values, fc.nat(), (xs, seed) => {
        const k = seed % xs.length;
        const sorted = [...xs].sort((a, b) => a - b);
        const a = Float64Array.from(xs);
        const v = selectInPlace(a, k);
        const below = [...a.subarray(0, k)].every((x) => x <= v);
        const above = [...a.subarray(k + 1)].every((x) => x >= v);
        return v === sorted[k] && a[k] === v && below && above;
      }),
      FC,
    );
  });

  it('stays exact when the partitions shrink slowly (sorted, reversed and constant input)', () => {
    const n = 5000;
    const inputs = [
      Float64Array.from({ length: n }, (_, i) => i),
      Float64Array.from({ length: n }, (_, i) => n - i),
      new Float64Array(n).fill(3),
      Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : n - i)),
    ];
    for (const input of inputs) {
      const sorted = [...input].sort((a, b) => a - b);
      for (const k of [0, 1, n >> 1, n - 2, n - 1])
        expect(selectInPlace(Float64Array.from(input), k)).toBe(sorted[k]);
    }
  });
});
