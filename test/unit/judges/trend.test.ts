import { describe, expect, it } from 'vitest';
import type { JudgeInput } from '../../../src/judges/types.js';
import { movingRangeSigma, phaseOne, trendJudge, trendParams } from '../../../src/judges/trend.js';
import { streamFor, type RandomStream } from '../../../src/random/index.js';
import {
  plainResult,
  ratePoint,
  runJudgeContract,
  series,
  valuePoint,
} from '../../helpers/judge-contract.js';

// Counts large enough for the binomial difference to be near normal: 20 000 canary and
// 100 000 baseline requests a minute at 1% errors, with an hour of pre-deploy points.
const CN = 20_000;
const BN = 100_000;
const P = 0.01;
const SE = Math.sqrt(P * (1 - P) * (1 / CN + 1 / BN));

function rateMinute(
  rng: RandomStream,
  t: number,
  canaryP: number,
  before: ReturnType<typeof series>,
): JudgeInput {
  return {
    metric: 'error_rate',
    data: {
      error_rate: {
        canary: [ratePoint(rng, t, CN, canaryP)],
        baseline: [ratePoint(rng, t, BN, P)],
        before,
      },
    },
  };
}

const rateRun = (canaryP: number) => (rng: RandomStream) => {
  const before = series(60, -60, (t) => ratePoint(rng, t, CN, P));
  return (look: number) => rateMinute(rng, look + 1, canaryP, before);
};

// One-sided CUSUM, h = 5: in-control ARL ≈ 930 (twice the two-sided 465), so a run of 100
// looks signals with probability ≈ 1 − (1 − 1/930)^100 ≈ 0.10.
runJudgeContract({
  label: 'trend cusum on a rate vs baseline',
  model: trendJudge,
  params: { method: 'cusum', h: 5, k: 0.5 },
  metric: 'error_rate',
  nullRun: rateRun(P),
  looks: 100,
  runs: 600,
  nominalFalseAlarm: 0.1,
});

const latencyRun = (shift: number) => (rng: RandomStream) => {
  const before = series(60, -60, (t) => valuePoint(rng, t, 250, 10));
  return (look: number): JudgeInput => ({
    metric: 'latency_p99',
    data: { latency_p99: { canary: [valuePoint(rng, look + 1, 250 + shift, 10)], before } },
  });
};

// One-sided EWMA λ 0.1, L 2.814 with exact limits: in-control ARL ≈ 2 × 486 ≈ 970.
runJudgeContract({
  label: 'trend ewma on latency vs before',
  model: trendJudge,
  params: { method: 'ewma', reference: 'before' },
  metric: 'latency_p99',
  nullRun: latencyRun(0),
  looks: 100,
  runs: 600,
  nominalFalseAlarm: 0.1,
});

/** Mean points to a signal over `runs` runs (cap 500). */
function meanRunLength(
  params: Record<string, unknown>,
  make: (rng: RandomStream) => (look: number) => JudgeInput,
  runs: number,
): number {
  let sum = 0;
  for (let r = 0; r < runs; r++) {
    const rng = streamFor({ seed: 21, trial: r, purpose: 'trend-arl' });
    const next = make(rng);
    const judge = trendJudge.create(trendParams.parse(params));
    let t = 0;
    while (t < 500 && judge.evaluate(next(t)).verdict !== 'fail') t++;
    sum += t + 1;
  }
  return sum / runs;
}

describe('trend judge', () => {
  it('CUSUM (h 5) catches a 1σ error-rate shift in ≈ 10.4 points', () => {
    // 400 runs: sd of the run length ≈ 5, standard error ≈ 0.25; the estimated
    // overdispersion (≥ 1) shrinks the shift slightly, hence the wider upper side.
    const arl = meanRunLength({ method: 'cusum', h: 5 }, rateRun(P + SE), 400);
    console.info(`cusum judge, 1σ rate shift: mean run length ${arl.toFixed(2)} (chain: 10.38)`);
    expect(arl).toBeGreaterThan(9.4);
    expect(arl).toBeLessThan(12.5);
  });

  it('EWMA catches a 1σ latency shift; a 2× error rate fails at once', () => {
    const arl = meanRunLength({ method: 'ewma', reference: 'before' }, latencyRun(10), 400);
    console.info(
      `ewma judge, 1σ latency shift: mean run length ${arl.toFixed(2)} (one-sided, exact limits)`,
    );
    expect(arl).toBeLessThan(12);
    expect(meanRunLength({ method: 'cusum' }, rateRun(2 * P), 20)).toBe(1);
  });

  it('direction limits the side: a drop does not fail an increase chart', () => {
    expect(
      meanRunLength({ method: 'cusum', direction: 'increase' }, rateRun(P - 3 * SE), 20),
    ).toBeGreaterThan(100);
    expect(
      meanRunLength({ method: 'cusum', direction: 'decrease' }, rateRun(P - 3 * SE), 20),
    ).toBeLessThan(5);
  });

  it('keeps its signal, and folds each interval once whatever the window', () => {
    const rng = streamFor({ seed: 2, trial: 0, purpose: 'trend-window' });
    const before = series(60, -60, (t) => ratePoint(rng, t, CN, P));
    const canary = series(30, 0, (t) => ratePoint(rng, t, CN, P + 3 * SE));
    const baseline = series(30, 0, (t) => ratePoint(rng, t, BN, P));
    const a = trendJudge.create(trendParams.parse({}));
    const b = trendJudge.create(trendParams.parse({}));
    for (let i = 1; i <= 30; i++) {
      const cumulative = a.evaluate({
        metric: 'error_rate',
        data: {
          error_rate: { canary: canary.slice(0, i), baseline: baseline.slice(0, i), before },
        },
      });
      const interval = b.evaluate({
        metric: 'error_rate',
        data: { error_rate: { canary: [canary[i - 1]!], baseline: [baseline[i - 1]!], before } },
      });
      expect(plainResult(cumulative)).toEqual(plainResult(interval));
    }
    expect(
      a.evaluate({
        metric: 'error_rate',
        data: { error_rate: { canary: [], baseline: [], before } },
      }).verdict,
    ).toBe('fail');
  });

  it('phase I: the moving-range σ and the overdispersion of a rate', () => {
    expect(movingRangeSigma([1, 3, 2, 4])).toBeCloseTo(5 / 3 / 1.128, 12);
    const rng = streamFor({ seed: 8, trial: 0, purpose: 'phase-one' });
    const pts = series(200, 0, (t) => ratePoint(rng, t, 10_000, 0.01));
    const ph = phaseOne('error_rate', pts);
    expect(ph.mu).toBeCloseTo(0.01, 3);
    expect(ph.phi).toBeGreaterThanOrEqual(1);
    expect(ph.phi).toBeLessThan(1.3);
  });

  it('reference baseline without baseline data is an error; latency without history is inconclusive', () => {
    const judge = trendJudge.create(trendParams.parse({}));
    expect(
      judge.evaluate({ metric: 'error_rate', data: { error_rate: { canary: [] } } }).verdict,
    ).toBe('error');
    const lat = trendJudge.create(trendParams.parse({ reference: 'before' }));
    expect(
      lat.evaluate({
        metric: 'latency_p99',
        data: { latency_p99: { canary: [{ t: 1, value: 3, n: 1, events: 0 }] } },
      }).verdict,
    ).toBe('inconclusive');
  });
});
