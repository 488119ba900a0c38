import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { latencyFault } from '../../../../src/world/faults/latency.js';
import {
  effectComponents,
  mixtureQuantileRatio,
} from '../../../../src/world/faults/shared/mixture.js';
import { identityEffect } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld } from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  latencyFault.create(latencyFault.params.parse(params));
const world = makeFakeWorld({ load: { kind: 'sinusoid', amplitude: 0.35, peakHourLocal: 14 } });
const cohort = cohortOf(world.regions[0]!, { deployedAt: 10 });

describe('latency', () => {
  it('fills neutral defaults', () => {
    expect(latencyFault.params.parse({})).toEqual({
      medianMultiplier: 1,
      tailShare: 0,
      tailMultiplier: 1,
      onsetDelay: 0,
    });
  });

  it('multiplies the median and adds a slow share after onsetDelay', () => {
    const f = make({ medianMultiplier: 1.3, tailShare: 0.1, tailMultiplier: 3, onsetDelay: '5m' });
    const before = identityEffect();
    f.apply(before, cohort, world, 14.9);
    expect(before).toEqual(identityEffect());
    const after = identityEffect();
    f.apply(after, cohort, world, 15);
    expect(after).toMatchObject({ latencyMul: 1.3, slowShare: 0.1, slowMul: 3 });
    expect(f.onset(cohort, world, 1e4)).toBe(15);
    expect(make({}).onset(cohort, world, 1e4)).toBe(Infinity);
  });

  it('p99 ratio of a median shift is the multiplier', () => {
    expect(make({ medianMultiplier: 1.5 }).trueEffect(world, 0, 600).p99Ratio).toBeCloseTo(1.5, 12);
  });

  it('p99 ratio of a tail regression matches the R mixture quantile', () => {
    // R: see shared/mixture.test.ts; 0.9·LN(0, 0.5) + 0.1·LN(log 3, 0.5) → 1.7903807323721077.
    const e = make({ tailShare: 0.1, tailMultiplier: 3 }).trueEffect(world, 0, 600);
    expect(e.p99Ratio).toBeCloseTo(1.7903807323721077, 9);
    expect(e.errorRatePp).toBe(0);
    expect(e.resourceExhaustion).toBe(false);
    // Both at once: the median shift multiplies the whole mixture.
    expect(
      make({ medianMultiplier: 1.1, tailShare: 0.1, tailMultiplier: 3 }).trueEffect(world, 0, 600)
        .p99Ratio,
    ).toBeCloseTo(1.1 * 1.7903807323721077, 9);
  });

  it('crosses a 1.2 p99 bar with 3% of requests 3× slower, not with 1%', () => {
    expect(
      make({ tailShare: 0.03, tailMultiplier: 3 }).trueEffect(world, 0, 600).p99Ratio,
    ).toBeGreaterThan(1.2);
    expect(
      make({ tailShare: 0.01, tailMultiplier: 3 }).trueEffect(world, 0, 600).p99Ratio,
    ).toBeLessThan(1.2);
  });

  it.each([
    [0.04, 3, 1.0256131249132152],
    [0.08, 3, 1.054011415276138],
    [0.12, 6, 1.0896075609072662],
  ])(
    'a tail regression (%d of requests %d× slower) moves the median as scipy gives: p50 × %d',
    (tailShare, tailMultiplier, p50) => {
      // scipy 1.17: brentq on (1 − s)·Φ(x/0.5) + s·Φ((x − ln m)/0.5) = 0.5, xtol 1e-14; exp(x).
      const acc = identityEffect();
      make({ tailShare, tailMultiplier }).apply(acc, cohort, world, 1e3);
      expect(mixtureQuantileRatio(effectComponents(acc), 0.5, 0.5)).toBeCloseTo(p50, 9);
    },
  );

  it('does not count before the onset', () => {
    expect(make({ medianMultiplier: 2, onsetDelay: '2h' }).trueEffect(world, 0, 120).p99Ratio).toBe(
      1,
    );
  });

  it('p99 ratio grows with tailShare and tailMultiplier (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (share, mul, dShare, dMul) => {
          const r = (s: number, m: number) =>
            make({ tailShare: s, tailMultiplier: m }).trueEffect(world, 0, 60).p99Ratio;
          const base = r(share, mul);
          expect(r(share + dShare, mul)).toBeGreaterThanOrEqual(base - 1e-9);
          expect(r(share, mul + dMul)).toBeGreaterThanOrEqual(base - 1e-9);
        },
      ),
      { seed: 17, numRuns: 50 },
    );
  });
});
