/**
 * Budgets a policy must meet on every scenario, each judged on the upper bound of its 95%
 * interval by default, so a lucky sample does not pass: rates on the Wilson bound, p90s on
 * the order statistic that bounds them (see bounds.ts).
 */
import type { RateWithInterval } from '../eval/types.js';
import { formatMinutes, formatPercent } from '../report/format.js';
import {
  judgedQuantile,
  judgedRate,
  minValuesToBound,
  quantileWithInterval,
  type Bound,
  type QuantileWithInterval,
} from './bounds.js';
import type { PolicyRun } from './collect.js';
import { buildsForRate, valuesForQuantile } from './trials-needed.js';

/** A limit on one figure. Rates are shares in [0, 1]; times are minutes. */
export type Budget =
  | { kind: 'shipped-bad'; max: number }
  | { kind: 'blocked-good'; max: number }
  /** p90 of time to detect over the bad builds that were stopped. */
  | { kind: 'ttd-p90'; max: number }
  /** p90 of deploy start to 100% over the good builds that shipped. */
  | { kind: 'lead-time-p90'; max: number };

/** What was measured for a budget. */
export type Measured =
  { kind: 'rate'; rate: RateWithInterval } | { kind: 'quantile'; quantile: QuantileWithInterval };

export interface BudgetRow {
  scenario: string;
  budget: Budget;
  measured: Measured;
  /** The figure compared with the budget (upper bound or estimate); undefined when it does not apply. */
  judged: number | undefined;
  status: 'pass' | 'fail' | 'n/a';
  /** Why a row is n/a or fails without a number. */
  note: string | undefined;
  /** For a budget missed on the upper bound: whether more trials could bring it in, and how many. */
  moreTrials: MoreTrials | undefined;
}

/**
 * What more trials would do for a failed budget, if the figure stayed at its estimate:
 * `enough` gives the count of builds (or values) whose bound would meet the budget and the
 * trials per scenario that takes at this scenario's mix; `no-help` when the estimate itself
 * misses the budget.
 */
export type MoreTrials =
  { kind: 'enough'; count: number; of: string; trials: number } | { kind: 'no-help' };

/** `shipped-bad ≤ 2.0%`, `ttd p90 ≤ 30 min`. */
export function describeBudget(b: Budget): string {
  switch (b.kind) {
    case 'shipped-bad':
      return `shipped-bad ≤ ${formatPercent(b.max)}`;
    case 'blocked-good':
      return `blocked-good ≤ ${formatPercent(b.max)}`;
    case 'ttd-p90':
      return `ttd p90 ≤ ${formatMinutes(b.max)}`;
    case 'lead-time-p90':
      return `lead time p90 ≤ ${formatMinutes(b.max)}`;
    default: {
      const never: never = b;
      throw new Error(`unknown budget ${JSON.stringify(never)}`);
    }
  }
}

function rateRow(
  run: PolicyRun,
  budget: Budget,
  r: RateWithInterval,
  bound: Bound,
  none: string,
  what: string,
): BudgetRow {
  const judged = judgedRate(r, bound);
  if (judged === undefined)
    return {
      scenario: run.scenario,
      budget,
      measured: { kind: 'rate', rate: r },
      judged,
      status: 'n/a',
      note: none,
      moreTrials: undefined,
    };
  const status = judged <= budget.max ? 'pass' : 'fail';
  return {
    scenario: run.scenario,
    budget,
    measured: { kind: 'rate', rate: r },
    judged,
    status,
    note: undefined,
    moreTrials:
      status === 'fail' && bound === 'upper'
        ? rateMoreTrials(budget.max, r, run.result.trials, what)
        : undefined,
  };
}

function rateMoreTrials(max: number, r: RateWithInterval, trials: number, of: string): MoreTrials {
  const count = buildsForRate(max, r.rate);
  if (count === undefined) return { kind: 'no-help' };
  // Trials per scenario at this scenario's share of such builds.
  return { kind: 'enough', count, of, trials: Math.ceil((count * trials) / r.of) };
}

function quantileRow(
  run: PolicyRun,
  budget: Budget,
  values: readonly number[],
  population: number,
  bound: Bound,
  none: string,
  empty: string,
  what: string,
): BudgetRow {
  const q = quantileWithInterval(values, 0.9);
  const measured: Measured = { kind: 'quantile', quantile: q };
  if (population === 0)
    return {
      scenario: run.scenario,
      budget,
      measured,
      judged: undefined,
      status: 'n/a',
      note: none,
      moreTrials: undefined,
    };
  if (q.n === 0)
    return {
      scenario: run.scenario,
      budget,
      measured,
      judged: Infinity,
      status: 'fail',
      note: empty,
      moreTrials: undefined,
    };
  const judged = judgedQuantile(q, bound);
  const note =
    judged === Infinity
      ? `${q.n} values cannot bound a p90 at 95% (it takes ${minValuesToBound(0.9)})`
      : undefined;
  const status = judged <= budget.max ? 'pass' : 'fail';
  let moreTrials: MoreTrials | undefined;
  if (status === 'fail' && bound === 'upper') {
    const share = values.filter((v) => v <= budget.max).length / q.n;
    const count = valuesForQuantile(share, 0.9);
    moreTrials =
      count === undefined
        ? { kind: 'no-help' }
        : { kind: 'enough', count, of: what, trials: Math.ceil((count * run.result.trials) / q.n) };
  }
  return { scenario: run.scenario, budget, measured, judged, status, note, moreTrials };
}

/** Judges one budget on one scenario's run. Figures with nothing to count are n/a, not failures. */
export function judgeBudget(run: PolicyRun, budget: Budget, bound: Bound): BudgetRow {
  const r = run.result;
  switch (budget.kind) {
    case 'shipped-bad':
      return rateRow(run, budget, r.shippedBad, bound, 'no bad builds', 'bad builds');
    case 'blocked-good':
      return rateRow(run, budget, r.blockedGood, bound, 'no good builds', 'good builds');
    case 'ttd-p90':
      return quantileRow(
        run,
        budget,
        run.ttdMinutes,
        r.badBuilds,
        bound,
        'no bad builds',
        'no bad build was detected in production',
        'bad builds detected in production',
      );
    case 'lead-time-p90':
      return quantileRow(
        run,
        budget,
        run.leadTimeMinutes,
        r.goodBuilds,
        bound,
        'no good builds',
        'no good build shipped',
        'shipped good builds',
      );
    default: {
      const never: never = budget;
      throw new Error(`unknown budget ${JSON.stringify(never)}`);
    }
  }
}
