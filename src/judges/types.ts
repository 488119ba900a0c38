import type { z } from 'zod';
import type { MetricName, MetricPoint } from '../world/types.js';

/** The result of one measurement, with Argo Rollouts' meaning. */
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';

/**
 * One metric's data as a check sees it, valid during the judge's call only: a growing window's
 * next read adds to the same arrays, so a judge that keeps anything across measurements keeps
 * its own copy (as `FreshPoints` keeps times).
 */
export interface MetricData {
  /** Points from the hosts under test (new build, or every host for a before/after check). */
  canary: readonly MetricPoint[];
  /** Points from hosts on the old build at the same times (compare: baseline). */
  baseline?: readonly MetricPoint[];
  /** The old build's points one week earlier at the same times (for seasonal judges). */
  seasonal?: readonly MetricPoint[];
  /**
   * For a judge that reads several past weeks (`seasonalWeeks` > 1): week j's points (j = 1,
   * 2, …; index j − 1) at the same times, labelled with the canary's times. Index 0 is
   * `seasonal`.
   */
  seasonalWeeks?: readonly (readonly MetricPoint[])[];
  /** Points from before the deploy began (for before/after and trend references). */
  before?: readonly MetricPoint[];
}

export interface JudgeInput {
  /** The check's own metric. */
  metric: MetricName;
  data: Partial<Record<MetricName, MetricData>>;
}

export interface JudgeResult {
  verdict: Verdict;
  /** One line a person can read in a timeline. */
  reason: string;
  /** The numbers behind the verdict: p-values, scores, estimates, sample sizes. */
  figures: Record<string, number>;
}

/**
 * A judge instance lives for one check run and may keep state between measurements
 * (trend and sequential judges do). Same inputs in the same order → same verdicts.
 */
export interface Judge {
  evaluate(input: JudgeInput): JudgeResult;
}

export interface JudgeModel<P = unknown> {
  readonly kind: string;
  readonly summary: string;
  readonly params: z.ZodType<P>;
  /** The metrics the judge reads, given its parameters (most read only the check's metric). */
  metrics(params: P, checkMetric: MetricName): MetricName[];
  /** How many past weeks of seasonal data it reads, given its parameters (absent: one). */
  seasonalWeeks?(params: P): number;
  /** Which comparison data it needs. */
  readonly needs: {
    baseline: 'required' | 'optional' | 'none';
    seasonal: boolean;
    before: boolean;
  };
  /** The window it expects when a check does not set one. */
  readonly defaultWindow: 'interval' | 'cumulative';
  create(params: P): Judge;
}
