/**
 * People on the human clock inside a rollout: approvals and resuming a pause are desk work
 * that advances only in working hours, local to the region the stage deploys to, and the
 * rollout's time is split into active time and its waits (window, person, bake).
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/config/index.js';
import { Simulator, type EventHandle } from '../../../src/engine/index.js';
import { JUDGES } from '../../../src/judges/index.js';
import type { JudgeResult, Verdict } from '../../../src/judges/types.js';
import { bindPolicy } from '../../../src/pipeline/policy-binding.js';
import {
  RolloutController,
  type CheckRun,
  type RolloutEvent,
  type RolloutSite,
} from '../../../src/pipeline/rollout.js';
import type { Waits } from '../../../src/pipeline/waits.js';
import { atLocal, type HourWindow } from '../../../src/world/calendar.js';
import type { RegionRuntime } from '../../../src/world/types.js';

const NINE_TO_FIVE: HourWindow[] = [
  { days: ['mon', 'tue', 'wed', 'thu', 'fri'], fromHour: 9, toHour: 17 },
];
const TUE = 1;
const FRI = 4;
const MON_NEXT = 7;

/** A region at UTC−5 (New York): working hours are read in its local time. */
const NY: RegionRuntime = {
  name: 'ny',
  trafficShare: 1,
  hosts: 10,
  utcOffsetHours: -5,
  index: 0,
  firstHost: 0,
};

interface Run {
  lines: string[];
  events: Record<string, number>;
  waits: Waits;
  shippedAt: number | undefined;
}

/** Plays a policy from `start` with a person who needs `effort` minutes of desk work. */
function play(
  yaml: string,
  start: number,
  options: { effort: number; hours?: HourWindow[]; script?: (t: number) => Verdict },
): Run {
  const policy = parsePolicy(yaml, 'p.yaml');
  const sim = new Simulator<RolloutEvent>(start);
  const run: Run = {
    lines: [],
    events: {},
    waits: { window: 0, person: 0, bake: 0 },
    shippedAt: undefined,
  };
  const site: RolloutSite = {
    policy,
    regions: [NY],
    endLimit: start + 30 * 1440,
    ...(options.hours !== undefined ? { workingHours: options.hours } : {}),
    schedule: (t, e) => sim.at(t, e),
    cancel: (h) => sim.cancel(h as EventHandle),
    deployStage: (i, now) => controller.stageDeployed(i, now),
    measure: (_r: CheckRun, now): JudgeResult => {
      const verdict = options.script?.(now) ?? 'pass';
      return { verdict, reason: verdict, figures: {} };
    },
    measured: () => undefined,
    personDelay: () => ({ minutes: options.effort, how: `${options.effort} min` }),
    rollback: () => undefined,
    shipped: (now) => {
      run.shippedAt = now;
    },
    passed: () => undefined,
    note: (kind, message) => {
      run.lines.push(`${sim.now} ${kind}: ${message}`);
      run.events[kind] ??= sim.now;
    },
  };
  const controller = new RolloutController(site, bindPolicy(policy, JUDGES));
  controller.start(start);
  sim.run(
    (e, now) => {
      controller.dispatch(e, now);
      if (e.kind === 'resumed') run.events['resumed'] ??= now;
      if (e.kind === 'approved') run.events['approved'] ??= now;
    },
    start + 30 * 1440,
  );
  run.waits = controller.waits();
  return run;
}

const APPROVAL = `
stages:
  - name: one
    target: { kind: region, region: ny, share: 0.1 }
    bake: 10m
    approval: { kind: manual, delay: { kind: fixed, minutes: 30 } }
  - { name: all, target: { kind: fleet, share: 1 } }
`;

// A check that turns Inconclusive at its first measurement, 1 min after the stage deploys.
const PAUSE = `
onInconclusive: pause
stages:
  - name: one
    target: { kind: region, region: ny, share: 0.1 }
    bake: 1m
    checks:
      - { name: c, metric: error_rate, judge: { kind: threshold, max: 1 }, interval: 1m, count: 1 }
  - { name: all, target: { kind: fleet, share: 1 } }
`;
const inconclusive = (): Verdict => 'inconclusive';

