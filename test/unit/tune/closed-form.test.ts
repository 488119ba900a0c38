/**
 * The tuner checked where the answer is known in closed form.
 *
 * World (test/fixtures/tune/closed-form.yaml): constant load, no noise, one region of ten
 * hosts serving λ = 2000 requests a minute, base error rate p = 0.01. Policy
 * (one-measurement.yaml): deploy everything, read the error rate once over one one-minute
 * data point, roll back when errors/requests > max. A good build is blocked exactly when
 * that one reading is above the threshold.
 *
 * The world draws a data point's requests N ~ Poisson(λ) and errors E | N ~ Binomial(N, p).
 * By Poisson thinning, E ~ Poisson(λp) and F = N − E ~ Poisson(λ(1 − p)) are independent, so
 *
 *   P(blocked | x) = P(E / (E + F) > x) = Σ_f Pois(f; λ(1−p)) · Σ_e Pois(e; λp) · [e/(e+f) > x],
 *
 * a double sum over two independent Poissons. (N = 0 would be a missing point; at λ = 2000
 * its probability is e^−2000.) The same tail written as a Poisson mixture of binomial tails,
 * Σ_n Pois(n; λ) · P(Binomial(n, p) > x·n), gives the same numbers: the fixture values
 * below were computed both ways with scipy 1.17 (poisson.pmf/sf, binom.sf, exact rational
 * comparisons) and agree to 1e-13.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../src/config/index.js';
import { logFactorial } from '../../../src/stats/index.js';
import { tune } from '../../../src/tune/index.js';
import { recommend } from '../../../src/tune/select.js';

const FIXTURES = new URL('../../fixtures/tune/', import.meta.url).pathname;
const LAMBDA = 2000;
const P = 0.01;

/** scipy 1.17: Σ_f poisson.pmf(f, λ(1−p)) · poisson.sf(⌊f·x/(1−x)⌋, λp), exact rationals. */
const SCIPY_TAIL: Record<string, number> = {
  '0.012': 0.1824071965241143,
  '0.0135': 0.06346729463327247,
  '0.014': 0.0420186468486763,
  '0.015': 0.016859836237257748,
  '0.0175': 0.0010519651017401293,
};

function poissonPmfs(mean: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k <= to; k++) out.push(Math.exp(k * Math.log(mean) - mean - logFactorial(k)));
  return out;
}

const MU_E = LAMBDA * P;
const MU_F = LAMBDA * (1 - P);
const F_LO = Math.floor(MU_F - 15 * Math.sqrt(MU_F));
const F_HI = Math.ceil(MU_F + 15 * Math.sqrt(MU_F));
const E_HI = Math.ceil(MU_E + 20 * Math.sqrt(MU_E));
const PF = poissonPmfs(MU_F, F_LO, F_HI);
const PE = poissonPmfs(MU_E, 0, E_HI);

/** P(blocked | threshold x) by Poisson thinning, comparing e/(e+f) > x as the judge does. */
function blockedGood(x: number): number {
  let total = 0;
  PF.forEach((pf, i) => {
    const f = F_LO + i;
    let tail = 0;
    for (let e = E_HI; e >= 0 && e / (e + f) > x; e--) tail += PE[e]!;
    total += pf * tail;
  });
  return total;
}

/** The smallest threshold with P(blocked) ≤ target (the tail only falls as x rises). */
function analyticOptimum(target: number): number {
  let lo = 0.01;
  let hi = 0.03;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (blockedGood(mid) <= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

describe('the tuner against the closed form', () => {
  it('the analytic tail matches the scipy values', () => {
    for (const [x, v] of Object.entries(SCIPY_TAIL))
      expect(blockedGood(Number(x))).toBeCloseTo(v, 10);
  });

  it('finds the smallest threshold with blocked-good ≤ 5% within one grid step, and each simulated rate fits the tail', async () => {
    const step = 0.0005;
    const scenario = loadScenario(`${FIXTURES}closed-form.yaml`);
    const result = await tune({
      policyFile: `${FIXTURES}one-measurement.yaml`,
      scenarios: [scenario],
      params: ['stages[0].checks[0].judge.max=0.01..0.02:21'],
      constraint: { kind: 'max-blocked-good', limit: 0.05 },
      bound: 'point',
      trials: 2000,
      seed: 11,
    });
    expect(result.method).toBe('grid');
    expect(result.candidates).toHaveLength(21);

    // Every grid point's simulated blocked-good rate is a binomial draw around the exact tail.
    for (const c of result.candidates) {
      const x = c.values[0]!;
      const { count, of } = c.pooled.blockedGood;
      const p = blockedGood(x);
      const sd = Math.sqrt((p * (1 - p)) / of);
      expect(Math.abs(count / of - p), `threshold ${x}`).toBeLessThanOrEqual(4 * sd + 1e-9);
    }

    const optimum = analyticOptimum(0.05);
    expect(optimum).toBeGreaterThan(0.0135);
    expect(optimum).toBeLessThanOrEqual(0.014);
    const tuned = result.candidates[result.recommended!]!.values[0]!;
    expect(Math.abs(tuned - optimum)).toBeLessThanOrEqual(step + 1e-12);

    // Judged on the Wilson upper bound the choice can only be as strict or looser, and the
    // exact tail there is within the limit.
    const finalists = result.candidates.filter((c) => c.trials === result.trials);
    const upper = recommend(finalists, result.constraint, 'upper', result.params)!;
    expect(upper.values[0]!).toBeGreaterThanOrEqual(tuned);
    expect(blockedGood(upper.values[0]!)).toBeLessThanOrEqual(0.05);
    expect(upper.values[0]! - optimum).toBeLessThanOrEqual(2 * step + 1e-12);
  });
});
