/**
 * The search end to end on a small world: identical results for one and two workers (two
 * needs the built worker: `npx tsc -p tsconfig.build.json`), halving that gives trials to the
 * survivors only, and figures equal to a plain evaluate() of the same setting (the common
 * random numbers are those of any other run of the same seed).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../src/config/index.js';
import { evaluate } from '../../../src/eval/evaluate.js';
import type { PairResult } from '../../../src/eval/types.js';
import { renderTuneJson, tune, type TuneOptions } from '../../../src/tune/index.js';
import { PolicyTemplate } from '../../../src/tune/template.js';
import { parseParamSpec } from '../../../src/tune/params.js';
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../fixtures/tune/', import.meta.url).pathname;
const POLICY = `${FIXTURES}one-measurement.yaml`;
const SCENARIOS = [
  loadScenario(`${FIXTURES}closed-form.yaml`),
  loadScenario(`${FIXTURES}good-only.yaml`),
];

const GRID: TuneOptions = {
  policyFile: POLICY,
  scenarios: SCENARIOS,
  params: ['stages[0].checks[0].judge.max=0.012..0.018:4', 'stages[0].bake=1m..5m:2'],
  trials: 60,
  seed: 3,
};

const HALVING: TuneOptions = {
  policyFile: POLICY,
  scenarios: SCENARIOS,
  params: [
    'stages[0].checks[0].judge.max=0.01..0.02',
    'stages[0].bake=1m..10m',
    'stages[0].checks[0].minSample=0..500',
  ],
  budget: 12,
  trials: 100,
  seed: 3,
};

describe('tune search', () => {
  it('a two-parameter grid is the same with one and two workers', async () => {
    const one = await tune({ ...GRID, workers: 1 });
    const two = await tune({ ...GRID, workers: 2 });
    expect(one.method).toBe('grid');
    expect(one.candidates).toHaveLength(8);
    expect(one.candidates.every((c) => c.trials === 60)).toBe(true);
    expect(renderTuneJson(two)).toBe(renderTuneJson(one));
  });

  it('successive halving is the same with one and two workers and runs the schedule', async () => {
    const one = await tune({ ...HALVING, workers: 1 });
    const two = await tune({ ...HALVING, workers: 2 });
    expect(renderTuneJson(two)).toBe(renderTuneJson(one));
    expect(one.method).toBe('halving');
    expect(one.rounds).toEqual([
      { trials: 25, candidates: 12 },
      { trials: 50, candidates: 6 },
      { trials: 100, candidates: 4 },
    ]);
    const byTrials = (t: number): number => one.candidates.filter((c) => c.trials === t).length;
    expect([byTrials(25), byTrials(50), byTrials(100)]).toEqual([6, 2, 4]);
    // Only candidates that ran the full trials are on the front or recommended.
    for (const c of one.candidates)
      if (c.pareto || c.id === one.recommended) expect(c.trials).toBe(100);
    expect(one.recommended).toBeDefined();
  });

  it('a finalist has exactly the figures a plain evaluate() of that setting gives', async () => {
    const r = await tune({ ...HALVING, workers: 1 });
    const best = r.candidates[r.recommended!]!;
    const template = PolicyTemplate.open(
      readFileSync(POLICY, 'utf8'),
      POLICY,
      HALVING.params.map((p) => parseParamSpec(p as string)),
      SCENARIOS,
    );
    const config = template.config(best.values, best.label);
    const summary = await evaluate({
      scenarios: SCENARIOS,
      policies: [config],
      trials: 100,
      seed: 3,
    });
    // The search makes no Friday test (it never reads one); every other figure is the same.
    const withoutFriday = (rs: readonly PairResult[]) =>
      rs.map((x) => ({ ...x, friday: undefined }));
    expect(best.perScenario.every((x) => x.friday === undefined)).toBe(true);
    expect(withoutFriday(best.perScenario)).toEqual(withoutFriday(summary.results));
  });
});

describe('tune --per-scenario', () => {
  const ONE: TuneOptions = {
    policyFile: POLICY,
    scenarios: SCENARIOS,
    params: ['stages[0].checks[0].judge.max=0.012..0.02:5'],
    constraint: { kind: 'max-blocked-good', limit: 0.025 },
    trials: 200,
    seed: 2,
    workers: 1,
  };

  it('a setting that meets the constraint pooled but not on each scenario is not recommended', async () => {
    const pooled = await tune(ONE);
    const each = await tune({ ...ONE, perScenario: true });
    expect(pooled.perScenario).toBe(false);
    expect(each.perScenario).toBe(true);
    // Same trials, same figures: only the verdicts differ.
    expect(each.candidates.map((c) => c.scenarioFigures)).toEqual(
      pooled.candidates.map((c) => c.scenarioFigures),
    );
    const rec = pooled.candidates[pooled.recommended!]!;
    expect(rec.feasible).toBe(true);
    expect(rec.scenarioFigures.some((f) => !f.meets)).toBe(true);
    expect(each.recommended).toBeUndefined();
    for (const c of each.candidates)
      expect(c.feasible).toBe(c.scenarioFigures.every((f) => f.meets));
  });

  it('per-scenario figures are each scenario’s own, judged on the chosen bound', async () => {
    const r = await tune({
      ...ONE,
      constraint: { kind: 'max-blocked-good', limit: 0.06 },
      perScenario: true,
    });
    expect(r.recommended).toBeDefined();
    for (const c of r.candidates) {
      c.scenarioFigures.forEach((f, i) => {
        const p = c.perScenario[i]!;
        expect(f.scenario).toBe(p.scenario);
        expect(f.blockedGood).toEqual(p.blockedGood);
        expect(f.constrained).toBe(p.blockedGood.hi);
        expect(f.meets).toBe(p.blockedGood.hi <= 0.06);
        expect(f.leadTimeP90.value).toBe(p.leadTimeMin.p90);
      });
    }
    const json = JSON.parse(renderTuneJson(r));
    expect(json.perScenario).toBe(true);
    expect(json.candidates[0].scenarioFigures).toHaveLength(2);
  });
});
