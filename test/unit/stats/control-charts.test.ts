import { describe, expect, it } from 'vitest';
import { normal, streamFor, type RandomStream } from '../../../src/random/index.js';
import {
  cusumAlarm,
  cusumStart,
  cusumStep,
  ewmaAlarm,
  ewmaLimit,
  ewmaStart,
  ewmaStep,
} from '../../../src/stats/control-charts.js';
import { readStatsFixture } from './fixtures.js';

interface ArlFixture {
  cusum: { k: number; h: number; shift: number; arl: number }[];
  ewmaAsymptotic: { lambda: number; L: number; shift: number; arl: number }[];
  ewmaTimeVarying: { lambda: number; L: number; shift: number; arl: number }[];
}
const arl = readStatsFixture<ArlFixture>('arl-reference.json');

/**
 * Mean run length over `runs` seeded runs and its standard error. Run lengths are roughly
 * geometric (sd ≈ mean), so 4000 runs give a standard error of about 1.6% of the ARL.
 */
function simulateArl(
  runs: number,
  rng: RandomStream,
  step: (z: number) => boolean,
  reset: () => void,
  shift: number,
) {
  let sum = 0;
  let sum2 = 0;
  for (let r = 0; r < runs; r++) {
    reset();
    let t = 0;
    for (;;) {
      t++;
      if (step(normal(rng) + shift) || t > 1e6) break;
    }
    sum += t;
    sum2 += t * t;
  }
  const mean = sum / runs;
  const se = Math.sqrt((sum2 / runs - mean * mean) / runs);
  return { mean, se };
}

// Tolerance: 3.5 standard errors of the simulated mean (a false failure about 1 in 2000 per
// check) plus 1% for the reference itself (state discretisation; the two-sided CUSUM's
// harmonic combination of one-sided ARLs).
function expectArl(sim: { mean: number; se: number }, reference: number): void {
  expect(Math.abs(sim.mean - reference)).toBeLessThanOrEqual(3.5 * sim.se + 0.01 * reference);
}

const RUNS = 4000;

describe('CUSUM average run lengths (k = ½, two-sided) by seeded simulation', () => {
  for (const ref of arl.cusum) {
    it(`h = ${ref.h}, shift ${ref.shift}σ: ARL ≈ ${ref.arl.toFixed(1)}`, () => {
      const rng = streamFor({ seed: 11, trial: ref.h, purpose: `cusum:${ref.shift}` });
      let s = cusumStart();
      const sim = simulateArl(
        RUNS,
        rng,
        (z) => cusumAlarm(cusumStep(s, z, ref.k), ref.h, 'either'),
        () => (s = cusumStart()),
        ref.shift,
      );
      expectArl(sim, ref.arl);
    });
  }

  it("Montgomery's two-sided CUSUM ARLs (k ½: h 4 → 168, 8.4 at 1σ; h 5 → 465, 10.4) agree with the chain", () => {
    expect(arl.cusum.map((c) => Number(c.arl.toFixed(c.shift === 0 ? 0 : 1)))).toEqual([
      168, 8.4, 465, 10.4,
    ]);
  });

  it('S⁺ and S⁻ follow the recursion by hand', () => {
    const s = cusumStart();
    cusumStep(s, 2, 0.5); // S⁺ = 1.5, S⁻ = max(0, −2.5) = 0
    cusumStep(s, -1, 0.5); // S⁺ = 0, S⁻ = 0.5
    expect(s).toEqual({ hi: 0, lo: 0.5 });
    expect(cusumAlarm({ hi: 5.1, lo: 0 }, 5, 'decrease')).toBe(false);
    expect(cusumAlarm({ hi: 5.1, lo: 0 }, 5, 'increase')).toBe(true);
  });
});

describe('EWMA average run lengths (λ = 0.1, L = 2.814)', () => {
  for (const [limits, refs] of [
    ['asymptotic', arl.ewmaAsymptotic],
    ['exact', arl.ewmaTimeVarying],
  ] as const) {
    for (const ref of refs) {
      it(`${limits} limits, shift ${ref.shift}σ: ARL ≈ ${ref.arl.toFixed(1)}`, () => {
        const rng = streamFor({ seed: 12, trial: 0, purpose: `ewma:${limits}:${ref.shift}` });
        let s = ewmaStart();
        const sim = simulateArl(
          RUNS,
          rng,
          (z) => ewmaAlarm(ewmaStep(s, z, ref.lambda), ref.lambda, ref.L, 'either', limits),
          () => (s = ewmaStart()),
          ref.shift,
        );
        expectArl(sim, ref.arl);
      });
    }
  }

  it('Lucas & Saccucci: asymptotic ARL₀ ≈ 500 for λ 0.1, L 2.814', () => {
    expect(Math.round(arl.ewmaAsymptotic[0]!.arl / 10) * 10).toBe(500);
  });

  it('the exact limit grows to L·√(λ/(2 − λ)) from L·λ at t = 1', () => {
    expect(ewmaLimit(1, 0.1, 3)).toBeCloseTo(0.3, 14);
    expect(ewmaLimit(1e6, 0.1, 3)).toBeCloseTo(3 * Math.sqrt(0.1 / 1.9), 14);
    const s = ewmaStart();
    ewmaStep(s, 4, 0.1);
    expect(s.value).toBeCloseTo(0.4, 14);
    expect(ewmaAlarm(s, 0.1, 3, 'increase')).toBe(true);
    expect(ewmaAlarm(s, 0.1, 3, 'increase', 'asymptotic')).toBe(false);
  });
});
