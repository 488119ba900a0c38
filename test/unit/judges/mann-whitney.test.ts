import { describe, expect, it } from 'vitest';
import {
  classifyMannWhitney,
  mannWhitneyJudge,
  mannWhitneyParams,
} from '../../../src/judges/mann-whitney.js';
import { lognormal, streamFor } from '../../../src/random/index.js';
import type { MetricPoint } from '../../../src/world/types.js';
import { runJudgeContract, series } from '../../helpers/judge-contract.js';

const latency = (rng: Parameters<typeof lognormal>[0], t: number, median: number): MetricPoint => ({
  t,
  value: lognormal(rng, Math.log(median), 0.1),
  n: 1000,
  events: 0,
});

// Null: 30 per-minute p99 values on each side from the same lognormal. Kayenta fails only when
// the 98% interval clears the tolerance band, so a null run fails at most ~2% of the time.
runJudgeContract({
  model: mannWhitneyJudge,
  params: {},
  metric: 'latency_p99',
  nullRun: (rng) => (look) => ({
    metric: 'latency_p99',
    data: {
      latency_p99: {
        canary: series(30, look * 30, (t) => latency(rng, t, 250)),
        baseline: series(30, look * 30, (t) => latency(rng, t, 250)),
      },
    },
  }),
  looks: 1,
  runs: 1500,
  nominalFalseAlarm: 0.02,
});

const settings = mannWhitneyParams.parse({});

describe('classifyMannWhitney (Kayenta MannWhitneyClassifier)', () => {
  const rng = streamFor({ seed: 3, trial: 0, purpose: 'mw-cases' });
  const draw = (median: number, n = 40) =>
    Array.from({ length: n }, () => lognormal(rng, Math.log(median), 0.1));

  it('a 2× error rate (per-point values) is High; equal distributions pass', () => {
    const base = draw(0.002);
    expect(classifyMannWhitney(draw(0.004), base, settings).classification).toBe('high');
    expect(classifyMannWhitney(draw(0.002), base, settings).classification).toBe('pass');
  });

  it('direction limits which side fails', () => {
    const base = draw(100);
    const low = draw(50);
    expect(classifyMannWhitney(low, base, settings).classification).toBe('low');
    expect(
      classifyMannWhitney(low, base, { ...settings, direction: 'increase' }).classification,
    ).toBe('pass');
    expect(
      classifyMannWhitney(draw(200), base, { ...settings, direction: 'decrease' }).classification,
    ).toBe('pass');
  });

  it('the effect-size gate: a ratio below allowedIncrease passes however significant', () => {
    const base = draw(100, 200);
    const up = draw(110, 200);
    expect(classifyMannWhitney(up, base, settings).classification).toBe('high');
    expect(
      classifyMannWhitney(up, base, { ...settings, allowedIncrease: 1.2 }).classification,
    ).toBe('pass');
  });

  it('the tolerance band: the interval must clear ±0.25·|shift|', () => {
    // Canary = baseline + 1 with a tiny spread: shift 1, interval ≈ [1, 1] clears 0.25.
    const base = [10, 10.01, 10.02, 10.03, 10.04, 10.05, 10.06, 10.07];
    const canary = base.map((v) => v + 1);
    const r = classifyMannWhitney(canary, base, settings);
    expect(r.classification).toBe('high');
    expect(r.estimate).toBeCloseTo(1, 12);
    expect(r.ratio).toBeCloseTo(11.035 / 10.035, 12);
    // With tolerance 1.5 the band ±1.5 swallows the interval.
    expect(classifyMannWhitney(canary, base, { ...settings, tolerance: 1.5 }).classification).toBe(
      'pass',
    );
  });

  it('identical or single-valued data pass; an empty side is Nodata', () => {
    expect(classifyMannWhitney([1, 2, 3], [3, 2, 1], settings)).toMatchObject({
      classification: 'pass',
      ratio: 1,
    });
    expect(classifyMannWhitney([5, 5], [5, 5, 5], settings).classification).toBe('pass');
    expect(classifyMannWhitney([], [1], settings).classification).toBe('nodata');
  });

  it('a zero mean makes the ratio NaN and skips the gate (Kayenta worked example A)', () => {
    // Baseline all NaN → replaced by 0; canary has errors: High with a NaN ratio.
    const judge = mannWhitneyJudge.create(
      mannWhitneyParams.parse({ nanStrategy: 'replace', direction: 'increase' }),
    );
    const r = judge.evaluate({
      metric: 'crash_count',
      data: {
        crash_count: {
          canary: [3, 4, 5, 3, 4, 6, 5, 4].map((value, i) => ({
            t: i + 1,
            value,
            n: 4,
            events: 0,
          })),
          baseline: Array.from({ length: 8 }, (_, i) => ({
            t: i + 1,
            value: NaN,
            n: 4,
            events: 0,
          })),
        },
      },
    });
    expect(r.verdict).toBe('fail');
    expect(r.figures.ratio).toBeUndefined();
  });

  it('nanStrategy remove leaves an all-NaN side as Nodata → inconclusive', () => {
    const judge = mannWhitneyJudge.create(settings);
    const r = judge.evaluate({
      metric: 'latency_p99',
      data: {
        latency_p99: {
          canary: [{ t: 1, value: 3, n: 1, events: 0 }],
          baseline: [{ t: 1, value: NaN, n: 0, events: 0 }],
        },
      },
    });
    expect(r.verdict).toBe('inconclusive');
  });
});
