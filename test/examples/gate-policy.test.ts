/**
 * How a team tests its own gate policy: simulate it on a scenario and assert what it must
 * do, judged on the 95% interval's upper bound so a lucky sample cannot pass. In a project
 * that depends on gatesim the imports read:
 *
 *   import { expect } from 'vitest';
 *   import { installMatchers, simulate } from 'gatesim/vitest';
 *
 * Trials are kept small here so the suite stays fast; a real suite would use 500 or more.
 */
import { describe, expect, it } from 'vitest';
import { installMatchers, simulate } from '../../src/testing/matchers.js';
import type { Simulation } from '../../src/testing/index.js';
import { quantileWithInterval } from '../../src/check/bounds.js';
import { wilsonInterval } from '../../src/stats/index.js';

installMatchers(expect);

const ROOT = new URL('../../', import.meta.url).pathname;
const policy = (name: string): string => `${ROOT}policies/${name}.yaml`;
const scenario = (name: string): string => `${ROOT}scenarios/${name}.yaml`;

describe('example: the policies we rely on', () => {
  it('the full pipeline stops crash-looping builds', async () => {
    const sim = await simulate({
      policy: policy('truthful'),
      scenario: scenario('crash-loop'),
      trials: 200,
    });
    expect(sim).toShipBadAtMost(0.05);
  });

  it('the full pipeline catches a tail-latency regression within 90 min of customers seeing it', async () => {
    const sim = await simulate({
      policy: policy('truthful'),
      scenario: scenario('latency-tail-regression'),
      trials: 200,
    });
    expect(sim).toShipBadAtMost(0.05);
    expect(sim).toDetectWithin(90);
  });

  it('has no time to detect where nothing reached production: CI and staging catch every crash loop', async () => {
    const sim = await simulate({
      policy: policy('truthful'),
      scenario: scenario('crash-loop'),
      trials: 100,
    });
    expect(() => expect(sim).toDetectWithin(30)).toThrow(/detected no bad build in production/);
  });

  it('a fixed one-hour bake does not block good builds on a crash-loop day', async () => {
    const sim = await simulate({
      policy: policy('fixed-bake'),
      scenario: scenario('crash-loop'),
      trials: 200,
    });
    expect(sim).toBlockGoodAtMost(0.1);
  });

  it('but it ships slow memory leaks: absolute alarms over one hour cannot see them', async () => {
    const sim = await simulate({
      policy: policy('fixed-bake'),
      scenario: scenario('slow-memory-leak'),
      trials: 100,
    });
    expect(sim).not.toShipBadAtMost(0.5);
  });
});

/** A simulation with chosen figures, to show what the matchers say. */
function fake(shipped: [number, number], blocked: [number, number], ttd: number[]): Simulation {
  const rate = (count: number, of: number) => ({
    count,
    of,
    rate: of > 0 ? count / of : 0,
    ...(of > 0 ? wilsonInterval(count, of) : { lo: 0, hi: 1 }),
  });
  return {
    kind: 'gatesim-simulation',
    policy: 'my-policy',
    scenario: 'my-scenario',
    seed: 1,
    trials: shipped[1] + blocked[1],
    shippedBad: rate(...shipped),
    blockedGood: rate(...blocked),
    timeToDetectP90: quantileWithInterval(ttd, 0.9),
    leadTimeP90: quantileWithInterval([], 0.9),
    ttdMinutes: ttd,
    leadTimeMinutes: [],
    outcomes: '',
    result: {} as Simulation['result'],
  };
}

function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('what a failing assertion says', () => {
  it('names the figure, the limit, the estimate and the interval', () => {
    const sim = fake(
      [3, 100],
      [1, 100],
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(failure(() => expect(sim).toShipBadAtMost(0.02))).toMatchInlineSnapshot(
      `"toShipBadAtMost: expected my-policy on my-scenario (seed 1, 200 trials) to keep shipped-bad ≤ 2% on the 95% upper bound; shipped-bad 3% (3/100), 95% interval 1.03%–8.45%"`,
    );
    // 3% is within 5%, but the upper bound is not: more trials would be needed to show it.
    expect(failure(() => expect(sim).toShipBadAtMost(0.05))).toMatchInlineSnapshot(
      `"toShipBadAtMost: expected my-policy on my-scenario (seed 1, 200 trials) to keep shipped-bad ≤ 5% on the 95% upper bound; shipped-bad 3% (3/100), 95% interval 1.03%–8.45% (the estimate is within the limit: more trials may narrow the interval)"`,
    );
    expect(failure(() => expect(sim).not.toBlockGoodAtMost(0.1))).toMatchInlineSnapshot(
      `"toBlockGoodAtMost: expected my-policy on my-scenario (seed 1, 200 trials) not to keep blocked-good ≤ 10% on the 95% upper bound, but blocked-good 1% (1/100), 95% interval 0.177%–5.45%"`,
    );
    expect(failure(() => expect(sim).toDetectWithin(20))).toMatchInlineSnapshot(
      `"toDetectWithin: expected my-policy on my-scenario (seed 1, 200 trials) to detect within 20 min (p90, 95% upper bound); p90 36 min, 95% interval 33 min–40 min over 40 bad builds detected in production"`,
    );
  });

  it('says when the trials cannot answer the question', () => {
    expect(
      failure(() => expect(fake([0, 0], [0, 50], [])).toShipBadAtMost(0.1)),
    ).toMatchInlineSnapshot(
      `"toShipBadAtMost: my-policy on my-scenario (seed 1, 50 trials) drew no bad builds, so its shipped-bad rate says nothing; use a scenario with bad builds or more trials"`,
    );
    expect(
      failure(() => expect(fake([1, 20], [0, 50], [3, 4, 5])).toDetectWithin(60)),
    ).toMatchInlineSnapshot(
      `"toDetectWithin: expected my-policy on my-scenario (seed 1, 70 trials) to detect within 60 min (p90, 95% upper bound); p90 5 min, 95% interval 4 min–∞ over 3 bad builds detected in production (too few detections to bound a p90: run more trials)"`,
    );
    expect(failure(() => expect({ shippedBad: 0 }).toShipBadAtMost(0.1))).toMatchInlineSnapshot(
      `"toShipBadAtMost: expected the result of gatesim's simulate(), got object"`,
    );
  });
});
