import { normalCdf, normalPdf, normalQuantile } from '../stats/special.js';

/**
 * Request latency as a mixture of lognormal components (a cohort's normal requests, its
 * slowed share, other cohorts in the same group). Quantiles are exact up to bisection
 * tolerance; the observed quantile of n requests is drawn from its asymptotic normal law
 * (Var q̂ ≈ q(1−q) / (n f(x_q)²)), so no request is ever simulated.
 */
export interface LognormalComponent {
  weight: number;
  /** log of the median (ms). */
  mu: number;
  sigma: number;
}

export function mixtureCdf(components: readonly LognormalComponent[], x: number): number {
  if (x <= 0) return 0;
  const lx = Math.log(x);
  let total = 0;
  let w = 0;
  for (const c of components) {
    total += c.weight * normalCdf((lx - c.mu) / c.sigma);
    w += c.weight;
  }
  return w > 0 ? total / w : 0;
}

export function mixturePdf(components: readonly LognormalComponent[], x: number): number {
  if (x <= 0) return 0;
  const lx = Math.log(x);
  let total = 0;
  let w = 0;
  for (const c of components) {
    total += (c.weight * normalPdf((lx - c.mu) / c.sigma)) / (c.sigma * x);
    w += c.weight;
  }
  return w > 0 ? total / w : 0;
}

export function mixtureQuantile(components: readonly LognormalComponent[], q: number): number {
  const first = components[0];
  if (first === undefined) return NaN;
  const z = normalQuantile(q);
  if (components.length === 1) return Math.exp(first.mu + first.sigma * z);
  // The mixture quantile lies between the components' own quantiles.
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of components) {
    if (c.weight <= 0) continue;
    const v = c.mu + c.sigma * z;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return Math.exp(lo);
  for (let i = 0; i < 50 && hi - lo > 1e-7; i++) {
    const mid = (lo + hi) / 2;
    if (mixtureCdf(components, Math.exp(mid)) < q) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Standard deviation of the sample q-quantile of n draws from the mixture. */
export function quantileStandardError(
  components: readonly LognormalComponent[],
  q: number,
  n: number,
): number {
  if (n <= 0) return NaN;
  const x = mixtureQuantile(components, q);
  const f = mixturePdf(components, x);
  return f > 0 ? Math.sqrt((q * (1 - q)) / n) / f : 0;
}
