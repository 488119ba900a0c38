import { describe, expect, it } from 'vitest';
import {
  businessAnomalyJudge,
  businessAnomalyParams,
  fitDailyProfile,
  testBusinessAnomaly,
} from '../../../src/judges/business-anomaly.js';
import type { JudgeInput } from '../../../src/judges/types.js';
import { streamFor, type RandomStream } from '../../../src/random/index.js';
import { binomCdf } from '../../../src/stats/binomial.js';
import type { MetricPoint } from '../../../src/world/types.js';
import { ratePoint, runJudgeContract, series } from '../../helpers/judge-contract.js';

// 30 one-minute points of 3000 sessions at 3% conversion, this week and last week.
const SESSIONS = 3000;
const RATE = 0.03;

function window(rng: RandomStream, start: number, canaryRate: number, count = 30): JudgeInput {
  return {
    metric: 'conversion_rate',
    data: {
      conversion_rate: {
        canary: series(count, start, (t) => ratePoint(rng, t, SESSIONS, canaryRate)),
        seasonal: series(count, start, (t) => ratePoint(rng, t, SESSIONS, RATE)),
      },
    },
  };
}

// One look per run: alpha is the per-measurement false-alarm rate (the exact conditional test is
// discrete, so at most alpha).
runJudgeContract({
  model: businessAnomalyJudge,
  params: { alpha: 0.01 },
  metric: 'conversion_rate',
  nullRun: (rng) => (look) => window(rng, 600 + look * 30, RATE),
  looks: 1,
  runs: 2000,
  nominalFalseAlarm: 0.01,
});

// A daily cycle in both weeks, fitted over 6 hours of points.
const cycle = (t: number) => RATE * (1 + 0.2 * Math.cos((2 * Math.PI * (t - 840)) / 1440));
runJudgeContract({
  label: 'business-anomaly daily-profile',
  model: businessAnomalyJudge,
  params: { reference: 'daily-profile', alpha: 0.01 },
  metric: 'conversion_rate',
  nullRun: (rng) => () => ({
    metric: 'conversion_rate',
    data: {
      conversion_rate: {
        canary: series(72, 600, (t) => ratePoint(rng, t, SESSIONS, cycle(t)), 5),
        seasonal: series(72, 600, (t) => ratePoint(rng, t, SESSIONS, cycle(t)), 5),
      },
    },
  }),
  looks: 1,
  runs: 1000,
  nominalFalseAlarm: 0.01,
});

describe('business-anomaly judge', () => {
  const params = businessAnomalyParams.parse({});

  it('a 10% conversion drop over an hour of one-box traffic fails; no drop passes', () => {
    let caught = 0;
    let false_ = 0;
    for (let r = 0; r < 100; r++) {
      const rng = streamFor({ seed: 31, trial: r, purpose: 'business' });
      if (
        businessAnomalyJudge.create(params).evaluate(window(rng, 600, RATE * 0.9, 60)).verdict ===
        'fail'
      )
        caught++;
      if (
        businessAnomalyJudge.create(params).evaluate(window(rng, 600, RATE, 60)).verdict === 'fail'
      )
        false_++;
    }
    console.info(
      `business-anomaly: −10% caught in ${caught}/100 hours; ${false_}/100 null hours failed`,
    );
    expect(caught).toBeGreaterThanOrEqual(80);
    expect(false_).toBeLessThanOrEqual(5);
  });

  it('the p-value is the exact conditional binomial tail', () => {
    const canary: MetricPoint[] = [{ t: 1, value: 0.02, n: 1000, events: 20 }];
    const seasonal: MetricPoint[] = [{ t: 1, value: 0.03, n: 2000, events: 60 }];
    const r = testBusinessAnomaly(canary, seasonal, params)!;
    expect(r.pValue).toBeCloseTo(binomCdf(20, 80, 1 / 3), 14);
    expect(r.expected).toBeCloseTo(30, 12);
    expect(r.changePct).toBeCloseTo(-100 / 3, 10);
    // The lower bound is the largest count with P(X ≤ k) ≤ alpha under Binomial(1000, 0.03).
    expect(binomCdf(r.lowerBound, 1000, 0.03)).toBeLessThanOrEqual(0.01);
    expect(binomCdf(r.lowerBound + 1, 1000, 0.03)).toBeGreaterThan(0.01);
  });

  it('minDropPct tolerates a drop of that size', () => {
    const canary: MetricPoint[] = [{ t: 1, value: 0.027, n: 100_000, events: 2700 }];
    const seasonal: MetricPoint[] = [{ t: 1, value: 0.03, n: 100_000, events: 3000 }];
    expect(testBusinessAnomaly(canary, seasonal, params)!.pValue).toBeLessThan(1e-4);
    expect(
      testBusinessAnomaly(canary, seasonal, businessAnomalyParams.parse({ minDropPct: 10 }))!
        .pValue,
    ).toBeGreaterThan(0.4);
  });

  it('fits a daily profile exactly from noise-free points, and falls back to the pooled rate on a short span', () => {
    const f = (t: number) =>
      0.03 +
      0.004 * Math.cos((2 * Math.PI * t) / 1440) -
      0.002 * Math.sin((2 * Math.PI * t) / 1440);
    const pts = series(48, 0, (t) => ({ t, value: f(t), n: 1e6, events: f(t) * 1e6 }), 10);
    const profile = fitDailyProfile(pts);
    for (const t of [0, 200, 777, 1300]) expect(profile(t)).toBeCloseTo(f(t), 10);
    const short = fitDailyProfile(pts.slice(0, 10));
    const pooled = pts.slice(0, 10).reduce((s, p) => s + p.events, 0) / 1e7;
    expect(short(500)).toBeCloseTo(pooled, 12);
  });

  it('no seasonal data is inconclusive; a non-rate metric is an error', () => {
    const r = businessAnomalyJudge.create(params).evaluate({
      metric: 'conversion_rate',
      data: {
        conversion_rate: { canary: [{ t: 1, value: 0.03, n: 100, events: 3 }], seasonal: [] },
      },
    });
    expect(r.verdict).toBe('inconclusive');
    expect(
      businessAnomalyJudge
        .create(params)
        .evaluate({ metric: 'memory', data: { memory: { canary: [] } } }).verdict,
    ).toBe('error');
  });
});
