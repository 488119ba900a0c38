import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../src/judges/types.js';
import { CheckRunCounter } from '../../../src/pipeline/check-run.js';

const argo = {
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  consecutiveSuccessLimit: 0,
  count: undefined as number | undefined,
  failedChecksThreshold: undefined as number | undefined,
};

function phases(check: Partial<typeof argo>, verdicts: Verdict[]): string[] {
  const c = new CheckRunCounter({ ...argo, ...check });
  return verdicts.map((v) => c.record(v));
}

describe('CheckRunCounter with Argo Rollouts semantics', () => {
  it('failureLimit 2 fails on the third failed measurement, not before', () => {
    expect(phases({ failureLimit: 2 }, ['fail', 'pass', 'fail', 'fail'])).toEqual([
      'running',
      'running',
      'running',
      'failed',
    ]);
  });

  it('failureLimit 0 fails on the first failure; −1 never fails', () => {
    expect(phases({}, ['fail'])).toEqual(['failed']);
    expect(phases({ failureLimit: -1, count: 3 }, ['fail', 'fail', 'fail'])).toEqual([
      'running',
      'running',
      'successful',
    ]);
  });

  it('count ends the run; errors do not count toward it', () => {
    expect(phases({ count: 2 }, ['pass', 'error', 'pass'])).toEqual([
      'running',
      'running',
      'successful',
    ]);
  });

  it('more consecutive errors than consecutiveErrorLimit (4) is an Error', () => {
    expect(phases({}, ['error', 'error', 'error', 'error', 'error'])).toEqual([
      'running',
      'running',
      'running',
      'running',
      'error',
    ]);
    expect(phases({}, ['error', 'error', 'error', 'error', 'pass', 'error'])).toEqual(
      Array(6).fill('running'),
    );
  });

  it('an inconclusive measurement beyond inconclusiveLimit makes the run inconclusive', () => {
    expect(phases({ inconclusiveLimit: 1 }, ['inconclusive', 'inconclusive'])).toEqual([
      'running',
      'inconclusive',
    ]);
  });

  it('inconclusiveLimit -1 disables the limit, as failureLimit -1 does (docs/formats.md)', () => {
    expect(phases({ inconclusiveLimit: -1 }, ['inconclusive', 'inconclusive', 'pass'])).toEqual([
      'running',
      'running',
      'running',
    ]);
    const c = new CheckRunCounter({ ...argo, inconclusiveLimit: -1, count: 2 });
    expect([c.record('inconclusive'), c.record('inconclusive')]).toEqual(['running', 'successful']);
  });

  it('consecutiveSuccessLimit ends the run early as successful', () => {
    expect(
      phases({ consecutiveSuccessLimit: 2, failureLimit: 1 }, ['pass', 'fail', 'pass', 'pass']),
    ).toEqual(['running', 'running', 'running', 'successful']);
  });

  it('a run stopped from outside is judged on what it saw', () => {
    const c = new CheckRunCounter({ ...argo, failureLimit: 1 });
    c.record('fail');
    expect(c.finish()).toBe('successful');
  });
});

describe('CheckRunCounter with Flagger semantics', () => {
  // The threshold is not a phase of the run: Flagger's controller tests the count at the start
  // of its next interval and rolls back then (scheduler.go, advanceCanary); see rollbackDue.
  it('failures accumulate toward the threshold and passes never reset them', () => {
    const c = new CheckRunCounter({ ...argo, failedChecksThreshold: 3 });
    const due = (['fail', 'pass', 'fail', 'pass', 'pass', 'fail'] as Verdict[]).map((v) => {
      expect(c.record(v)).toBe('running');
      return c.rollbackDue();
    });
    expect(due).toEqual([false, false, false, false, false, true]);
  });

  it('a failed check holds the traffic weight for an interval', () => {
    const c = new CheckRunCounter({ ...argo, failedChecksThreshold: 5 });
    c.record('fail');
    expect(c.holdsPromotion()).toBe(true);
    c.record('pass');
    expect(c.holdsPromotion()).toBe(false);
  });

  it('runs sharing a counter fail together, and an interval counts once however many metrics failed', () => {
    const shared = { failed: 0, lastAt: NaN };
    const a = new CheckRunCounter({ ...argo, failedChecksThreshold: 3 }, shared);
    const b = new CheckRunCounter({ ...argo, failedChecksThreshold: 3 }, shared);
    a.record('fail', 1);
    b.record('fail', 1);
    expect(shared.failed).toBe(1);
    a.record('fail', 2);
    expect(b.rollbackDue()).toBe(false);
    b.record('fail', 3);
    expect([a.rollbackDue(), b.rollbackDue()]).toEqual([true, true]);
  });

  it('iterations (count) advance on passing checks only, as Flagger’s blue/green and A/B', () => {
    expect(
      phases({ failedChecksThreshold: 5, count: 2 }, ['pass', 'fail', 'fail', 'pass']),
    ).toEqual(['running', 'running', 'running', 'successful']);
  });
});

