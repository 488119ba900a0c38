import { describe, expect, it } from 'vitest';
import { chartedCheck } from '../../../src/cli/explain.js';
import type { SeenPoint } from '../../../src/pipeline/metric-feed.js';

const START = 1000;
const NO_EFFECT = { errorRatePp: 0, p99Ratio: 1, conversionDropPct: 0, resourceExhaustion: false };

/** A canary point of `check` at `t` minutes after the start. */
function at(check: string, metric: SeenPoint['metric'], t: number, value: number): SeenPoint {
  return { check, metric, role: 'canary', t: START + t, value };
}

type Charted = Parameters<typeof chartedCheck>[0];

function outcome(
  effect: Partial<typeof NO_EFFECT>,
  detectedBy?: string,
  onsetAt?: number,
): Charted {
  const build = { effect: { ...NO_EFFECT, ...effect } } as Charted['build'];
  return { startAt: START, detectedBy, onsetAt, build };
}

describe('which check the explain chart shows', () => {
  const seen = [
    at('crashes', 'crash_count', 10, 0),
    at('errors-sequential', 'error_rate', 20, 0.05), // a one-box minute with few requests
    at('slo[eu]', 'error_rate', 100, 0.012),
    at('slo[us]', 'error_rate', 100, 0.002),
    at('slo[us]', 'error_rate', 105, 0.003),
  ];

  it('the check that decided', () => {
    const o = outcome({ errorRatePp: 0.7 }, 'slo[us]', 90);
    expect(chartedCheck(o, seen)).toEqual({ check: 'slo[us]', metric: 'error_rate' });
  });

  it('for a build that shipped, the region whose errors peaked once the fault showed', () => {
    const o = outcome({ errorRatePp: 0.7 }, undefined, 90);
    expect(chartedCheck(o, seen)).toEqual({ check: 'slo[eu]', metric: 'error_rate' });
  });

  it('with no effect on any checked metric, the first check that saw data', () => {
    const o = outcome({ conversionDropPct: 3 }, undefined, 90);
    expect(chartedCheck(o, seen)).toEqual({ check: 'crashes', metric: 'crash_count' });
    expect(chartedCheck(outcome({}), [])).toBeUndefined();
  });
});
