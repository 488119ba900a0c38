/**
 * `gatesim check`: does a policy meet its budgets on every scenario, and is it no worse than
 * a baseline? The library side: run, judge, compare; the CLI prints and sets the exit code.
 */
import { GatesimError } from '../errors.js';
import type { PolicyConfig } from '../policy/types.js';
import { compareOutcomes, makeBaseline, type Regression } from './baseline.js';
import { judgeBudget, type BudgetRow } from './budgets.js';
import { collectStudy } from './collect.js';
import { NO_ALLOWANCE } from './options.js';
import { compareMetrics, type Allowances, type MetricComparison } from './paired-metrics.js';
import type { CheckOptions, CheckResult } from './types.js';

export type { Budget, BudgetRow, Measured, MoreTrials } from './budgets.js';
export type { Allowances, MetricComparison, PairedMetric } from './paired-metrics.js';
export { compareMetrics } from './paired-metrics.js';
export { pairedDifferenceInterval, type PairedTable } from './paired-interval.js';
export { signedRank, type SignedRankResult } from './signed-rank.js';
export { buildsForRate, valuesForQuantile } from './trials-needed.js';
export type { Allowance } from './options.js';
export { describeBudget, judgeBudget } from './budgets.js';
export type { BaselineFile, BaselineScenario, Regression } from './baseline.js';
export {
  readBaseline,
  renderBaseline,
  makeBaseline,
  compareOutcomes,
  REGRESSION_ALPHA,
} from './baseline.js';
export type { Bound, QuantileWithInterval } from './bounds.js';
export {
  judgedRate,
  judgedQuantile,
  quantileRanks,
  quantileWithInterval,
  histogramQuantileWithInterval,
  minValuesToBound,
} from './bounds.js';
export {
  collectStudy,
  outcomeLetter,
  type CollectedStudy,
  type PolicyRun,
  type OutcomeLetter,
} from './collect.js';
export { renderCheckTable, renderRegressionTable, renderMetricTable } from './table.js';
export { renderCheckMarkdown, whyLines } from './render.js';

export type { BaselineSource, CheckOptions, CheckResult } from './types.js';

/**
 * Runs the check. With a baseline file the seed and trials must be the file's (pass them
 * from it); every scenario checked must be in it.
 * @throws GatesimError on input that cannot be checked (nothing to check, unpaired baseline).
 */
export async function runCheck(o: CheckOptions): Promise<CheckResult> {
  if (o.budgets.length === 0 && o.baseline === undefined)
    throw new GatesimError(
      'nothing-to-check',
      'nothing to check: give a budget (--max-shipped-bad, --max-blocked-good, --max-ttd-p90, --max-lead-time-p90) or a baseline',
    );
  const bound = o.bound ?? 'upper';
  const base = o.baseline;
  if (base === undefined && (o.margin !== undefined || o.allowances !== undefined))
    throw new GatesimError(
      'nothing-to-check',
      'a margin or an allowed worsening compares with a baseline: give --baseline or --baseline-policy',
    );
  const allowances: Allowances = {
    ttd: o.allowances?.ttd ?? NO_ALLOWANCE,
    leadTime: o.allowances?.leadTime ?? NO_ALLOWANCE,
    impact: o.allowances?.impact ?? NO_ALLOWANCE,
  };
  if (base?.kind === 'file') {
    const b = base.baseline;
    if (b.seed !== o.seed || b.trials !== o.trials)
      throw new GatesimError(
        'baseline-mismatch',
        `${base.file} was run with seed ${b.seed} and ${b.trials} trials, this check with seed ${o.seed} and ${o.trials}: ` +
          "a paired comparison needs the same seed and trials (leave --seed and --trials out to use the baseline's)",
      );
    const missing = o.scenarios.filter((s) => b.scenarios[s.name] === undefined).map((s) => s.name);
    if (missing.length > 0)
      throw new GatesimError(
        'baseline-mismatch',
        `${base.file} has no results for ${missing.join(', ')} (it has ${Object.keys(b.scenarios).join(', ') || 'none'})`,
      );
  }
  const policies: PolicyConfig[] = [o.policy];
  if (base?.kind === 'policy') {
    // Names key the study's results, so a baseline from a file of the same name is told apart.
    const name =
      base.policy.name === o.policy.name ? `${base.policy.name} (baseline)` : base.policy.name;
    policies.push({ ...base.policy, name });
  }
  const study = await collectStudy({
    scenarios: o.scenarios,
    policies,
    trials: o.trials,
    seed: o.seed,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
  });
  const rows: BudgetRow[] = [];
  for (const s of study.runs)
    for (const budget of o.budgets) rows.push(judgeBudget(s[0]!, budget, bound));
  const regressions: Regression[] = [];
  const metrics: MetricComparison[] = [];
  if (base !== undefined) {
    for (const s of study.runs) {
      const current = s[0]!;
      const previous =
        base.kind === 'file'
          ? base.baseline.scenarios[current.scenario]!
          : { outcomes: s[1]!.outcomes, ...s[1]!.perTrial };
      // The outcome pairing check comes first: it refuses trials that do not pair.
      regressions.push(
        ...compareOutcomes(current.scenario, current.outcomes, previous.outcomes, o.margin),
      );
      metrics.push(
        ...compareMetrics(
          current.scenario,
          current.outcomes,
          current.perTrial,
          previous,
          allowances,
        ),
      );
    }
  }
  const passed =
    rows.every((r) => r.status !== 'fail') &&
    regressions.every((r) => r.verdict !== 'worse') &&
    metrics.every((m) => m.verdict !== 'worse');
  return {
    policy: o.policy.name,
    seed: o.seed,
    trials: o.trials,
    bound,
    rows,
    regressions,
    metrics,
    margin: o.margin,
    allowances,
    baselineName:
      base === undefined
        ? undefined
        : base.kind === 'file'
          ? base.baseline.policy
          : policies[1]!.name,
    passed,
    asBaseline: makeBaseline(study, 0),
    study,
  };
}
