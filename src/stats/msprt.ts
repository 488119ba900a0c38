/**
 * Mixture sequential probability ratio test and its always-valid p-value (Johari, Koomen,
 * Pekelis & Walsh, "Peeking at A/B Tests", KDD 2017, arXiv 1512.04922). With a normal
 * mixture θ ~ N(θ₀, τ²) over the effect and n observations of variance V:
 *   Λₙ = √(V/(V + nτ²)) · exp(n²τ²(θ̂ₙ − θ₀)² / (2V(V + nτ²))),  pₙ = min(pₙ₋₁, 1/Λₙ).
 * Rejecting at pₙ ≤ α keeps the type-I error ≤ α however often one looks (Ville's
 * inequality on the mixture martingale), which is what makes checking every interval safe.
 */

/** Inputs of Λₙ in Johari's per-observation form. */
export interface MsprtInput {
  /** Observations so far (pairs, in a two-sample test). */
  n: number;
  /** Estimated effect θ̂ₙ (mean of the observations). */
  thetaHat: number;
  /** Effect under the null. */
  theta0: number;
  /** Variance V of one observation. */
  variance: number;
  /** Mixture standard deviation τ. */
  tau: number;
}

/** log Λₙ of the normal-mixture SPRT (0 when there is no information yet). */
export function msprtLogLikelihoodRatio(input: MsprtInput): number {
  const { n, thetaHat, theta0, variance: v, tau } = input;
  if (!(n > 0) || !(v > 0)) return 0;
  const t2 = tau * tau;
  const denom = v + n * t2;
  const d = thetaHat - theta0;
  return 0.5 * Math.log(v / denom) + (n * n * t2 * d * d) / (2 * v * denom);
}

/**
 * log Λ for an estimate θ̂ whose sampling variance is `estimateVariance` (= V/n): the same
 * statistic written for unequal groups, √(s/(s + τ²))·exp(τ²(θ̂ − θ₀)²/(2s(s + τ²))).
 */
export function msprtLogLikelihoodRatioFromEstimate(
  thetaHat: number,
  theta0: number,
  estimateVariance: number,
  tau: number,
): number {
  const s = estimateVariance;
  if (!(s > 0)) return 0;
  const t2 = tau * tau;
  const d = thetaHat - theta0;
  return 0.5 * Math.log(s / (s + t2)) + (t2 * d * d) / (2 * s * (s + t2));
}

/** The always-valid p-value after one more look: min(previous, 1/Λ), capped at 1. */
export function alwaysValidPValue(previous: number, logLambda: number): number {
  const p = logLambda > 0 ? Math.exp(-logLambda) : 1;
  return p < previous ? p : previous;
}
