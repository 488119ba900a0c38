/**
 * The contract every judge honours, run by each judge's own test with data it generates:
 * registered under its kind, parameters with defaults, same seed → same verdicts, p-values in
 * [0, 1] and scores in [0, 100], NaN points inside a series handled, and (where the judge has
 * a nominal rate) false alarms under the null no more than that rate allows.
 */
import { describe, expect, it } from 'vitest';
import { JUDGES } from '../../src/judges/index.js';
import type { JudgeInput, JudgeModel, JudgeResult } from '../../src/judges/types.js';
import { binomial, normal, streamFor, type RandomStream } from '../../src/random/index.js';
import type { MetricName, MetricPoint } from '../../src/world/types.js';

/** Produces the inputs of one run, look by look, drawing only from `rng`. */
export type RunFactory = (rng: RandomStream) => (look: number) => JudgeInput;

export interface JudgeContract {
  /** Shown in the test names; defaults to the kind. */
  label?: string;
  model: JudgeModel;
  /** Params as a policy writes them (before defaults). */
  params: Record<string, unknown>;
  metric: MetricName;
  /** Data under the null: canary and reference from the same distribution. */
  nullRun: RunFactory;
  /** Measurements per run. */
  looks: number;
  /** Runs in the false-alarm simulation. */
  runs: number;
  /**
   * The nominal probability that a null run fails at least once (alpha for an always-valid
   * test, the per-look rate for a one-look run); omit when the judge promises none.
   */
  nominalFalseAlarm?: number;
  /** Root seed of the simulation. */
  seed?: number;
}

export interface NullSimulation {
  runs: number;
  /** Runs with at least one 'fail'. */
  falseAlarms: number;
  rate: number;
  results: JudgeResult[];
}

/** Runs the null simulation: `runs` fresh judges, `looks` measurements each. */
export function simulate(
  contract: JudgeContract,
  runs = contract.runs,
  seed = contract.seed ?? 1,
): NullSimulation {
  const params = contract.model.params.parse(contract.params);
  let falseAlarms = 0;
  const results: JudgeResult[] = [];
  for (let run = 0; run < runs; run++) {
    const rng = streamFor({ seed, trial: run, purpose: `judge-contract:${contract.model.kind}` });
    const next = contract.nullRun(rng);
    const judge = contract.model.create(params);
    let failed = false;
    for (let look = 0; look < contract.looks; look++) {
      const r = judge.evaluate(next(look));
      results.push(r);
      if (r.verdict === 'fail') failed = true;
    }
    if (failed) falseAlarms++;
  }
  return { runs, falseAlarms, rate: falseAlarms / runs, results };
}

/** Replaces every third point's value with NaN (a gap inside the series). */
function withGaps(input: JudgeInput): JudgeInput {
  const gap = (ps: readonly MetricPoint[] | undefined): MetricPoint[] | undefined =>
    ps?.map((p, i) => (i % 3 === 1 ? { ...p, value: NaN } : p));
  const data: JudgeInput['data'] = {};
  for (const [metric, d] of Object.entries(input.data) as [
    MetricName,
    NonNullable<JudgeInput['data'][MetricName]>,
  ][]) {
    const canary = gap(d.canary) ?? [];
    const baseline = gap(d.baseline);
    const seasonal = gap(d.seasonal);
    const before = gap(d.before);
    data[metric] = {
      canary,
      ...(baseline === undefined ? {} : { baseline }),
      ...(seasonal === undefined ? {} : { seasonal }),
      ...(before === undefined ? {} : { before }),
    };
  }
  return { metric: input.metric, data };
}

const VERDICTS = new Set(['pass', 'fail', 'inconclusive', 'error']);

function checkFigures(r: JudgeResult): void {
  expect(VERDICTS.has(r.verdict)).toBe(true);
  expect(r.reason.length).toBeGreaterThan(0);
  for (const [key, value] of Object.entries(r.figures)) {
    expect(Number.isFinite(value), `${key} is finite`).toBe(true);
    if (/pvalue$/i.test(key)) {
      expect(value, key).toBeGreaterThanOrEqual(0);
      expect(value, key).toBeLessThanOrEqual(1);
    }
    if (key === 'score') {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(100);
    }
  }
}

