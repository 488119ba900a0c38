/**
 * Control charts for slow degradation: a CUSUM (Page 1954; Montgomery's k = ½, h = 4 or 5)
 * or an EWMA with the exact time-varying limits of Lucas & Saccucci (1990), fed one
 * standardised value per metric interval. Each measurement folds in the intervals it has not
 * seen yet, so the chart runs across measurements; a signal is kept (the judge stays failed).
 *
 * Standardising ("phase I" in SPC terms, from the pre-deploy points the pipeline sends):
 * - reference `baseline`: zₜ = (canaryₜ − baselineₜ)/σ. For a rate, σ is the two-sample
 *   binomial standard error at the pooled rate, inflated by the overdispersion φ seen before
 *   the deploy; for other metrics σ = √2·σ_before (σ_before from moving ranges of the
 *   pre-deploy values), an upper bound when the baseline group is at least as large as the
 *   canary group, so errs towards fewer false alarms.
 * - reference `before`: zₜ = (canaryₜ − μ₀)/σ with μ₀ and σ from the pre-deploy points (for a
 *   rate, σ = √(μ₀(1 − μ₀)/nₜ · φ)). The diurnal cycle moves μ under it; that is the known weakness of
 *   before/after comparisons (Google SRE workbook, "Canarying Releases").
 * σ from moving ranges: mean |xₜ − xₜ₋₁| / 1.128 (d₂ for n = 2), which a slow trend or a step
 * barely inflates. Against `before`, μ₀ is itself an estimate whose error shifts every later
 * value alike; the EWMA limits include that variance (ewmaLimitEstimated), the CUSUM does not
 * (its false-alarm rate with an hour of history is above nominal; see docs/judges.md).
 */
import { z } from 'zod';
import {
  cusumAlarm,
  cusumStart,
  cusumStep,
  ewmaLimitEstimated,
  ewmaStart,
  ewmaStep,
} from '../stats/control-charts.js';
import type { MetricName, MetricPoint } from '../world/types.js';
import { FreshPoints, isRateMetric, isValidPoint, metricData, verdict } from './points.js';
import { formatNumber } from './threshold.js';
import type { JudgeModel, JudgeResult } from './types.js';

export const trendParams = z.object({
  method: z.enum(['cusum', 'ewma']).default('cusum'),
  /** CUSUM reference value (σ units): half the shift to detect. */
  k: z.number().nonnegative().default(0.5),
  /** CUSUM decision interval (σ units). */
  h: z.number().positive().default(5),
  /** EWMA smoothing weight of the newest value. */
  lambda: z.number().gt(0).max(1).default(0.1),
  /** EWMA limit width (σ of the statistic). */
  L: z.number().positive().default(2.814),
  /** Which change is bad. */
  direction: z.enum(['increase', 'decrease', 'either']).default('increase'),
  /** What the canary is standardised against: concurrent baseline hosts, or its own pre-deploy points. */
  reference: z.enum(['baseline', 'before']).default('baseline'),
});

export type TrendParams = z.output<typeof trendParams>;

/** d₂ for subgroups of two: E|X₁ − X₂| = 1.128σ for normal data. */
const D2 = 1.128;

/** σ estimated from the mean moving range of a series; NaN with fewer than two values. */
export function movingRangeSigma(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  let sum = 0;
  for (let i = 1; i < xs.length; i++) sum += Math.abs(xs[i]! - xs[i - 1]!);
  return sum / (xs.length - 1) / D2;
}

/** What the pre-deploy points say about the metric's level and noise. */
export interface PhaseOne {
  /** Level before the deploy (rate, or mean value). */
  mu: number;
  /** Non-rate metrics: σ of one point. NaN for rates. */
  sigma: number;
  /** Rates: variance inflation over binomial, ≥ 1. */
  phi: number;
  points: number;
  /** Σn of the points (rates: the sample behind mu). */
  n: number;
}

/** Estimates the pre-deploy level and noise from valid points; pure. */
export function phaseOne(metric: MetricName, before: readonly MetricPoint[]): PhaseOne {
  const pts = before.filter((p) => isValidPoint(metric, p)).sort((a, b) => a.t - b.t);
  if (isRateMetric(metric)) {
    let e = 0;
    let n = 0;
    for (const p of pts) {
      e += p.events;
      n += p.n;
    }
    // Half an event keeps a zero-event history from claiming a zero variance.
    const mu = n > 0 ? Math.max(e, 0.5) / n : NaN;
    const residuals = pts.map((p) => (p.events / p.n - mu) / Math.sqrt((mu * (1 - mu)) / p.n));
    const s = pts.length >= 3 ? movingRangeSigma(residuals) : NaN;
    return {
      mu,
      sigma: NaN,
      phi: Number.isFinite(s) ? Math.max(1, s * s) : 1,
      points: pts.length,
      n,
    };
  }
  const values = pts.map((p) => p.value);
  const mu = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
  // A perfectly flat history still needs a finite scale: any later change then signals.
  const sigma =
    pts.length >= 3 ? Math.max(movingRangeSigma(values), 1e-9 * Math.max(1, Math.abs(mu))) : NaN;
  return { mu, sigma, phi: 1, points: pts.length, n: 0 };
}

