/**
 * The baseline comparisons added for CI users: the shipped-bad non-inferiority margin on the
 * paired interval, the paired signed-rank comparisons of times and impact with an allowance,
 * the margin and allowance options, the "more trials" figure of a failed budget and the lines
 * saying why a check failed.
 */
import { describe, expect, it } from 'vitest';
import { compareOutcomes } from '../../../src/check/baseline.js';
import { judgeBudget } from '../../../src/check/budgets.js';
import type { PerTrial, PolicyRun } from '../../../src/check/collect.js';
import { NO_ALLOWANCE, parseAllowance, parseMargin } from '../../../src/check/options.js';
import { pairedDifferenceInterval } from '../../../src/check/paired-interval.js';
import { compareMetrics, type Allowances } from '../../../src/check/paired-metrics.js';
import { whyLines, renderCheckMarkdown } from '../../../src/check/render.js';
import { signedRank } from '../../../src/check/signed-rank.js';
import { renderMetricTable } from '../../../src/check/table.js';
import type { CheckResult } from '../../../src/check/types.js';
import type { PairResult, RateWithInterval } from '../../../src/eval/types.js';
import { wilsonInterval } from '../../../src/stats/index.js';

const none: Allowances = { ttd: NO_ALLOWANCE, leadTime: NO_ALLOWANCE, impact: NO_ALLOWANCE };

describe('the shipped-bad margin', () => {
  // 100 bad builds: the baseline shipped 10; the new policy ships 3 of those and 2 more.
  const baseline = 'S'.repeat(10) + 'C'.repeat(90);
  const current = 'SSS' + 'C'.repeat(7) + 'SS' + 'C'.repeat(88);

  it('judges on the upper end of the paired interval, which is Newcombe’s', () => {
    const [loose] = compareOutcomes('x', current, baseline, 0.05);
    const ci = pairedDifferenceInterval({ both: 3, onlyFirst: 2, onlySecond: 7, neither: 88 });
    expect(loose!.interval).toEqual({ lo: ci.lo, hi: ci.hi });
    expect(loose!.diff).toBeCloseTo(-0.05, 12);
    // 5 vs 10 shipped, −5 pp, but the upper end is +1.42 pp (computed independently in
    // Python from the method-10 formula: 0.0142357): within 5 pp and 1.5 pp, not within 1 pp.
    expect(ci.hi).toBeCloseTo(0.0142357, 6);
    expect(loose).toMatchObject({ margin: 0.05, verdict: 'same' });
    expect(compareOutcomes('x', current, baseline, 0.015)[0]!.verdict).toBe('same');
    expect(compareOutcomes('x', current, baseline, 0.01)[0]!.verdict).toBe('worse');
    // A margin of 0 asks for the new policy to be shown no worse at all: it is not.
    expect(compareOutcomes('x', current, baseline, 0)[0]!.verdict).toBe('worse');
  });

  it('a small rise that McNemar calls significant passes a margin it is within', () => {
    // 400 bad builds, 12 newly shipped, none newly caught: +3 pp, McNemar p ≈ 0.0005.
    const base = 'S'.repeat(40) + 'C'.repeat(360);
    const now = 'S'.repeat(52) + 'C'.repeat(348);
    expect(compareOutcomes('x', now, base)[0]!.verdict).toBe('worse');
    const [r] = compareOutcomes('x', now, base, 0.06);
    expect(r!.interval.hi).toBeLessThan(0.06);
    expect(r!.verdict).toBe('same');
    expect(compareOutcomes('x', now, base, 0.02)[0]!.verdict).toBe('worse');
  });

  it('a scenario without bad builds cannot fail a margin', () => {
    expect(compareOutcomes('x', 'PPPB', 'PPPP', 0)[0]).toMatchObject({ of: 0, verdict: 'same' });
  });
});

describe('parseMargin and parseAllowance', () => {
  it('reads 1pp, 1% and 0.01 as one percentage point', () => {
    expect(parseMargin('--margin', '1pp')).toBeCloseTo(0.01, 15);
    expect(parseMargin('--margin', '1%')).toBeCloseTo(0.01, 15);
    expect(parseMargin('--margin', '0.01')).toBe(0.01);
    expect(parseMargin('--margin', ' 2.5 pp ')).toBeCloseTo(0.025, 15);
    expect(parseMargin('--margin', '0')).toBe(0);
  });

  it('says what it expected', () => {
    expect(() => parseMargin('--margin', 'one')).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: --margin: expected a margin in percentage points such as 1pp, 1% or 0.01 (0 to 100 pp), got "one"]`,
    );
    expect(() => parseMargin('--margin', '-1pp')).toThrow('expected a margin');
    expect(() => parseMargin('--margin', '120pp')).toThrow('expected a margin');
    expect(() => parseMargin('--margin', '1.5')).toThrow('expected a margin');
  });

  it('reads shares and amounts', () => {
    expect(parseAllowance('--a', '10%', 'minutes')).toEqual({ kind: 'relative', share: 0.1 });
    expect(parseAllowance('--a', '5m', 'minutes')).toEqual({ kind: 'absolute', amount: 5 });
    expect(parseAllowance('--a', '1h', 'minutes')).toEqual({ kind: 'absolute', amount: 60 });
    expect(parseAllowance('--a', '12', 'minutes')).toEqual({ kind: 'absolute', amount: 12 });
    expect(parseAllowance('--a', '250', 'count')).toEqual({ kind: 'absolute', amount: 250 });
    expect(() =>
      parseAllowance('--allow-ttd-worse', 'soon', 'minutes'),
    ).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: --allow-ttd-worse: expected a share such as 10% or minutes such as 5m or 1h, got "soon"]`,
    );
    expect(() => parseAllowance('--allow-impact-worse', '5m', 'count')).toThrow(
      'expected a share such as 10% or a count such as 100',
    );
    expect(() => parseAllowance('--a', '-5%', 'count')).toThrow('expected a share');
  });
});

