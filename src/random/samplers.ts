import { lgamma } from '../stats/special.js';
import type { RandomStream } from './stream.js';

/**
 * Samplers over a RandomStream. Poisson and binomial use transformed rejection
 * (Hörmann 1993, "The transformed rejection method for generating Poisson random
 * variables" / "... binomial random variables"), so their cost does not grow with the
 * mean; inversion is used below a mean of 10, where it is cheaper.
 */

export function uniform(rng: RandomStream, lo = 0, hi = 1): number {
  return lo + (hi - lo) * rng.next();
}

export function exponential(rng: RandomStream, mean: number): number {
  // 1 - u is in (0, 1], so the log is finite.
  return -mean * Math.log(1 - rng.next());
}

/** Normal by Box–Muller; uses two uniforms per draw and keeps no hidden state. */
export function normal(rng: RandomStream, mean = 0, sd = 1): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Lognormal with the given parameters of the underlying normal. */
export function lognormal(rng: RandomStream, mu: number, sigma: number): number {
  return Math.exp(normal(rng, mu, sigma));
}

export function bernoulli(rng: RandomStream, p: number): boolean {
  return rng.next() < p;
}

/** Picks an index with probability proportional to its weight. */
export function weightedIndex(rng: RandomStream, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0)) throw new RangeError(`weightedIndex: weights must be ≥ 0, got ${w}`);
    total += w;
  }
  if (total <= 0) throw new RangeError('weightedIndex: weights sum to 0');
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  // Rounding can leave u at exactly 0 past the end: the last positive weight wins.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return weights.length - 1;
}

export function weightedChoice<T>(
  rng: RandomStream,
  items: readonly T[],
  weights: readonly number[],
): T {
  if (items.length !== weights.length)
    throw new RangeError('weightedChoice: items and weights differ in length');
  return items[weightedIndex(rng, weights)]!;
}

export function poisson(rng: RandomStream, mean: number): number {
  if (!(mean >= 0) || !Number.isFinite(mean))
    throw new RangeError(`poisson: mean must be finite and ≥ 0, got ${mean}`);
  if (mean === 0) return 0;
  if (mean < 10) return poissonInversion(rng, mean);
  return poissonPtrs(rng, mean);
}

function poissonInversion(rng: RandomStream, mean: number): number {
  // Sequential search from 0; the expected number of steps is mean + 1 (< 11 here).
  let p = Math.exp(-mean);
  let cdf = p;
  const u = rng.next();
  let k = 0;
  while (u > cdf) {
    k++;
    p *= mean / k;
    cdf += p;
    if (p < 1e-300 && k > mean) break;
  }
  return k;
}

function poissonPtrs(rng: RandomStream, mean: number): number {
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
      -mean + k * loglam - lgamma(k + 1)
    ) {
      return k;
    }
  }
}

export function binomial(rng: RandomStream, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`binomial: n must be a whole number ≥ 0, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial: p must be in [0, 1], got ${p}`);
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  if (n * p < 10) return binomialInversion(rng, n, p);
  return binomialBtrs(rng, n, p);
}

function binomialInversion(rng: RandomStream, n: number, p: number): number {
  const q = 1 - p;
  const s = p / q;
  let f = Math.exp(n * Math.log1p(-p));
  let cdf = f;
  const u = rng.next();
  let k = 0;
  while (u > cdf && k < n) {
    f *= (s * (n - k)) / (k + 1);
    k++;
    cdf += f;
  }
  return k;
}

// Stirling's series remainder: log k! − [(k + ½)·log(k + 1) − (k + 1) + ½·log 2π].
function stirlingTail(k: number): number {
  return lgamma(k + 1) - ((k + 0.5) * Math.log(k + 1) - (k + 1) + 0.5 * Math.log(2 * Math.PI));
}

function binomialBtrs(rng: RandomStream, n: number, p: number): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const r = p / q;
  const alpha = (2.83 + 5.1 / b) * spq;
  const m = Math.floor((n + 1) * p);
  for (;;) {
    const u = rng.next() - 0.5;
    let v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const upper =
      (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) +
      (n + 1) * Math.log((n - m + 1) / (n - k + 1)) +
      (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) +
      stirlingTail(m) +
      stirlingTail(n - m) -
      stirlingTail(k) -
      stirlingTail(n - k);
    if (v <= upper) return k;
  }
}