function beyond(value: number, limit: number, direction: TrendParams['direction']): boolean {
  switch (direction) {
    case 'increase':
      return value > limit;
    case 'decrease':
      return value < -limit;
    case 'either':
      return value > limit || value < -limit;
    default: {
      const never: never = direction;
      throw new Error(`unknown direction ${String(never)}`);
    }
  }
}

export const trendJudge: JudgeModel<TrendParams> = {
  kind: 'trend',
  summary:
    'CUSUM or EWMA chart of standardised canary values (vs baseline or pre-deploy) across measurements.',
  params: trendParams,
  metrics: (_params, checkMetric) => [checkMetric],
  needs: { baseline: 'optional', seasonal: false, before: true },
  defaultWindow: 'interval',
  create(params) {
    const fresh = new FreshPoints();
    const cusum = cusumStart();
    const ewma = ewmaStart();
    let phase: PhaseOne | undefined;
    let folded = 0;
    let alarmAt: number | undefined;
    // Var(μ̂)/σ² in z units for the EWMA limits: 0 against a concurrent baseline.
    let estimateWeight = 0;

    const fold = (z: number): void => {
      folded++;
      if (params.method === 'cusum') {
        cusumStep(cusum, z, params.k);
        if (alarmAt === undefined && cusumAlarm(cusum, params.h, params.direction))
          alarmAt = folded;
      } else {
        ewmaStep(ewma, z, params.lambda);
        const limit = ewmaLimitEstimated(ewma.t, params.lambda, params.L, estimateWeight);
        if (alarmAt === undefined && beyond(ewma.value, limit, params.direction)) alarmAt = folded;
      }
    };

    return {
      evaluate(input): JudgeResult {
        const metric = input.metric;
        const data = metricData(input);
        const rate = isRateMetric(metric);
        // Frozen once it has enough points; until then re-read whatever the pipeline sends.
        if (phase === undefined || phase.points < 3) phase = phaseOne(metric, data?.before ?? []);
        if (params.reference === 'baseline' && data?.baseline === undefined) {
          return verdict('error', 'trend with reference: baseline needs compare: baseline');
        }
        if (!rate && !(phase.sigma > 0)) {
          return verdict(
            'inconclusive',
            `too few pre-deploy ${metric} points (${phase.points}) to set the chart's scale`,
          );
        }
        if (params.reference === 'before' && rate && !(phase.mu >= 0)) {
          return verdict('inconclusive', `no pre-deploy ${metric} data to compare with`);
        }
        if (params.reference === 'baseline') {
          for (const [c, b] of fresh.takePairs(metric, data?.canary ?? [], data!.baseline!)) {
            if (rate) {
              const pooled = (c.events + b.events) / (c.n + b.n);
              const se = Math.sqrt(pooled * (1 - pooled) * (1 / c.n + 1 / b.n) * phase.phi);
              fold(se > 0 ? (c.events / c.n - b.events / b.n) / se : 0);
            } else {
              fold((c.value - b.value) / (Math.SQRT2 * phase.sigma));
            }
          }
        } else {
          for (const c of fresh.take(metric, data?.canary ?? [])) {
            if (rate) {
              const se = Math.sqrt(((phase.mu * (1 - phase.mu)) / c.n) * phase.phi);
              estimateWeight = c.n / phase.n;
              fold(se > 0 ? (c.events / c.n - phase.mu) / se : 0);
            } else {
              estimateWeight = 1 / phase.points;
              fold((c.value - phase.mu) / phase.sigma);
            }
          }
        }
        const figures: Record<string, number> = {
          points: folded,
          phi: phase.phi,
          sigma: phase.sigma,
        };
        let stat: () => string;
        if (params.method === 'cusum') {
          figures.cusumHigh = cusum.hi;
          figures.cusumLow = cusum.lo;
          figures.h = params.h;
          const { hi, lo } = cusum;
          stat = () => `CUSUM S+ ${formatNumber(hi)} S- ${formatNumber(lo)} (h ${params.h})`;
        } else {
          const limit = ewmaLimitEstimated(
            Math.max(1, ewma.t),
            params.lambda,
            params.L,
            estimateWeight,
          );
          figures.ewma = ewma.value;
          figures.limit = limit;
          const value = ewma.value;
          stat = () => `EWMA ${formatNumber(value)} (limit ±${formatNumber(limit)})`;
        }
        if (alarmAt !== undefined) {
          figures.alarmAt = alarmAt;
          const at = alarmAt;
          return verdict('fail', () => `${metric} ${stat()}: signalled at point ${at}`, figures);
        }
        const points = folded;
        return verdict('pass', () => `${metric} ${stat()} after ${points} points`, figures);
      },
    };
  },
};
