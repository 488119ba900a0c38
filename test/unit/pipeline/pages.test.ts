import { describe, expect, it } from 'vitest';
import { runTrial } from '../../../src/pipeline/executor.js';
import { atLocal } from '../../../src/world/calendar.js';
import { policy, QUIET_SCENARIO, scenario, withBuilds } from '../../helpers/configs.js';

/** Every build carries +2 pp errors from the deploy on; nothing gates it. */
const ERRORS = withBuilds(
  QUIET_SCENARIO,
  `builds: { badShare: 1, bad: [ { name: errors, weight: 1, faults: [ { kind: error-rate, add: 0.02 } ] } ] }`,
);
const UNGATED = `
stages:
  - name: all
    target: { kind: fleet, share: 1 }
rollback: { minutesPerBatch: 4m, maxBatchShare: 0.5 }
`;
const TUESDAY_10 = atLocal(1, 10, 0);
const SATURDAY_10 = atLocal(5, 10, 0);

function run(scenarioText: string, startAt: number, policyText = UNGATED) {
  return runTrial({
    scenario: scenario(scenarioText),
    policy: policy(policyText),
    seed: 1,
    trial: 0,
    startAt,
    timeline: true,
  }).outcome;
}

describe('pages: on-call answers the incidents a pipeline lets through', () => {
  it('pages alertAfter after the fault shows, answers in the shift’s time, and rolls back with the policy’s rollback', () => {
    const o = run(ERRORS, TUESDAY_10);
    expect(o.final).toBe('shipped');
    expect(o.build.bad).toBe(true);
    // Shipped at 3 min (one deploy batch); the fault shows at once; the alert pages 15 min later.
    expect(o.pagedAt).toBeCloseTo(o.shippedAt! + 15, 9);
    // Tuesday 10:18 is working time: 5 min to answer, then two rollback batches of 4 min.
    expect(o.restoredAt).toBeCloseTo(o.pagedAt! + 5 + 2 * 4, 9);
    expect(o.rollbackAttempted && o.rollbackSucceeded).toBe(true);
    expect(o.timeline!.some((e) => e.kind === 'page')).toBe(true);
  });

  it('answers a weekend page more slowly, and costs customers more for it', () => {
    const tue = run(ERRORS, TUESDAY_10);
    const sat = run(ERRORS, SATURDAY_10);
    expect(sat.restoredAt! - sat.pagedAt!).toBeCloseTo(30 + 2 * 4, 9);
    expect(sat.impact.failedRequests).toBeGreaterThan(tue.impact.failedRequests);
  });

  it('pages nobody when the scenario says so: the build hurts until the horizon', () => {
    const off = run(`${ERRORS}people: { pages: { enabled: false } }\n`, TUESDAY_10);
    const on = run(ERRORS, TUESDAY_10);
    expect(off.pagedAt).toBeUndefined();
    expect(off.restoredAt).toBeUndefined();
    expect(off.rollbackAttempted).toBe(false);
    // Restored within about half an hour instead of a day of +2 pp errors.
    expect(on.impact.failedRequests).toBeLessThan(off.impact.failedRequests / 20);
  });

  it('cannot restore a build whose migration cannot be undone', () => {
    const text = withBuilds(
      QUIET_SCENARIO,
      `builds: { badShare: 1, bad: [ { name: m, weight: 1, faults: [ { kind: error-rate, add: 0.02 }, { kind: rollback-breaker, mode: fail } ] } ] }`,
    );
    const o = run(text, TUESDAY_10);
    expect(o.pagedAt).toBeDefined();
    expect(o.rollbackAttempted).toBe(true);
    expect(o.rollbackSucceeded).toBe(false);
    expect(o.restoredAt).toBeUndefined();
  });

  it('leaves good builds and builds the pipeline stopped alone', () => {
    const good = run(QUIET_SCENARIO, TUESDAY_10);
    expect(good.pagedAt).toBeUndefined();
    const gated = run(
      ERRORS,
      TUESDAY_10,
      `
stages:
  - name: one
    target: { kind: hosts, region: main, count: 1 }
    bake: 10m
    checks: [ { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.01 }, interval: 1m } ]
  - name: all
    target: { kind: fleet, share: 1 }
`,
    );
    expect(gated.final).toBe('rolled-back');
    expect(gated.pagedAt).toBeUndefined();
  });
});
