import { describe, expect, it } from 'vitest';
import { compareRelative, relativeJudge, relativeParams } from '../../../src/judges/relative.js';
import { binomAtLeast, binomPmf } from '../../../src/stats/binomial.js';
import { ratePoint, runJudgeContract, series } from '../../helpers/judge-contract.js';

// Null: canary 10 × 1000 requests, baseline 10 × 20000, both at 0.2%. The tolerance is the
// exact 99% point of the null distribution of X/10⁴ − Y/(2·10⁵), X ~ Bin(10⁴, p), Y ~ Bin(2·10⁵, p)
// (by summing over Y), so at most 1% of null windows exceed it.
const P = 0.002;
function exceedance(t: number): number {
  let sum = 0;
  for (let y = 250; y <= 560; y++) {
    const x = Math.floor(10_000 * (t + y / 200_000) + 1e-9) + 1;
    sum += binomPmf(y, 200_000, P) * binomAtLeast(x, 10_000, P);
  }
  return sum;
}
let lo = 0;
let hi = 0.01;
for (let i = 0; i < 60; i++) {
  const mid = (lo + hi) / 2;
  if (exceedance(mid) <= 0.01) hi = mid;
  else lo = mid;
}
const maxIncrease = hi;

runJudgeContract({
  model: relativeJudge,
  params: { mode: 'difference', maxIncrease },
  metric: 'error_rate',
  nullRun: (rng) => (look) => ({
    metric: 'error_rate',
    data: {
      error_rate: {
        canary: series(10, look * 10, (t) => ratePoint(rng, t, 1000, P)),
        baseline: series(10, look * 10, (t) => ratePoint(rng, t, 20_000, P)),
      },
    },
  }),
  looks: 1,
  runs: 2000,
  nominalFalseAlarm: 0.01,
});

describe('relative judge', () => {
  const params = (p: Record<string, unknown>) => relativeParams.parse(p);

  it('a 2× error rate fails a +50% ratio tolerance; equal rates pass', () => {
    expect(compareRelative(0.02, 0.01, params({ maxIncrease: 0.5 })).verdict).toBe('fail');
    expect(compareRelative(0.01, 0.01, params({ maxIncrease: 0.5 })).verdict).toBe('pass');
    expect(compareRelative(0.02, 0.01, params({ maxIncrease: 0.5 })).change).toBe(2);
  });

  it('direction limits which side fails', () => {
    const drop = { maxIncrease: 0.1, maxDecrease: 0.1 };
    expect(compareRelative(0.5, 1, params({ ...drop, direction: 'increase' })).verdict).toBe(
      'pass',
    );
    expect(compareRelative(0.5, 1, params({ ...drop, direction: 'decrease' })).verdict).toBe(
      'fail',
    );
    expect(compareRelative(0.5, 1, params({ ...drop, direction: 'either' })).verdict).toBe('fail');
    expect(compareRelative(2, 1, params({ ...drop, direction: 'decrease' })).verdict).toBe('pass');
  });

  it('difference mode works in metric units; a zero baseline is an infinite ratio', () => {
    expect(
      compareRelative(0.013, 0.002, params({ mode: 'difference', maxIncrease: 0.01 })).verdict,
    ).toBe('fail');
    expect(
      compareRelative(0.011, 0.002, params({ mode: 'difference', maxIncrease: 0.01 })).verdict,
    ).toBe('pass');
    expect(compareRelative(0.001, 0, params({})).verdict).toBe('fail');
    expect(compareRelative(0, 0, params({})).verdict).toBe('pass');
  });

  it('reads aggregates of both groups from the input', () => {
    const r = relativeJudge.create(params({ maxIncrease: 0.5 })).evaluate({
      metric: 'error_rate',
      data: {
        error_rate: {
          canary: [{ t: 1, value: 0.02, n: 5000, events: 100 }],
          baseline: [
            { t: 1, value: 0.01, n: 50_000, events: 500 },
            { t: 1, value: NaN, n: 10, events: 10 },
          ],
        },
      },
    });
    expect(r.verdict).toBe('fail');
    expect(r.figures.change).toBeCloseTo(2, 12);
  });
});
