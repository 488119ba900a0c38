/**
 * Binomial probabilities in log space, McNemar's exact test and the conditional test of two
 * Poisson-like rates.
 *
 * The probability mass uses Loader's saddle-point form ("Fast and accurate computation of
 * binomial probabilities", 2000; the algorithm of R's dbinom), accurate to ~1e-15 relative
 * for any n. Tails are exact sums: we start at the requested count and walk away from the
 * mode, where the terms shrink geometrically or faster, until they stop mattering; the
 * other tail is 1 minus that. The walk takes about 9·√(npq) steps in the worst case (a
 * count at the mode); beyond {@link EXACT_TAIL_MAX_VARIANCE} (npq > 1e8, i.e. more than
 * ~90 000 steps) we fall back to the normal approximation with a continuity correction,
 * whose error there is below 1e-5 absolute.
 */
import { logFactorial, normalCdf, normalSf } from './special.js';

/** Above this binomial variance npq, tails use the normal approximation. */
export const EXACT_TAIL_MAX_VARIANCE = 1e8;

const LOG_2PI = Math.log(2 * Math.PI);

// Stirling's formula error log(n!) − [(n + ½)log n − n + ½ log 2π].
function stirlerr(n: number): number {
  if (n <= 15) return logFactorial(n) - (n + 0.5) * Math.log(n) + n - 0.5 * LOG_2PI;
  const nn = n * n;
  const s0 = 1 / 12;
  const s1 = 1 / 360;
  const s2 = 1 / 1260;
  const s3 = 1 / 1680;
  const s4 = 1 / 1188;
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// Deviance term x·log(x/np) + np − x, computed without cancellation when x ≈ np.
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / np) + np - x;
}

