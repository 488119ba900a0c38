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

/**
 * The q-quantile of the mixture; `logTolerance` is the precision of its log (the default is
 * far below sampling noise; ground truth asks for more).
 */
export function mixtureQuantile(
  components: readonly LognormalComponent[],
  q: number,
  logTolerance = 1e-9,
): number {
  const first = components[0];
  if (first === undefined) return NaN;
  const z = normalQuantile(q);
  if (components.length === 1) return Math.exp(first.mu + first.sigma * z);
  // The mixture quantile lies between the components' own quantiles: bracket, then
  // safeguarded Newton in log space (f' is the density), bisecting when a step leaves the bracket.
  let lo = Infinity;
  let hi = -Infinity;
  let w = 0;
  let guess = 0;
  for (const c of components) {
    if (c.weight <= 0) continue;
    const v = c.mu + c.sigma * z;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    guess += c.weight * v;
    w += c.weight;
  }
  if (!(hi > lo)) return Math.exp(lo);
  let y = guess / w;
  for (let i = 0; i < 60; i++) {
    const x = Math.exp(y);
    const f = mixtureCdf(components, x) - q;
    if (Math.abs(f) < logTolerance / 10) break;
    if (f < 0) lo = y;
    else hi = y;
    const d = mixturePdf(components, x) * x;
    let next = d > 0 ? y - f / d : (lo + hi) / 2;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (hi - lo < logTolerance) break;
    y = next;
  }
  return Math.exp(y);
}

/** Standard deviation of the sample q-quantile of n draws from the mixture. */
export function quantileStandardError(
  components: readonly LognormalComponent[],
  q: number,
  n: number,
  x = mixtureQuantile(components, q),
): number {
  if (n <= 0) return NaN;
  const f = mixturePdf(components, x);
  return f > 0 ? Math.sqrt((q * (1 - q)) / n) / f : 0;
}
