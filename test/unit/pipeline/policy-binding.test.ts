import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { liveRegistries } from '../../../src/config/index.js';
import { JUDGES } from '../../../src/judges/index.js';
import type { JudgeModel } from '../../../src/judges/types.js';
import { runBoundTrial, runTrial } from '../../../src/pipeline/executor.js';
import { bindPolicy } from '../../../src/pipeline/policy-binding.js';
import { bindScenario } from '../../../src/world/scenario-binding.js';
import { policy, QUIET_SCENARIO, scenario } from '../../helpers/configs.js';

const TWO_STAGES = `
stages:
  - name: one-box
    target: { kind: hosts, region: main, count: 1 }
    bake: 10m
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.05 }, interval: 1m }
      - { name: p99, metric: latency_p99, judge: { kind: threshold, max: 2000 }, interval: 5m }
  - name: all
    target: { kind: fleet, share: 1 }
    bake: 0m
watch: { duration: 30m, checks: [ { name: watch-errors, metric: error_rate, judge: { kind: threshold, max: 0.05 } } ] }
`;

/** The threshold judge with a schema that counts its parses and judges that always say `verdict`. */
function thresholdDouble(verdict: 'pass' | 'fail') {
  const counter = { parses: 0 };
  const params = z
    .strictObject({ max: z.number().optional(), min: z.number().optional() })
    .transform((p) => (counter.parses++, p));
  const model: JudgeModel<z.output<typeof params>> = {
    ...(JUDGES.threshold as JudgeModel<z.output<typeof params>>),
    params,
    create: () => ({ evaluate: () => ({ verdict, reason: `always ${verdict}`, figures: {} }) }),
  };
  return { model: model as JudgeModel, counter };
}

describe('policy binding', () => {
  it("parses each check's judge parameters once, whatever the number of trials", () => {
    const { model, counter } = thresholdDouble('pass');
    const bound = bindPolicy(policy(TWO_STAGES), { ...JUDGES, threshold: model });
    expect(counter.parses).toBe(3);
    expect(bound.stages.map((s) => s.map((c) => c.check.name))).toEqual([['errors', 'p99'], []]);
    expect(bound.watch.map((c) => c.check.name)).toEqual(['watch-errors']);
    const world = bindScenario(scenario(QUIET_SCENARIO), liveRegistries);
    for (let trial = 0; trial < 5; trial++) {
      const o = runBoundTrial({ scenario: world, policy: bound, seed: 1, trial }).outcome;
      expect(o.final).toBe('shipped');
    }
    expect(counter.parses).toBe(3);
  });

  it('runs trials with the judges of the registries it is given, as the loaders do', () => {
    const { model } = thresholdDouble('fail');
    const s = scenario(QUIET_SCENARIO);
    const p = policy(TWO_STAGES);
    expect(runTrial({ scenario: s, policy: p, seed: 1, trial: 0 }).outcome.final).toBe('shipped');
    const failing = { ...liveRegistries, judges: { ...JUDGES, threshold: model } };
    const o = runTrial({ scenario: s, policy: p, seed: 1, trial: 0, registries: failing }).outcome;
    expect(o.final).toBe('rolled-back');
    expect(o.detectedBy).toBe('errors');
  });

  it('names an unknown judge and bad parameters when bound, before any trial runs', () => {
    const p = policy(TWO_STAGES);
    expect(() => bindPolicy(p, {})).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: unknown judge "threshold" in check errors]`,
    );
    const broken = structuredClone(p);
    broken.stages[0]!.checks[1]!.judge.params = { max: 'high' };
    expect(() => bindPolicy(broken, JUDGES)).toThrow(/^check p99: invalid threshold parameters: /);
  });
});