function checkArgs(name: string, n: number, p: number): void {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${name}: n must be a whole number ≥ 0, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}: p must be in [0, 1], got ${p}`);
}

/** log P(X = k) for X ~ Binomial(n, p). */
export function binomLogPmf(k: number, n: number, p: number): number {
  checkArgs('binomLogPmf', n, p);
  if (!Number.isInteger(k) || k < 0 || k > n) return -Infinity;
  const q = 1 - p;
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (q === 0) return k === n ? 0 : -Infinity;
  if (k === 0) {
    if (n === 0) return 0;
    return p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q);
  }
  if (k === n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p);
  const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * p) - bd0(n - k, n * q);
  const lf = LOG_2PI + Math.log(k) + Math.log1p(-k / n);
  return lc - 0.5 * lf;
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomPmf(k: number, n: number, p: number): number {
  return Math.exp(binomLogPmf(k, n, p));
}

/**
 * log of Σ P(X = i) walking from k away from the mode (down when `down`), which is exact
 * as long as k is on the far side of the mode in that direction.
 */
function logTailFrom(k: number, n: number, p: number, down: boolean): number {
  const first = binomLogPmf(k, n, p);
  if (first === -Infinity) return -Infinity;
  const q = 1 - p;
  let term = 1;
  let sum = 1;
  if (down) {
    // pmf(i − 1)/pmf(i) = i/(n − i + 1) · q/p
    for (let i = k; i > 0; i--) {
      term *= (i / (n - i + 1)) * (q / p);
      sum += term;
      if (term < sum * 1e-17) break;
    }
  } else {
    // pmf(i + 1)/pmf(i) = (n − i)/(i + 1) · p/q
    for (let i = k; i < n; i++) {
      term *= ((n - i) / (i + 1)) * (p / q);
      sum += term;
      if (term < sum * 1e-17) break;
    }
  }
  return first + Math.log(sum);
}

/** log P(X ≤ k) for X ~ Binomial(n, p). */
export function binomLogCdf(k: number, n: number, p: number): number {
  checkArgs('binomLogCdf', n, p);
  k = Math.floor(k);
  if (k < 0) return -Infinity;
  if (k >= n) return 0;
  if (p === 0) return 0;
  if (p === 1) return -Infinity;
  const mean = n * p;
  const variance = mean * (1 - p);
  if (variance > EXACT_TAIL_MAX_VARIANCE) {
    return Math.log(normalCdf((k + 0.5 - mean) / Math.sqrt(variance)));
  }
  if (k < mean) return logTailFrom(k, n, p, true);
  return Math.log1p(-Math.exp(logTailFrom(k + 1, n, p, false)));
}

/** log P(X ≥ k) for X ~ Binomial(n, p). */
export function binomLogAtLeast(k: number, n: number, p: number): number {
  checkArgs('binomLogAtLeast', n, p);
  k = Math.ceil(k);
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p === 0) return -Infinity;
  if (p === 1) return 0;
  const mean = n * p;
  const variance = mean * (1 - p);
  if (variance > EXACT_TAIL_MAX_VARIANCE) {
    return Math.log(normalSf((k - 0.5 - mean) / Math.sqrt(variance)));
  }
  if (k > mean) return logTailFrom(k, n, p, false);
  return Math.log1p(-Math.exp(logTailFrom(k - 1, n, p, true)));
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomCdf(k: number, n: number, p: number): number {
  return Math.exp(binomLogCdf(k, n, p));
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomAtLeast(k: number, n: number, p: number): number {
  return Math.exp(binomLogAtLeast(k, n, p));
}

/**
 * The smallest k with P(X ≤ k) ≥ prob (the lower prob-quantile): a Binomial(n, p) count
 * falls below it with probability < prob. Bisection inside mean ± 12 sd, then exact.
 */
export function binomQuantile(prob: number, n: number, p: number): number {
  checkArgs('binomQuantile', n, p);
  if (!(prob >= 0 && prob <= 1))
    throw new RangeError(`binomQuantile: prob must be in [0, 1], got ${prob}`);
  if (prob === 0 || p === 0) return 0;
  if (p === 1) return n;
  const mean = n * p;
  const sd = Math.sqrt(mean * (1 - p));
  // Invariant: P(X ≤ lo − 1) < prob ≤ P(X ≤ hi).
  let lo = Math.max(0, Math.floor(mean - 12 * sd - 2));
  let hi = Math.min(n, Math.ceil(mean + 12 * sd + 2));
  if (lo > 0 && binomCdf(lo - 1, n, p) >= prob) lo = 0;
  if (binomCdf(hi, n, p) < prob) hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomCdf(mid, n, p) >= prob) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * McNemar's exact test: under H₀ the discordant pairs b and c split as Binomial(b + c, ½);
 * the two-sided p-value is scipy's `binomtest(b, b + c, 0.5).pvalue` (1 when b + c = 0).
 */
export function mcnemar(b: number, c: number): { pValue: number } {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new RangeError(`mcnemar: b and c must be whole numbers ≥ 0, got ${b}, ${c}`);
  }
  const n = b + c;
  if (n === 0) return { pValue: 1 };
  // With p = ½ the distribution is symmetric, so "as or less likely" is both far tails.
  const k = Math.min(b, c);
  return { pValue: Math.min(1, 2 * binomCdf(k, n, 0.5)) };
}

/**
 * One-sided conditional test that a rate fell: given `eventsA` in exposure `exposureA`
 * and `eventsB` in `exposureB`, with A's rate under H₀ equal to `ratio` × B's, the events
 * split as Binomial(eventsA + eventsB, π) with π = ratio·exposureA / (ratio·exposureA +
 * exposureB) (the exact test for two Poisson rates; Przyborowski & Wilenski 1940). Returns
 * P(X ≤ eventsA), small when A's rate is below ratio × B's.
 */
export function rateDropPValue(
  eventsA: number,
  exposureA: number,
  eventsB: number,
  exposureB: number,
  ratio = 1,
): number {
  const total = Math.round(eventsA + eventsB);
  if (total === 0) return 1;
  const wa = ratio * exposureA;
  const pi = wa / (wa + exposureB);
  if (!(pi >= 0 && pi <= 1)) return 1;
  return binomCdf(Math.round(eventsA), total, pi);
}
