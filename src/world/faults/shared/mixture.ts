import { normalQuantile, normalSf } from '../../../stats/special.js';
import { mixtureQuantile } from '../../latency.js';
import type { EffectAccumulator } from '../../types.js';

/**
 * Latency math shared by the faults. Request latency is lognormal(log median, σ) on the
 * old build; a fault moves a share of requests by a factor, so the new build's latency is
 * a mixture of lognormals with the same σ and shifted log medians. Quantile ratios of such
 * a mixture depend only on the shifts and σ, not on the median.
 */

/** One lognormal component: its weight and the log of its median relative to the service median. */
export interface ShiftComponent {
  weight: number;
  shift: number;
}

/** The root finder stops when the log-latency step or bracket is this small (≈1e-12 relative latency). */
const LOG_TOLERANCE = 1e-12;

/**
 * The q-quantile of Σ wᵢ·LN(μ + shiftᵢ, σ) divided by the q-quantile of LN(μ, σ).
 * Solves Σ wᵢ Φ((x − shiftᵢ)/σ) = q·Σwᵢ for x on the log scale: the root lies between the
 * smallest and largest component quantile, where the mixture CDF is below and above q.
 *
 * @example mixtureQuantileRatio([{ weight: 1, shift: Math.log(1.5) }], 0.5, 0.99) // 1.5
 */
export function mixtureQuantileRatio(
  components: readonly ShiftComponent[],
  sigma: number,
  q: number,
): number {
  let total = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of components) {
    if (!(c.weight > 0)) continue;
    total += c.weight;
    if (c.shift < lo) lo = c.shift;
    if (c.shift > hi) hi = c.shift;
  }
  if (total === 0) return 1;
  if (!(sigma > 0)) return Math.exp(stepQuantile(components, total, q));
  if (hi - lo <= LOG_TOLERANCE) return Math.exp(lo);
  // One mixture-quantile solver serves the world and ground truth: components with a common σ.
  const mixture = components.map((c) => ({ weight: c.weight, mu: c.shift, sigma }));
  return mixtureQuantile(mixture, q, LOG_TOLERANCE) / Math.exp(sigma * normalQuantile(q));
}

/** With σ = 0 every component is a point mass: the quantile is the first shift whose cumulative weight reaches q. */
function stepQuantile(components: readonly ShiftComponent[], total: number, q: number): number {
  const sorted = components.filter((c) => c.weight > 0).sort((x, y) => x.shift - y.shift);
  let cum = 0;
  for (const c of sorted) {
    cum += c.weight;
    if (cum >= q * total) return c.shift;
  }
  return sorted[sorted.length - 1]?.shift ?? 0;
}

/** Share of requests from LN(log medianMs, σ) slower than `thresholdMs` (e.g. a timeout). */
export function lognormalExceedance(medianMs: number, sigma: number, thresholdMs: number): number {
  if (!(thresholdMs > 0)) return 1;
  if (!(sigma > 0)) return medianMs > thresholdMs ? 1 : 0;
  return normalSf((Math.log(thresholdMs) - Math.log(medianMs)) / sigma);
}

/**
 * The latency mixture an accumulator describes, as shift components relative to the service
 * median: (1 − s) of requests at latencyMul, s at latencyMul·slowMul (s capped at 1, as the
 * world does).
 */
export function effectComponents(acc: EffectAccumulator, weight = 1): ShiftComponent[] {
  const byShift = new Map<number, number>();
  addEffectComponents(byShift, acc, weight);
  return [...byShift].map(([shift, w]) => ({ weight: w, shift }));
}

/**
 * Adds `effectComponents(acc, weight)` to weights by shift, without building the list: the
 * ground truth adds one per integration step.
 */
export function addEffectComponents(
  byShift: Map<number, number>,
  acc: EffectAccumulator,
  weight: number,
): void {
  const s = Math.min(1, Math.max(0, acc.slowShare));
  const base = Math.log(acc.latencyMul);
  if (s < 1) byShift.set(base, (byShift.get(base) ?? 0) + weight * (1 - s));
  if (s > 0) {
    const slow = base + Math.log(acc.slowMul);
    byShift.set(slow, (byShift.get(slow) ?? 0) + weight * s);
  }
}

/**
 * Adds a slowed share of requests to the accumulator, which holds a single slow component.
 * Two faults slow requests independently, so the untouched share is (1 − s₁)(1 − s₂); the
 * merged factor keeps the mean log latency exact: s·ln m = s₁ ln m₁ + s₂ ln m₂ (requests hit by
 * both are slowed by m₁m₂). The rule is symmetric and associative, so the order in which faults
 * apply does not matter. It is exact for one slow component and an approximation of the
 * four-component mixture for two.
 */
export function addSlowComponent(acc: EffectAccumulator, share: number, multiplier: number): void {
  if (!(share > 0) || multiplier === 1) return;
  const s1 = Math.min(1, Math.max(0, acc.slowShare));
  const s2 = Math.min(1, share);
  if (s1 === 0) {
    acc.slowShare = s2;
    acc.slowMul = multiplier;
    return;
  }
  const s = 1 - (1 - s1) * (1 - s2);
  acc.slowMul = Math.exp((s1 * Math.log(acc.slowMul) + s2 * Math.log(multiplier)) / s);
  acc.slowShare = s;
}
