/**
 * A confidence interval for the difference of two paired proportions: shipped-bad under the
 * new policy minus under the baseline, on the same seeded trials. Newcombe's hybrid score
 * interval for paired data (Newcombe 1998, "Improved confidence intervals for the difference
 * between binomial proportions based on paired data", Statistics in Medicine 17:2635–2650,
 * method 10): the Wilson interval of each marginal proportion, combined by "square and add"
 * with the correlation between them, estimated by a continuity-corrected phi coefficient.
 * Fagerland, Lydersen & Laake (2014, Statistics in Medicine 33:2850–2875) recommend it among
 * the closed-form intervals for paired proportions.
 */
import { wilsonInterval } from '../stats/index.js';

/**
 * The paired 2×2 table. For the new policy (1) and the baseline (2) on the same trials:
 * `both` had the event under both, `onlyFirst` only under the new policy, `onlySecond` only
 * under the baseline, `neither` under neither.
 */
export interface PairedTable {
  both: number;
  onlyFirst: number;
  onlySecond: number;
  neither: number;
}

export interface PairedDifference {
  /** p₁ − p₂ = (onlyFirst − onlySecond) / n. */
  diff: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Newcombe's method 10 interval for p₁ − p₂ at the given confidence. With l, u the Wilson
 * limits of each marginal p̂:
 *   L = θ̂ − √((p̂₁ − l₁)² − 2φ(p̂₁ − l₁)(u₂ − p̂₂) + (u₂ − p̂₂)²)
 *   U = θ̂ + √((p̂₂ − l₂)² − 2φ(p̂₂ − l₂)(u₁ − p̂₁) + (u₁ − p̂₁)²)
 * where φ = (ad − bc − n/2)/√(row and column totals) when ad − bc > n/2, 0 when
 * 0 ≤ ad − bc ≤ n/2, (ad − bc)/√(…) when negative, and 0 when a margin is empty.
 *
 * @example pairedDifferenceInterval({ both: 36, onlyFirst: 12, onlySecond: 2, neither: 0 }) // diff 0.2, lo 0.0569…, hi 0.3404…
 */
export function pairedDifferenceInterval(t: PairedTable, confidence = 0.95): PairedDifference {
  const { both: a, onlyFirst: b, onlySecond: c, neither: d } = t;
  for (const v of [a, b, c, d])
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`pairedDifferenceInterval: counts must be whole numbers ≥ 0, got ${v}`);
  const n = a + b + c + d;
  if (n === 0) return { diff: 0, lo: -1, hi: 1, n };
  const x1 = a + b;
  const x2 = a + c;
  const p1 = x1 / n;
  const p2 = x2 / n;
  const w1 = wilsonInterval(x1, n, confidence);
  const w2 = wilsonInterval(x2, n, confidence);
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  let phi = 0;
  if (margins > 0) {
    const cross = a * d - b * c;
    // The continuity correction shrinks a positive association by n/2 (Newcombe's method 10).
    const corrected = cross > n / 2 ? cross - n / 2 : cross >= 0 ? 0 : cross;
    phi = corrected / Math.sqrt(margins);
  }
  const diff = p1 - p2;
  const dl1 = p1 - w1.lo;
  const du1 = w1.hi - p1;
  const dl2 = p2 - w2.lo;
  const du2 = w2.hi - p2;
  // Rounding may take a radicand a hair below zero when both margins are at a bound.
  const below = Math.sqrt(Math.max(0, dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2));
  const above = Math.sqrt(Math.max(0, dl2 * dl2 - 2 * phi * dl2 * du1 + du1 * du1));
  return { diff, lo: Math.max(-1, diff - below), hi: Math.min(1, diff + above), n };
}
