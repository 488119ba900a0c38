/** Lookups over a Summary shared by the Markdown and HTML reports. */
import type { Comparison, PairResult, Summary } from '../eval/types.js';
import { colorAt } from './svg/theme.js';

/** The results of one scenario in the summary's policy order. */
export function resultsFor(summary: Summary, scenario: string): PairResult[] {
  const order = new Map(summary.policies.map((p, i) => [p, i]));
  return (
    summary.results
      .filter((r) => r.scenario === scenario)
      // Policies missing from the list go last; sort is stable, so they keep their input order.
      .sort(
        (a, b) =>
          (order.get(a.policy) ?? summary.policies.length) -
          (order.get(b.policy) ?? summary.policies.length),
      )
  );
}

/** Scenarios in the summary's order, plus any that only appear in results. */
export function scenarioOrder(summary: Summary): string[] {
  const seen = new Set(summary.scenarios);
  const extra = summary.results.map((r) => r.scenario).filter((s) => !seen.has(s) && seen.add(s));
  return [...summary.scenarios, ...extra];
}

/** A policy's colour, fixed by its position in the summary so every chart agrees. */
export function policyColor(summary: Summary, policy: string): string {
  const i = summary.policies.indexOf(policy);
  return colorAt(i >= 0 ? i : summary.policies.length);
}

/** The significance level below which paired comparisons are reported as sentences. */
export const SIGNIFICANCE = 0.05;

/** Comparisons of a scenario with p < 0.05, most significant first (ties keep input order). */
export function significantComparisons(summary: Summary, scenario: string): Comparison[] {
  return summary.comparisons
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.scenario === scenario && c.pValue < SIGNIFICANCE)
    .sort((a, b) => a.c.pValue - b.c.pValue || a.i - b.i)
    .map(({ c }) => c);
}

/**
 * The plain-words claim a comparison supports: "A ships fewer bad builds than B". The
 * names are returned separately so each report can escape and emphasise them its own way.
 */
export function comparisonClaim(c: Comparison): { a: string; verb: string; b: string } {
  const direction = c.diff < 0 ? 'fewer' : c.diff > 0 ? 'more' : 'as many';
  const tail = c.diff === 0 ? ' as' : ' than';
  switch (c.metric) {
    case 'shippedBad':
      return { a: c.a, verb: `ships ${direction} bad builds${tail}`, b: c.b };
    case 'blockedGood':
      return { a: c.a, verb: `blocks ${direction} good builds${tail}`, b: c.b };
    default: {
      const never: never = c.metric;
      throw new Error(`unknown comparison metric ${String(never)}`);
    }
  }
}
