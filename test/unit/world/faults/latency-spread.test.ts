/**
 * latency-spread widens latency at a fixed median. References: scipy 1.17, the quantiles of
 * 0.5·LN(−ln m, 0.5) + 0.5·LN(ln m, 0.5) over those of LN(0, 0.5) (brentq on the mixture CDF,
 * xtol 1e-14): m = 1.5 → p50 1, p99 1.310465227365201; m = 2 → p50 1, p99 1.745175072930975.
 */
import { describe, expect, it } from 'vitest';
import { runTrial } from '../../../../src/pipeline/executor.js';
import { latencySpreadFault } from '../../../../src/world/faults/latency-spread.js';
import {
  effectComponents,
  mixtureQuantileRatio,
} from '../../../../src/world/faults/shared/mixture.js';
import { identityEffect } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld } from '../../../helpers/fake-world.js';
import { policy, QUIET_SCENARIO, scenario, withBuilds } from '../../../helpers/configs.js';

const make = (params: Record<string, unknown>) =>
  latencySpreadFault.create(latencySpreadFault.params.parse(params));
const world = makeFakeWorld({ load: { kind: 'sinusoid', amplitude: 0.35, peakHourLocal: 14 } });
const cohort = cohortOf(world.regions[0]!, { deployedAt: 10 });

describe('latency-spread', () => {
  it('is neutral by default and rejects a spread below 1', () => {
    expect(latencySpreadFault.params.parse({})).toEqual({ spread: 1, onsetDelay: 0 });
    expect(make({}).onset(cohort, world, 1e4)).toBe(Infinity);
    expect(() => make({ spread: 0.5 })).toThrow(/spread/);
  });

  it('after its onset, half the requests are spread× faster and half spread× slower', () => {
    const f = make({ spread: 2, onsetDelay: '5m' });
    const before = identityEffect();
    f.apply(before, cohort, world, 14.9);
    expect(before).toEqual(identityEffect());
    const acc = identityEffect();
    f.apply(acc, cohort, world, 15);
    expect(acc).toMatchObject({ latencyMul: 0.5, slowShare: 0.5, slowMul: 4 });
    expect(f.onset(cohort, world, 1e4)).toBe(15);
  });

  it.each([
    [1.5, 1.310465227365201],
    [2, 1.745175072930975],
  ])('spread %d: p50 ratio 1, p99 ratio as scipy gives', (spread, p99) => {
    const acc = identityEffect();
    make({ spread }).apply(acc, cohort, world, 1e3);
    expect(mixtureQuantileRatio(effectComponents(acc), 0.5, 0.5)).toBeCloseTo(1, 9);
    expect(make({ spread }).trueEffect(world, 0, 600).p99Ratio).toBeCloseTo(p99, 9);
  });

  it('measured: p50 stays within sampling noise while p99 rises by the factor above', () => {
    // Every host on the bad build, no noise; 20 one-minute points of 20,000 requests.
    const text = withBuilds(
      QUIET_SCENARIO,
      'builds: { badShare: 1, bad: [ { name: spread, faults: [ { kind: latency-spread, spread: 2 } ] } ] }',
    );
    const p = policy(`
stages:
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 20m
    checks:
      - { name: p50, metric: latency_p50, judge: { kind: threshold, max: 100000 }, interval: 20m, window: 20m }
      - { name: p99, metric: latency_p99, judge: { kind: threshold, max: 100000 }, interval: 20m, window: 20m }
`);
    const o = runTrial({ scenario: scenario(text), policy: p, seed: 3, trial: 0, timeline: true });
    const value = (check: string) =>
      o.outcome.timeline!.find((e) => e.kind === 'measurement' && e.check === check)!.figures!
        .value!;
    // The service: median 80 ms, σ 0.5, so p99 = 80·e^(2.326·0.5) = 255.9 ms on the old build.
    expect(value('p50') / 80).toBeCloseTo(1, 1);
    expect(Math.abs(value('p50') / 80 - 1)).toBeLessThan(0.01);
    expect(value('p99') / (80 * Math.exp(0.5 * 2.3263478740408408))).toBeCloseTo(1.745, 1);
  });
});
