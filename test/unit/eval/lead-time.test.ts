/**
 * The lead-time split: over every good build, active time and each kind of wait (deploy
 * window, person, bake), a good build that never shipped counted until it stopped.
 */
import { describe, expect, it } from 'vitest';
import { addOutcome, emptyPartial, finalizePair } from '../../../src/eval/aggregate.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import type { TrialOutcome } from '../../../src/pipeline/types.js';
import { atLocal } from '../../../src/world/calendar.js';
import { makeTrial } from '../../fixtures/report/trials.js';
import { policy, scenario, withBuilds } from '../../helpers/configs.js';

function good(
  trial: number,
  final: TrialOutcome['final'],
  rolloutMin: number,
  waits: TrialOutcome['waits'],
): TrialOutcome {
  const base = makeTrial(trial);
  return {
    ...base,
    build: { ...base.build, bad: false },
    final,
    shippedAt: final === 'shipped' ? rolloutMin : undefined,
    rolloutMin,
    waits,
  };
}

describe('aggregating the split', () => {
  it('is the mean over every good build, a blocked one counted until it stopped', () => {
    const p = emptyPartial();
    addOutcome(p, good(1, 'shipped', 100, { window: 10, person: 30, bake: 40 }));
    addOutcome(p, good(2, 'shipped', 300, { window: 200, person: 0, bake: 60 }));
    // Rolled back after 50 min, 45 of them baking: it counts, and is said not to have shipped.
    addOutcome(p, good(3, 'rolled-back', 50, { window: 0, person: 0, bake: 45 }));
    const r = finalizePair('s', 'p', p);
    expect(r.leadTimeSplit.builds).toBe(3);
    expect(r.leadTimeSplit.notShipped).toBe(1);
    const m = r.leadTimeSplit.meanMin;
    expect(m.total).toBeCloseTo(150, 12);
    expect(m.window).toBeCloseTo(70, 12);
    expect(m.person).toBeCloseTo(10, 12);
    expect(m.bake).toBeCloseTo(145 / 3, 12);
    expect(m.active).toBeCloseTo((20 + 40 + 5) / 3, 12);
    expect(m.active + m.window + m.person + m.bake).toBeCloseTo(m.total, 9);
    // The lead-time distribution stays over shipped good builds only.
    expect(r.leadTimeMin.n).toBe(2);
  });

  it('leaves bad builds out, and has no value without good builds', () => {
    const p = emptyPartial();
    const bad = makeTrial(0); // every fifth fixture trial is bad
    expect(bad.build.bad).toBe(true);
    addOutcome(p, bad);
    const r = finalizePair('s', 'p', p);
    expect(r.leadTimeSplit.builds).toBe(0);
    expect(r.leadTimeSplit.meanMin.total).toBeNaN();
  });
});

const WORLD = withBuilds(
  `
description: test world
fleet:
  regions:
    - { name: main, trafficShare: 1, hosts: 20, utcOffsetHours: 0 }
traffic: { peakRequestsPerMin: 20000, diurnalAmplitude: 0, peakHourLocal: 14, weekendFactor: 1 }
noise: { hostErrorSd: 0, intervalErrorSd: 0, intervalLatencySd: 0, intervalConversionSd: 0 }
schedule: { days: [mon, tue, wed, thu, fri], fromHour: 9, toHour: 17, region: main }
deploy: { minutesPerBatch: 3m }
`,
  'builds: { badShare: 0, bad: [] }',
);

describe('a simulated rollout’s split', () => {
  it('adds up to the lead time: drill and deploys active, window, approval and bake waits', () => {
    const p = policy(`
rollbackDrill: { duration: 20m, detectProbability: 1 }
maxBatchShare: 1
stages:
  - name: canary
    target: { kind: fleet, share: 0.1 }
    bake: 30m
    approval: { kind: manual, delay: { kind: fixed, minutes: 45 } }
  - name: all
    target: { kind: fleet, share: 1 }
    deployWindows: [ { days: [wed], fromHour: 9, toHour: 17 } ]
`);
    // Tuesday 16:00 UTC: drill 16:00–16:20, canary deploys by 16:23, bakes until 16:53; the
    // approval needs 45 working minutes: 7 today, 38 on Wednesday from 09:00 → 09:38, inside
    // the Wednesday window; the last stage deploys by 09:41.
    const start = atLocal(1, 16, 0);
    const o = runTrial({
      scenario: scenario(WORLD),
      policy: p,
      seed: 1,
      trial: 0,
      startAt: start,
    }).outcome;
    expect(o.final).toBe('shipped');
    expect(o.shippedAt).toBeCloseTo(atLocal(2, 9 + 41 / 60, 0) - start, 6);
    expect(o.rolloutMin).toBeCloseTo(o.shippedAt!, 9);
    expect(o.waits.bake).toBeCloseTo(30, 9);
    expect(o.waits.person).toBeCloseTo(atLocal(2, 9 + 38 / 60, 0) - atLocal(1, 16 + 53 / 60, 0), 6);
    expect(o.waits.window).toBe(0);
    const active = o.shippedAt! - o.waits.bake - o.waits.person - o.waits.window;
    expect(active).toBeCloseTo(20 + 3 + 3, 6);
  });

  it('counts a deploy window wait, and a blocked good build until its block', () => {
    const windowed = policy(`
maxBatchShare: 1
stages:
  - name: all
    target: { kind: fleet, share: 1 }
    deployWindows: [ { days: [wed], fromHour: 9, toHour: 17 } ]
`);
    const start = atLocal(1, 16, 0);
    const o = runTrial({
      scenario: scenario(WORLD),
      policy: windowed,
      seed: 1,
      trial: 0,
      startAt: start,
    }).outcome;
    expect(o.waits.window).toBeCloseTo(atLocal(2, 9, 0) - start, 6);
    expect(o.shippedAt).toBeCloseTo(o.waits.window + 3, 6);

    // A check that always fails blocks the good build at its first measurement.
    const strict = policy(`
maxBatchShare: 1
stages:
  - name: canary
    target: { kind: fleet, share: 0.1 }
    bake: 30m
    checks:
      - { name: never, metric: error_rate, judge: { kind: threshold, max: -1 }, interval: 5m }
  - { name: all, target: { kind: fleet, share: 1 } }
`);
    const b = runTrial({
      scenario: scenario(WORLD),
      policy: strict,
      seed: 1,
      trial: 0,
      startAt: start,
    }).outcome;
    expect(b.final).toBe('rolled-back');
    expect(b.rolloutMin).toBeCloseTo(b.decidedAt!, 9);
    expect(b.waits.bake).toBeCloseTo(b.decidedAt! - 3, 6);
  });
});
