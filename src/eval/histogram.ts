/**
 * A log-bucketed histogram of non-negative values (1% relative resolution above half a
 * minute). Counts are integers, so histograms from shards merge exactly, and memory stays
 * bounded whatever the number of trials.
 */
export type Histogram = Record<string, number>;

const BASE = 0.5;
const GROWTH = Math.log(1.01);

export function bucketOf(x: number): number {
  return Math.floor(Math.log1p(Math.max(0, x) / BASE) / GROWTH);
}

/** The middle of a bucket, as the value a quantile reports. */
export function bucketMid(i: number): number {
  const lo = BASE * Math.expm1(i * GROWTH);
  const hi = BASE * Math.expm1((i + 1) * GROWTH);
  return (lo + hi) / 2;
}

export function addToHistogram(h: Histogram, x: number): void {
  const k = String(bucketOf(x));
  h[k] = (h[k] ?? 0) + 1;
}

export function mergeHistograms(into: Histogram, from: Histogram): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** The q-quantile (nearest rank) of the values in the histogram, NaN when empty. */
export function histogramQuantile(h: Histogram, q: number): number {
  const keys = Object.keys(h)
    .map(Number)
    .sort((a, b) => a - b);
  let total = 0;
  for (const k of keys) total += h[String(k)]!;
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const k of keys) {
    seen += h[String(k)]!;
    if (seen >= rank) return bucketMid(k);
  }
  return bucketMid(keys[keys.length - 1]!);
}
