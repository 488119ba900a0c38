/** Budgets judged per scenario, option parsing, and the printed table. */
import { describe, expect, it } from 'vitest';
import { judgeBudget } from '../../../src/check/budgets.js';
import type { PolicyRun } from '../../../src/check/collect.js';
import { parseBound, parseMinutes, parseRate, parseWhole } from '../../../src/check/options.js';
import { renderCheckTable, renderRegressionTable } from '../../../src/check/table.js';
import type { PairResult, RateWithInterval } from '../../../src/eval/types.js';
import { wilsonInterval } from '../../../src/stats/index.js';

function rate(count: number, of: number): RateWithInterval {
  const { lo, hi } = of > 0 ? wilsonInterval(count, of) : { lo: 0, hi: 1 };
  return { count, of, rate: of > 0 ? count / of : 0, lo, hi };
}

function run(o: {
  shipped: [number, number];
  blocked: [number, number];
  ttd?: number[];
  lead?: number[];
}): PolicyRun {
  return {
    scenario: 's',
    policy: 'p',
    result: {
      trials: o.shipped[1] + o.blocked[1],
      shippedBad: rate(...o.shipped),
      blockedGood: rate(...o.blocked),
      badBuilds: o.shipped[1],
      goodBuilds: o.blocked[1],
    } as PairResult,
    outcomes: '',
    ttdMinutes: o.ttd ?? [],
    leadTimeMinutes: o.lead ?? [],
    perTrial: { ttd: [], leadTime: [], failedRequests: [], lostCheckouts: [] },
  };
}

describe('judgeBudget', () => {
  it('judges rates on the Wilson upper bound by default, on the estimate when asked', () => {
    const r = run({ shipped: [2, 100], blocked: [0, 100] });
    const upper = judgeBudget(r, { kind: 'shipped-bad', max: 0.05 }, 'upper');
    expect(upper.status).toBe('fail');
    expect(upper.judged).toBeCloseTo(wilsonInterval(2, 100).hi, 12);
    expect(judgeBudget(r, { kind: 'shipped-bad', max: 0.05 }, 'point').status).toBe('pass');
  });

  it('a figure with nothing to count is n/a, not a failure', () => {
    const r = run({ shipped: [0, 0], blocked: [0, 100] });
    expect(judgeBudget(r, { kind: 'shipped-bad', max: 0.01 }, 'upper')).toMatchObject({
      status: 'n/a',
      note: 'no bad builds',
    });
    expect(judgeBudget(r, { kind: 'ttd-p90', max: 30 }, 'upper')).toMatchObject({
      status: 'n/a',
      note: 'no bad builds',
    });
  });

  it('bad builds that were never stopped, or too few stops to bound a p90, fail a ttd budget', () => {
    expect(
      judgeBudget(
        run({ shipped: [10, 10], blocked: [0, 10] }),
        { kind: 'ttd-p90', max: 30 },
        'upper',
      ),
    ).toMatchObject({
      status: 'fail',
      note: 'no bad build was detected in production',
    });
    const few = run({
      shipped: [0, 20],
      blocked: [0, 10],
      ttd: Array.from({ length: 20 }, () => 5),
    });
    expect(judgeBudget(few, { kind: 'ttd-p90', max: 30 }, 'upper')).toMatchObject({
      status: 'fail',
      judged: Infinity,
      note: '20 values cannot bound a p90 at 95% (it takes 35)',
    });
    expect(judgeBudget(few, { kind: 'ttd-p90', max: 30 }, 'point').status).toBe('pass');
  });

  it('judges lead time over the good builds that shipped', () => {
    const lead = Array.from({ length: 100 }, (_, i) => 60 + i);
    const r = run({ shipped: [0, 0], blocked: [0, 100], lead });
    // p90 is the 90th value (149); its upper bound is the 96th (155).
    expect(judgeBudget(r, { kind: 'lead-time-p90', max: 155 }, 'upper').status).toBe('pass');
    expect(judgeBudget(r, { kind: 'lead-time-p90', max: 154 }, 'upper').status).toBe('fail');
    expect(judgeBudget(r, { kind: 'lead-time-p90', max: 149 }, 'point').status).toBe('pass');
  });
});

describe('options', () => {
  it('reads rates, minutes and bounds, and names the option when they are wrong', () => {
    expect(parseRate('--x', '0.02')).toBe(0.02);
    expect(parseRate('--x', '2.5%')).toBeCloseTo(0.025, 15);
    expect(parseMinutes('--y', '90')).toBe(90);
    expect(parseMinutes('--y', '1h30m')).toBe(90);
    expect(parseBound('--bound', 'point')).toBe('point');
    expect(() => parseRate('--max-shipped-bad', '150%')).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: --max-shipped-bad: expected a rate in [0, 1] such as 0.02 or 2%, got "150%"]`,
    );
    expect(() => parseMinutes('--max-ttd-p90', 'soon')).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: --max-ttd-p90: expected minutes or a duration such as 45m or 2h, got "soon"]`,
    );
    expect(() => parseBound('--bound', 'lower')).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: --bound: expected upper or point, got "lower"]`,
    );
    expect(() => parseWhole('--trials', '1e3', 1)).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: --trials: expected a whole number ≥ 1, got "1e3"]`,
    );
  });
});

describe('the printed tables', () => {
  it('one line per scenario and budget, with the interval, the judged figure and the result', () => {
    const r = run({
      shipped: [3, 100],
      blocked: [0, 0],
      ttd: Array.from({ length: 50 }, (_, i) => i + 1),
    });
    const rows = [
      judgeBudget(r, { kind: 'shipped-bad', max: 0.1 }, 'upper'),
      judgeBudget(r, { kind: 'blocked-good', max: 0.05 }, 'upper'),
      judgeBudget(r, { kind: 'ttd-p90', max: 30 }, 'upper'),
    ];
    expect(renderCheckTable(rows, 'upper')).toMatchInlineSnapshot(`
      "scenario  budget               measured (95% interval)    judged (95% upper)  result
      s         shipped-bad ≤ 10.0%  3.0% (1.0–8.5%) · 3/100    8.5%                PASS
      s         blocked-good ≤ 5.0%  –                                              n/a     no good builds
      s         ttd p90 ≤ 30 min     45 min (41–50 min) · n=50  50 min              FAIL    the estimate itself misses the budget
      "
    `);
    expect(
      renderRegressionTable([
        {
          scenario: 's',
          metric: 'shipped-bad',
          of: 12,
          baselineCount: 3,
          currentCount: 11,
          diff: 8 / 12,
          worseOnly: 9,
          betterOnly: 1,
          pValue: 22 / 1024,
          interval: { lo: 0.3, hi: 0.8 },
          margin: undefined,
          verdict: 'worse',
        },
        {
          scenario: 's',
          metric: 'blocked-good',
          of: 0,
          baselineCount: 0,
          currentCount: 0,
          diff: 0,
          worseOnly: 0,
          betterOnly: 0,
          pValue: 1,
          interval: { lo: -1, hi: 1 },
          margin: undefined,
          verdict: 'same',
        },
      ]),
    ).toMatchInlineSnapshot(`
      "scenario  metric       baseline  now    change (95% paired interval)  discordant trials  p (McNemar)  result
      s         shipped-bad  25.0%     91.7%  +66.7 pp (+30.0 to +80.0 pp)  9 worse, 1 better  0.0215       WORSE
      "
    `);
  });
});
