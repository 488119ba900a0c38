import { describe, expect, it } from 'vitest';
import { coldCacheEffect } from '../../../../src/world/faults/cold-cache.js';
import { mixtureQuantileRatio } from '../../../../src/world/faults/shared/mixture.js';
import { identityEffect } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld, restartedAt } from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  coldCacheEffect.create(coldCacheEffect.params.parse(params));
const world = makeFakeWorld({ load: { kind: 'constant', share: 1 } });
const cohort = cohortOf(world.regions[0]!, { deployedAt: 100 });
const cold = make({});

const mulAt = (c = cohort, t: number, f = cold) => {
  const acc = identityEffect();
  f.apply(acc, c, world, t);
  return acc;
};

describe('cold-cache', () => {
  it('is benign with the documented defaults', () => {
    expect(coldCacheEffect.params.parse({})).toEqual({
      latencyMultiplier: 2,
      warmupMinutes: 5,
      errorAdd: 0,
    });
    expect(cold.benign).toBe(true);
    expect(cold.onset(cohort, world, 1e4)).toBe(Infinity);
    expect(cold.nextRestart(cohort, world, 100, 1e4)).toBe(Infinity);
  });

  it('decays as 1 + (m − 1)·exp(−Δt / warmupMinutes) from the deploy', () => {
    expect(mulAt(cohort, 100).latencyMul).toBe(2);
    expect(mulAt(cohort, 105).latencyMul).toBeCloseTo(1 + Math.exp(-1), 15);
    expect(mulAt(cohort, 115).latencyMul).toBeCloseTo(1 + Math.exp(-3), 15);
    expect(mulAt(cohort, 99).latencyMul).toBe(1);
  });

  it('starts again after a fault-driven restart (the cache is in the process)', () => {
    expect(mulAt(restartedAt(cohort, 300), 300).latencyMul).toBe(2);
  });

  it('decays its errors the same way', () => {
    const f = make({ errorAdd: 0.01, warmupMinutes: '2m' });
    expect(mulAt(cohort, 100, f).errorAdd).toBe(0.01);
    expect(mulAt(cohort, 102, f).errorAdd).toBeCloseTo(0.01 * Math.exp(-1), 15);
  });

  it('trueEffect: the first hour’s p99 against a one-second integration of the warm-up', () => {
    // Constant load: every second of the hour carries the same weight.
    const slices = Array.from({ length: 3600 }, (_, k) => ({
      weight: 1,
      shift: Math.log(1 + Math.exp(-(k + 0.5) / 60 / 5)),
    }));
    const reference = mixtureQuantileRatio(slices, 0.5, 0.99);
    const e = cold.trueEffect(world, 100, 400);
    expect(Math.abs(e.p99Ratio / reference - 1)).toBeLessThan(2e-3);
    expect(e.errorRatePp).toBe(0);
  });
});
