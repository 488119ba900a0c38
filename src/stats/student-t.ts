/**
 * Student's t distribution, for prediction intervals from a handful of past periods (a
 * business metric against its last few weeks). The CDF goes through the regularized
 * incomplete beta function, evaluated by its continued fraction with the modified Lentz
 * method (Numerical Recipes, 3rd ed., §6.4: `betacf`), accurate to about 1e-14.
 */
import { lgamma } from './special.js';

const EPS = 1e-15;
const TINY = 1e-300;

/** The continued fraction of I_x(a, b), converging for x < (a + 1) / (a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1]. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  // The fraction converges fast on this side; use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) on the other.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with ν > 0 degrees of freedom. */
export function studentTCdf(t: number, nu: number): number {
  if (Number.isNaN(t) || !(nu > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  // P(|T| > |t|) = I_{ν/(ν+t²)}(ν/2, 1/2) = 1 − I_{t²/(ν+t²)}(1/2, ν/2); near 0 the second
  // keeps its precision (ν/(ν+t²) rounds to 1 for |t| under about 1e-8).
  const t2 = t * t;
  const tail =
    t2 < nu
      ? 0.5 - incompleteBeta(t2 / (nu + t2), 0.5, nu / 2) / 2
      : incompleteBeta(nu / (nu + t2), nu / 2, 0.5) / 2;
  return t >= 0 ? 1 - tail : tail;
}
