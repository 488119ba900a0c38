/**
 * Canary against baseline on the window's aggregates, with a tolerance: the "relative
 * threshold" most teams write first (e.g. "canary error rate at most 20% above the fleet's",
 * or "+0.5 pp at most"). No statistics: noise decides near the tolerance, which is the
 * point of simulating it.
 */
import { z } from 'zod';
import { formatNumber } from './threshold.js';
import { aggregate, metricData, verdict } from './points.js';
import type { JudgeModel, JudgeResult } from './types.js';

export const relativeParams = z.object({
  /** `ratio`: canary/baseline − 1 against the tolerances; `difference`: canary − baseline. */
  mode: z.enum(['ratio', 'difference']).default('ratio'),
  /** Largest tolerated increase: ratio − 1 (0.2 = +20%) or difference (metric units). */
  maxIncrease: z.number().nonnegative().default(0.2),
  /** Largest tolerated decrease: 1 − ratio or baseline − canary. */
  maxDecrease: z.number().nonnegative().default(0.2),
  /** Which change is bad. */
  direction: z.enum(['increase', 'decrease', 'either']).default('increase'),
});

export type RelativeParams = z.output<typeof relativeParams>;

/** The outcome of comparing two aggregates. */
export interface RelativeComparison {
  verdict: 'pass' | 'fail' | 'inconclusive';
  /** canary/baseline (mode ratio) or canary − baseline (mode difference). */
  change: number;
}

/**
 * Compares canary and baseline aggregates; pure. A zero baseline makes any positive canary an
 * infinite ratio (an increase) and an equal zero a ratio of 1.
 *
 * @example compareRelative(0.012, 0.01, relativeParams.parse({ maxIncrease: 0.1 })).verdict // 'fail'
 */
export function compareRelative(
  canary: number,
  baseline: number,
  params: RelativeParams,
): RelativeComparison {
  if (Number.isNaN(canary) || Number.isNaN(baseline))
    return { verdict: 'inconclusive', change: NaN };
  let increase: number;
  let change: number;
  if (params.mode === 'ratio') {
    change =
      baseline === 0 ? (canary === 0 ? 1 : canary > 0 ? Infinity : -Infinity) : canary / baseline;
    increase = change - 1;
  } else {
    change = canary - baseline;
    increase = change;
  }
  const up = params.direction !== 'decrease' && increase > params.maxIncrease;
  const down = params.direction !== 'increase' && -increase > params.maxDecrease;
  return { verdict: up || down ? 'fail' : 'pass', change };
}

export const relativeJudge: JudgeModel<RelativeParams> = {
  kind: 'relative',
  summary:
    'Fails when the canary aggregate exceeds the baseline by more than a ratio or difference tolerance.',
  params: relativeParams,
  metrics: (_params, checkMetric) => [checkMetric],
  needs: { baseline: 'required', seasonal: false, before: false },
  defaultWindow: 'interval',
  create(params) {
    return {
      evaluate(input): JudgeResult {
        const data = metricData(input);
        const c = aggregate(input.metric, data?.canary ?? []);
        const b = aggregate(input.metric, data?.baseline ?? []);
        const cmp = compareRelative(c.value, b.value, params);
        const figures = {
          canary: c.value,
          baseline: b.value,
          change: cmp.change,
          canaryN: c.n,
          baselineN: b.n,
        };
        if (cmp.verdict === 'inconclusive') {
          return verdict(
            'inconclusive',
            `no ${input.metric} data for the ${Number.isNaN(c.value) ? 'canary' : 'baseline'}`,
            figures,
          );
        }
        const metric = input.metric;
        const shown = (): string =>
          params.mode === 'ratio'
            ? `ratio ${formatNumber(cmp.change)} (tolerance +${params.maxIncrease}/−${params.maxDecrease})`
            : `difference ${formatNumber(cmp.change)} (tolerance +${params.maxIncrease}/−${params.maxDecrease})`;
        return verdict(
          cmp.verdict,
          () =>
            `${metric} canary ${formatNumber(c.value)} vs baseline ${formatNumber(b.value)}: ${shown()}`,
          figures,
        );
      },
    };
  },
};