// argoproj/argo-rollouts analysis/analysis.go, assessMetricStatus: when count is reached,
// failureLimit applicable and consecutiveSuccessLimit not reached → Inconclusive; only the
// success limit applicable (failureLimit −1) → Failed. Stopping a run early ignores the
// success limit (docs/features/analysis.md, "terminated prematurely").
describe('CheckRunCounter: count reached before consecutiveSuccessLimit (Argo)', () => {
  it('is Inconclusive with a failureLimit, Failed with failureLimit −1', () => {
    expect(
      phases({ count: 3, consecutiveSuccessLimit: 3, failureLimit: 1 }, ['pass', 'fail', 'pass']),
    ).toEqual(['running', 'running', 'inconclusive']);
    expect(
      phases({ count: 3, consecutiveSuccessLimit: 3, failureLimit: -1 }, ['pass', 'fail', 'pass']),
    ).toEqual(['running', 'running', 'failed']);
    expect(
      phases({ count: 3, consecutiveSuccessLimit: 2, failureLimit: 1 }, ['fail', 'pass', 'pass']),
    ).toEqual(['running', 'running', 'successful']);
  });

  it('a run stopped early is Successful though the success limit was not met', () => {
    const c = new CheckRunCounter({ ...argo, count: 5, consecutiveSuccessLimit: 3 });
    c.record('pass');
    expect(c.finish()).toBe('successful');
  });
});

describe('CheckRunCounter with a failure window (CloudWatch M of N datapoints)', () => {
  // 3 of 5: ALARM on the third breaching datapoint among the last five.
  const threeOfFive = { failureLimit: 2, failureWindow: 5 };

  it('fails when the window holds more than failureLimit failures', () => {
    expect(phases(threeOfFive, ['fail', 'pass', 'fail', 'pass', 'fail'])).toEqual([
      'running',
      'running',
      'running',
      'running',
      'failed',
    ]);
  });

  it('forgets failures that slid out: sparse breaches never alarm, where Argo would fail', () => {
    const sparse: Verdict[] = [];
    for (let i = 0; i < 30; i++) sparse.push(i % 3 === 0 ? 'fail' : 'pass');
    // Every window of five holds at most two of them.
    expect(phases(threeOfFive, sparse).every((p) => p === 'running')).toBe(true);
    // Counted over the whole run, the third one fails it.
    expect(phases({ failureLimit: 2 }, sparse).indexOf('failed')).toBe(6);
  });

  it('counts inconclusive measurements as datapoints and skips errors, as Argo does', () => {
    expect(
      phases({ ...threeOfFive, inconclusiveLimit: -1 }, [
        'fail',
        'fail',
        'inconclusive',
        'inconclusive',
        'inconclusive',
        'fail',
      ]).at(-1),
    ).toBe('running');
    expect(phases(threeOfFive, ['fail', 'fail', 'error', 'error', 'error', 'fail']).at(-1)).toBe(
      'failed',
    );
  });

  it('ends a stopped run Failed only if its window is over the limit then', () => {
    const c = new CheckRunCounter({ ...argo, ...threeOfFive });
    for (const v of ['fail', 'fail', 'pass', 'pass', 'pass', 'pass'] as Verdict[]) c.record(v);
    expect(c.finish()).toBe('successful');
  });
});
