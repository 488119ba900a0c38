/**
 * Kayenta's NetflixACAJudge score over several metrics (Spinnaker automated canary analysis;
 * spinnaker/kayenta scorers/WeightedSumScorer.scala, classifiers/score/ThresholdScoreClassifier.scala;
 * docs/judges.md). Each metric is classified by the Mann-Whitney classifier;
 * metrics sit in groups; a group scores 100 × Pass/(Pass + High + Low + NodataFailMetric); the
 * summary is the weighted sum of group scores (unweighted groups share what configured weights
 * leave); it is 0 when a critical metric is not Pass or when half or more of the metrics are
 * Nodata. Documented starting values: pass 95, marginal 75, 98% confidence, tolerance 0.25.
 */
import { z } from 'zod';
import { METRIC_NAMES, type MetricName } from '../world/types.js';
import {
  classifyMannWhitney,
  mannWhitneySettings,
  type MetricClassification,
} from './mann-whitney.js';
import { metricData, pointValues, verdict } from './points.js';
import { formatNumber } from './threshold.js';
import type { JudgeModel, JudgeResult } from './types.js';

const { confidence, tolerance, ...perMetric } = mannWhitneySettings;

const kayentaMetric = z.strictObject({
  metric: z.enum(METRIC_NAMES),
  ...perMetric,
  /** A critical metric that is not Pass zeroes the whole score. */
  critical: z.boolean().default(false),
  group: z.string().min(1).default('default'),
  /** Weight inside its group (Kayenta counts every metric as 1). */
  weight: z.number().positive().default(1),
  /** No data counts as a failure (NodataFailMetric) instead of being left out. */
  mustHaveData: z.boolean().default(false),
});

export const kayentaScoreParams = z
  .object({
    /** The metrics scored together; empty scores the check's own metric alone. */
    metrics: z.array(kayentaMetric).default([]),
    /** Group weights in percent; groups without one share 100 − Σweights equally. */
    groupWeights: z.record(z.string(), z.number().nonnegative()).default({}),
    /** Score at or above which a measurement passes. */
    pass: z.number().min(0).max(100).default(95),
    /** Score at or below which a measurement fails (and the analysis stops, as in Kayenta). */
    marginal: z.number().min(0).max(100).default(75),
    confidence,
    tolerance,
  })
  .refine((p) => p.marginal <= p.pass, { message: 'expected marginal ≤ pass', path: ['marginal'] });

export type KayentaScoreParams = z.output<typeof kayentaScoreParams>;
export type KayentaMetricConfig = z.output<typeof kayentaMetric>;

/** A metric's classification as the scorer sees it; `nodata-fail` is Kayenta's NodataFailMetric. */
export interface ScoredMetric {
  classification: MetricClassification | 'nodata-fail';
  group: string;
  weight: number;
  critical: boolean;
}

export interface KayentaScore {
  /** Summary score 0–100. */
  score: number;
  groups: { name: string; score: number; noData: boolean }[];
  /** Share of metrics classified Nodata. */
  nodataShare: number;
  criticalFailure: boolean;
}

/**
 * Kayenta's weighted-sum score; pure. A group whose metrics are all Nodata counts as 100
 * (newer Kayenta; it then cannot lower the score), and the ≥ 50% Nodata rule zeroes the score.
 *
 * @example kayentaScore([{ classification: 'pass', group: 'g', weight: 1, critical: false }], {}).score // 100
 */
