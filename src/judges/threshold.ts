/**
 * Absolute threshold on the window's aggregate: Flagger's `thresholdRange {min, max}`
 * (fluxcd/flagger pkg/controller/scheduler_metrics.go) and an Amazon-style CloudWatch alarm on
 * the fault rate or latency. The new hosts' metric alone, no comparison: it fails when the aggregate is above `max`
 * or below `min`. An optional band between passing and failing is inconclusive: Argo Rollouts'
 * measurement with both a successCondition and a failureCondition, where a value that meets
 * neither is Inconclusive (argoproj/argo-rollouts utils/evaluate/evaluate.go, EvaluateResult).
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
    /** Inconclusive when the aggregate is above this (and does not fail). */
    inconclusiveAbove: z.number().optional(),
    /** Inconclusive when the aggregate is below this (and does not fail). */
    inconclusiveBelow: z.number().optional(),
  })
  .refine(
    (p) =>
      p.max !== undefined ||
      p.min !== undefined ||
      p.inconclusiveAbove !== undefined ||
      p.inconclusiveBelow !== undefined,
    { message: 'a threshold judge needs max, min, inconclusiveAbove or inconclusiveBelow' },
  )
  .refine((p) => p.max === undefined || p.min === undefined || p.min <= p.max, {
    message: 'expected min ≤ max',
    path: ['min'],
  })
  .refine(
    (p) => p.inconclusiveAbove === undefined || p.max === undefined || p.inconclusiveAbove <= p.max,
    {
      message: 'expected inconclusiveAbove ≤ max (the band lies between passing and failing)',
      path: ['inconclusiveAbove'],
    },
  )
  .refine(
    (p) => p.inconclusiveBelow === undefined || p.min === undefined || p.inconclusiveBelow >= p.min,
    {
      message: 'expected inconclusiveBelow ≥ min (the band lies between failing and passing)',
      path: ['inconclusiveBelow'],
    },
  )
  .refine(
    (p) =>
      p.inconclusiveAbove === undefined ||
      p.inconclusiveBelow === undefined ||
      p.inconclusiveBelow <= p.inconclusiveAbove,
    {
      message: 'expected inconclusiveBelow ≤ inconclusiveAbove (the passing values between them)',
      path: ['inconclusiveBelow'],
    },
  );

export type ThresholdParams = z.output<typeof thresholdParams>;

/**
 * Compares an aggregate with a range; pure. Outside [min, max] fails; inside it but outside
 * [inconclusiveBelow, inconclusiveAbove] is inconclusive; NaN (no data) is inconclusive.
 *
 * @example classifyThreshold(0.031, { max: 0.02 }) // 'fail'
 * @example classifyThreshold(700, { max: 1000, inconclusiveAbove: 500 }) // 'inconclusive'
 */
export function classifyThreshold(
  value: number,
  params: ThresholdParams,
): 'pass' | 'fail' | 'inconclusive' {
  if (Number.isNaN(value)) return 'inconclusive';
  if (params.max !== undefined && value > params.max) return 'fail';
  if (params.min !== undefined && value < params.min) return 'fail';
  if (params.inconclusiveAbove !== undefined && value > params.inconclusiveAbove)
    return 'inconclusive';
  if (params.inconclusiveBelow !== undefined && value < params.inconclusiveBelow)
    return 'inconclusive';
  return 'pass';
}

function describe(metric: MetricName, value: number, params: ThresholdParams): string {
  const range = [
    params.min === undefined ? undefined : `min ${params.min}`,
    params.inconclusiveBelow === undefined
      ? undefined
      : `inconclusive below ${params.inconclusiveBelow}`,
    params.inconclusiveAbove === undefined
      ? undefined
      : `inconclusive above ${params.inconclusiveAbove}`,
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
    "Fails when the window's aggregate of the new hosts' metric leaves [min, max] (Flagger thresholdRange); optionally inconclusive in a band short of that (Argo's success and failure conditions).",
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
        if (params.inconclusiveAbove !== undefined)
          figures.inconclusiveAbove = params.inconclusiveAbove;
        if (params.inconclusiveBelow !== undefined)
          figures.inconclusiveBelow = params.inconclusiveBelow;
        if (Number.isNaN(agg.value))
          return verdict(v, `no ${input.metric} data in the window`, figures);
        const where =
          v === 'fail'
            ? 'outside range'
            : v === 'inconclusive'
              ? 'in the inconclusive band'
              : 'within range';
        const metric = input.metric;
        return verdict(v, () => `${describe(metric, agg.value, params)}: ${where}`, figures);
      },
    };
  },
};