describe('desk work waits for working hours in the stage region’s local time', () => {
  it('a pause on Friday at 16:45 New York time, needing 30 min, is resumed Monday 09:15', () => {
    const start = atLocal(FRI, 16.75, -5) - 1; // the check measures 1 min after the start
    const r = play(PAUSE, start, { effort: 30, hours: NINE_TO_FIVE, script: inconclusive });
    expect(r.events['resumed']).toBeCloseTo(atLocal(MON_NEXT, 9.25, -5), 6);
    expect(r.lines.some((l) => l.includes('30 min of desk work, done in 3870 min'))).toBe(true);
  });

  it('the same pause on Tuesday at 10:00 is resumed within the draw (10:30)', () => {
    const start = atLocal(TUE, 10, -5) - 1;
    const r = play(PAUSE, start, { effort: 30, hours: NINE_TO_FIVE, script: inconclusive });
    expect(r.events['resumed']).toBeCloseTo(atLocal(TUE, 10.5, -5), 6);
  });

  it('an approval asked for at night waits for the morning; the region’s offset is used, not UTC', () => {
    // Tuesday 22:00 in New York is Wednesday 03:00 UTC: a UTC clock would also wait, but until
    // 09:00 UTC; the New York team starts at 09:00 local = 14:00 UTC.
    const start = atLocal(TUE, 22, -5) - 10; // bake 10 min, then the approval is asked for
    const r = play(APPROVAL, start, { effort: 30, hours: NINE_TO_FIVE });
    expect(r.events['approved']).toBeCloseTo(atLocal(TUE + 1, 9.5, -5), 6);
  });

  it('without working hours (a recorded site, or people always at work) the draw is the wait', () => {
    const start = atLocal(FRI, 16.75, -5) - 1;
    const r = play(PAUSE, start, { effort: 30, script: inconclusive });
    expect(r.events['resumed']).toBeCloseTo(start + 1 + 30, 6);
    const always = play(PAUSE, start, { effort: 30, hours: [], script: inconclusive });
    expect(always.events['resumed']).toBeCloseTo(start + 1 + 30, 6);
  });
});

describe('the lead-time split: active time and each kind of wait', () => {
  it('adds up to the time until 100%: bake, person, then deploying (active)', () => {
    const start = atLocal(TUE, 10, -5);
    const r = play(APPROVAL, start, { effort: 30, hours: NINE_TO_FIVE });
    expect(r.shippedAt).toBeDefined();
    const lead = r.shippedAt! - start;
    // Deploys are instant on this site: 10 min bake, 30 min approval, nothing else.
    expect(r.waits).toEqual({ window: 0, person: 30, bake: 10 });
    expect(lead).toBeCloseTo(40, 9);
  });

  it('counts a deploy window wait as window time', () => {
    const windowed = APPROVAL.replace(
      '- { name: all, target: { kind: fleet, share: 1 } }',
      '- { name: all, target: { kind: fleet, share: 1 }, deployWindows: [ { days: [wed], fromHour: 9, toHour: 17 } ] }',
    );
    const start = atLocal(TUE, 10, -5);
    const r = play(windowed, start, { effort: 30, hours: NINE_TO_FIVE });
    // Asked at 10:10, approved 10:40; the window opens Wednesday 09:00 New York (the fleet
    // target reads its first region's time).
    expect(r.waits.window).toBeCloseTo(atLocal(TUE + 1, 9, -5) - atLocal(TUE, 10 + 40 / 60, -5), 6);
    expect(r.shippedAt! - start).toBeCloseTo(r.waits.window + r.waits.person + r.waits.bake, 6);
  });

  it('a pause over the weekend is person time; the bake under it is not counted twice', () => {
    const start = atLocal(FRI, 16.75, -5) - 1;
    const r = play(PAUSE, start, { effort: 30, hours: NINE_TO_FIVE, script: inconclusive });
    const lead = r.shippedAt! - start;
    expect(r.waits.person).toBeCloseTo(atLocal(MON_NEXT, 9.25, -5) - (start + 1), 6);
    expect(r.waits.bake).toBeCloseTo(1, 9);
    expect(lead).toBeCloseTo(r.waits.person + r.waits.bake, 6);
  });
});
