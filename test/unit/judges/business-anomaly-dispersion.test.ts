import { describe, expect, it } from 'vitest';
import { businessAnomalyJudge, dispersion } from '../../../src/judges/business-anomaly.js';
import { binomial, lognormal, poisson, streamFor } from '../../../src/random/index.js';
import type { MetricPoint } from '../../../src/world/types.js';

/** Conversion points whose rate wobbles ±20% from interval to interval (overdispersion). */
function points(seed: number, purpose: string, count: number, wobble: number): MetricPoint[] {
  const rng = streamFor({ seed, trial: 0, purpose });
  return Array.from({ length: count }, (_, i) => {
    const n = poisson(rng, 2000);
    const rate = 0.03 * (wobble > 0 ? lognormal(rng, -(wobble ** 2) / 2, wobble) : 1);
    const events = binomial(rng, n, Math.min(1, rate));
    return { t: i + 1, value: events / n, n, events };
  });
}

function falseAlarms(overdispersion: 'estimate' | 'none', wobble: number): number {
  const params = businessAnomalyJudge.params.parse({ overdispersion, alpha: 0.01 });
  let fails = 0;
  for (let s = 0; s < 400; s++) {
    const judge = businessAnomalyJudge.create(params);
    const r = judge.evaluate({
      metric: 'conversion_rate',
      data: {
        conversion_rate: {
          canary: points(s, 'canary', 30, wobble),
          seasonal: points(s, 'seasonal', 30, wobble),
        },
      },
    });
    if (r.verdict === 'fail') fails++;
  }
  return fails / 400;
}

describe('business-anomaly overdispersion', () => {
  it('estimates φ ≈ 1 on binomial data and well above 1 when the rate wobbles', () => {
    const flat = () => 0.03;
    expect(dispersion(points(1, 'a', 200, 0), flat, 1)).toBeLessThan(1.3);
    // A 20% wobble on ~60 expected events: variance ≈ 60 + (0.2·60)² ≈ 204, φ ≈ 3.4.
    expect(dispersion(points(1, 'b', 200, 0.2), flat, 1)).toBeGreaterThan(2);
  });

  it('keeps false alarms near alpha on overdispersed data, where the binomial test alone does not', () => {
    const naive = falseAlarms('none', 0.2);
    const quasi = falseAlarms('estimate', 0.2);
    expect(naive).toBeGreaterThan(0.05);
    expect(quasi).toBeLessThan(0.03);
  });
});
