/**
 * Wilcoxon's signed-rank test on paired differences (Wilcoxon 1945). Zero differences are
 * dropped and tied magnitudes share their mean rank. The p-value is exact (the null
 * distribution of W⁺, counted over subsets of the ranks) when fewer than 50 differences
 * remain and no magnitudes tie, R's rule for `wilcox.test(paired = TRUE)`; otherwise it is
 * the normal approximation with the tie-corrected variance and no continuity correction,
 * scipy's `wilcoxon(d, zero_method="wilcox", correction=False, method="approx")`.
 */
import { normalCdf } from '../stats/index.js';

/** Exact p-values below this many non-zero differences (R's threshold), normal at and above. */
export const SIGNED_RANK_EXACT_MAX = 50;

export interface SignedRankResult {
  /** Non-zero differences the test used. */
  n: number;
  /** Sum of the ranks of the positive differences. */
  wPlus: number;
  /** Two-sided p-value (1 when there is nothing to rank). */
  pValue: number;
  /** One-sided p-value for "the differences tend to be positive". */
  pGreater: number;
  method: 'exact' | 'normal';
}

/**
 * The signed-rank test of "the differences are symmetric about 0".
 * @example signedRank([0.952, -0.147, 1.022, 0.43, 0.62, 0.59, 0.49, -0.08, 0.01]).pGreater // 0.01953…
 */
export function signedRank(differences: readonly number[]): SignedRankResult {
  const d = differences.filter((x) => x !== 0);
  for (const x of d)
    if (!Number.isFinite(x))
      throw new RangeError(`signedRank: differences must be finite, got ${x}`);
  const n = d.length;
  if (n === 0) return { n, wPlus: 0, pValue: 1, pGreater: 1, method: 'exact' };
  const order = d.map((_, i) => i).sort((i, j) => Math.abs(d[i]!) - Math.abs(d[j]!));
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && Math.abs(d[order[j + 1]!]!) === Math.abs(d[order[i]!]!)) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = mid;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (d[i]! > 0) wPlus += ranks[i]!;
  if (n < SIGNED_RANK_EXACT_MAX && tieTerm === 0) {
    const { atLeast, atMost } = exactTails(n, Math.round(wPlus));
    return {
      n,
      wPlus,
      pValue: Math.min(1, 2 * Math.min(atLeast, atMost)),
      pGreater: atLeast,
      method: 'exact',
    };
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const z = variance > 0 ? (wPlus - mean) / Math.sqrt(variance) : 0;
  return {
    n,
    wPlus,
    pValue: Math.min(1, 2 * Math.min(normalCdf(z), normalCdf(-z))),
    pGreater: normalCdf(-z),
    method: 'normal',
  };
}

/**
 * P(W⁺ ≥ w) and P(W⁺ ≤ w) under the null, where W⁺ is the sum of a uniformly random subset
 * of the ranks 1..n: the count of subsets with each sum, by the usual knapsack recurrence.
 */
function exactTails(n: number, w: number): { atLeast: number; atMost: number } {
  const max = (n * (n + 1)) / 2;
  // Counts reach 2^n / √n, beyond 2^53 for n near 50: shares of the total keep them in range.
  let counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) {
    const next = new Float64Array(max + 1);
    for (let s = 0; s <= max; s++) {
      const c = counts[s]!;
      if (c === 0) continue;
      next[s] = next[s]! + c / 2;
      next[s + r] = next[s + r]! + c / 2;
    }
    counts = next;
  }
  let atLeast = 0;
  let atMost = 0;
  for (let s = 0; s <= max; s++) {
    if (s >= w) atLeast += counts[s]!;
    if (s <= w) atMost += counts[s]!;
  }
  return { atLeast: Math.min(1, atLeast), atMost: Math.min(1, atMost) };
}
