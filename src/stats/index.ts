/** The statistics the judges and the evaluator rest on, by name. */
export {
  lgamma,
  logFactorial,
  erf,
  erfc,
  normalCdf,
  normalSf,
  normalPdf,
  normalQuantile,
} from './special.js';
export {
  mannWhitneyU,
  hodgesLehmann,
  kthPairwiseDifference,
  countDifferencesAtMost,
  ENUMERATE_MAX_PAIRS,
  type Alternative,
  type MannWhitneyOptions,
  type MannWhitneyResult,
} from './mann-whitney.js';
export { wilsonInterval } from './wilson.js';
export {
  binomLogPmf,
  binomPmf,
  binomLogCdf,
  binomCdf,
  binomLogAtLeast,
  binomAtLeast,
  binomQuantile,
  mcnemar,
  rateDropPValue,
  EXACT_TAIL_MAX_VARIANCE,
} from './binomial.js';
export {
  msprtLogLikelihoodRatio,
  msprtLogLikelihoodRatioFromEstimate,
  alwaysValidPValue,
  type MsprtInput,
} from './msprt.js';
export {
  cusumStart,
  cusumStep,
  cusumAlarm,
  ewmaStart,
  ewmaStep,
  ewmaLimit,
  ewmaLimitEstimated,
  ewmaAlarm,
  type CusumState,
  type EwmaState,
  type Side,
} from './control-charts.js';
export { quantile, quantileSorted, median } from './quantiles.js';
