/**
 * The answer a reviewer wants first: every policy against the budgets, scenario by scenario and
 * across the suite, and one verdict per policy saying where it meets them and where it misses.
 */
import {
  SHOWED_AFTER_CHECKS,
  type PairResult,
  type RateWithInterval,
  type ReportBudgets,
  type Summary,
} from '../eval/types.js';
import { wilsonInterval } from '../stats/index.js';
import { budgetStatus, budgetsOf, type BudgetStatus } from './budgets.js';
import { formatPercent } from './format.js';
import {
  descriptionOf,
  policyOrder,
  RATE_METRICS,
  rateLabel,
  resultsFor,
  scenarioOrder,
  type RateMetric,
} from './model.js';
import { paretoFront } from './svg/scatter.js';

/** A rate and how it stands against its budget. */
export interface JudgedRate {
  rate: RateWithInterval;
  status: BudgetStatus;
}

/** One policy on one scenario. */
export interface OverviewCell {
  policy: string;
  shippedBad: JudgedRate;
  blockedGood: JudgedRate;
  /**
   * Of each rate's count, the builds no gate of this policy could have judged otherwise:
   * shipped bad builds whose fault first showed after its last check stopped, and blocked good
   * builds that carried a fault under the impact bar (a real defect caught, not a false alarm).
   */
  beyondChecks: Record<RateMetric, number>;
}

/** One scenario across the policies (in the summary's order). */
export interface OverviewRow {
  scenario: string;
  description: string;
  badBuilds: number;
  goodBuilds: number;
  cells: OverviewCell[];
}

/** One policy over the whole suite: every scenario's bad (good) builds pooled. */
export interface SuitePoint {
  policy: string;
  description: string;
  shippedBad: JudgedRate;
  blockedGood: JudgedRate;
  /** No other policy is as low on both pooled rates and lower on one. */
  pareto: boolean;
  /** A policy on the front that beats this one on both, when it is off the front. */
  dominatedBy: string | undefined;
}

/** A rate whose whole interval is above its budget. */
export interface Miss {
  scenario: string;
  metric: RateMetric;
  rate: RateWithInterval;
  /** Of `rate.count`, the builds the cell's `beyondChecks` names. */
  beyondChecks: number;
}

/** Where a policy meets the budgets and where it misses them. */
export interface Verdict {
  policy: string;
  /** Scenarios with at least one rate to judge. */
  judged: number;
  /** Scenarios where every rate meets its budget. */
  meets: string[];
  /** Of those, the scenarios where no other policy meets both budgets. */
  onlyOne: string[];
  /** Rates over budget, the furthest over first. */
  misses: Miss[];
  /** Scenarios without a miss where an interval straddles a budget. */
  undecided: string[];
  suite: SuitePoint;
}

export interface Overview {
  budgets: ReportBudgets;
  rows: OverviewRow[];
  /** In the summary's policy order. */
  suite: SuitePoint[];
  /** Best first: most scenarios within budget, then fewest misses, then the summary's order. */
  verdicts: Verdict[];
}

function judge(rate: RateWithInterval, max: number): JudgedRate {
  return { rate, status: budgetStatus(rate, max) };
}

function pooled(results: readonly PairResult[], metric: RateMetric): RateWithInterval {
  const count = results.reduce((s, r) => s + r[metric].count, 0);
  const of = results.reduce((s, r) => s + r[metric].of, 0);
  // The pooled count is a sum of binomials with different rates; its variance is at most the
  // binomial one at the pooled rate, so the Wilson interval is, if anything, conservative.
  const { lo, hi } = of > 0 ? wilsonInterval(count, of) : { lo: 0, hi: 1 };
  return { count, of, rate: of > 0 ? count / of : 0, lo, hi };
}

/** Whether a scenario's cell meets both budgets (at least one rate judged, none short of meeting). */
function meetsBoth(c: OverviewCell): boolean {
  const s = [c.shippedBad.status, c.blockedGood.status].filter((x) => x !== 'none');
  return s.length > 0 && s.every((x) => x === 'meets');
}

function suitePoints(summary: Summary, budgets: ReportBudgets): SuitePoint[] {
  const policies = policyOrder(summary);
  const byPolicy = policies.map((p) => summary.results.filter((r) => r.policy === p));
  const rates = byPolicy.map((rs) => ({
    shippedBad: pooled(rs, 'shippedBad'),
    blockedGood: pooled(rs, 'blockedGood'),
  }));
  const xy = rates.map((r) => ({
    x: r.blockedGood.of > 0 ? r.blockedGood.rate : Number.NaN,
    y: r.shippedBad.of > 0 ? r.shippedBad.rate : Number.NaN,
  }));
  const front = paretoFront(xy);
  return policies.map((policy, i) => {
    const me = xy[i]!;
    const onFront = front.includes(i);
    const beater = onFront
      ? undefined
      : front.find((j) => {
          const o = xy[j]!;
          return o.x <= me.x && o.y <= me.y && (o.x < me.x || o.y < me.y);
        });
    return {
      policy,
      description: descriptionOf(summary, 'policy', policy),
      shippedBad: judge(rates[i]!.shippedBad, budgets.shippedBad),
      blockedGood: judge(rates[i]!.blockedGood, budgets.blockedGood),
      pareto: onFront,
      dominatedBy: beater === undefined ? undefined : policies[beater],
    };
  });
}

