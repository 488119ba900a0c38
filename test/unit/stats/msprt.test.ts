import { describe, expect, it } from 'vitest';
import { normal, streamFor } from '../../../src/random/index.js';
import {
  alwaysValidPValue,
  msprtLogLikelihoodRatio,
  msprtLogLikelihoodRatioFromEstimate,
} from '../../../src/stats/msprt.js';

describe('mixture SPRT (Johari et al. 2017)', () => {
  it('matches the formula worked by hand', () => {
    // n = 100, V = 1, τ = 0.1, θ̂ − θ₀ = 0.3: Λ = √(1/2)·exp(100²·0.01·0.09/(2·1·2)) = √½·e^2.25.
    const logL = msprtLogLikelihoodRatio({
      n: 100,
      thetaHat: 0.3,
      theta0: 0,
      variance: 1,
      tau: 0.1,
    });
    expect(logL).toBeCloseTo(0.5 * Math.log(0.5) + 2.25, 14);
    expect(alwaysValidPValue(1, logL)).toBeCloseTo(Math.SQRT2 * Math.exp(-2.25), 14);
  });

  it('the per-observation and per-estimate forms agree (s = V/n)', () => {
    for (const [n, th, v, tau] of [
      [10, 0.2, 2, 0.5],
      [5000, -0.01, 0.3, 0.02],
      [1, 1, 1, 1],
    ] as const) {
      expect(msprtLogLikelihoodRatioFromEstimate(th, 0, v / n, tau)).toBeCloseTo(
        msprtLogLikelihoodRatio({ n, thetaHat: th, theta0: 0, variance: v, tau }),
        10,
      );
    }
  });

  it('the p-value is a running minimum capped at 1', () => {
    expect(alwaysValidPValue(1, -3)).toBe(1);
    expect(alwaysValidPValue(0.01, 1)).toBe(0.01);
    expect(alwaysValidPValue(0.5, Math.log(100))).toBeCloseTo(0.01, 14);
  });

  it('keeps the false-alarm rate ≤ α when looking after every observation (known variance)', () => {
    // 2000 null streams of N(0, 1), a look after each of 500 observations, α = 0.05.
    const alpha = 0.05;
    let alarms = 0;
    const streams = 2000;
    for (let s = 0; s < streams; s++) {
      const rng = streamFor({ seed: 5, trial: s, purpose: 'msprt-null' });
      let sum = 0;
      let p = 1;
      for (let n = 1; n <= 500; n++) {
        sum += normal(rng);
        p = alwaysValidPValue(
          p,
          msprtLogLikelihoodRatio({ n, thetaHat: sum / n, theta0: 0, variance: 1, tau: 0.3 }),
        );
        if (p <= alpha) {
          alarms++;
          break;
        }
      }
    }
    // Ville's inequality bounds it by α; the observed rate is well below (≈ 0.02).
    expect(alarms / streams).toBeLessThanOrEqual(alpha);
  });
});