function perTrial(o: Partial<PerTrial> & { n: number }): PerTrial {
  return {
    ttd: o.ttd ?? new Array<number | null>(o.n).fill(null),
    leadTime: o.leadTime ?? new Array<number | null>(o.n).fill(null),
    failedRequests: o.failedRequests ?? new Array<number>(o.n).fill(0),
    lostCheckouts: o.lostCheckouts ?? new Array<number>(o.n).fill(0),
  };
}

describe('compareMetrics', () => {
  // 30 bad builds, all stopped by both; the new policy detects each 2 minutes later.
  const n = 30;
  const outcomes = 'C'.repeat(n);
  const base = Array.from({ length: n }, (_, i) => 10 + i);
  const later = base.map((v, i) => v + 2 + (i % 3) * 0.1);

  it('pairs trial by trial and calls a consistent worsening worse, with the signed-rank p', () => {
    const [ttd] = compareMetrics(
      's',
      outcomes,
      perTrial({ n, ttd: later }),
      { outcomes, ...perTrial({ n, ttd: base }) },
      none,
    );
    const expected = signedRank(later.map((v, i) => v - base[i]!));
    expect(ttd).toMatchObject({
      metric: 'ttd',
      pairs: n,
      verdict: 'worse',
      pValue: expected.pValue,
    });
    expect(ttd!.medianChange).toBeCloseTo(2.1, 12);
    expect(ttd!.baselineMedian).toBe(24.5);
  });

  it('an absolute allowance above the change, or a relative one, lets it pass', () => {
    const run = (a: Allowances) =>
      compareMetrics(
        's',
        outcomes,
        perTrial({ n, ttd: later }),
        { outcomes, ...perTrial({ n, ttd: base }) },
        a,
      )[0]!;
    expect(run({ ...none, ttd: { kind: 'absolute', amount: 3 } }).verdict).toBe('same');
    // 2 minutes on 10–39: under 25% of every value.
    expect(run({ ...none, ttd: { kind: 'relative', share: 0.25 } }).verdict).toBe('same');
    // 2% of 10–39 is at most 0.8 minutes: still worse beyond it.
    expect(run({ ...none, ttd: { kind: 'relative', share: 0.02 } }).verdict).toBe('worse');
    // Allowing more than the change, the plain differences are not called better either.
    expect(run({ ...none, ttd: { kind: 'absolute', amount: 10 } }).verdict).toBe('same');
  });

  it('a faster policy is better; trials without a value on both sides do not pair', () => {
    const faster = base.map((v) => v - 1);
    const withGaps = faster.map((v, i) => (i % 2 === 0 ? null : v));
    const [ttd] = compareMetrics(
      's',
      outcomes,
      perTrial({ n, ttd: withGaps }),
      { outcomes, ...perTrial({ n, ttd: base }) },
      none,
    );
    expect(ttd).toMatchObject({ pairs: 15, verdict: 'better' });
  });

  it('lead time pairs on good builds only; impact on bad builds only', () => {
    const mixed = 'CP'.repeat(10);
    const lead = Array.from({ length: 20 }, (_, i) => (i % 2 === 1 ? 60 : null));
    const failed = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 100 + i : 999));
    const rows = compareMetrics(
      's',
      mixed,
      perTrial({ n: 20, leadTime: lead, failedRequests: failed }),
      { outcomes: mixed, ...perTrial({ n: 20, leadTime: lead, failedRequests: failed }) },
      none,
    );
    expect(rows.map((r) => [r.metric, r.pairs, r.verdict])).toEqual([
      ['ttd', 0, 'n/a'],
      ['lead-time', 10, 'same'],
      ['failed-requests', 10, 'same'],
      ['lost-checkouts', 10, 'same'],
    ]);
    expect(rows[0]!.note).toBe('no bad build stopped by both');
  });

  it('a baseline saved without per-trial figures says so', () => {
    const [ttd] = compareMetrics('s', outcomes, perTrial({ n, ttd: later }), { outcomes }, none);
    expect(ttd).toMatchObject({
      verdict: 'n/a',
      note: 'the baseline file has no per-trial figures: save it again with this version',
    });
  });

  it('prints a table', () => {
    const rows = compareMetrics(
      's',
      outcomes,
      perTrial({ n, ttd: later }),
      { outcomes, ...perTrial({ n, ttd: base }) },
      { ...none, impact: { kind: 'relative', share: 0.1 } },
    );
    expect(renderMetricTable(rows)).toMatchInlineSnapshot(`
      "scenario  figure           pairs  baseline (median)  now (median)  mean change  pairs worse, better  allowed  p (signed-rank)  result
      s         time to detect   30     25 min             27 min        +2.1 min     30, 0                none     1.4e-6           WORSE
      s         lead time        0      –                  –             –                                 none                      n/a     no good build shipped by both
      s         failed requests  30     0                  0             ±0           0, 0                 +10%     1                same
      s         lost checkouts   30     0                  0             ±0           0, 0                 +10%     1                same
      "
    `);
  });
});

