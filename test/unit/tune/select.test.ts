/** The recommendation rule, the halving order and the three-way Pareto front. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantileWithInterval } from '../../../src/check/bounds.js';
import type { PairResult, RateWithInterval } from '../../../src/eval/types.js';
import { wilsonInterval } from '../../../src/stats/index.js';
import { parseParamSpec } from '../../../src/tune/params.js';
import {
  constrained,
  meets,
  meetsConstraint,
  objectives,
  paretoFront3,
  promiseOrder,
  recommend,
} from '../../../src/tune/select.js';
import type { TunedParam } from '../../../src/tune/template.js';
import type { CandidateResult, Constraint } from '../../../src/tune/types.js';

function rate(count: number, of: number): RateWithInterval {
  const { lo, hi } = of > 0 ? wilsonInterval(count, of) : { lo: 0, hi: 1 };
  return { count, of, rate: of > 0 ? count / of : 0, lo, hi };
}

/** A candidate with the figures that matter here; lead times are n copies of one value. */
function cand(
  id: number,
  shipped: [number, number],
  blocked: [number, number],
  lead = 60,
  value = id,
): CandidateResult {
  const good = blocked[1];
  const leads = Array.from({ length: good - blocked[0] }, () => lead);
  return {
    id,
    label: `c${id}`,
    values: [value],
    trials: 100,
    round: 0,
    pooled: {
      shippedBad: rate(...shipped),
      blockedGood: rate(...blocked),
      goodBuilds: good,
      badBuilds: shipped[1],
    } as PairResult,
    leadTimeP90: quantileWithInterval(leads, 0.9),
    perScenario: [],
    scenarioFigures: [],
    feasible: false,
    pareto: false,
  };
}

const PARAM: TunedParam = {
  ...parseParamSpec('a.max=0..10'),
  unit: 'number',
  integer: false,
  original: 5,
  style: 'number',
};
const BG5: Constraint = { kind: 'max-blocked-good', limit: 0.05 };

describe('recommend', () => {
  it('takes the lowest shipped-bad among settings meeting blocked-good ≤ 5% on the Wilson upper bound', () => {
    const cs = [
      cand(0, [10, 200], [20, 400]), // blocked 5% but upper bound 7.6%: out
      cand(1, [20, 200], [8, 400]), // blocked 2%, upper 3.9%: in
      cand(2, [30, 200], [2, 400]), // in, more shipped-bad
    ];
    expect(recommend(cs, BG5, 'upper', [PARAM])?.id).toBe(1);
    // On the point estimate the first one's 5.0% meets the limit.
    expect(recommend(cs, BG5, 'point', [PARAM])?.id).toBe(0);
    expect(recommend([cs[0]!], BG5, 'upper', [PARAM])).toBeUndefined();
  });

  it('under a shipped-bad limit minimises blocked-good instead', () => {
    const cs = [
      cand(0, [2, 200], [40, 400]),
      cand(1, [10, 200], [4, 400]),
      cand(2, [30, 200], [0, 400]),
    ];
    expect(recommend(cs, { kind: 'max-shipped-bad', limit: 0.1 }, 'upper', [PARAM])?.id).toBe(1);
  });

  it('under a lead-time limit judges the p90 on its upper bound', () => {
    const cs = [cand(0, [5, 200], [0, 400], 200), cand(1, [9, 200], [0, 400], 90)];
    const c: Constraint = { kind: 'max-lead-time-p90', limit: 120 };
    expect(meets(cs[0]!, c, 'upper')).toBe(false);
    expect(recommend(cs, c, 'upper', [PARAM])?.id).toBe(1);
  });

  it('breaks ties by the other rate, then lead time, then the smallest change to the file', () => {
    const tieOnShipped = [cand(0, [5, 100], [3, 400]), cand(1, [5, 100], [1, 400])];
    expect(recommend(tieOnShipped, BG5, 'upper', [PARAM])?.id).toBe(1);
    const tieOnBoth = [cand(0, [5, 100], [1, 400], 90), cand(1, [5, 100], [1, 400], 60)];
    expect(recommend(tieOnBoth, BG5, 'upper', [PARAM])?.id).toBe(1);
    // All equal: the setting nearest the file's value 5.
    const allEqual = [0, 3, 6, 9].map((v, i) => cand(i, [5, 100], [1, 400], 60, v));
    expect(recommend(allEqual, BG5, 'upper', [PARAM])?.values).toEqual([6]);
  });

  it('a rate with no builds of its kind neither breaks the constraint nor ranks', () => {
    const c = cand(0, [0, 0], [30, 100]);
    expect(meets(c, { kind: 'max-shipped-bad', limit: 0.01 }, 'upper')).toBe(true);
    expect(objectives(c).shippedBad).toBe(0);
  });
});

