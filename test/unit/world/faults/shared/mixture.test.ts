import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSlowComponent,
  effectComponents,
  lognormalExceedance,
  mixtureQuantileRatio,
} from '../../../../../src/world/faults/shared/mixture.js';
import { identityEffect } from '../../../../../src/world/types.js';

/*
 * Fixtures from R 4 (independent of our normalCdf): the ratio is exp(x − σ·qnorm(q)) where x
 * solves Σ wᵢ pnorm((x − sᵢ)/σ) / Σ wᵢ = q, found with
 *   uniroot(f, c(min(s) + σ qnorm(q) − 1, max(s) + σ qnorm(q) + 1), tol = 1e-15)
 * and printed with options(digits = 17).
 */
const R_FIXTURES = [
  { w: [0.9, 0.1], s: [0, Math.log(3)], sigma: 0.5, q: 0.99, ratio: 1.7903807323721077 },
  { w: [0.8, 0.2], s: [0, Math.log(13.5)], sigma: 0.5, q: 0.99, ratio: 9.6017230041785453 },
  {
    w: [0.5, 0.3, 0.2],
    s: [0, Math.log(1.2), Math.log(2)],
    sigma: 0.8,
    q: 0.99,
    ratio: 1.3664763927927754,
  },
  { w: [0.95, 0.05], s: [0, Math.log(10)], sigma: 0.3, q: 0.99, ratio: 6.4055647249536039 },
  { w: [0.9, 0.1], s: [0, Math.log(3)], sigma: 0.5, q: 0.5, ratio: 1.0694090520126438 },
];

describe('mixtureQuantileRatio', () => {
  it.each(R_FIXTURES)('matches R for weights $w, σ $sigma, q $q', ({ w, s, sigma, q, ratio }) => {
    const comps = w.map((weight, i) => ({ weight, shift: s[i]! }));
    expect(mixtureQuantileRatio(comps, sigma, q)).toBeCloseTo(ratio, 9);
  });

  it('is the multiplier itself for a single shifted component', () => {
    expect(mixtureQuantileRatio([{ weight: 1, shift: Math.log(1.5) }], 0.5, 0.99)).toBeCloseTo(
      1.5,
      12,
    );
    expect(mixtureQuantileRatio([{ weight: 2, shift: 0 }], 0.5, 0.99)).toBe(1);
  });

  it('ignores zero weights and is 1 with no weight at all', () => {
    expect(mixtureQuantileRatio([], 0.5, 0.99)).toBe(1);
    expect(
      mixtureQuantileRatio(
        [
          { weight: 0, shift: 5 },
          { weight: 1, shift: 0 },
        ],
        0.5,
        0.99,
      ),
    ).toBe(1);
  });

  it('with σ = 0 steps at the first shift whose cumulative weight reaches q', () => {
    const comps = [
      { weight: 0.985, shift: 0 },
      { weight: 0.015, shift: Math.log(4) },
    ];
    expect(mixtureQuantileRatio(comps, 0, 0.99)).toBeCloseTo(4, 12);
    expect(mixtureQuantileRatio(comps, 0, 0.98)).toBe(1);
  });

  it('rises with the slowed share and with the slowdown (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.double({ min: 1.01, max: 20, noNaN: true }),
        fc.double({ min: 0.1, max: 1.5, noNaN: true }),
        (s1, s2, m, sigma) => {
          const [lo, hi] = s1 < s2 ? [s1, s2] : [s2, s1];
          const r = (share: number, mul: number) =>
            mixtureQuantileRatio(
              [
                { weight: 1 - share, shift: 0 },
                { weight: share, shift: Math.log(mul) },
              ],
              sigma,
              0.99,
            );
          expect(r(hi, m)).toBeGreaterThanOrEqual(r(lo, m) - 1e-9);
          expect(r(lo, m * 1.5)).toBeGreaterThanOrEqual(r(lo, m) - 1e-9);
          expect(r(lo, m)).toBeLessThanOrEqual(m + 1e-9);
        },
      ),
      { seed: 20240601 },
    );
  });
});

describe('lognormalExceedance', () => {
  it('is one half at the median and matches the R fixture for a timeout', () => {
    expect(lognormalExceedance(100, 0.5, 100)).toBeCloseTo(0.5, 15);
    // R: 0.2 * (pnorm((log(2000) - log(1080)) / 0.5, lower.tail = FALSE)
    //         - pnorm((log(2000) - log(80)) / 0.5, lower.tail = FALSE)) = 0.021781005111620826
    const excess =
      0.2 * (lognormalExceedance(1080, 0.5, 2000) - lognormalExceedance(80, 0.5, 2000));
    expect(excess).toBeCloseTo(0.021781005111620826, 12);
  });

  it('is a step with σ = 0', () => {
    expect(lognormalExceedance(100, 0, 99)).toBe(1);
    expect(lognormalExceedance(100, 0, 101)).toBe(0);
  });
});

describe('addSlowComponent', () => {
  it('sets the first slow component exactly', () => {
    const acc = identityEffect();
    addSlowComponent(acc, 0.1, 3);
    expect(acc.slowShare).toBe(0.1);
    expect(acc.slowMul).toBe(3);
  });

  it('merges two as independent slowdowns: untouched share and mean log latency exact', () => {
    const acc = identityEffect();
    addSlowComponent(acc, 0.1, 3);
    addSlowComponent(acc, 0.2, 2);
    expect(1 - acc.slowShare).toBeCloseTo(0.9 * 0.8, 15);
    // E[log latency shift] of the four-component mixture: 0.1 ln 3 + 0.2 ln 2.
    expect(acc.slowShare * Math.log(acc.slowMul)).toBeCloseTo(
      0.1 * Math.log(3) + 0.2 * Math.log(2),
      14,
    );
  });

  it('does not depend on the order faults apply in (property)', () => {
    const part = fc.record({
      s: fc.double({ min: 0.01, max: 0.9, noNaN: true }),
      m: fc.double({ min: 1.01, max: 30, noNaN: true }),
    });
    fc.assert(
      fc.property(part, part, part, (a, b, c) => {
        const x = identityEffect();
        const y = identityEffect();
        for (const p of [a, b, c]) addSlowComponent(x, p.s, p.m);
        for (const p of [c, a, b]) addSlowComponent(y, p.s, p.m);
        expect(x.slowShare).toBeCloseTo(y.slowShare, 12);
        expect(x.slowMul).toBeCloseTo(y.slowMul, 9);
      }),
      { seed: 7 },
    );
  });

  it('ignores an empty share or a factor of one', () => {
    const acc = identityEffect();
    addSlowComponent(acc, 0, 5);
    addSlowComponent(acc, 0.3, 1);
    expect(acc).toEqual(identityEffect());
  });
});

describe('effectComponents', () => {
  it('splits the accumulator into its normal and slowed parts', () => {
    const acc = { ...identityEffect(), latencyMul: 2, slowShare: 0.25, slowMul: 4 };
    expect(effectComponents(acc, 8)).toEqual([
      { weight: 6, shift: Math.log(2) },
      { weight: 2, shift: Math.log(8) },
    ]);
  });
});
