/**
 * The overview: rates judged against budgets on their intervals, the suite pooled, one verdict
 * per policy. Pooled Wilson intervals were computed with the textbook formula in Python
 * (z = 1.959963984540054), not with gatesim's code: for k of n,
 *   c = (p + z²/2n) / (1 + z²/n),  h = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n),  [c − h, c + h].
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../src/eval/types.js';
import {
  budgetStatus,
  budgetsOf,
  buildOverview,
  DEFAULT_BUDGETS,
  verdictText,
} from '../../../src/report/index.js';
import { makeSummary } from '../../fixtures/report/summary.js';

const rate = (lo: number, hi: number, of = 100) => ({ count: 5, of, rate: (lo + hi) / 2, lo, hi });

describe('budgetStatus', () => {
  it('meets when the whole interval is at or below the budget, misses when all of it is above', () => {
    expect(budgetStatus(rate(0.01, 0.05), 0.05)).toBe('meets');
    expect(budgetStatus(rate(0.01, 0.0501), 0.05)).toBe('undecided');
    expect(budgetStatus(rate(0.05, 0.09), 0.05)).toBe('undecided');
    expect(budgetStatus(rate(0.0501, 0.09), 0.05)).toBe('misses');
    expect(budgetStatus(rate(0, 1, 0), 0.05)).toBe('none');
  });

  it('defaults to 5% and 5% for a summary written without budgets', () => {
    const s: Summary = makeSummary();
    delete s.budgets;
    expect(budgetsOf(s)).toEqual({ shippedBad: 0.05, blockedGood: 0.05 });
    expect(DEFAULT_BUDGETS).toEqual({ shippedBad: 0.05, blockedGood: 0.05 });
  });
});

describe('buildOverview', () => {
  const o = buildOverview(makeSummary());

  it('judges every cell against the summary budgets', () => {
    const leak = o.rows[0]!;
    expect(leak.scenario).toBe('leak-under-load');
    expect(leak.description).toBe('A memory leak that shows only under load.');
    expect([leak.badBuilds, leak.goodBuilds]).toEqual([300, 700]);
    // truthful: 3.0% (1.6–5.6%) straddles 5%; fixed-bake 12.0% (8.8–16.2%) is over.
    expect(leak.cells.map((c) => c.shippedBad.status)).toEqual(['undecided', 'misses', 'misses']);
    expect(leak.cells.map((c) => c.blockedGood.status)).toEqual(['meets', 'meets', 'meets']);
    const loose = buildOverview({
      ...makeSummary(),
      budgets: { shippedBad: 0.3, blockedGood: 0.05 },
    });
    expect(loose.rows[0]!.cells.map((c) => c.shippedBad.status)).toEqual([
      'meets',
      'meets',
      'undecided',
    ]);
  });

  it('pools each policy over the suite with a Wilson interval', () => {
    const [truthful, fixedBake, oneBox] = o.suite;
    expect(truthful!.shippedBad.rate).toMatchObject({ count: 33, of: 600 });
    expect(truthful!.shippedBad.rate.lo).toBeCloseTo(0.03942813848636002, 12);
    expect(truthful!.shippedBad.rate.hi).toBeCloseTo(0.07623377541583362, 12);
    expect(truthful!.blockedGood.rate).toMatchObject({ count: 41, of: 1400 });
    expect(truthful!.blockedGood.rate.lo).toBeCloseTo(0.021660334427510194, 12);
    expect(truthful!.blockedGood.rate.hi).toBeCloseTo(0.03948721060425271, 12);
    expect(fixedBake!.shippedBad.rate.lo).toBeCloseTo(0.486673282698568, 12);
    expect(fixedBake!.blockedGood.rate.hi).toBeCloseTo(0.015822388412420608, 12);
    expect(oneBox!.shippedBad.rate.hi).toBeCloseTo(0.6725497740971527, 12);
    expect(oneBox!.blockedGood.rate.lo).toBeCloseTo(0.0011116308361708961, 12);
    // Each trades one rate for the other: all three are on the front.
    expect(o.suite.map((s) => s.pareto)).toEqual([true, true, true]);
  });

  it('names the policy that beats a dominated one on both', () => {
    const s = makeSummary();
    for (const r of s.results.filter((x) => x.policy === 'one-box-10m'))
      r.blockedGood = { ...r.blockedGood, count: 70, rate: 0.1 };
    const dominated = buildOverview(s).suite[2]!;
    expect(dominated.pareto).toBe(false);
    // The first beater along the front, by blocked-good.
    expect(dominated.dominatedBy).toBe('fixed-bake');
  });

  it('orders verdicts by scenarios within budget, then by fewest misses', () => {
    expect(o.verdicts.map((v) => v.policy)).toEqual(['truthful', 'fixed-bake', 'one-box-10m']);
    const [truthful, fixedBake] = o.verdicts;
    expect(truthful!.meets).toEqual([]);
    expect(truthful!.undecided).toEqual(['leak-under-load']);
    expect(truthful!.misses.map((m) => [m.scenario, m.metric])).toEqual([
      ['conversion-drop', 'shippedBad'],
    ]);
    // The furthest over budget first.
    expect(fixedBake!.misses.map((m) => m.scenario)).toEqual([
      'conversion-drop',
      'leak-under-load',
    ]);
  });

  it('says where a policy is the only one within budget', () => {
    const s = makeSummary();
    s.budgets = { shippedBad: 0.12, blockedGood: 0.05 };
    const v = buildOverview(s).verdicts[0]!;
    expect(v.policy).toBe('truthful');
    expect(v.meets).toEqual(['leak-under-load', 'conversion-drop']);
    expect(v.onlyOne).toEqual(['leak-under-load', 'conversion-drop']);
    expect(verdictText(v, { name: (x) => x, maxItems: 1, suite: true })).toBe(
      'meets both budgets on 2 of 2 scenarios (the only policy that does on leak-under-load (+1 more)). ' +
        'Suite: shipped bad 5.5%, blocked good 2.9%, on the Pareto front.',
    );
    expect(
      verdictText(buildOverview(s).verdicts[2]!, {
        name: (x) => x,
        maxItems: 1,
        suite: false,
        short: true,
      }),
    ).toBe('meets both on 0/2; misses on 2: shipped bad 100.0% conversion-drop (+1 more).');
  });
});

describe('verdictText on a miss the gates could not have judged otherwise', () => {
  it('says how many shipped bad builds first hurt after the checks ended', () => {
    const truthful = buildOverview(makeSummary()).verdicts[0]!;
    expect(truthful.misses[0]).toMatchObject({ scenario: 'conversion-drop', beyondChecks: 16 });
    expect(verdictText(truthful, { name: (x) => x, maxItems: 2, suite: false })).toBe(
      'meets both budgets on 0 of 2 scenarios; misses on 1: shipped bad 8.0% on conversion-drop ' +
        '(16 of 24 first hurt after its checks ended); undecided on 1.',
    );
  });

  it('says how many blocked good builds carried a fault under the bar, and nothing when none did', () => {
    const s = makeSummary();
    s.budgets = { shippedBad: 0.2, blockedGood: 0.001 };
    const conv = s.results.find(
      (r) => r.scenario === 'conversion-drop' && r.policy === 'truthful',
    )!;
    conv.blockedGoodWithFault = { business: { count: 5, exampleTrial: 7 } };
    const truthful = buildOverview(s).verdicts.find((v) => v.policy === 'truthful')!;
    const text = verdictText(truthful, { name: (x) => x, maxItems: 2, suite: false });
    expect(text).toContain(
      'blocked good 2.9% on conversion-drop (5 of 20 had a fault under the bar)',
    );
    // leak-under-load's blocks carried no fault: no parenthesis.
    expect(text).toMatch(/blocked good [\d.]+% on leak-under-load[;,.]/);
    // The short form (the HTML's narrow column) leaves the reason out.
    expect(
      verdictText(truthful, { name: (x) => x, maxItems: 2, suite: false, short: true }),
    ).not.toContain('fault under the bar');
  });
});
