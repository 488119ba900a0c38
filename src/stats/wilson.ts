/**
 * Wilson score interval for a binomial proportion (Wilson 1927; Brown, Cai & DasGupta 2001
 * recommend it over the Wald interval for small counts and rates near 0 or 1).
 */
import { normalQuantile } from './special.js';

/**
 * Two-sided Wilson score interval: centre (p̂ + z²/2n)/(1 + z²/n), half-width
 * z/(1 + z²/n)·√(p̂(1 − p̂)/n + z²/4n²). With no trials it is the whole of [0, 1].
 *
 * @example wilsonInterval(81, 263) // { lo: 0.2553…, hi: 0.3662… }
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  confidence = 0.95,
): { lo: number; hi: number } {
  if (!(trials >= 0) || !(successes >= 0) || successes > trials) {
    throw new RangeError(
      `wilsonInterval: need 0 ≤ successes ≤ trials, got ${successes} of ${trials}`,
    );
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`wilsonInterval: confidence must be in (0, 1), got ${confidence}`);
  }
  if (trials === 0) return { lo: 0, hi: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const p = successes / trials;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // At p̂ = 0 or 1 the end equals the observed rate exactly; rounding must not cross it.
  const lo = successes === 0 ? 0 : Math.max(0, centre - half);
  const hi = successes === trials ? 1 : Math.min(1, centre + half);
  return { lo, hi };
}
