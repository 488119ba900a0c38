/**
 * Time to detect: from a bad build's first customer exposure to the decision that stopped it,
 * over detections in production only; no value (null, –) when there are none.
 */
import { describe, expect, it } from 'vitest';
import {
  addOutcome,
  emptyPartial,
  finalizePair,
  timeToDetect,
} from '../../../src/eval/aggregate.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import type { TrialOutcome } from '../../../src/pipeline/types.js';
import { FIGURES } from '../../../src/report/figures.js';
import { renderSummaryJson } from '../../../src/report/summary-json.js';
import { makeTrial } from '../../fixtures/report/trials.js';
import { makeSummary } from '../../fixtures/report/summary.js';
import { policy, QUIET_SCENARIO, scenario, withBuilds } from '../../helpers/configs.js';

function bad(over: Partial<TrialOutcome>): TrialOutcome {
  const base = makeTrial(0);
  return { ...base, build: { ...base.build, bad: true }, ...over };
}

describe('timeToDetect', () => {
  it('runs from first exposure to the decision, not from fault onset', () => {
    expect(
      timeToDetect(bad({ exposedAt: 6, onsetAt: 20, decidedAt: 30.25, detectedBy: 'errors' })),
    ).toBeCloseTo(24.25, 12);
  });

  it('does not count a deploy-window wait before anyone was exposed', () => {
    expect(
      timeToDetect(bad({ exposedAt: 600, onsetAt: 605, decidedAt: 630, detectedBy: 'errors' })),
    ).toBeCloseTo(30, 12);
  });

  it('has no value for builds stopped before production, shipped, or good', () => {
    // CI: decided at 0, never exposed (it used to count as 0 s).
    expect(timeToDetect(bad({ exposedAt: undefined, decidedAt: 0, detectedBy: 'ci' }))).toBe(
      undefined,
    );
    // Staging checks: decided at 40 with no production host on the build.
    expect(
      timeToDetect(bad({ exposedAt: undefined, decidedAt: 40, detectedBy: 'staging-errors' })),
    ).toBe(undefined);
    expect(timeToDetect(bad({ exposedAt: 6, decidedAt: undefined, final: 'shipped' }))).toBe(
      undefined,
    );
    const good = makeTrial(1);
    expect(good.build.bad).toBe(false);
    expect(timeToDetect({ ...good, exposedAt: 6, decidedAt: 30 })).toBe(undefined);
  });
});

describe('the figure over a pair', () => {
  it('is over production detections only, with n, and no value when there are none', () => {
    const p = emptyPartial();
    for (let i = 0; i < 5; i++)
      addOutcome(p, bad({ trial: i, exposedAt: undefined, decidedAt: 0, detectedBy: 'ci' }));
    for (let i = 5; i < 8; i++)
      addOutcome(
        p,
        bad({ trial: i, exposedAt: undefined, decidedAt: undefined, final: 'shipped' }),
      );
    const none = finalizePair('s', 'p', p);
    expect(none.timeToDetectMin.n).toBe(0);
    expect(none.timeToDetectMin.mean).toBeNaN();
    expect(none.timeToDetectMin.p50).toBeNaN();
    expect(none.timeToDetectMin.p90).toBeNaN();
    const figure = FIGURES.find((f) => f.id === 'time-to-detect')!;
    expect(figure.text(none)).toBeUndefined(); // shown as –

    addOutcome(p, bad({ trial: 9, exposedAt: 3, decidedAt: 13, detectedBy: 'errors' }));
    const one = finalizePair('s', 'p', p);
    expect(one.timeToDetectMin.n).toBe(1);
    expect(one.timeToDetectMin.mean).toBeCloseTo(10, 12);
    expect(figure.text(one)).toMatch(/\(1\)$/);
  });

  it('is null in summary.json when nothing was detected in production', () => {
    const s = makeSummary();
    const r = s.results[0]!;
    r.timeToDetectMin = { n: 0, mean: NaN, p50: NaN, p90: NaN };
    const json = JSON.parse(renderSummaryJson({ ...s, results: [r] })) as {
      results: { timeToDetectMin: Record<string, unknown> }[];
    };
    expect(json.results[0]!.timeToDetectMin).toEqual({ n: 0, mean: null, p50: null, p90: null });
  });
});

describe('in a simulated trial', () => {
  it('a crash loop caught at the one-box: exposure at the first deploy batch, detection after', () => {
    const text = withBuilds(
      QUIET_SCENARIO,
      `builds: { badShare: 1, bad: [ { name: crash, weight: 1, faults: [ { kind: crash-loop, crashesPerHostHour: 30, downShare: 0.5 } ] } ] }`,
    );
    const p = policy(`
stages:
  - name: one-box
    target: { kind: hosts, region: main, count: 1 }
    bake: 10m
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.05 }, interval: 1m }
  - { name: all, target: { kind: fleet, share: 1 } }
`);
    const o = runTrial({ scenario: scenario(text), policy: p, seed: 1, trial: 0 }).outcome;
    expect(o.final).toBe('rolled-back');
    // The scenario deploys a batch in 3 min (the default): the one-box runs the build at 3.
    expect(o.exposedAt).toBe(3);
    expect(timeToDetect(o)).toBeCloseTo(o.decidedAt! - 3, 12);

    const ci = policy(
      `ciTests: { crash-loop: 1 }\nstages:\n  - { name: all, target: { kind: fleet, share: 1 } }\n`,
    );
    const c = runTrial({ scenario: scenario(text), policy: ci, seed: 1, trial: 0 }).outcome;
    expect(c.final).toBe('blocked');
    expect(c.exposedAt).toBeUndefined();
    expect(timeToDetect(c)).toBeUndefined();
  });
});