export function kayentaScore(
  metrics: readonly ScoredMetric[],
  groupWeights: Readonly<Record<string, number>>,
): KayentaScore {
  const byGroup = new Map<string, { pass: number; total: number }>();
  let nodata = 0;
  let criticalFailure = false;
  for (const m of metrics) {
    let g = byGroup.get(m.group);
    if (g === undefined) {
      g = { pass: 0, total: 0 };
      byGroup.set(m.group, g);
    }
    if (m.classification === 'nodata') nodata++;
    else {
      g.total += m.weight;
      if (m.classification === 'pass') g.pass += m.weight;
    }
    if (m.critical && m.classification !== 'pass') criticalFailure = true;
  }
  let configured = 0;
  for (const w of Object.values(groupWeights)) configured += w;
  const unweighted = [...byGroup.keys()].filter((g) => !Object.hasOwn(groupWeights, g)).length;
  const shared = unweighted > 0 ? (100 - configured) / unweighted : 0;
  const groups: KayentaScore['groups'] = [];
  let summary = 0;
  for (const [name, g] of byGroup) {
    const noData = g.total === 0;
    const score = noData ? 100 : (100 * g.pass) / g.total;
    groups.push({ name, score, noData });
    const weight = Object.hasOwn(groupWeights, name) ? groupWeights[name]! : shared;
    summary += (score * weight) / 100;
  }
  const nodataShare = metrics.length === 0 ? 1 : nodata / metrics.length;
  const zero = criticalFailure || nodataShare >= 0.5;
  return {
    score: zero ? 0 : Math.min(100, Math.max(0, summary)),
    groups,
    nodataShare,
    criticalFailure,
  };
}

/** Kayenta's ThresholdScoreClassifier: Pass at ≥ pass, Marginal at ≥ marginal, else Fail. */
export function classifyScore(
  score: number,
  pass: number,
  marginal: number,
): 'pass' | 'marginal' | 'fail' {
  return score >= pass ? 'pass' : score >= marginal ? 'marginal' : 'fail';
}

function metricConfigs(params: KayentaScoreParams, checkMetric: MetricName): KayentaMetricConfig[] {
  if (params.metrics.length > 0) return params.metrics;
  return [kayentaMetric.parse({ metric: checkMetric })];
}

export const kayentaScoreJudge: JudgeModel<KayentaScoreParams> = {
  kind: 'kayenta-score',
  summary:
    "Kayenta's canary score over several metrics: ≤ marginal fails (and stays failed), ≥ pass passes.",
  params: kayentaScoreParams,
  metrics: (params, checkMetric) => [
    ...new Set(metricConfigs(params, checkMetric).map((m) => m.metric)),
  ],
  needs: { baseline: 'required', seasonal: false, before: false },
  defaultWindow: 'interval',
  create(params) {
    // Kayenta ends the analysis at the first interval scoring ≤ marginal.
    let failedScore: number | undefined;
    return {
      evaluate(input): JudgeResult {
        if (failedScore !== undefined) {
          const score = failedScore;
          return verdict(
            'fail',
            () => `an earlier interval scored ${formatNumber(score)} ≤ marginal ${params.marginal}`,
            { score },
          );
        }
        const configs = metricConfigs(params, input.metric);
        const scored: ScoredMetric[] = [];
        const figures: Record<string, number> = {};
        const notes: string[] = [];
        for (const m of configs) {
          const data = metricData(input, m.metric);
          const c = pointValues(data?.canary ?? [], m.nanStrategy);
          const b = pointValues(data?.baseline ?? [], m.nanStrategy);
          const r = classifyMannWhitney(c, b, {
            ...m,
            confidence: params.confidence,
            tolerance: params.tolerance,
          });
          const classification =
            r.classification === 'nodata' && m.mustHaveData ? 'nodata-fail' : r.classification;
          scored.push({ classification, group: m.group, weight: m.weight, critical: m.critical });
          if (classification !== 'pass')
            notes.push(`${m.metric} ${classification}${m.critical ? ' (critical)' : ''}`);
          figures[`${m.metric}.pValue`] = r.pValue;
          figures[`${m.metric}.estimate`] = r.estimate;
          figures[`${m.metric}.ratio`] = r.ratio;
        }
        const s = kayentaScore(scored, params.groupWeights);
        figures.score = s.score;
        figures.nodataShare = s.nodataShare;
        const line = (): string => {
          const detail = notes.length === 0 ? 'every metric Pass' : notes.join(', ');
          const why = s.criticalFailure
            ? ' (critical metric)'
            : s.nodataShare >= 0.5
              ? ' (≥ 50% Nodata)'
              : '';
          return `score ${formatNumber(s.score)}${why}: ${detail}`;
        };
        if (s.score <= params.marginal) {
          failedScore = s.score;
          return verdict('fail', line, figures);
        }
        return verdict(s.score >= params.pass ? 'pass' : 'inconclusive', line, figures);
      },
    };
  },
};
