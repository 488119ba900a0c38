/**
 * Sample quantiles by linear interpolation between order statistics (Hyndman & Fan 1996
 * type 7: R's default `quantile`, numpy's `quantile(method="linear")`).
 */

/** The p-quantile of already sorted (ascending) values; NaN for an empty array. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  if (lo + 1 >= n) return a;
  return a + (h - lo) * (sorted[lo + 1]! - a);
}

/**
 * The p-quantile of values (NaN values are ignored; NaN when none remain).
 *
 * @example quantile([3, 1, 2, 4], 0.5) // 2.5
 */
export function quantile(values: readonly number[], p: number): number {
  const finite = Float64Array.from(values.filter((v) => !Number.isNaN(v)));
  finite.sort();
  return quantileSorted(finite, p);
}

/** The median of values, NaN values ignored. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}