/** Builds the overview of a summary. */
export function buildOverview(summary: Summary): Overview {
  const budgets = budgetsOf(summary);
  const rows: OverviewRow[] = scenarioOrder(summary).map((scenario) => {
    const results = resultsFor(summary, scenario);
    return {
      scenario,
      description: descriptionOf(summary, 'scenario', scenario),
      badBuilds: results[0]?.badBuilds ?? 0,
      goodBuilds: results[0]?.goodBuilds ?? 0,
      cells: results.map((r) => ({
        policy: r.policy,
        shippedBad: judge(r.shippedBad, budgets.shippedBad),
        blockedGood: judge(r.blockedGood, budgets.blockedGood),
        beyondChecks: {
          shippedBad: r.shippedBadWhen[SHOWED_AFTER_CHECKS]?.count ?? 0,
          blockedGood: Object.values(r.blockedGoodWithFault ?? {}).reduce(
            (sum, t) => sum + t.count,
            0,
          ),
        },
      })),
    };
  });
  const suite = suitePoints(summary, budgets);
  const order = new Map(suite.map((s, i) => [s.policy, i]));
  const verdicts = suite.map((point): Verdict => {
    const mine = rows.flatMap((row) => {
      const cell = row.cells.find((c) => c.policy === point.policy);
      return cell === undefined ? [] : [{ row, cell }];
    });
    const judged = mine.filter(
      ({ cell }) => cell.shippedBad.status !== 'none' || cell.blockedGood.status !== 'none',
    );
    const meets = judged.filter(({ cell }) => meetsBoth(cell));
    const misses = judged
      .flatMap(({ row, cell }) =>
        RATE_METRICS.filter((m) => cell[m].status === 'misses').map((m): Miss => ({
          scenario: row.scenario,
          metric: m,
          rate: cell[m].rate,
          beyondChecks: cell.beyondChecks[m],
        })),
      )
      .map((m, i) => ({ m, i, over: m.rate.rate - budgets[m.metric] }))
      .sort((a, b) => b.over - a.over || a.i - b.i)
      .map(({ m }) => m);
    const missed = new Set(misses.map((m) => m.scenario));
    return {
      policy: point.policy,
      judged: judged.length,
      meets: meets.map(({ row }) => row.scenario),
      onlyOne: meets
        .filter(({ row }) => row.cells.filter(meetsBoth).length === 1)
        .map(({ row }) => row.scenario),
      misses,
      undecided: judged
        .filter(({ row, cell }) => !missed.has(row.scenario) && !meetsBoth(cell))
        .map(({ row }) => row.scenario),
      suite: point,
    };
  });
  verdicts.sort(
    (a, b) =>
      b.meets.length - a.meets.length ||
      new Set(a.misses.map((m) => m.scenario)).size -
        new Set(b.misses.map((m) => m.scenario)).size ||
      order.get(a.policy)! - order.get(b.policy)!,
  );
  return { budgets, rows, suite, verdicts };
}

/** At most `max` items, then "(+N more)". */
export function firstOf(items: readonly string[], max: number): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} (+${items.length - max} more)`;
}

/** Options of `verdictText`. */
export interface VerdictTextOptions {
  /** Escapes a name for the target format (Markdown); identity where the writer escapes. */
  name: (s: string) => string;
  /** How many misses (and only-one scenarios) to name before "+N more". */
  maxItems: number;
  /** Add the pooled suite rates and the Pareto position. */
  suite: boolean;
  /** Fewer words, for a narrow column: "meets both on 8/15". */
  short?: boolean;
}

/**
 * Why part of a miss was out of the gates' reach: " (35 of 57 first hurt after its checks ended)"
 * for shipped bad builds, " (22 of 28 had a fault under the bar)" for blocked good ones.
 */
function beyondChecksText(m: Miss): string {
  if (m.beyondChecks === 0) return '';
  const why =
    m.metric === 'shippedBad' ? 'first hurt after its checks ended' : 'had a fault under the bar';
  return ` (${m.beyondChecks} of ${m.rate.count} ${why})`;
}

/**
 * A verdict in words: "meets both budgets on 6 of 15 scenarios (the only policy that does on
 * crash-loop); misses on 8: blocked good 57.0% on concurrent-deploys, …; undecided on 1."
 */
export function verdictText(v: Verdict, o: VerdictTextOptions): string {
  const short = o.short === true;
  const parts = [
    (short
      ? `meets both on ${v.meets.length}/${v.judged}`
      : `meets both budgets on ${v.meets.length} of ${v.judged} scenarios`) +
      (v.onlyOne.length > 0
        ? ` (${short ? 'only one on' : 'the only policy that does on'} ${firstOf(v.onlyOne.map(o.name), o.maxItems)})`
        : ''),
  ];
  if (v.misses.length > 0) {
    const missed = new Set(v.misses.map((m) => m.scenario)).size;
    const items = v.misses.map(
      (m) =>
        `${rateLabel(m.metric)} ${formatPercent(m.rate.rate)} ${short ? '' : 'on '}${o.name(m.scenario)}` +
        (short ? '' : beyondChecksText(m)),
    );
    parts.push(`misses on ${missed}: ${firstOf(items, o.maxItems)}`);
  }
  if (v.undecided.length > 0) parts.push(`undecided on ${v.undecided.length}`);
  let text = `${parts.join('; ')}.`;
  if (o.suite) {
    const s = v.suite;
    const position = s.pareto
      ? 'on the Pareto front'
      : s.dominatedBy !== undefined
        ? `beaten on both by ${o.name(s.dominatedBy)}`
        : 'off the Pareto front';
    text +=
      ` Suite: shipped bad ${formatPercent(s.shippedBad.rate.rate)}, ` +
      `blocked good ${formatPercent(s.blockedGood.rate.rate)}, ${position}.`;
  }
  return text;
}
