import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conversionDropFault } from '../../../../src/world/faults/conversion-drop.js';
import { identityEffect } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld } from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  conversionDropFault.create(conversionDropFault.params.parse(params));
const world = makeFakeWorld({ load: { kind: 'sinusoid', amplitude: 0.3, peakHourLocal: 13 } });
const cohort = cohortOf(world.regions[1]!, { deployedAt: 100 });

describe('conversion-drop', () => {
  it('requires dropPct and rejects more than 100%', () => {
    expect(conversionDropFault.params.safeParse({}).success).toBe(false);
    expect(conversionDropFault.params.safeParse({ dropPct: 120 }).success).toBe(false);
    expect(conversionDropFault.params.parse({ dropPct: 5 })).toEqual({
      dropPct: 5,
      onsetDelay: 0,
      userShare: 1,
    });
  });

  it('multiplies conversion by 1 − dropPct/100 × userShare after onsetDelay, and nothing else', () => {
    const f = make({ dropPct: 5, userShare: 0.4, onsetDelay: '30m' });
    const before = identityEffect();
    f.apply(before, cohort, world, 129);
    expect(before).toEqual(identityEffect());
    const after = identityEffect();
    f.apply(after, cohort, world, 130);
    expect(after).toEqual({ ...identityEffect(), conversionMul: 0.98 });
    expect(f.onset(cohort, world, 1e4)).toBe(130);
  });

  it('trueEffect is the relative drop in percent: 5% × 0.4 = 2%', () => {
    const e = make({ dropPct: 5, userShare: 0.4 }).trueEffect(world, 0, 1440);
    expect(e.conversionDropPct).toBeCloseTo(2, 12);
    expect(e.errorRatePp).toBe(0);
    expect(e.p99Ratio).toBe(1);
  });

  it('crosses a 1% bar at 2% on half the users, not at 1.5%', () => {
    expect(
      make({ dropPct: 2.5, userShare: 0.5 }).trueEffect(world, 0, 120).conversionDropPct,
    ).toBeGreaterThan(1);
    expect(
      make({ dropPct: 1.5, userShare: 0.5 }).trueEffect(world, 0, 120).conversionDropPct,
    ).toBeLessThan(1);
  });

  it('grows with dropPct and userShare (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 90, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (d, u) => {
          const e = (dd: number, uu: number) =>
            make({ dropPct: dd, userShare: uu }).trueEffect(world, 0, 60).conversionDropPct;
          expect(e(d + 10, u)).toBeGreaterThanOrEqual(e(d, u) - 1e-12);
          expect(e(d, u + 0.1)).toBeGreaterThanOrEqual(e(d, u) - 1e-12);
          expect(e(d, u)).toBeCloseTo(d * u, 10);
        },
      ),
      { seed: 23, numRuns: 50 },
    );
  });
});
