/**
 * CUSUM and EWMA control-chart statistics on standardised observations (σ units).
 *
 * CUSUM (Page 1954; Montgomery, "Introduction to Statistical Quality Control", §9.1):
 * S⁺ₜ = max(0, S⁺ₜ₋₁ + zₜ − k), S⁻ₜ = max(0, S⁻ₜ₋₁ − zₜ − k), alarm when a side exceeds h.
 * With k = ½: h = 4 gives a two-sided in-control ARL of ≈ 168 and ≈ 8.4 at a 1σ shift;
 * h = 5 gives ≈ 465 and ≈ 10.4 (Brook & Evans Markov chain).
 *
 * EWMA (Roberts 1959; Lucas & Saccucci 1990): eₜ = λzₜ + (1 − λ)eₜ₋₁ from e₀ = 0, with the
 * exact (time-varying) limits ±L·√(λ/(2 − λ)·[1 − (1 − λ)^{2t}]). λ = 0.1, L = 2.814 gives an
 * in-control ARL of ≈ 500 with the asymptotic limits.
 */

/** Which side of the target an alarm watches. */
export type Side = 'increase' | 'decrease' | 'either';

/** The running state of a two-sided CUSUM. */
export interface CusumState {
  /** Upper sum S⁺ (evidence of an increase). */
  hi: number;
  /** Lower sum S⁻ (evidence of a decrease), kept ≥ 0. */
  lo: number;
}

/** A fresh CUSUM at zero. */
export function cusumStart(): CusumState {
  return { hi: 0, lo: 0 };
}

/** Folds one standardised observation into the CUSUM, in place, and returns it. */
export function cusumStep(state: CusumState, z: number, k: number): CusumState {
  const hi = state.hi + z - k;
  const lo = state.lo - z - k;
  state.hi = hi > 0 ? hi : 0;
  state.lo = lo > 0 ? lo : 0;
  return state;
}

/** Whether the CUSUM signals on the given side(s) with decision interval h. */
export function cusumAlarm(state: CusumState, h: number, side: Side): boolean {
  switch (side) {
    case 'increase':
      return state.hi > h;
    case 'decrease':
      return state.lo > h;
    case 'either':
      return state.hi > h || state.lo > h;
    default:
      return assertNever(side);
  }
}

/** The running state of an EWMA chart. */
export interface EwmaState {
  /** The smoothed statistic eₜ (target 0). */
  value: number;
  /** Observations folded in so far. */
  t: number;
}

export function ewmaStart(): EwmaState {
  return { value: 0, t: 0 };
}

/** Folds one standardised observation into the EWMA, in place, and returns it. */
export function ewmaStep(state: EwmaState, z: number, lambda: number): EwmaState {
  state.value = lambda * z + (1 - lambda) * state.value;
  state.t += 1;
  return state;
}

/**
 * The exact control limit after t observations in σ units (Lucas & Saccucci 1990):
 * L·√(λ/(2 − λ)·[1 − (1 − λ)^{2t}]). It tends to L·√(λ/(2 − λ)).
 */
export function ewmaLimit(t: number, lambda: number, L: number): number {
  return L * Math.sqrt((lambda / (2 - lambda)) * (1 - Math.pow(1 - lambda, 2 * t)));
}

/**
 * The exact limit when the target itself was estimated from a reference sample: the EWMA of
 * (x − μ̂) carries the estimation error (μ − μ̂)·[1 − (1 − λ)^t] at every step, so its variance
 * is σ²·(λ/(2 − λ)·[1 − (1 − λ)^{2t}] + [1 − (1 − λ)^t]²·w), where w = Var(μ̂)/σ² (1/m for a
 * mean of m points). Without it a chart against an hour of history alarms far more often than
 * its nominal rate (Jones, Champ & Rigdon, Technometrics 2001).
 */
export function ewmaLimitEstimated(t: number, lambda: number, L: number, w: number): number {
  const c = 1 - Math.pow(1 - lambda, t);
  return L * Math.sqrt((lambda / (2 - lambda)) * (1 - Math.pow(1 - lambda, 2 * t)) + c * c * w);
}

/**
 * Whether the EWMA lies outside its limits on the given side(s): the exact time-varying
 * limits by default (they catch a shift present from the start sooner: zero-state ARL at 1σ
 * ≈ 8.2 rather than 10.3, for an in-control ARL of ≈ 486 rather than 500 at λ 0.1, L 2.814),
 * or the asymptotic ones that Lucas & Saccucci's tables assume.
 */
export function ewmaAlarm(
  state: EwmaState,
  lambda: number,
  L: number,
  side: Side,
  limits: 'exact' | 'asymptotic' = 'exact',
): boolean {
  if (state.t === 0) return false;
  const limit = ewmaLimit(limits === 'exact' ? state.t : Infinity, lambda, L);
  switch (side) {
    case 'increase':
      return state.value > limit;
    case 'decrease':
      return state.value < -limit;
    case 'either':
      return state.value > limit || state.value < -limit;
    default:
      return assertNever(side);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected side ${String(value)}`);
}
