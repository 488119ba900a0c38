/**
 * A check's window reads what Prometheus returns for its range (docs/formats.md, "Scrapes and
 * query windows"): a rate needs two scrapes in (t − w, t] (promql/functions.go,
 * extrapolatedRate), an empty result is missing data and the check's onMissingData decides,
 * and where the scrapes fall is the scrape target's phase, never the second the deploy starts.
 */
import { describe, expect, it } from 'vitest';
import { runTrial } from '../../../src/pipeline/executor.js';
import type { TrialOutcome } from '../../../src/pipeline/types.js';
import { atLocal } from '../../../src/world/calendar.js';
import { policy, QUIET_SCENARIO, scenario, withBuilds } from '../../helpers/configs.js';

const GOOD = withBuilds(QUIET_SCENARIO, 'builds: { badShare: 0, bad: [] }');

/** One canary stage with one error-rate check of the given window; no data fails it. */
function canary(window: string, onMissingData = 'fail', count = 3): string {
  return `
stages:
  - name: canary
    target: { kind: fleet, share: 0.2 }
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.05 }, interval: 1m, window: ${window}, count: ${count}, onMissingData: ${onMissingData} }
  - { name: all, target: { kind: fleet, share: 1 } }
`;
}

function outcomes(
  scenarioText: string,
  policyText: string,
  trials: number,
  startAt?: number,
): TrialOutcome[] {
  const s = scenario(scenarioText);
  const p = policy(policyText);
  return Array.from(
    { length: trials },
    (_, trial) =>
      runTrial({
        scenario: s,
        policy: p,
        seed: 7,
        trial,
        timeline: true,
        ...(startAt === undefined ? {} : { startAt }),
      }).outcome,
  );
}

function measurements(o: TrialOutcome) {
  return o.timeline!.filter((e) => e.kind === 'measurement');
}

describe('query windows against the scrape grid', () => {
  it('outcomes do not depend on the second the deploy starts (a 45s window at 30s scrapes)', () => {
    // Tuesday 10:00:10 and 10:00:40 UTC: the first and the second half of the same minute.
    const tuesday10 = atLocal(1, 10, 0);
    const early = outcomes(GOOD, canary('45s'), 80, tuesday10 + 10 / 60);
    const late = outcomes(GOOD, canary('45s'), 80, tuesday10 + 40 / 60);
    const shipped = (os: TrialOutcome[]) => os.map((o) => o.final === 'shipped');
    // The scrape phase is the trial's own draw, so each trial decides alike at either start…
    expect(shipped(late)).toEqual(shipped(early));
    // …and a 45s window holds two 30s scrapes at half the phases: about half the trials ship.
    const share = shipped(early).filter(Boolean).length / early.length;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.7);
  });

  it('a 45s window at 30s scrapes reads nothing at (2·30 − 45)/30 = 50% of measurements', () => {
    const os = outcomes(GOOD, canary('45s', 'pass', 1), 300);
    const ms = os.flatMap(measurements);
    expect(ms.length).toBe(300);
    const empty = ms.filter((m) => m.message.includes('no data')).length / ms.length;
    // Binomial(300, 0.5): sd 0.029; ±4 sd.
    expect(Math.abs(empty - 0.5)).toBeLessThan(0.12);
  });

  it('a 1m window at 30s scrapes always holds two scrapes and reads data', () => {
    for (const o of outcomes(GOOD, canary('1m'), 20)) {
      expect(o.final).toBe('shipped');
      for (const m of measurements(o)) {
        expect(m.verdict).toBe('pass');
        expect(m.message).not.toContain('no data');
      }
    }
  });

  it('a 30s window at 1m scrapes holds at most one: empty, so onMissingData decides', () => {
    const oneMinute = `${GOOD}scrapeInterval: 1m\n`;
    for (const o of outcomes(oneMinute, canary('30s', 'fail'), 10)) {
      expect(o.final).toBe('rolled-back');
      const first = measurements(o)[0]!;
      expect(first.verdict).toBe('fail');
      expect(first.message).toMatch(
        /^no data for the new hosts: the 30s window holds (no|one) scrapes? \(one every 1m\); a rate needs two \(onMissingData: fail\)$/,
      );
    }
    // The same window with onMissingData: pass lets every build through, as that setting says.
    for (const o of outcomes(oneMinute, canary('30s', 'pass'), 10)) expect(o.final).toBe('shipped');
  });

  it('a gauge needs one scrape: a 30s window on memory reads data at 30s scrapes', () => {
    const p = `
stages:
  - name: canary
    target: { kind: fleet, share: 0.2 }
    checks:
      - { name: mem, metric: memory, judge: { kind: threshold, max: 100000 }, interval: 1m, window: 30s, count: 3, onMissingData: fail }
  - { name: all, target: { kind: fleet, share: 1 } }
`;
    for (const o of outcomes(GOOD, p, 10)) {
      expect(o.final).toBe('shipped');
      for (const m of measurements(o)) expect(m.message).not.toContain('no data');
    }
  });
});
