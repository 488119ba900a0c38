/** Trials needed, against values worked by hand from the Wilson bound's closed form. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minValuesToBound } from '../../../src/check/bounds.js';
import { buildsForRate, valuesForQuantile } from '../../../src/check/trials-needed.js';
import { wilsonInterval } from '../../../src/stats/index.js';

describe('buildsForRate', () => {
  it('at zero failures: n = ⌈z²(1 − b)/b⌉', () => {
    // z² = 1.959964² = 3.841459. b = 5%: 3.841459 × 19 = 72.99 → 73.
    expect(buildsForRate(0.05, 0)).toBe(73);
    // b = 1%: 3.841459 × 99 = 380.3 → 381; b = 10%: 3.841459 × 9 = 34.57 → 35.
    expect(buildsForRate(0.01, 0)).toBe(381);
    expect(buildsForRate(0.1, 0)).toBe(35);
    // The example of the docs: 0 of 60 still has a 6.0% bound, and 73 is the first under 5%.
    expect(wilsonInterval(0, 60).hi).toBeCloseTo(3.841459 / 63.841459, 6);
    expect(wilsonInterval(0, 73).hi).toBeLessThanOrEqual(0.05);
    expect(wilsonInterval(0, 72).hi).toBeGreaterThan(0.05);
  });

  it('at an observed rate: n = ⌈z²·b(1 − b)/(b − p)²⌉', () => {
    // b = 2%, p = 1%: 3.841459 × 0.0196 / 0.0001 = 752.9 → 753.
    expect(buildsForRate(0.02, 0.01)).toBe(753);
    // b = 10%, p = 5%: 3.841459 × 0.09 / 0.0025 = 138.3 → 139.
    expect(buildsForRate(0.1, 0.05)).toBe(139);
  });

  it('no number of trials helps when the estimate is at or over the budget', () => {
    expect(buildsForRate(0.05, 0.05)).toBeUndefined();
    expect(buildsForRate(0.05, 0.2)).toBeUndefined();
  });

  it('is the least n whose bound meets the budget', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.005, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (b, share) => {
          const p = b * share;
          const n = buildsForRate(b, p)!;
          expect(wilsonInterval(p * n, n).hi).toBeLessThanOrEqual(b);
          if (n > 1) expect(wilsonInterval(p * (n - 1), n - 1).hi).toBeGreaterThan(b);
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });
});

describe('valuesForQuantile', () => {
  it('all values within the limit: the 35 it takes to bound a p90 at all', () => {
    // 3.841459 × 0.09 / 0.01 = 34.57 → 35.
    expect(valuesForQuantile(1, 0.9)).toBe(35);
    expect(valuesForQuantile(1, 0.9)).toBe(minValuesToBound(0.9));
  });

  it('95% of values within: 3.841459 × 0.09 / 0.0025 = 138.3 → 139', () => {
    expect(valuesForQuantile(0.95, 0.9)).toBe(139);
  });

  it('undefined when the share is not above q', () => {
    expect(valuesForQuantile(0.9, 0.9)).toBeUndefined();
  });
});
