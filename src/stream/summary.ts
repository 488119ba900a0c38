/**
 * Figures over repeated streams: each figure's mean over the streams that have it, with a 95%
 * interval from Student's t (the streams are independent replications; the mean of a handful
 * is close to normal by the central limit theorem).
 */

/** A figure over streams: the mean, its 95% interval and how many streams had a value. */
export interface Estimate {
  mean: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

/** Two-sided 95% quantiles of Student's t for 1…30 degrees of freedom (any printed t table). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** The 97.5% quantile of t with `df` degrees of freedom (1.96 past the table, within 2% from 60 on). */
export function t95(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T95[df - 1]!;
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.0;
  if (df <= 120) return 1.98;
  return 1.96;
}

/** The mean of the values that are defined, with its 95% t interval (null ends when n < 2). */
export function estimate(values: readonly (number | undefined)[]): Estimate {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: null, low: null, high: null, n };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, low: null, high: null, n };
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const half = t95(n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half, n };
}
