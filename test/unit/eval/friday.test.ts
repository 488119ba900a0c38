/**
 * The Friday test's absolute figures: of bad builds started Friday 16:00, the share still
 * hurting customers at +2 h and at the next working morning (Monday 09:00), and the impact
 * until then, next to the same builds started Tuesday 10:00 (until Wednesday 09:00).
 */
import { describe, expect, it } from 'vitest';
import { addFriday, emptyPartial, finalizePair } from '../../../src/eval/aggregate.js';
import { morningClock, runChunk } from '../../../src/eval/chunk.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import type { TrialOutcome } from '../../../src/pipeline/types.js';
import { atLocal, WEEK } from '../../../src/world/calendar.js';
import { nextWorkingMorning } from '../../../src/world/human-clock.js';
import { liveRegistries } from '../../../src/config/registries.js';
import { bindScenario } from '../../../src/world/scenario-binding.js';
import { pinnedStart } from '../../../src/world/trial-setup.js';
import { makeTrial } from '../../fixtures/report/trials.js';
import { policy, scenario, withBuilds } from '../../helpers/configs.js';

const WORLD = `
description: test world
fleet:
  regions:
    - { name: ny, trafficShare: 1, hosts: 20, utcOffsetHours: -5 }
traffic: { peakRequestsPerMin: 20000, diurnalAmplitude: 0, peakHourLocal: 14, weekendFactor: 1 }
noise: { hostErrorSd: 0, intervalErrorSd: 0, intervalLatencySd: 0, intervalConversionSd: 0 }
schedule: { days: [mon, tue, wed, thu, fri], fromHour: 9, toHour: 17, region: ny }
horizon: 2h
`;
const CRASHING = withBuilds(
  WORLD,
  `builds: { badShare: 1, bad: [ { name: crash, weight: 1, faults: [ { kind: crash-loop, crashesPerHostHour: 30, downShare: 0.5 } ] } ] }`,
);
/** The same world where nobody is paged: a shipped crash loop hurts until the horizon. */
const CRASHING_UNPAGED = `${CRASHING}people: { pages: { enabled: false } }\n`;
/** No checks: every build ships and stays. */
const NO_GATES = `
stages:
  - { name: all, target: { kind: fleet, share: 1 }, bake: 0m }
`;
const MON = 0;
const TUE = 1;
const WED = 2;
const FRI = 4;

/** Wilson score interval, 95%, written out from Wilson (1927) as an independent reference. */
function wilson(k: number, n: number): { lo: number; hi: number } {
  const z = 1.959963984540054;
  const p = k / n;
  const mid = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { lo: mid - half, hi: mid + half };
}

describe('the next working morning', () => {
  it('is Monday 09:00 local after a Friday 16:00 start and Wednesday 09:00 after Tuesday 10:00', () => {
    const b = bindScenario(scenario(CRASHING), liveRegistries);
    const clock = morningClock(b);
    expect(nextWorkingMorning(clock, pinnedStart(b, FRI, 16))).toBe(atLocal(MON, 9, -5) + WEEK);
    expect(nextWorkingMorning(clock, pinnedStart(b, TUE, 10))).toBe(atLocal(WED, 9, -5));
  });

  it('is the same moment when people are always at work (read from the schedule)', () => {
    const b = bindScenario(scenario(`${CRASHING}people: { alwaysAtWork: true }\n`), liveRegistries);
    expect(nextWorkingMorning(morningClock(b), pinnedStart(b, FRI, 16))).toBe(
      atLocal(MON, 9, -5) + WEEK,
    );
  });
});

describe('the late probe of a replay', () => {
  it('sees a shipped crash loop that nobody is paged about still hurting at Monday 09:00, with the weekend’s impact', () => {
    const s = scenario(CRASHING_UNPAGED);
    const p = policy(NO_GATES);
    const fridayAt = atLocal(FRI, 16, -5);
    const monday = atLocal(MON, 9, -5) + WEEK;
    const o = runTrial({
      scenario: s,
      policy: p,
      seed: 3,
      trial: 0,
      startAt: fridayAt,
      probeAt: monday,
    }).outcome;
    expect(o.final).toBe('shipped');
    expect(o.probe?.at).toBe(monday - fridayAt);
    expect(o.probe?.hurting).toBe(true);
    // The trial counts until the probe (65 h), past its own end (rollout + 2 h horizon).
    expect(o.endAt).toBeGreaterThanOrEqual(monday - fridayAt);
    expect(o.probe!.impact.failedRequests).toBeGreaterThan(0);
    expect(o.probe!.impact.failedRequests).toBeLessThanOrEqual(o.impact.failedRequests);
    // Without the probe the trial stops counting 2 h after shipping: far less impact.
    const plain = runTrial({
      scenario: s,
      policy: p,
      seed: 3,
      trial: 0,
      startAt: fridayAt,
    }).outcome;
    expect(plain.probe).toBeUndefined();
    expect(plain.impact.failedRequests).toBeLessThan(o.probe!.impact.failedRequests / 10);
  });

  it('reports a build stopped by CI as not hurting, with no impact', () => {
    const s = scenario(CRASHING);
    const p = policy(`ciTests: { crash-loop: 1 }\n${NO_GATES}`);
    const fridayAt = atLocal(FRI, 16, -5);
    const o = runTrial({
      scenario: s,
      policy: p,
      seed: 3,
      trial: 0,
      startAt: fridayAt,
      probeAt: fridayAt + 3900,
    }).outcome;
    expect(o.final).toBe('blocked');
    expect(o.probe).toEqual({ at: 3900, hurting: false, impact: o.impact });
    expect(o.impact.failedRequests).toBe(0);
  });
});

