/**
 * The claim the report exists to make, kept true: on the leak, the error spike under peak
 * load and the silent conversion drop, the truthful policy ships significantly fewer bad
 * builds than green CI alone (paired over the same trials, McNemar's exact test), and the
 * report is honest about what it costs in lead time.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, loadScenario } from '../../src/config/index.js';
import { evaluate } from '../../src/eval/evaluate.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('headline: truthful against green-ci-only', () => {
  it('ships significantly fewer bad builds on leak, spike-under-peak and conversion-drop, and pays in lead time', async () => {
    const scenarios = ['slow-memory-leak', 'error-spike-under-peak', 'conversion-drop'].map((s) =>
      loadScenario(join(ROOT, 'scenarios', `${s}.yaml`)),
    );
    const policies = ['green-ci-only', 'truthful'].map((p) =>
      loadPolicy(join(ROOT, 'policies', `${p}.yaml`)),
    );
    const summary = await evaluate({ scenarios, policies, trials: 80, seed: 11 });
    for (const s of scenarios) {
      const c = summary.comparisons.find(
        (x) => x.scenario === s.name && x.metric === 'shippedBad',
      )!;
      expect(c.a).toBe('green-ci-only');
      expect(c.diff, s.name).toBeGreaterThan(0);
      expect(c.pValue, s.name).toBeLessThan(0.05);
      const naive = summary.results.find(
        (r) => r.scenario === s.name && r.policy === 'green-ci-only',
      )!;
      const careful = summary.results.find(
        (r) => r.scenario === s.name && r.policy === 'truthful',
      )!;
      expect(careful.leadTimeMin.p50).toBeGreaterThan(naive.leadTimeMin.p50);
    }
  });
});
