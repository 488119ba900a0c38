import { describe, expect, it } from 'vitest';
import {
  classifyThreshold,
  thresholdJudge,
  thresholdParams,
} from '../../../src/judges/threshold.js';
import type { RandomStream } from '../../../src/random/index.js';
import { binomCdf, binomQuantile } from '../../../src/stats/binomial.js';
import { ratePoint, runJudgeContract, series, simulate } from '../../helpers/judge-contract.js';

// Null: 10 one-minute points of 2000 requests at 0.2% errors. The threshold is the 99%
// quantile of the window's aggregate (Σerrors ~ Binomial(20000, 0.002)), so a null window
// exceeds it with probability ≤ 1%.
const N = 2000;
const P = 0.002;
const max = binomQuantile(0.99, 10 * N, P) / (10 * N);

runJudgeContract({
  model: thresholdJudge,
  params: { max },
  metric: 'error_rate',
  nullRun: (rng) => (look) => ({
    metric: 'error_rate',
    data: { error_rate: { canary: series(10, look * 10, (t) => ratePoint(rng, t, N, P)) } },
  }),
  looks: 1,
  runs: 2000,
  nominalFalseAlarm: 0.01,
});

// The same null with an inconclusive band from the 90% quantile up to max: the band changes
// no failure (still ≤ 1%), and a window lands in it with probability P(q90 < X ≤ q99) for
// X ~ Binomial(20000, 0.002), which the test below checks against the binomial CDF.
const q90 = binomQuantile(0.9, 10 * N, P);
const banded = {
  label: 'threshold with an inconclusive band',
  model: thresholdJudge,
  params: { max, inconclusiveAbove: q90 / (10 * N) },
  metric: 'error_rate' as const,
  nullRun: (rng: RandomStream) => (look: number) => ({
    metric: 'error_rate' as const,
    data: { error_rate: { canary: series(10, look * 10, (t) => ratePoint(rng, t, N, P)) } },
  }),
  looks: 1,
  runs: 2000,
  nominalFalseAlarm: 0.01,
};
runJudgeContract(banded);

describe('threshold judge: the inconclusive band (Argo: neither condition met)', () => {
  it('under the null, windows fall in the band as often as the binomial says', () => {
    const sim = simulate(banded);
    const inBand = sim.results.filter((r) => r.verdict === 'inconclusive').length;
    const expected = binomCdf(binomQuantile(0.99, 10 * N, P), 10 * N, P) - binomCdf(q90, 10 * N, P);
    // Binomial(2000 runs, expected): within 4 standard deviations.
    const sd = Math.sqrt(sim.runs * expected * (1 - expected));
    expect(Math.abs(inBand - sim.runs * expected)).toBeLessThan(4 * sd);
    expect(expected).toBeGreaterThan(0.05);
  });

  it('fails outside [min, max], is inconclusive between the pass and fail bounds, passes inside', () => {
    const up = thresholdParams.parse({ max: 1000, inconclusiveAbove: 500 });
    expect([400, 500, 500.1, 1000, 1000.1].map((v) => classifyThreshold(v, up))).toEqual([
      'pass',
      'pass',
      'inconclusive',
      'inconclusive',
      'fail',
    ]);
    const down = thresholdParams.parse({ min: 0.9, inconclusiveBelow: 0.95 });
    expect([0.99, 0.95, 0.94, 0.9, 0.89].map((v) => classifyThreshold(v, down))).toEqual([
      'pass',
      'pass',
      'inconclusive',
      'inconclusive',
      'fail',
    ]);
    const both = thresholdParams.parse({ inconclusiveBelow: 1, inconclusiveAbove: 2 });
    expect([0, 1.5, 3].map((v) => classifyThreshold(v, both))).toEqual([
      'inconclusive',
      'pass',
      'inconclusive',
    ]);
  });

  it('the band lies between passing and failing; the reason says which side a value is on', () => {
    expect(thresholdParams.safeParse({ inconclusiveAbove: 5 }).success).toBe(true);
    expect(thresholdParams.safeParse({ max: 1, inconclusiveAbove: 2 }).success).toBe(false);
    expect(thresholdParams.safeParse({ min: 2, inconclusiveBelow: 1 }).success).toBe(false);
    expect(thresholdParams.safeParse({ inconclusiveBelow: 3, inconclusiveAbove: 2 }).success).toBe(
      false,
    );
    const r = thresholdJudge
      .create(thresholdParams.parse({ max: 1000, inconclusiveAbove: 500 }))
      .evaluate({
        metric: 'latency_p99',
        data: { latency_p99: { canary: [{ t: 1, value: 700, n: 100, events: 0 }] } },
      });
    expect(r.verdict).toBe('inconclusive');
    expect(r.reason).toBe(
      'latency_p99 700 (inconclusive above 500, max 1000): in the inconclusive band',
    );
    expect(r.figures).toMatchObject({ value: 700, max: 1000, inconclusiveAbove: 500 });
  });
});

describe('threshold judge', () => {
  const evaluate = (
    params: Record<string, unknown>,
    points: { value: number; n: number; events: number }[],
    metric = 'error_rate' as const,
  ) =>
    thresholdJudge.create(thresholdParams.parse(params)).evaluate({
      metric,
      data: { [metric]: { canary: points.map((p, i) => ({ t: i + 1, ...p })) } },
    });

  it('aggregates rates as Σevents/Σn, skipping NaN points', () => {
    const r = evaluate({ max: 0.02 }, [
      { value: 0.01, n: 1000, events: 10 },
      { value: NaN, n: 1000, events: 999 },
      { value: 0.04, n: 3000, events: 120 },
    ]);
    expect(r.figures.value).toBeCloseTo(130 / 4000, 15);
    expect(r.verdict).toBe('fail');
  });

  it('a 2× error rate fails a threshold set between the two', () => {
    const good = evaluate({ max: 0.015 }, [{ value: 0.01, n: 10000, events: 100 }]);
    const bad = evaluate({ max: 0.015 }, [{ value: 0.02, n: 10000, events: 200 }]);
    expect([good.verdict, bad.verdict]).toEqual(['pass', 'fail']);
  });

  it('min fails low values; n-weighted means for latency; sums for crash counts', () => {
    expect(classifyThreshold(0.5, thresholdParams.parse({ min: 0.9 }))).toBe('fail');
    const latency = thresholdJudge.create(thresholdParams.parse({ max: 150 })).evaluate({
      metric: 'latency_p99',
      data: {
        latency_p99: {
          canary: [
            { t: 1, value: 100, n: 3000, events: 0 },
            { t: 2, value: 400, n: 1000, events: 0 },
          ],
        },
      },
    });
    expect(latency.figures.value).toBe(175);
    const crashes = thresholdJudge.create(thresholdParams.parse({ max: 2 })).evaluate({
      metric: 'crash_count',
      data: {
        crash_count: {
          canary: [
            { t: 1, value: 2, n: 4, events: 0 },
            { t: 2, value: 1, n: 4, events: 0 },
          ],
        },
      },
    });
    expect(crashes.figures.value).toBe(3);
    expect(crashes.verdict).toBe('fail');
  });

  it('no data is inconclusive; params need max or min, min ≤ max', () => {
    expect(evaluate({ max: 1 }, [{ value: NaN, n: 0, events: 0 }]).verdict).toBe('inconclusive');
    expect(thresholdParams.safeParse({}).success).toBe(false);
    expect(thresholdParams.safeParse({ min: 2, max: 1 }).success).toBe(false);
  });
});