describe('aggregating the Friday replays', () => {
  function replay(
    hurting2h: boolean,
    hurtingMorning: boolean,
    failed: number,
    at: number,
  ): TrialOutcome {
    const base = makeTrial(0);
    return {
      ...base,
      hurtingAfter2h: hurting2h,
      probe: {
        at,
        hurting: hurtingMorning,
        impact: {
          failedRequests: failed,
          slowRequests: 0,
          lostCheckouts: failed / 100,
          lostRevenue: 0,
        },
      },
    };
  }

  it('gives the absolute shares with Wilson intervals and the mean impact until the morning', () => {
    const p = emptyPartial();
    // Three bad builds: Friday hurts at +2 h in 3 and on Monday in 2; Tuesday in 1 and 0.
    addFriday(p, replay(true, true, 1000, 3900), replay(true, false, 100, 1380));
    addFriday(p, replay(true, true, 2000, 3900), replay(false, false, 0, 1380));
    addFriday(p, replay(true, false, 600, 3900), replay(false, false, 20, 1380));
    const f = finalizePair('s', 'p', p).friday!;
    expect(f.friday).toMatchObject({ count: 3, of: 3, rate: 1 });
    expect(f.fridayMorning).toMatchObject({ count: 2, of: 3 });
    expect(f.fridayMorning.rate).toBeCloseTo(2 / 3, 12);
    expect(f.fridayMorning.lo).toBeCloseTo(wilson(2, 3).lo, 12);
    expect(f.fridayMorning.hi).toBeCloseTo(wilson(2, 3).hi, 12);
    expect(f.tuesdayMorning).toMatchObject({ count: 0, of: 3, rate: 0 });
    expect(f.tuesdayMorning.hi).toBeCloseTo(wilson(0, 3).hi, 12);
    expect(f.morningAfterMin).toEqual({ friday: 3900, tuesday: 1380 });
    expect(f.impactToMorning.friday.failedRequests).toBeCloseTo(1200, 9);
    expect(f.impactToMorning.tuesday.failedRequests).toBeCloseTo(40, 9);
    expect(f.impactToMorning.friday.lostCheckouts).toBeCloseTo(12, 9);
  });

  it('refuses a replay without its morning probe', () => {
    const { probe: _probe, ...bare } = replay(true, true, 1, 1);
    expect(() => addFriday(emptyPartial(), bare, bare)).toThrow(/morning probe/);
  });

  it('with pages, on-call restores the Friday crash loop the same evening: nothing hurts on Monday', () => {
    const fridayAt = atLocal(FRI, 16, -5);
    const monday = atLocal(MON, 9, -5) + WEEK;
    const o = runTrial({
      scenario: scenario(CRASHING),
      policy: policy(NO_GATES),
      seed: 3,
      trial: 0,
      startAt: fridayAt,
      probeAt: monday,
    }).outcome;
    expect(o.final).toBe('shipped');
    expect(o.pagedAt).toBeDefined();
    expect(o.restoredAt).toBeLessThan(60);
    expect(o.probe?.hurting).toBe(false);
  });

  it('runs through a chunk: without pages, a policy without gates leaves every Friday bad build hurting on Monday', () => {
    const s = scenario(CRASHING_UNPAGED);
    const r = runChunk({
      index: 0,
      scenario: s,
      policies: [policy(NO_GATES)],
      seed: 5,
      from: 0,
      to: 8,
    });
    const f = finalizePair(s.name, 'p', r.partials[0]!).friday!;
    expect(f.trials).toBe(2); // trials 0 and 4
    expect(f.fridayMorning.count).toBe(2);
    expect(f.tuesdayMorning.count).toBe(2);
    expect(f.morningAfterMin.friday).toBe(65 * 60);
    expect(f.morningAfterMin.tuesday).toBe(23 * 60);
    // Monday's impact covers 65 h of a crash loop, Wednesday's 23 h of the same.
    expect(f.impactToMorning.friday.failedRequests).toBeGreaterThan(
      2 * f.impactToMorning.tuesday.failedRequests,
    );
  });
});

describe('a chunk for a search (no Friday test, no details)', () => {
  it('folds the same per-policy figures as a full chunk, without replays, rows or pairs', () => {
    const s = scenario(CRASHING_UNPAGED);
    const task = {
      index: 0,
      scenario: s,
      policies: [policy(NO_GATES, 'a'), policy(NO_GATES, 'b')],
      seed: 5,
      from: 0,
      to: 8,
    };
    const full = runChunk(task);
    const lean = runChunk({ ...task, fridayTest: false, details: false });
    expect(full.rows).toHaveLength(16);
    expect(full.pairwise).toHaveLength(1);
    expect(lean.rows).toEqual([]);
    expect(lean.pairwise).toEqual([]);
    for (const i of [0, 1]) {
      const a = finalizePair(s.name, 'p', full.partials[i]!);
      const b = finalizePair(s.name, 'p', lean.partials[i]!);
      expect(a.friday?.trials).toBe(2);
      expect(b.friday).toBeUndefined();
      expect({ ...b, friday: undefined }).toEqual({ ...a, friday: undefined });
    }
  });
});
