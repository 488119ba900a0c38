/** Lookups over a Summary shared by the Markdown and HTML reports. */
import type { Comparison, PairResult, RateWithInterval, Summary } from '../eval/types.js';
import { colorAt } from './svg/theme.js';

/** The two rates every policy is judged on, by their key in PairResult and Comparison. */
export type RateMetric = Comparison['metric'];

/** Both rate metrics, shipped-bad first (the order of every table). */
export const RATE_METRICS: readonly RateMetric[] = ['shippedBad', 'blockedGood'];

/** What a rate metric counts, for headings and sentences. */
export function rateLabel(metric: RateMetric): string {
  switch (metric) {
    case 'shippedBad':
      return 'shipped bad';
    case 'blockedGood':
      return 'blocked good';
    default: {
      const never: never = metric;
      throw new Error(`unknown rate metric ${String(never)}`);
    }
  }
}

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

/** Policies in the summary's order, plus any that only appear in results. */
export function policyOrder(summary: Summary): string[] {
  const seen = new Set(summary.policies);
  const extra = summary.results.map((r) => r.policy).filter((p) => !seen.has(p) && seen.add(p));
  return [...summary.policies, ...extra];
}

/** A policy's colour, fixed by its position in the summary so every chart agrees. */
export function policyColor(summary: Summary, policy: string): string {
  const i = summary.policies.indexOf(policy);
  return colorAt(i >= 0 ? i : summary.policies.length);
}

/** A scenario's or policy's `description:` ('' when it has none or the summary carries none). */
export function descriptionOf(summary: Summary, kind: 'scenario' | 'policy', name: string): string {
  const d = kind === 'scenario' ? summary.descriptions?.scenarios : summary.descriptions?.policies;
  return d !== undefined && Object.hasOwn(d, name) ? (d[name] ?? '') : '';
}

/** The significance level below which a paired difference is called a difference. */
export const SIGNIFICANCE = 0.05;

/** A paired difference oriented as x − y. */
export interface PairedDiff {
  metric: RateMetric;
  /** rate(x) − rate(y) over the same trials. */
  diff: number;
  /** Trials where only x shipped (or blocked) the build, and where only y did. */
  xOnly: number;
  yOnly: number;
  pValue: number;
}

/** The paired comparison of x with y on one metric, whichever order the summary holds it in. */
export function pairedDiff(
  summary: Summary,
  scenario: string,
  x: string,
  y: string,
  metric: RateMetric,
): PairedDiff | undefined {
  for (const c of summary.comparisons) {
    if (c.scenario !== scenario || c.metric !== metric) continue;
    if (c.a === x && c.b === y)
      return { metric, diff: c.diff, xOnly: c.aOnly, yOnly: c.bOnly, pValue: c.pValue };
    if (c.a === y && c.b === x)
      return { metric, diff: -c.diff, xOnly: c.bOnly, yOnly: c.aOnly, pValue: c.pValue };
  }
  return undefined;
}

/** A rate of a result by metric. */
export function rateOf(r: PairResult, metric: RateMetric): RateWithInterval {
  return r[metric];
}

/**
 * Quotes a name for a POSIX shell when it needs it, so a command shown in the report can be
 * pasted as it is: `big-fleet.yaml` stays, `a b.yaml` becomes `'a b.yaml'`.
 */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._/=+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that replays one trial of a pair. The report knows names, not paths, so the files
 * are named as the built-in suite lays them out (`scenarios/<name>.yaml`, `policies/<name>.yaml`).
 */
export function explainCommand(
  summary: Summary,
  scenario: string,
  policy: string,
  trial: number,
): string {
  return (
    `gatesim explain --scenario ${shellWord(`scenarios/${scenario}.yaml`)} ` +
    `--policy ${shellWord(`policies/${policy}.yaml`)} --seed ${summary.seed} --trial ${trial}`
  );
}