describe('promiseOrder (which settings survive a halving round)', () => {
  it('keeps settings whose constraint is still plausible first, by the optimised figure', () => {
    const cs = [
      cand(0, [5, 50], [10, 50]), // blocked 20%: lower bound 11% > 5%, implausible
      cand(1, [20, 50], [3, 50]), // plausible
      cand(2, [10, 50], [4, 50]), // plausible (lower bound 3.2%), fewer shipped
      cand(3, [1, 50], [30, 50]), // far out
    ];
    expect(promiseOrder(cs, BG5).map((c) => c.id)).toEqual([2, 1, 0, 3]);
  });
});

/** A candidate whose pooled figures are the sum of two scenarios' blocked-good counts. */
function twoScenarios(id: number, shipped: number, a: [number, number], b: [number, number]) {
  const c = cand(id, [shipped, 200], [a[0] + b[0], a[1] + b[1]]);
  const per = [a, b].map((x, i) => ({
    scenario: `s${i}`,
    shippedBad: rate(shipped / 2, 100),
    blockedGood: rate(...x),
    goodBuilds: x[1],
    badBuilds: 100,
  })) as unknown as PairResult[];
  c.perScenario = per;
  c.scenarioFigures = per.map((p) => {
    const view = { pooled: p, leadTimeP90: quantileWithInterval([60], 0.9) };
    return {
      scenario: p.scenario,
      shippedBad: p.shippedBad,
      blockedGood: p.blockedGood,
      leadTimeP90: view.leadTimeP90,
      constrained: constrained(view, BG5, 'upper'),
      meets: meets(view, BG5, 'upper'),
    };
  });
  return c;
}

describe('--per-scenario', () => {
  // 0: 1% blocked pooled (upper 2.5%), but 8 of 100 (upper 15%) on the second scenario.
  // 1: more shipped-bad, blocked-good low on both scenarios.
  const cs = [twoScenarios(0, 10, [0, 700], [8, 100]), twoScenarios(1, 30, [4, 400], [1, 400])];

  it('feasible only when every scenario meets the constraint', () => {
    expect(meetsConstraint(cs[0]!, BG5, 'upper', false)).toBe(true);
    expect(meetsConstraint(cs[0]!, BG5, 'upper', true)).toBe(false);
    expect(cs[0]!.scenarioFigures.map((f) => f.meets)).toEqual([true, false]);
    expect(meetsConstraint(cs[1]!, BG5, 'upper', true)).toBe(true);
    expect(recommend(cs, BG5, 'upper', [PARAM])?.id).toBe(0);
    expect(recommend(cs, BG5, 'upper', [PARAM], true)?.id).toBe(1);
  });

  it('halving keeps settings plausible on every scenario first', () => {
    // Setting 0's second scenario at 8 of 100 is still plausible (Wilson lower end 4.1%); at
    // 20 of 100 it is not (13.3%), though pooled, 20 of 800, it is.
    const off = twoScenarios(0, 10, [0, 700], [20, 100]);
    expect(promiseOrder([off, cs[1]!], BG5).map((c) => c.id)).toEqual([0, 1]);
    expect(promiseOrder([off, cs[1]!], BG5, true).map((c) => c.id)).toEqual([1, 0]);
  });
});

describe('paretoFront3', () => {
  it('keeps exactly the undominated points', () => {
    const pts = [
      { shippedBad: 0.1, blockedGood: 0.05, leadTimeP90: 60 },
      { shippedBad: 0.2, blockedGood: 0.01, leadTimeP90: 60 },
      { shippedBad: 0.2, blockedGood: 0.05, leadTimeP90: 60 }, // dominated by both
      { shippedBad: 0.3, blockedGood: 0.05, leadTimeP90: 30 }, // fastest
      { shippedBad: 0.1, blockedGood: 0.05, leadTimeP90: 60 }, // a tie with 0: both stay
    ];
    expect(paretoFront3(pts)).toEqual([0, 1, 3, 4]);
  });

  it('no front point is dominated, and every other point is dominated by one on the front', () => {
    const obj = fc.record({
      shippedBad: fc.integer({ min: 0, max: 5 }),
      blockedGood: fc.integer({ min: 0, max: 5 }),
      leadTimeP90: fc.integer({ min: 0, max: 5 }),
    });
    const dom = (
      a: { shippedBad: number; blockedGood: number; leadTimeP90: number },
      b: typeof a,
    ): boolean =>
      a.shippedBad <= b.shippedBad &&
      a.blockedGood <= b.blockedGood &&
      a.leadTimeP90 <= b.leadTimeP90 &&
      (a.shippedBad < b.shippedBad ||
        a.blockedGood < b.blockedGood ||
        a.leadTimeP90 < b.leadTimeP90);
    fc.assert(
      fc.property(fc.array(obj, { maxLength: 30 }), (pts) => {
        const front = new Set(paretoFront3(pts));
        pts.forEach((p, i) => {
          const dominated = pts.some((q) => dom(q, p));
          expect(front.has(i)).toBe(!dominated);
          if (dominated) expect([...front].some((j) => dom(pts[j]!, p))).toBe(true);
        });
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