function rate(count: number, of: number): RateWithInterval {
  const { lo, hi } = wilsonInterval(count, of);
  return { count, of, rate: count / of, lo, hi };
}

function run(shipped: [number, number], blocked: [number, number], ttd: number[] = []): PolicyRun {
  return {
    scenario: 'crash-loop',
    policy: 'p',
    result: {
      trials: shipped[1] + blocked[1],
      badBuilds: shipped[1],
      goodBuilds: blocked[1],
      shippedBad: rate(...shipped),
      blockedGood: rate(...blocked),
    } as PairResult,
    outcomes: '',
    ttdMinutes: ttd,
    leadTimeMinutes: [],
    perTrial: perTrial({ n: 0 }),
  };
}

describe('more trials for a failed budget', () => {
  it('0 of 60 bad builds misses 5% on the bound (6.0%); 73 bad builds would do, 146 trials at half bad', () => {
    const row = judgeBudget(run([0, 60], [0, 60]), { kind: 'shipped-bad', max: 0.05 }, 'upper');
    expect(row.status).toBe('fail');
    expect(row.judged).toBeCloseTo(0.0602, 4);
    expect(row.moreTrials).toEqual({ kind: 'enough', count: 73, of: 'bad builds', trials: 146 });
  });

  it('no help when the estimate is over; none on the point estimate', () => {
    const over = judgeBudget(run([6, 60], [0, 60]), { kind: 'shipped-bad', max: 0.05 }, 'upper');
    expect(over.moreTrials).toEqual({ kind: 'no-help' });
    expect(
      judgeBudget(run([6, 60], [0, 60]), { kind: 'shipped-bad', max: 0.05 }, 'point').moreTrials,
    ).toBeUndefined();
  });

  it('a p90 with 13 values all within the budget needs 35', () => {
    const row = judgeBudget(
      run(
        [0, 20],
        [0, 20],
        Array.from({ length: 13 }, () => 5),
      ),
      { kind: 'ttd-p90', max: 30 },
      'upper',
    );
    expect(row.moreTrials).toEqual({
      kind: 'enough',
      count: 35,
      of: 'bad builds detected in production',
      trials: Math.ceil((35 * 40) / 13),
    });
  });
});

describe('why a check failed', () => {
  it('names the budget, the scenario, the figure and the bound; the regression and its interval', () => {
    const rows = [
      judgeBudget(run([0, 60], [0, 60]), { kind: 'shipped-bad', max: 0.05 }, 'upper'),
      judgeBudget(run([0, 60], [9, 60]), { kind: 'blocked-good', max: 0.1 }, 'upper'),
    ];
    const regressions = compareOutcomes(
      'crash-loop',
      'S'.repeat(20) + 'C'.repeat(80),
      'S'.repeat(10) + 'C'.repeat(90),
      0.01,
    );
    const r = {
      policy: 'p',
      seed: 1,
      trials: 120,
      bound: 'upper',
      rows,
      regressions,
      metrics: [],
      margin: 0.01,
      allowances: none,
      baselineName: 'main',
      passed: false,
      study: { runs: [[]] },
    } as unknown as CheckResult;
    expect(whyLines(r)).toMatchInlineSnapshot(`
      [
        "crash-loop: shipped-bad ≤ 5.0% missed: 0.0% (0.0–6.0%), 0 of 60; 95% upper bound 6.0% > 5.0%; bound meets it at ≈ 73 bad builds (146 trials) if the estimate holds",
        "crash-loop: blocked-good ≤ 10.0% missed: 15.0% (8.1–26.1%), 9 of 60; 95% upper bound 26.1% > 10.0%; the estimate itself misses the budget",
        "crash-loop: shipped-bad +10.0 pp (10.0% -> 20.0% of 100); 95% paired interval +3.9 to +17.0 pp: its upper end is above the margin +1.0 pp",
      ]
    `);
    const md = renderCheckMarkdown(r);
    expect(md).toMatch(/^## gatesim check p: FAIL\n/);
    expect(md).toContain('| scenario | budget |');
    expect(md).toContain('### Rates against the baseline');
  });
});
