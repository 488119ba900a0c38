/**
 * Kayenta's MannWhitneyClassifier (Spinnaker automated canary analysis, judge
 * NetflixACAJudge-v1.0; spinnaker/kayenta kayenta-judge/.../MannWhitneyClassifier.scala and
 * kayenta-mannwhitney/.../MannWhitney.scala) on one metric: a Mann-Whitney test of the
 * canary's per-point values against the baseline's, the Hodges-Lehmann shift's confidence
 * interval (98%) against a tolerance band of ±0.25·|shift|, and an effect-size gate on the
 * ratio of means. See docs/judges.md.
 */
import { z } from 'zod';
import { mannWhitneyU } from '../stats/mann-whitney.js';
import { formatNumber } from './threshold.js';
import { metricData, pointValues, verdict } from './points.js';
import type { JudgeModel, JudgeResult } from './types.js';

/** Kayenta's metric classifications. */
export type MetricClassification = 'pass' | 'high' | 'low' | 'nodata';

/** One metric's classifier settings (Kayenta's `analysisConfigurations.canary` and `effectSize`). */
export const mannWhitneySettings = {
  /** Confidence level of the shift interval (Kayenta hard-codes 0.98). */
  confidence: z.number().gt(0).lt(1).default(0.98),
  /** Band ±tolerance·|shift| the whole interval must clear (Kayenta: 0.25). */
  tolerance: z.number().nonnegative().default(0.25),
  /** Which side may fail. */
  direction: z.enum(['increase', 'decrease', 'either']).default('either'),
  /** High also needs mean(canary)/mean(baseline) ≥ this (skipped when the ratio is NaN). */
  allowedIncrease: z.number().positive().default(1),
  /** Low also needs the ratio ≤ this. */
  allowedDecrease: z.number().positive().default(1),
  /** Missing points: removed, or replaced by 0. */
  nanStrategy: z.enum(['remove', 'replace']).default('remove'),
};

export const mannWhitneyParams = z.object({
  ...mannWhitneySettings,
  /** Kayenta's per-metric `critical` flag; alone it changes nothing (High or Low already fails). */
  critical: z.boolean().default(false),
});

export type MannWhitneyParams = z.output<typeof mannWhitneyParams>;
/** The settings classifyMannWhitney reads. */
export type MannWhitneySettings = Pick<
  MannWhitneyParams,
  'confidence' | 'tolerance' | 'direction' | 'allowedIncrease' | 'allowedDecrease'
>;

export interface MannWhitneyClassification {
  classification: MetricClassification;
  /** mean(canary)/mean(baseline); NaN when a mean is 0 (then the effect-size gate is skipped). */
  ratio: number;
  /** Hodges-Lehmann shift canary − baseline and its interval (NaN when not tested). */
  estimate: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function sameMultiset(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return false;
  return true;
}

function allEqual(a: readonly number[], b: readonly number[]): boolean {
  const v = a[0];
  for (const x of a) if (x !== v) return false;
  for (const x of b) if (x !== v) return false;
  return true;
}

/**
 * Classifies one metric as Kayenta does: Nodata when a side is empty; Pass when the samples
 * are identical or single-valued; otherwise High when the interval's lower end is above
 * tolerance·|shift| and the mean ratio (when defined) is ≥ allowedIncrease, Low in mirror,
 * each only if `direction` lets that side fail. Values must already be free of NaN.
 *
 * @example classifyMannWhitney([2, 2.1, 2.3], [1, 1.1, 0.9], settings).classification // 'high'
 */
export function classifyMannWhitney(
  canary: readonly number[],
  baseline: readonly number[],
  settings: MannWhitneySettings,
): MannWhitneyClassification {
  if (canary.length === 0 || baseline.length === 0) {
    return {
      classification: 'nodata',
      ratio: NaN,
      estimate: NaN,
      ciLow: NaN,
      ciHigh: NaN,
      pValue: NaN,
    };
  }
  if (sameMultiset(canary, baseline) || allEqual(canary, baseline)) {
    return { classification: 'pass', ratio: 1, estimate: 0, ciLow: NaN, ciHigh: NaN, pValue: 1 };
  }
  const mw = mannWhitneyU(canary, baseline, { confLevel: settings.confidence });
  const mb = mean(baseline);
  const mc = mean(canary);
  // Kayenta's meanRatio effect size is NaN when either mean is 0.
  const ratio = mb === 0 || mc === 0 ? NaN : mc / mb;
  const bound = settings.tolerance * Math.abs(mw.estimate);
  const base = {
    ratio,
    estimate: mw.estimate,
    ciLow: mw.ciLow,
    ciHigh: mw.ciHigh,
    pValue: mw.pValue,
  };
  const up = settings.direction !== 'decrease';
  const down = settings.direction !== 'increase';
  if (up && mw.ciLow > bound && (Number.isNaN(ratio) || ratio >= settings.allowedIncrease)) {
    return { classification: 'high', ...base };
  }
  if (down && mw.ciHigh < -bound && (Number.isNaN(ratio) || ratio <= settings.allowedDecrease)) {
    return { classification: 'low', ...base };
  }
  return { classification: 'pass', ...base };
}

export const mannWhitneyJudge: JudgeModel<MannWhitneyParams> = {
  kind: 'mann-whitney',
  summary:
    "Kayenta's Mann-Whitney classifier on per-point values, canary vs baseline: High or Low fails.",
  params: mannWhitneyParams,
  metrics: (_params, checkMetric) => [checkMetric],
  needs: { baseline: 'required', seasonal: false, before: false },
  defaultWindow: 'interval',
  create(params) {
    return {
      evaluate(input): JudgeResult {
        const data = metricData(input);
        const c = pointValues(data?.canary ?? [], params.nanStrategy);
        const b = pointValues(data?.baseline ?? [], params.nanStrategy);
        const r = classifyMannWhitney(c, b, params);
        const metric = input.metric;
        const figures = {
          pValue: r.pValue,
          estimate: r.estimate,
          ciLow: r.ciLow,
          ciHigh: r.ciHigh,
          ratio: r.ratio,
          canaryPoints: c.length,
          baselinePoints: b.length,
        };
        switch (r.classification) {
          case 'nodata':
            return verdict(
              'inconclusive',
              `Nodata: no ${input.metric} points for the ${c.length === 0 ? 'canary' : 'baseline'}`,
              figures,
            );
          case 'pass':
            return verdict(
              'pass',
              () => `${metric} Pass (shift ${formatNumber(r.estimate)})`,
              figures,
            );
          case 'high':
          case 'low':
            return verdict(
              'fail',
              () =>
                `${metric} ${r.classification === 'high' ? 'High' : 'Low'}: shift ${formatNumber(r.estimate)}, ` +
                `${Math.round(params.confidence * 100)}% CI [${formatNumber(r.ciLow)}, ${formatNumber(r.ciHigh)}], ratio ${formatNumber(r.ratio)}`,
              figures,
            );
          default: {
            const never: never = r.classification;
            throw new Error(`unknown classification ${String(never)}`);
          }
        }
      },
    };
  },
};
