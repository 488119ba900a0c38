import { describe, expect, it } from 'vitest';
import {
  rateDifferenceLogLambda,
  sequentialJudge,
  sequentialParams,
} from '../../../src/judges/sequential.js';
import type { JudgeInput } from '../../../src/judges/types.js';
import { streamFor, type RandomStream } from '../../../src/random/index.js';
import type { MetricPoint } from '../../../src/world/types.js';
import { plainResult, ratePoint, runJudgeContract } from '../../helpers/judge-contract.js';

// Realistic counts for a one-box: the canary host serves 500 requests a minute, the region's
// old hosts 20 000, at a 0.2% error rate. One point per minute; the judge looks every minute.
const CANARY_N = 500;
const BASELINE_N = 20_000;
const P = 0.002;

function minuteInput(rng: RandomStream, t: number, canaryP: number): JudgeInput {
  return {
    metric: 'error_rate',
    data: {
      error_rate: {
        canary: [ratePoint(rng, t, CANARY_N, canaryP)],
        baseline: [ratePoint(rng, t, BASELINE_N, P)],
      },
    },
  };
}

// Always valid: looked at after each of 500 minutes, a null run fails with probability ≤ alpha.
// τ = 0.001 against 5000 + 5000 requests a minute at 1% errors is where the test is least
// conservative (≈ 1.5% measured; with the default τ at one-box counts it is ≈ 0).
runJudgeContract({
  model: sequentialJudge,
  params: { alpha: 0.05, tau: 0.001 },
  metric: 'error_rate',
  nullRun: (rng) => (look) => ({
    metric: 'error_rate',
    data: {
      error_rate: {
        canary: [ratePoint(rng, look + 1, 5000, 0.01)],
        baseline: [ratePoint(rng, look + 1, 5000, 0.01)],
      },
    },
  }),
  looks: 500,
  runs: 600,
  nominalFalseAlarm: 0.05,
});

runJudgeContract({
  label: 'sequential at one-box counts, default τ',
  model: sequentialJudge,
  params: {},
  metric: 'error_rate',
  nullRun: (rng) => (look) => minuteInput(rng, look + 1, P),
  looks: 500,
  runs: 300,
  nominalFalseAlarm: 0.05,
});

/** Minutes until the judge fails (Infinity if it never does within `limit`). */
function minutesToFail(
  seed: number,
  canaryP: number,
  limit: number,
  params: Record<string, unknown> = {},
): number {
  const rng = streamFor({ seed, trial: 0, purpose: 'sequential-power' });
  const judge = sequentialJudge.create(sequentialParams.parse(params));
  for (let t = 1; t <= limit; t++) {
    if (judge.evaluate(minuteInput(rng, t, canaryP)).verdict === 'fail') return t;
  }
  return Infinity;
}

describe('sequential judge', () => {
  it('detects a real +1 pp error increase at one-box counts, within minutes', () => {
    const times = Array.from({ length: 200 }, (_, s) => minutesToFail(s, P + 0.01, 120));
    const detected = times.filter((t) => t < Infinity).length / times.length;
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[100]!;
    console.info(
      `+1 pp: detected in ${(detected * 100).toFixed(1)}% of 200 runs within 2 h; median ${median} min`,
    );
    expect(detected).toBeGreaterThanOrEqual(0.99);
    expect(median).toBeLessThanOrEqual(15);
  });

  it('direction: a drop never fails an increase check, and fails a decrease check', () => {
    const rng = streamFor({ seed: 1, trial: 0, purpose: 'sequential-drop' });
    const up = sequentialJudge.create(sequentialParams.parse({ direction: 'increase' }));
    const down = sequentialJudge.create(sequentialParams.parse({ direction: 'decrease' }));
    const verdicts = { up: 'pass', down: 'pass' };
    for (let t = 1; t <= 120; t++) {
      const data = {
        metric: 'error_rate' as const,
        data: {
          error_rate: {
            canary: [ratePoint(rng, t, 5000, 0.01)],
            baseline: [ratePoint(rng, t, 5000, 0.02)],
          },
        },
      };
      if (up.evaluate(data).verdict === 'fail') verdicts.up = 'fail';
      if (down.evaluate(data).verdict === 'fail') verdicts.down = 'fail';
    }
    expect(verdicts).toEqual({ up: 'pass', down: 'fail' });
  });

  it('minEffect: an increase smaller than it does not fail', () => {
    expect(minutesToFail(3, P + 0.01, 240, { minEffect: 0.02 })).toBe(Infinity);
    expect(minutesToFail(3, P + 0.01, 240, { minEffect: 0.002 })).toBeLessThan(Infinity);
  });

  it('cumulative and interval windows give the same verdicts (each point counted once)', () => {
    const rng = streamFor({ seed: 9, trial: 0, purpose: 'sequential-windows' });
    const canary: MetricPoint[] = [];
    const baseline: MetricPoint[] = [];
    const a = sequentialJudge.create(sequentialParams.parse({}));
    const b = sequentialJudge.create(sequentialParams.parse({}));
    for (let t = 1; t <= 60; t++) {
      canary.push(ratePoint(rng, t, CANARY_N, P + 0.004));
      baseline.push(ratePoint(rng, t, BASELINE_N, P));
      const cumulative = a.evaluate({
        metric: 'error_rate',
        data: { error_rate: { canary, baseline } },
      });
      const interval = b.evaluate({
        metric: 'error_rate',
        data: { error_rate: { canary: [canary.at(-1)!], baseline: [baseline.at(-1)!] } },
      });
      expect(plainResult(cumulative)).toEqual(plainResult(interval));
    }
  });

  it('log Λ matches the Johari formula with the pooled variance', () => {
    const counts = { canaryEvents: 30, canaryN: 1000, baselineEvents: 20, baselineN: 1000 };
    const pooled = 50 / 2000;
    const s = pooled * (1 - pooled) * (2 / 1000);
    const t2 = 0.005 ** 2;
    const expected = 0.5 * Math.log(s / (s + t2)) + (t2 * 0.01 ** 2) / (2 * s * (s + t2));
    expect(rateDifferenceLogLambda(counts, 0, 0.005)).toBeCloseTo(expected, 12);
  });

  it('passes while collecting too few expected events, and errors on a non-rate metric', () => {
    const judge = sequentialJudge.create(sequentialParams.parse({}));
    const r = judge.evaluate({
      metric: 'error_rate',
      data: {
        error_rate: {
          canary: [{ t: 1, value: 0.01, n: 100, events: 1 }],
          baseline: [{ t: 1, value: 0, n: 100, events: 0 }],
        },
      },
    });
    expect(r.verdict).toBe('pass');
    expect(r.reason).toMatch(/collecting/);
    const bad = sequentialJudge.create(sequentialParams.parse({})).evaluate({
      metric: 'latency_p99',
      data: { latency_p99: { canary: [], baseline: [] } },
    });
    expect(bad.verdict).toBe('error');
  });
});
