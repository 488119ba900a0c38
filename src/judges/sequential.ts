/**
 * A sequential test for a rate metric, canary against baseline, safe to look at every
 * interval: the mixture SPRT and its always-valid p-value (Johari, Koomen, Pekelis & Walsh,
 * "Peeking at A/B Tests", KDD 2017; the approach of Optimizely's Stats Engine; Netflix's
 * canary-specific variant is Lindon, Sanden & Shirikian, KDD 2022). Each measurement folds the
 * new intervals' counts into cumulative totals, computes Λ for the difference of the two rates
 * under a normal mixture θ ~ N(θ₀, τ²), and keeps pₙ = min(pₙ₋₁, 1/Λₙ). It fails once pₙ ≤ α
 * with the estimate on the bad side; otherwise it passes ("no evidence of harm yet"), since
 * a sequential test never accepts the null.
 */
import { z } from 'zod';
import { alwaysValidPValue, msprtLogLikelihoodRatioFromEstimate } from '../stats/msprt.js';
import { FreshPoints, isRateMetric, metricData, verdict } from './points.js';
import { formatNumber } from './threshold.js';
import type { JudgeModel, JudgeResult } from './types.js';

export const sequentialParams = z.object({
  /** Type-I error over the whole run, however many looks. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /**
   * Mixture standard deviation of the effect, in rate units (0.005 = 0.5 pp). Power is best
   * for effects near τ; the default suits error-rate regressions of a few tenths of a point.
   */
  tau: z.number().positive().default(0.005),
  /** Which change is bad. */
  direction: z.enum(['increase', 'decrease', 'either']).default('increase'),
  /** Smallest effect worth failing for (rate units): H₀ is θ = ±minEffect on the bad side. */
  minEffect: z.number().nonnegative().default(0),
  /**
   * Counts below which the normal approximation is not trusted yet: the expected events in
   * either group (under the pooled rate) must reach this before Λ is computed.
   */
  minExpectedEvents: z.number().nonnegative().default(5),
});

export type SequentialParams = z.output<typeof sequentialParams>;

/** Cumulative counts of the two groups. */
export interface RateCounts {
  canaryEvents: number;
  canaryN: number;
  baselineEvents: number;
  baselineN: number;
}

/**
 * log Λ of the mixture SPRT for the rate difference canary − baseline against θ₀. The
 * estimate's variance is the larger of the pooled (exact under θ = 0) and unpooled binomial
 * variances, which errs towards fewer false alarms. Returns 0 (no evidence) without counts.
 */
export function rateDifferenceLogLambda(counts: RateCounts, theta0: number, tau: number): number {
  const { canaryEvents: ec, canaryN: nc, baselineEvents: eb, baselineN: nb } = counts;
  if (!(nc > 0 && nb > 0)) return 0;
  const pc = ec / nc;
  const pb = eb / nb;
  const pooled = (ec + eb) / (nc + nb);
  const vPooled = pooled * (1 - pooled) * (1 / nc + 1 / nb);
  const vUnpooled = (pc * (1 - pc)) / nc + (pb * (1 - pb)) / nb;
  return msprtLogLikelihoodRatioFromEstimate(pc - pb, theta0, Math.max(vPooled, vUnpooled), tau);
}

export const sequentialJudge: JudgeModel<SequentialParams> = {
  kind: 'sequential',
  summary:
    'Mixture SPRT on a rate, canary vs baseline, over cumulative counts: always-valid p ≤ alpha fails.',
  params: sequentialParams,
  metrics: (_params, checkMetric) => [checkMetric],
  needs: { baseline: 'required', seasonal: false, before: false },
  defaultWindow: 'cumulative',
  create(params) {
    const fresh = new FreshPoints();
    const counts: RateCounts = { canaryEvents: 0, canaryN: 0, baselineEvents: 0, baselineN: 0 };
    const sides: readonly number[] =
      params.direction === 'either' ? [1, -1] : params.direction === 'increase' ? [1] : [-1];
    // One running minimum per bad side: evidence of a drop cannot fail an increase check.
    const pBySide = new Map<number, number>(sides.map((s) => [s, 1]));
    return {
      evaluate(input): JudgeResult {
        if (!isRateMetric(input.metric)) {
          return verdict(
            'error',
            `sequential needs a rate metric (error_rate, slow_rate, conversion_rate), got ${input.metric}`,
          );
        }
        const data = metricData(input);
        for (const [c, b] of fresh.takePairs(
          input.metric,
          data?.canary ?? [],
          data?.baseline ?? [],
        )) {
          counts.canaryEvents += c.events;
          counts.canaryN += c.n;
          counts.baselineEvents += b.events;
          counts.baselineN += b.n;
        }
        const { canaryEvents: ec, canaryN: nc, baselineEvents: eb, baselineN: nb } = counts;
        const pc = nc > 0 ? ec / nc : NaN;
        const pb = nb > 0 ? eb / nb : NaN;
        const pooled = (ec + eb) / (nc + nb);
        const expected = Math.min(nc, nb) * pooled;
        const figures: Record<string, number> = {
          canaryRate: pc,
          baselineRate: pb,
          canaryN: nc,
          baselineN: nb,
        };
        if (!(nc > 0 && nb > 0) || expected < params.minExpectedEvents) {
          figures.pValue = Math.min(...pBySide.values());
          return verdict(
            'pass',
            () =>
              `collecting: ${formatNumber(expected)} expected events < ${params.minExpectedEvents}`,
            figures,
          );
        }
        const diff = pc - pb;
        let failed = false;
        for (const s of sides) {
          const theta0 = s * params.minEffect;
          // Only looks whose estimate lies beyond θ₀ on the bad side can lower this side's p.
          if (s * (diff - theta0) > 0) {
            const p = alwaysValidPValue(
              pBySide.get(s)!,
              rateDifferenceLogLambda(counts, theta0, params.tau),
            );
            pBySide.set(s, p);
          }
          if (pBySide.get(s)! <= params.alpha) failed = true;
        }
        const p = Math.min(...pBySide.values());
        figures.pValue = p;
        figures.difference = diff;
        const metric = input.metric;
        const line = () =>
          `${metric} canary ${formatNumber(pc)} vs baseline ${formatNumber(pb)}, always-valid p ${formatNumber(p)} (alpha ${params.alpha})`;
        return verdict(failed ? 'fail' : 'pass', line, figures);
      },
    };
  },
};
