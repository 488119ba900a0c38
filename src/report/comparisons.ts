/**
 * The paired comparisons the report shows: every policy against one reference, and each step
 * along a scenario's Pareto front. All pairs stay in summary.json; these are the ones a reader
 * needs to judge a choice.
 */
import type { PairResult, Summary } from '../eval/types.js';
import { referenceOf } from './budgets.js';
import { pairedDiff, resultsFor, scenarioOrder, type PairedDiff } from './model.js';
import { paretoFront } from './svg/scatter.js';

/** One policy against the reference on one scenario; a metric is absent without such builds. */
export interface ReferenceCell {
  policy: string;
  shippedBad: PairedDiff | undefined;
  blockedGood: PairedDiff | undefined;
}

export interface ReferenceRow {
  scenario: string;
  badBuilds: number;
  goodBuilds: number;
  cells: ReferenceCell[];
}

/** The reference and, per scenario, every other policy's paired difference from it (policy − reference). */
export function referenceComparisons(summary: Summary): {
  reference: string | undefined;
  rows: ReferenceRow[];
} {
  const reference = referenceOf(summary);
  if (reference === undefined) return { reference, rows: [] };
  const rows = scenarioOrder(summary).map((scenario) => {
    const results = resultsFor(summary, scenario);
    const first = results[0];
    const bad = first?.badBuilds ?? 0;
    const good = first?.goodBuilds ?? 0;
    return {
      scenario,
      badBuilds: bad,
      goodBuilds: good,
      cells: results
        .filter((r) => r.policy !== reference)
        .map((r) => ({
          policy: r.policy,
          shippedBad:
            bad > 0 ? pairedDiff(summary, scenario, r.policy, reference, 'shippedBad') : undefined,
          blockedGood:
            good > 0
              ? pairedDiff(summary, scenario, r.policy, reference, 'blockedGood')
              : undefined,
        })),
    };
  });
  return { reference, rows };
}

/** Policies with the same two rates on a scenario, which the front treats as one point. */
export interface FrontPoint {
  policies: string[];
  result: PairResult;
}

/** One step along a scenario's Pareto front: from the policy blocking fewer good builds to the next. */
export interface NeighbourStep {
  scenario: string;
  from: FrontPoint;
  to: FrontPoint;
  /** to − from, paired over the same trials. */
  shippedBad: PairedDiff | undefined;
  blockedGood: PairedDiff | undefined;
}

/**
 * Steps between Pareto neighbours on every scenario with both bad and good builds: the front
 * ordered by blocked-good, policies with identical rates merged into one point. Each step says
 * what moving to a stricter policy buys in shipped-bad and costs in blocked-good.
 */
export function paretoNeighbours(summary: Summary): NeighbourStep[] {
  return scenarioOrder(summary).flatMap((scenario) => {
    const results = resultsFor(summary, scenario);
    const first = results[0];
    if (first === undefined || first.badBuilds === 0 || first.goodBuilds === 0) return [];
    const front = paretoFront(
      results.map((r) => ({ x: r.blockedGood.rate, y: r.shippedBad.rate })),
    ).map((i) => results[i]!);
    const points: FrontPoint[] = [];
    for (const r of front) {
      const last = points[points.length - 1];
      if (
        last !== undefined &&
        last.result.blockedGood.rate === r.blockedGood.rate &&
        last.result.shippedBad.rate === r.shippedBad.rate
      )
        last.policies.push(r.policy);
      else points.push({ policies: [r.policy], result: r });
    }
    return points.slice(1).map((to, k): NeighbourStep => {
      const from = points[k]!;
      const x = to.result.policy;
      const y = from.result.policy;
      return {
        scenario,
        from,
        to,
        shippedBad: pairedDiff(summary, scenario, x, y, 'shippedBad'),
        blockedGood: pairedDiff(summary, scenario, x, y, 'blockedGood'),
      };
    });
  });
}
