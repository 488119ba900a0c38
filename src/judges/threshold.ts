/**
 * Absolute threshold on the window's aggregate: Flagger's `thresholdRange {min, max}` and an
 * Amazon-style CloudWatch alarm on the fault rate or latency (REFERENCE-SEMANTICS.md: Flagger,
 * AWS). The new hosts' metric alone, no comparison: it fails when the aggregate is above `max`
 * or below `min`.
 */
import { z } from 'zod';
import type { MetricName } from '../world/types.js';
import { aggregate, metricData, verdict } from './points.js';
import type { JudgeModel, JudgeResult } from './types.js';

export const thresholdParams = z
  .object({
    /** Fail when the aggregate is above this. */
    max: z.number().optional(),
    /** Fail when the aggregate is below this. */
    min: z.number().optional(),
  })
  .refine((p) => p.max !== undefined || p.min !== undefined, {
    message: 'a threshold judge needs max, min or both',
  })
  .refine((p) => p.max === undefined || p.min === undefined || p.min <= p.max, {
    message: 'expected min ≤ max',
    path: ['min'],
  });

export type ThresholdParams = z.output<typeof thresholdParams>;

/**
 * Compares an aggregate with a range; pure. NaN (no data) is inconclusive.
 *
 * @example classifyThreshold(0.031, { max: 0.02 }) // 'fail'
 */
export function classifyThreshold(
  value: number,
  params: ThresholdParams,
): 'pass' | 'fail' | 'inconclusive' {
  if (Number.isNaN(value)) return 'inconclusive';
  if (params.max !== undefined && value > params.max) return 'fail';
  if (params.min !== undefined && value < params.min) return 'fail';
  return 'pass';
}

function describe(metric: MetricName, value: number, params: ThresholdParams): string {
  const range = [
    params.min === undefined ? undefined : `min ${params.min}`,
    params.max === undefined ? undefined : `max ${params.max}`,
  ]
    .filter((s) => s !== undefined)
    .join(', ');
  return `${metric} ${formatNumber(value)} (${range})`;
}

/** Four significant digits, enough for a timeline line. */
export function formatNumber(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

export const thresholdJudge: JudgeModel<ThresholdParams> = {
  kind: 'threshold',
  summary:
    "Fails when the window's aggregate of the new hosts' metric leaves [min, max] (Flagger thresholdRange).",
  params: thresholdParams,
  metrics: (_params, checkMetric) => [checkMetric],
  needs: { baseline: 'none', seasonal: false, before: false },
  defaultWindow: 'interval',
  create(params) {
    return {
      evaluate(input): JudgeResult {
        const points = metricData(input)?.canary ?? [];
        const agg = aggregate(input.metric, points);
        const v = classifyThreshold(agg.value, params);
        const figures: Record<string, number> = { value: agg.value, n: agg.n, points: agg.points };
        if (params.max !== undefined) figures.max = params.max;
        if (params.min !== undefined) figures.min = params.min;
        if (v === 'inconclusive')
          return verdict(v, `no ${input.metric} data in the window`, figures);
        const where = v === 'fail' ? 'outside' : 'within';
        const metric = input.metric;
        return verdict(v, () => `${describe(metric, agg.value, params)}: ${where} range`, figures);
      },
    };
  },
};
