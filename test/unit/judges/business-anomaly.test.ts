import { describe, expect, it } from 'vitest';
import {
  businessAnomalyJudge,
  businessAnomalyParams,
  fitDailyProfile,
  testAgainstWeeks,
  testBusinessAnomaly,
} from '../../../src/judges/business-anomaly.js';
import type { JudgeInput } from '../../../src/judges/types.js';
import { normal, streamFor, type RandomStream } from '../../../src/random/index.js';
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

// Several past weeks whose levels differ by 5% (sd of the log level), this week drawn alike:
// the prediction interval's false-alarm rate is its alpha whatever the weeks' spread.
const WEEK_SPREAD = 0.05;
function weeksWindow(rng: RandomStream, weeks: number, drop = 0): JudgeInput {
  const level = () => RATE * Math.exp(WEEK_SPREAD * normal(rng));
  const now = level() * (1 - drop);
  return {
    metric: 'conversion_rate',
    data: {
      conversion_rate: {
        canary: series(30, 600, (t) => ratePoint(rng, t, SESSIONS, now)),
        seasonalWeeks: Array.from({ length: weeks }, () => {
          const r = level();
          return series(30, 600, (t) => ratePoint(rng, t, SESSIONS, r));
        }),
      },
    },
  };
}
runJudgeContract({
  label: 'business-anomaly against six past weeks',
  model: businessAnomalyJudge,
  params: { alpha: 0.05, weeks: 6 },
  metric: 'conversion_rate',
  nullRun: (rng) => () => weeksWindow(rng, 6),
  looks: 1,
  runs: 2000,
  nominalFalseAlarm: 0.05,
});

describe('business-anomaly against several past weeks', () => {
  it('is the prediction interval of Student’s t: with two weeks, the Cauchy closed form', () => {
    // Two weeks at rates 0.030 and 0.033 over the same times; the canary at 0.027.
    const week = (rate: number): MetricPoint[] =>
      Array.from({ length: 10 }, (_, i) => ({
        t: i,
        value: rate,
        n: 10_000,
        events: rate * 10_000,
      }));
    const canary = week(0.027);
    const r = testAgainstWeeks(canary, [week(0.03), week(0.033)], { alpha: 0.05, minDropPct: 0 })!;
    const logs = [Math.log(3000.5 / 1e5), Math.log(3300.5 / 1e5)];
    const mean = (logs[0]! + logs[1]!) / 2;
    const s2 = (logs[0]! - mean) ** 2 + (logs[1]! - mean) ** 2;
    const own = 1 / 2700.5;
    const sd = Math.sqrt(
      Math.max(s2 * 1.5 + Math.max(0, own - (1 / 3000.5 + 1 / 3300.5) / 2), own),
    );
    const t = (Math.log(2700.5 / 1e5) - mean) / sd;
    expect(r.pValue).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
    expect(r.weeks).toBe(2);
  });

  it('catches a drop well outside what the weeks differ by, and tolerates one inside it', () => {
    const rng = streamFor({ seed: 3, trial: 0, purpose: 'weeks-power' });
    const judge = businessAnomalyJudge.create(
      businessAnomalyParams.parse({ weeks: 6, alpha: 0.01 }),
    );
    let caught = 0;
    let tolerated = 0;
    for (let i = 0; i < 200; i++) {
      if (judge.evaluate(weeksWindow(rng, 6, 0.3)).verdict === 'fail') caught++;
      if (judge.evaluate(weeksWindow(rng, 6, 0.02)).verdict !== 'fail') tolerated++;
    }
    expect(caught).toBeGreaterThan(190);
    expect(tolerated).toBeGreaterThan(180);
  });

  it('is inconclusive with fewer than two weeks of data, and refuses weeks with a daily profile', () => {
    const rng = streamFor({ seed: 4, trial: 0, purpose: 'weeks-missing' });
    const judge = businessAnomalyJudge.create(businessAnomalyParams.parse({ weeks: 3 }));
    const input = weeksWindow(rng, 1);
    expect(judge.evaluate(input).verdict).toBe('inconclusive');
    expect(businessAnomalyParams.safeParse({ weeks: 2, reference: 'daily-profile' }).success).toBe(
      false,
    );
  });
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
