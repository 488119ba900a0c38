import { describe, expect, it } from 'vitest';
import { crashLoopFault } from '../../../../src/world/faults/crash-loop.js';
import { identityEffect } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld } from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  crashLoopFault.create(crashLoopFault.params.parse(params));
const world = makeFakeWorld();
const cohort = cohortOf(world.regions[0]!, { deployedAt: 60 });

describe('crash-loop', () => {
  it('defaults to the Kubernetes back-off cap: one restart per 5 minutes', () => {
    expect(crashLoopFault.params.parse({})).toEqual({
      crashesPerHostHour: 12,
      downShare: 0.5,
      onsetDelay: 0,
    });
  });

  it('adds its crash rate and fails downShare of requests after onsetDelay', () => {
    const f = make({ crashesPerHostHour: 30, downShare: 0.4, onsetDelay: 2 });
    const before = identityEffect();
    f.apply(before, cohort, world, 61);
    expect(before).toEqual(identityEffect());
    const after = identityEffect();
    f.apply(after, cohort, world, 62);
    expect(after).toEqual({ ...identityEffect(), crashesPerHostHour: 30, errorAdd: 0.4 });
    expect(f.onset(cohort, world, 1e4)).toBe(62);
    expect(f.nextRestart(cohort, world, 62, 1e4)).toBe(Infinity);
  });

  it('trueEffect: downShare less the baseline it replaces, in pp', () => {
    // p = min(1, 0.002 + 0.5) → excess 0.5 → 50 pp; with downShare 1 the cap leaves 99.8 pp.
    expect(make({}).trueEffect(world, 0, 120).errorRatePp).toBeCloseTo(50, 10);
    expect(make({ downShare: 1 }).trueEffect(world, 0, 120).errorRatePp).toBeCloseTo(99.8, 10);
    expect(make({ downShare: 0.002 }).trueEffect(world, 0, 120).errorRatePp).toBeCloseTo(0.2, 10);
  });
});
