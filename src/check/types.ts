/** What `gatesim check` is asked and what it answers. */
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import type { BaselineFile, Regression } from './baseline.js';
import type { Bound } from './bounds.js';
import type { Budget, BudgetRow } from './budgets.js';
import type { CollectedStudy } from './collect.js';
import type { Allowances, MetricComparison } from './paired-metrics.js';

/** What to compare with: a saved baseline, or a policy file run alongside on the same trials. */
export type BaselineSource =
  { kind: 'file'; file: string; baseline: BaselineFile } | { kind: 'policy'; policy: PolicyConfig };

export interface CheckOptions {
  policy: PolicyConfig;
  scenarios: readonly ScenarioConfig[];
  trials: number;
  seed: number;
  workers?: number;
  budgets: readonly Budget[];
  /** Judge budgets on the 95% upper bound (default) or the estimate. */
  bound?: Bound;
  baseline?: BaselineSource;
  /**
   * Non-inferiority margin for shipped-bad against the baseline: the upper end of the 95%
   * interval of the paired difference (new − baseline) must be at most this.
   */
  margin?: number;
  /** How much worse TTD, lead time and impact may get before a significant worsening fails. */
  allowances?: Partial<Allowances>;
  onProgress?: (done: number, total: number) => void;
}

export interface CheckResult {
  policy: string;
  seed: number;
  trials: number;
  bound: Bound;
  rows: BudgetRow[];
  /** Paired comparisons with the baseline, two per scenario; empty without one. */
  regressions: Regression[];
  /** Paired comparisons of TTD, lead time and impact, four per scenario; empty without a baseline. */
  metrics: MetricComparison[];
  /** The shipped-bad non-inferiority margin, when one was given. */
  margin: number | undefined;
  allowances: Allowances;
  /** The baseline's policy name, when there was one. */
  baselineName: string | undefined;
  passed: boolean;
  /** This run as a baseline, for `--save-baseline`. */
  asBaseline: BaselineFile;
  study: CollectedStudy;
}