/**
 * What a reader of a result sees (its verdict, reason line and figures) as a plain object:
 * results write their reason only when read, so comparing the objects themselves would
 * compare unread formatting functions.
 */
export function plainResult(r: JudgeResult): JudgeResult {
  return { verdict: r.verdict, reason: r.reason, figures: r.figures };
}

/** Registers the contract's tests in the calling test file. */
export function runJudgeContract(contract: JudgeContract): void {
  const { model } = contract;
  describe(`judge contract: ${contract.label ?? model.kind}`, () => {
    it('is registered under its kind, with a summary and a default window', () => {
      expect(JUDGES[model.kind]).toBe(model);
      expect(model.summary.length).toBeGreaterThan(10);
      expect(['interval', 'cumulative']).toContain(model.defaultWindow);
    });

    it('parses its params with defaults filled, and names the metrics it reads', () => {
      const params = model.params.parse(contract.params);
      expect(model.params.parse(params)).toEqual(params);
      const metrics = model.metrics(params, contract.metric);
      expect(metrics.length).toBeGreaterThan(0);
      expect(() => model.create(params)).not.toThrow();
    });

    it('gives the same verdicts and figures for the same seed', () => {
      const a = simulate(contract, 5, 99);
      const b = simulate(contract, 5, 99);
      expect(b.results.map(plainResult)).toEqual(a.results.map(plainResult));
      const c = simulate(contract, 5, 100);
      expect(c.results.length).toBe(a.results.length);
    });

    it('keeps p-values in [0, 1], scores in [0, 100] and figures finite', () => {
      for (const r of simulate(contract, 20).results) checkFigures(r);
    });

    it('copes with NaN points inside a series', () => {
      const params = model.params.parse(contract.params);
      for (let run = 0; run < 5; run++) {
        const rng = streamFor({
          seed: 7,
          trial: run,
          purpose: `judge-contract-gaps:${model.kind}`,
        });
        const next = contract.nullRun(rng);
        const judge = model.create(params);
        for (let look = 0; look < Math.min(contract.looks, 20); look++) {
          checkFigures(judge.evaluate(withGaps(next(look))));
        }
      }
    });

    const nominal = contract.nominalFalseAlarm;
    if (nominal !== undefined) {
      it(`fails a null run no more often than the nominal ${nominal} allows`, () => {
        const sim = simulate(contract);
        // Three binomial standard errors above nominal: a correct judge fails this about 1 in 700.
        const se = Math.sqrt((nominal * (1 - nominal)) / sim.runs);
        console.info(
          `${contract.label ?? model.kind}: ${sim.falseAlarms}/${sim.runs} null runs failed (${sim.rate.toFixed(4)}; nominal ${nominal})`,
        );
        expect(sim.rate).toBeLessThanOrEqual(nominal + 3 * se);
      });
    }
  });
}

// ---- data generators shared by the judge tests ------------------------------------------

/** A rate point: events ~ Binomial(n, p) at time t. */
export function ratePoint(rng: RandomStream, t: number, n: number, p: number): MetricPoint {
  const events = binomial(rng, n, p);
  return { t, value: n > 0 ? events / n : NaN, n, events };
}

/** A value point (latency, memory): Normal(mean, sd) at time t with sample n. */
export function valuePoint(
  rng: RandomStream,
  t: number,
  mean: number,
  sd: number,
  n = 1000,
): MetricPoint {
  return { t, value: normal(rng, mean, sd), n, events: 0 };
}

/** `count` points ending at t = step, 2·step, … after `start`. */
export function series(
  count: number,
  start: number,
  make: (t: number) => MetricPoint,
  step = 1,
): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (let i = 1; i <= count; i++) out.push(make(start + i * step));
  return out;
}
