import { describe, expect, it } from 'vitest';
import {
  classifyThreshold,
  thresholdJudge,
  thresholdParams,
} from '../../../src/judges/threshold.js';
import { binomQuantile } from '../../../src/stats/binomial.js';
import { ratePoint, runJudgeContract, series } from '../../helpers/judge-contract.js';

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
