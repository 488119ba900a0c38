import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorRateFault } from '../../../../src/world/faults/error-rate.js';
import { identityEffect, type Minutes } from '../../../../src/world/types.js';
import { cohortOf, makeFakeWorld } from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  errorRateFault.create(errorRateFault.params.parse(params));

/** The load-gated example of the brief: +2% errors under heavy traffic, an hour after deploy. */
const gated = { add: 0.02, minLoadShare: 0.8, onsetDelay: '1h' };

function effectAt(params: Record<string, unknown>, load: number, t: Minutes, deployedAt = 0) {
  const world = makeFakeWorld({ load: { kind: 'constant', share: load } });
  const acc = identityEffect();
  make(params).apply(acc, cohortOf(world.regions[0]!, { deployedAt }), world, t);
  return acc;
}

describe('error-rate params', () => {
  it('fills neutral defaults and parses durations', () => {
    expect(errorRateFault.params.parse({})).toEqual({
      add: 0,
      multiply: 1,
      onsetDelay: 0,
      minLoadShare: 0,
      userShare: 1,
    });
    expect(errorRateFault.params.parse({ onsetDelay: '1h30m' })).toMatchObject({ onsetDelay: 90 });
  });

  it('rejects shares outside [0, 1] and unknown keys', () => {
    expect(errorRateFault.params.safeParse({ add: 1.5 }).success).toBe(false);
    expect(errorRateFault.params.safeParse({ userShare: -0.1 }).success).toBe(false);
    expect(errorRateFault.params.safeParse({ ad: 0.02 }).success).toBe(false);
  });

  it('names the bad parameter when the factory is called directly', () => {
    expect(() =>
      errorRateFault.create({ ...errorRateFault.params.parse({}), add: 2 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: error-rate: add: Too big: expected number to be <=1]`,
    );
  });
});

describe('error-rate apply', () => {
  it('adds exactly `add` once the load reaches minLoadShare after onsetDelay, nothing before', () => {
    expect(effectAt(gated, 0.9, 59.99).errorAdd).toBe(0);
    expect(effectAt(gated, 0.9, 60).errorAdd).toBe(0.02);
    expect(effectAt(gated, 0.9, 600).errorAdd).toBe(0.02);
    expect(effectAt(gated, 0.8, 600).errorAdd).toBe(0.02);
    expect(effectAt(gated, 0.79, 600).errorAdd).toBe(0);
  });

  it('counts the delay from the cohort deploy', () => {
    expect(effectAt(gated, 1, 150, 100).errorAdd).toBe(0);
    expect(effectAt(gated, 1, 160, 100).errorAdd).toBe(0.02);
  });

  it('scales add and multiply by userShare', () => {
    const acc = effectAt({ add: 0.02, multiply: 3, userShare: 0.5 }, 1, 10);
    expect(acc.errorAdd).toBe(0.01);
    expect(acc.errorMul).toBe(2);
  });

  it('only touches the listed regions (staging is region "staging")', () => {
    const world = makeFakeWorld();
    const f = make({ add: 0.02, regions: ['eu-west'] });
    for (const [cohort, expected] of [
      [cohortOf(world.regions[0]!), 0],
      [cohortOf(world.regions[1]!), 0.02],
      [cohortOf(world.staging, { environment: 'staging' }), 0],
    ] as const) {
      const acc = identityEffect();
      f.apply(acc, cohort, world, 10);
      expect(acc.errorAdd).toBe(expected);
    }
  });

  it('shows in staging only when staging load reaches minLoadShare', () => {
    const world = makeFakeWorld();
    const staging = cohortOf(world.staging, { environment: 'staging' });
    const acc = identityEffect();
    make(gated).apply(acc, staging, world, 600);
    expect(acc.errorAdd).toBe(0);
    make({ add: 0.02 }).apply(acc, staging, world, 600);
    expect(acc.errorAdd).toBe(0.02);
  });
});

describe('error-rate onset', () => {
  it('is deploy + onsetDelay under enough constant load, never under too little', () => {
    const hot = makeFakeWorld({ load: { kind: 'constant', share: 0.9 } });
    const cold = makeFakeWorld({ load: { kind: 'constant', share: 0.5 } });
    expect(make(gated).onset(cohortOf(hot.regions[0]!, { deployedAt: 30 }), hot, 1e4)).toBe(90);
    expect(make(gated).onset(cohortOf(cold.regions[0]!, { deployedAt: 30 }), cold, 1e4)).toBe(
      Infinity,
    );
    expect(make(gated).onset(cohortOf(hot.regions[0]!, { deployedAt: 30 }), hot, 90)).toBe(
      Infinity,
    );
  });

  it('waits for the daily peak under a sinusoidal load (hand formula)', () => {
    // eu-west: local = UTC, load 0.65 + 0.35 cos(2π(h − 14)/24) ≥ 0.8 from h = 14 − 24·acos(3/7)/(2π).
    const world = makeFakeWorld({ load: { kind: 'sinusoid', amplitude: 0.35, peakHourLocal: 14 } });
    const region = world.regions[1]!;
    const expected = (14 - (24 * Math.acos(3 / 7)) / (2 * Math.PI)) * 60;
    expect(expected).toBeCloseTo(581.51, 2);
    const f = make(gated);
    const cohort = cohortOf(region, { deployedAt: 0 });
    const onset = f.onset(cohort, world, 1e4);
    expect(onset).toBeCloseTo(expected, 9);
    const before = identityEffect();
    const after = identityEffect();
    f.apply(before, cohort, world, onset - 0.01);
    f.apply(after, cohort, world, onset + 0.01);
    expect(before.errorAdd).toBe(0);
    expect(after.errorAdd).toBe(0.02);
  });

  it('is Infinity for a fault with no effect or outside its regions', () => {
    const world = makeFakeWorld();
    expect(make({}).onset(cohortOf(world.regions[0]!), world, 1e4)).toBe(Infinity);
    expect(
      make({ add: 0.01, regions: ['eu-west'] }).onset(cohortOf(world.regions[0]!), world, 1e4),
    ).toBe(Infinity);
  });

  it('is never before the deploy (property)', () => {
    const world = makeFakeWorld({ load: { kind: 'sinusoid', amplitude: 0.4, peakHourLocal: 15 } });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 600, noNaN: true }),
        fc.double({ min: 0, max: 1.1, noNaN: true }),
        fc.integer({ min: 0, max: 1 }),
        (deployedAt, delay, minLoad, r) => {
          const onset = make({ add: 0.01, onsetDelay: delay, minLoadShare: minLoad }).onset(
            cohortOf(world.regions[r]!, { deployedAt }),
            world,
            deployedAt + 5 * 1440,
          );
          expect(onset).toBeGreaterThanOrEqual(deployedAt + delay);
          if (Number.isFinite(onset))
            expect(world.loadShare('production', world.regions[r]!, onset)).toBeGreaterThanOrEqual(
              minLoad - 1e-9,
            );
        },
      ),
      { seed: 11 },
    );
  });
});

describe('error-rate trueEffect', () => {
  const flat = makeFakeWorld({ load: { kind: 'constant', share: 1 } });

  it('is add × userShare × the affected regions’ traffic share, in pp', () => {
    // us-east serves 60% of requests: 100 × 0.02 × 0.5 × 0.6 = 0.6 pp.
    const e = make({ add: 0.02, userShare: 0.5, regions: ['us-east'] }).trueEffect(flat, 0, 600);
    expect(e.errorRatePp).toBeCloseTo(0.6, 12);
    expect(e.p99Ratio).toBe(1);
    expect(e.conversionDropPct).toBe(0);
    expect(e.resourceExhaustion).toBe(false);
  });

  it('crosses a 0.5 pp bar at userShare 0.5 and not at 0.4', () => {
    expect(
      make({ add: 0.02, userShare: 0.5, regions: ['us-east'] }).trueEffect(flat, 0, 600)
        .errorRatePp,
    ).toBeGreaterThan(0.5);
    expect(
      make({ add: 0.02, userShare: 0.4, regions: ['us-east'] }).trueEffect(flat, 0, 600)
        .errorRatePp,
    ).toBeLessThan(0.5);
  });

  it('counts a multiplier against the baseline error rate', () => {
    // baseline 0.2%: × 3 adds 0.4 pp.
    expect(make({ multiply: 3 }).trueEffect(flat, 0, 120).errorRatePp).toBeCloseTo(0.4, 12);
  });

  it('counts a load-gated fault only if the load reaches minLoadShare before `until`', () => {
    const world = makeFakeWorld({ load: { kind: 'sinusoid', amplitude: 0.35, peakHourLocal: 14 } });
    // Deploy at 00:00 UTC: eu-west (peak 14 UTC) and us-east (peak 19 UTC) both stay under 0.8 until 02:00.
    expect(make({ add: 0.02, minLoadShare: 0.8 }).trueEffect(world, 0, 120).errorRatePp).toBe(0);
    // Both regions are at ≥ 0.8 from 14:41 to 18:18 UTC, so hours 15–16, 16–17, 17–18 carry the full 2 pp.
    expect(
      make({ add: 0.02, minLoadShare: 0.8 }).trueEffect(world, 0, 1440).errorRatePp,
    ).toBeCloseTo(2, 12);
  });

  it('ignores hours before the onset delay, but counts the effect once it shows', () => {
    const e = make({ add: 0.01, onsetDelay: '3h' });
    expect(e.trueEffect(flat, 0, 180).errorRatePp).toBe(0);
    expect(e.trueEffect(flat, 0, 300).errorRatePp).toBeCloseTo(1, 12);
  });

  it('grows with add and userShare (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a1, a2, u) => {
          const [lo, hi] = a1 < a2 ? [a1, a2] : [a2, a1];
          const e = (add: number, userShare: number) =>
            make({ add, userShare }).trueEffect(flat, 0, 120).errorRatePp;
          expect(e(hi, u)).toBeGreaterThanOrEqual(e(lo, u) - 1e-12);
          expect(e(hi, Math.min(1, u + 0.1))).toBeGreaterThanOrEqual(e(hi, u) - 1e-12);
          const acc = identityEffect();
          make({ add: hi, userShare: u }).apply(acc, cohortOf(flat.regions[0]!), flat, 1);
          expect(acc.errorAdd).toBeCloseTo(hi * u, 15);
        },
      ),
      { seed: 3 },
    );
  });
});
