/**
 * Which check caught each bad build and which blocked each good one: tallies per pair with one
 * example trial each, folded exactly whatever the chunking (workers, shards, merge order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addOutcome,
  emptyPartial,
  finalizePair,
  mergePartial,
  type PairPartial,
} from '../../../src/eval/aggregate.js';
import type { FinalState, TrialOutcome } from '../../../src/pipeline/types.js';
import { makeTrial } from '../../fixtures/report/trials.js';

function outcome(
  trial: number,
  bad: boolean,
  final: FinalState,
  detectedBy: string | undefined,
): TrialOutcome {
  const base = makeTrial(trial);
  return {
    ...base,
    build: { ...base.build, bad },
    final,
    detectedBy,
    shippedAt: final === 'shipped' || final === 'rollback-failed' ? 90 : undefined,
  };
}

function fold(outcomes: readonly TrialOutcome[]): PairPartial {
  const p = emptyPartial();
  for (const o of outcomes) addOutcome(p, o);
  return p;
}

describe('caughtBy and blockedBy', () => {
  const outcomes = [
    outcome(7, true, 'rolled-back', 'errors'),
    outcome(3, true, 'rolled-back', 'errors'),
    outcome(4, true, 'blocked', 'ci'),
    // The check decided, but the rollback failed: still the check that caught it.
    outcome(9, true, 'rollback-failed', 'p99'),
    // Shipped unnoticed: no check to credit.
    outcome(5, true, 'shipped', undefined),
    outcome(11, false, 'rolled-back', 'p99'),
    outcome(2, false, 'rolled-back', 'p99'),
    outcome(8, false, 'stalled', undefined),
    outcome(6, false, 'shipped', undefined),
  ];
  const r = finalizePair('s', 'p', fold(outcomes));

  it('counts bad builds by the check that stopped them, with the lowest trial as the example', () => {
    expect(r.caughtBy).toEqual({
      errors: { count: 2, exampleTrial: 3 },
      ci: { count: 1, exampleTrial: 4 },
      p99: { count: 1, exampleTrial: 9 },
    });
    const caught = Object.values(r.caughtBy).reduce((s, t) => s + t.count, 0);
    expect(caught).toBe(r.badBuilds - 1);
  });

  it('counts every blocked good build, a stalled rollout under (stalled), and adds up to blockedGood', () => {
    expect(r.blockedBy).toEqual({
      p99: { count: 2, exampleTrial: 2 },
      '(stalled)': { count: 1, exampleTrial: 8 },
    });
    const blocked = Object.values(r.blockedBy).reduce((s, t) => s + t.count, 0);
    expect(blocked).toBe(r.blockedGood.count);
  });

  it('tallies apart the blocked good builds that carried a fault under the impact bar', () => {
    // Good builds of a bad template (their fault stays under the bar) and of the good one.
    const underBar = (trial: number, final: FinalState, by: string | undefined) => {
      const o = outcome(trial, false, final, by);
      return { ...o, build: { ...o.build, template: 'peak-errors' } };
    };
    const good = (trial: number, final: FinalState, by: string | undefined) => {
      const o = outcome(trial, false, final, by);
      return { ...o, build: { ...o.build, template: 'good' } };
    };
    const q = finalizePair(
      's',
      'p',
      fold([
        underBar(12, 'blocked', 'ci'),
        underBar(5, 'blocked', 'ci'),
        underBar(8, 'shipped', undefined),
        good(3, 'blocked', 'ci'),
        good(4, 'rolled-back', 'error-slo'),
      ]),
    );
    expect(q.blockedBy).toEqual({
      ci: { count: 3, exampleTrial: 3 },
      'error-slo': { count: 1, exampleTrial: 4 },
    });
    expect(q.blockedGoodWithFault).toEqual({ ci: { count: 2, exampleTrial: 5 } });
  });

  it('sorts shipped bad builds by whether their fault showed before the last check stopped', () => {
    const shipped = (trial: number, onsetAt: number | undefined, checksEndedAt: number) => ({
      ...outcome(trial, true, 'shipped', undefined),
      onsetAt,
      checksEndedAt,
    });
    const q = finalizePair(
      's',
      'p',
      fold([
        shipped(12, 300, 240), // a leak that showed an hour after a 4 h watch
        shipped(4, 30, 240), // showed during the rollout: a check could have seen it
        shipped(8, 240, 240), // at the watch's last moment: still checked
        shipped(2, undefined, 240), // never showed before the horizon
        outcome(1, true, 'rolled-back', 'errors'),
        outcome(3, false, 'shipped', undefined),
      ]),
    );
    expect(q.shippedBadWhen).toEqual({
      'after the last check': { count: 2, exampleTrial: 2 },
      'while checked': { count: 2, exampleTrial: 4 },
    });
    const total = Object.values(q.shippedBadWhen).reduce((n, t) => n + t.count, 0);
    expect(total).toBe(q.shippedBad.count);
  });

  it('takes check names that Object.prototype also has as plain keys', () => {
    const p = fold([
      outcome(1, true, 'rolled-back', 'constructor'),
      outcome(0, true, 'rolled-back', 'toString'),
      outcome(2, true, 'rolled-back', 'constructor'),
    ]);
    const into = emptyPartial();
    mergePartial(into, JSON.parse(JSON.stringify(p)) as PairPartial);
    const t = finalizePair('s', 'p', into).caughtBy;
    expect(t).toEqual({
      constructor: { count: 2, exampleTrial: 1 },
      toString: { count: 1, exampleTrial: 0 },
    });
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
  });

  it('folds to the same result for any chunking and merge order, also through JSON (shards)', () => {
    const checks = ['ci', 'errors', 'p99', 'constructor', undefined] as const;
    const finals: FinalState[] = [
      'blocked',
      'rolled-back',
      'shipped',
      'rollback-failed',
      'stalled',
    ];
    const arbOutcome = fc
      .record({
        bad: fc.boolean(),
        final: fc.constantFrom(...finals),
        check: fc.constantFrom(...checks),
      })
      .map((x): [boolean, FinalState, string | undefined] => [
        x.bad,
        x.final,
        x.final === 'shipped' ? undefined : x.check,
      ]);
    fc.assert(
      fc.property(
        fc.array(arbOutcome, { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(59), { maxLength: 6 }),
        fc.boolean(),
        (specs, cuts, reverse) => {
          const all = specs.map((s, i) => outcome(i, ...s));
          const whole = finalizePair('s', 'p', fold(all));
          const bounds = [...new Set([0, ...cuts.map((c) => c % all.length), all.length])].sort(
            (a, b) => a - b,
          );
          const chunks = bounds.slice(1).map((to, k) => fold(all.slice(bounds[k], to)));
          if (reverse) chunks.reverse();
          const merged = emptyPartial();
          for (const c of chunks)
            mergePartial(merged, JSON.parse(JSON.stringify(c)) as PairPartial);
          const r = finalizePair('s', 'p', merged);
          expect(r.caughtBy).toEqual(whole.caughtBy);
          expect(r.blockedBy).toEqual(whole.blockedBy);
        },
      ),
      { seed: 12, numRuns: 200 },
    );
  });
});
