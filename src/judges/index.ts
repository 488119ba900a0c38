import { businessAnomalyJudge } from './business-anomaly.js';
import { kayentaScoreJudge } from './kayenta-score.js';
import { mannWhitneyJudge } from './mann-whitney.js';
import { relativeJudge } from './relative.js';
import { sequentialJudge } from './sequential.js';
import { thresholdJudge } from './threshold.js';
import { trendJudge } from './trend.js';
import type { JudgeModel } from './types.js';

/** Every judge by kind; the policy loader and the pipeline read this registry by name. */
export const JUDGES: Readonly<Record<string, JudgeModel>> = {
  [thresholdJudge.kind]: thresholdJudge,
  [relativeJudge.kind]: relativeJudge,
  [mannWhitneyJudge.kind]: mannWhitneyJudge,
  [kayentaScoreJudge.kind]: kayentaScoreJudge,
  [sequentialJudge.kind]: sequentialJudge,
  [trendJudge.kind]: trendJudge,
  [businessAnomalyJudge.kind]: businessAnomalyJudge,
};
