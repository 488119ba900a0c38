/**
 * How many trials a budget needs: a rate judged on its Wilson upper bound passes only once
 * the interval is narrow enough, and with 0 of 60 bad builds shipped the bound is still 6%.
 * The Wilson interval is the set of π with n(p̂ − π)² ≤ z²π(1 − π) (the score test inverted),
 * so at a rate p̂ below the budget b the upper bound is at most b exactly when
 * n ≥ z²·b(1 − b)/(b − p̂)². At p̂ = 0 that is n ≥ z²(1 − b)/b: 73 for b = 5%.
 * Quantiles mirror it: the p90 bound is at most M once the Wilson lower bound of the share
 * s of values ≤ M reaches 0.9, that is n ≥ z²·0.9·0.1/(s − 0.9)².
 */
import { normalQuantile, wilsonInterval } from '../stats/index.js';

function zFor(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

/**
 * The fewest builds at which a rate `observed` has a Wilson upper bound ≤ `budget`, if the
 * rate stays where it is; undefined when `observed` ≥ `budget` (no number of trials helps).
 * @example buildsForRate(0.05, 0) // 73
 */
export function buildsForRate(
  budget: number,
  observed: number,
  confidence = 0.95,
): number | undefined {
  if (!(observed < budget)) return undefined;
  const z = zFor(confidence);
  const upper = (n: number): number => wilsonInterval(observed * n, n, confidence).hi;
  let n = Math.max(1, Math.ceil((z * z * budget * (1 - budget)) / (budget - observed) ** 2));
  // The closed form is exact in reals; one step either way absorbs its rounding.
  while (upper(n) > budget) n++;
  while (n > 1 && upper(n - 1) <= budget) n--;
  return n;
}

/**
 * The fewest values at which the q-quantile's upper bound is ≤ a limit, when the share
 * `share` of values is ≤ the limit; undefined when `share` ≤ q.
 * @example valuesForQuantile(1, 0.9) // 35
 */
export function valuesForQuantile(share: number, q: number, confidence = 0.95): number | undefined {
  if (!(share > q)) return undefined;
  const z = zFor(confidence);
  const lower = (n: number): number => wilsonInterval(share * n, n, confidence).lo;
  let n = Math.max(1, Math.ceil((z * z * q * (1 - q)) / (share - q) ** 2));
  while (lower(n) < q) n++;
  while (n > 1 && lower(n - 1) >= q) n--;
  return n;
}
