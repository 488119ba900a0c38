import { describe, expect, it } from 'vitest';
import {
  classifyScore,
  kayentaScore,
  kayentaScoreJudge,
  kayentaScoreParams,
  type ScoredMetric,
} from '../../../src/judges/kayenta-score.js';
import type { JudgeInput } from '../../../src/judges/types.js';
import { lognormal, streamFor, type RandomStream } from '../../../src/random/index.js';
import type { MetricPoint } from '../../../src/world/types.js';
import { ratePoint, runJudgeContract, series } from '../../helpers/judge-contract.js';

const latency = (rng: RandomStream, t: number, median: number): MetricPoint => ({
  t,
  value: lognormal(rng, Math.log(median), 0.1),
  n: 1000,
  events: 0,
});

function input(
  rng: RandomStream,
  canaryMedian: number,
  canaryErrors: number,
  start = 0,
): JudgeInput {
  return {
    metric: 'latency_p99',
    data: {
      latency_p99: {
        canary: series(30, start, (t) => latency(rng, t, canaryMedian)),
        baseline: series(30, start, (t) => latency(rng, t, 250)),
      },
      error_rate: {
        canary: series(30, start, (t) => ratePoint(rng, t, 5000, canaryErrors)),
        baseline: series(30, start, (t) => ratePoint(rng, t, 5000, 0.002)),
      },
    },
  };
}

const twoMetrics = {
  metrics: [
    { metric: 'latency_p99', direction: 'increase' },
    { metric: 'error_rate', direction: 'increase', critical: true },
  ],
};

// Two metrics in one group: one High scores 50 ≤ 75 and fails. Each fails with probability
// ≤ ~2% under the null, so a run fails at most ~4% of the time.
runJudgeContract({
  model: kayentaScoreJudge,
  params: twoMetrics,
  metric: 'latency_p99',
  nullRun: (rng) => (look) => input(rng, 250, 0.002, look * 30),
  looks: 1,
  runs: 800,
  nominalFalseAlarm: 0.04,
});

const m = (
  classification: ScoredMetric['classification'],
  group = 'g',
  critical = false,
  weight = 1,
): ScoredMetric => ({
  classification,
  group,
  weight,
  critical,
});

describe('kayentaScore (WeightedSumScorer)', () => {
  it('group score = 100 × Pass/(Pass + High + Low + NodataFailMetric); Nodata left out', () => {
    const s = kayentaScore([m('pass'), m('pass'), m('high'), m('nodata-fail'), m('nodata')], {});
    expect(s.score).toBe(50);
    expect(s.nodataShare).toBe(0.2);
  });

  it('configured group weights; unweighted groups share the rest equally', () => {
    // a: 100 (weight 50); b: 0, c: 50 share (100 − 50)/2 = 25 each → 50 + 0 + 12.5.
    const s = kayentaScore([m('pass', 'a'), m('high', 'b'), m('pass', 'c'), m('low', 'c')], {
      a: 50,
    });
    expect(s.score).toBe(62.5);
    expect(s.groups.find((g) => g.name === 'c')!.score).toBe(50);
  });

  it('a failing critical metric zeroes the score, even a Nodata one', () => {
    expect(kayentaScore([m('pass'), m('pass'), m('pass'), m('high', 'g', true)], {}).score).toBe(0);
    expect(kayentaScore([m('pass'), m('pass'), m('pass'), m('nodata', 'g', true)], {}).score).toBe(
      0,
    );
    expect(kayentaScore([m('pass'), m('pass'), m('pass'), m('high', 'g', false)], {}).score).toBe(
      75,
    );
  });

  it('Nodata on half the metrics or more scores 0', () => {
    expect(kayentaScore([m('pass'), m('nodata')], {}).score).toBe(0);
    expect(kayentaScore([m('pass'), m('pass'), m('nodata')], {}).score).toBe(100);
  });

  it('per-metric weights inside a group', () => {
    expect(kayentaScore([m('pass', 'g', false, 3), m('high', 'g', false, 1)], {}).score).toBe(75);
  });

  it('ThresholdScoreClassifier: ≥ pass Pass, ≥ marginal Marginal, else Fail', () => {
    expect([
      classifyScore(95, 95, 75),
      classifyScore(80, 95, 75),
      classifyScore(75, 95, 75),
      classifyScore(74.9, 95, 75),
    ]).toEqual(['pass', 'marginal', 'marginal', 'fail']);
  });
});

describe('kayenta-score judge', () => {
  const params = kayentaScoreParams.parse(twoMetrics);

  it('a 2× error rate on the critical metric fails with score 0', () => {
    const rng = streamFor({ seed: 4, trial: 0, purpose: 'kayenta-bad' });
    const r = kayentaScoreJudge.create(params).evaluate(input(rng, 250, 0.004));
    expect(r.verdict).toBe('fail');
    expect(r.figures.score).toBe(0);
    expect(r.reason).toContain('critical');
  });

  it('equal distributions pass with 100', () => {
    const rng = streamFor({ seed: 4, trial: 1, purpose: 'kayenta-good' });
    const r = kayentaScoreJudge.create(params).evaluate(input(rng, 250, 0.002));
    expect(r.verdict).toBe('pass');
    expect(r.figures.score).toBe(100);
  });

  it('a score between marginal and pass is inconclusive; ≤ marginal fails and stays failed', () => {
    const rng = streamFor({ seed: 4, trial: 2, purpose: 'kayenta-marginal' });
    const four = kayentaScoreParams.parse({
      metrics: [
        { metric: 'latency_p99', direction: 'increase' },
        { metric: 'latency_p50', direction: 'increase' },
        { metric: 'latency_p90', direction: 'increase' },
        { metric: 'memory', direction: 'increase' },
        { metric: 'connections', direction: 'increase' },
      ],
      pass: 95,
      marginal: 75,
    });
    const make = (slow: boolean, start: number): JudgeInput => {
      const d: JudgeInput['data'] = {};
      for (const metric of [
        'latency_p99',
        'latency_p50',
        'latency_p90',
        'memory',
        'connections',
      ] as const) {
        const shifted = slow && metric === 'latency_p99';
        d[metric] = {
          canary: series(30, start, (t) => latency(rng, t, shifted ? 500 : 250)),
          baseline: series(30, start, (t) => latency(rng, t, 250)),
        };
      }
      return { metric: 'latency_p99', data: d };
    };
    const judge = kayentaScoreJudge.create(four);
    const first = judge.evaluate(make(true, 0));
    expect(first.figures.score).toBe(80);
    expect(first.verdict).toBe('inconclusive');
    const twoBad = kayentaScoreJudge.create({ ...four, marginal: 80 });
    expect(twoBad.evaluate(make(true, 0)).verdict).toBe('fail');
    // Kayenta ends the analysis at the first interval ≤ marginal: later good intervals stay failed.
    expect(twoBad.evaluate(make(false, 30)).verdict).toBe('fail');
  });

  it('with no metrics listed it scores the check metric alone', () => {
    const p = kayentaScoreParams.parse({});
    expect(kayentaScoreJudge.metrics(p, 'latency_p90')).toEqual(['latency_p90']);
    expect(kayentaScoreJudge.metrics(params, 'latency_p90')).toEqual(['latency_p99', 'error_rate']);
  });

  it('rejects unknown metric keys and marginal above pass', () => {
    expect(
      kayentaScoreParams.safeParse({ metrics: [{ metric: 'error_rate', critcal: true }] }).success,
    ).toBe(false);
    expect(kayentaScoreParams.safeParse({ pass: 70, marginal: 80 }).success).toBe(false);
  });
});
