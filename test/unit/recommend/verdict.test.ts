import { describe, expect, it } from 'vitest';
import type { RateWithInterval } from '../../../src/eval/types.js';
import { verdictSentence } from '../../../src/recommend/sentences.js';
import type { PooledFigures, PooledPaired, Verification } from '../../../src/recommend/verify.js';
import { mcnemar } from '../../../src/stats/index.js';

function rate(count: number, of: number): RateWithInterval {
  return { count, rate: count / of, lo: 0, hi: 1, of };
}

function pooled(policy: string, shipped: number, blocked: number): PooledFigures {
  return {
    policy,
    shippedBad: rate(shipped, 1000),
    blockedGood: rate(blocked, 1000),
    leadTimeP90: { value: 60 } as PooledFigures['leadTimeP90'],
  };
}

function paired(worseOnly: number, betterOnly: number): PooledPaired {
  return { worseOnly, betterOnly, pValue: mcnemar(worseOnly, betterOnly).pValue };
}

function verification(over: Partial<Verification>): Verification {
  return {
    seed: 2,
    trials: 200,
    policies: ['recommended', 'green-ci-only'],
    pooled: [pooled('recommended', 37, 7), pooled('green-ci-only', 752, 4)],
    versus: [
      {
        policy: 'green-ci-only',
        dominates: false,
        paired: { shippedBad: paired(0, 715), blockedGood: paired(3, 0) },
        regressions: [],
        worseOn: [],
        betterOn: [],
      },
    ],
    budgets: [],
    passed: false,
    study: undefined as unknown as Verification['study'],
    ...over,
  };
}

describe('the fresh comparison verdict', () => {
  it('a FAIL names each policy not dominated with both pooled figures, and whether the shortfall is beyond chance', () => {
    expect(verdictSentence(verification({}))).toBe(
      'FAIL: does not dominate green-ci-only (shipped-bad 3.7% vs 75.2%, blocked-good 0.7% vs 0.4%; blocked-good trial by trial: 3 only it, 0 only green-ci-only, McNemar p 0.25)',
    );
  });

  it('a FAIL names regressions and missed budgets too', () => {
    const v = verification({
      versus: [
        {
          policy: 'truthful',
          dominates: true,
          paired: { shippedBad: paired(0, 0), blockedGood: paired(0, 0) },
          regressions: [],
          worseOn: ['conversion-drop (shipped-bad)'],
          betterOn: [],
        },
      ],
      budgets: [{ status: 'fail' }, { status: 'pass' }] as Verification['budgets'],
    });
    expect(verdictSentence(v)).toBe(
      'FAIL: significantly worse than truthful on conversion-drop (shipped-bad); misses 1 budget',
    );
  });

  it('a PASS says what it met', () => {
    expect(verdictSentence(verification({ passed: true }))).toMatch(/^PASS: dominates every/);
  });
});
