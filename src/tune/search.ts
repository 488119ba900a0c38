/**
 * The search: a grid for one or two parameters, evaluated in one pass; for more, a Latin
 * hypercube narrowed by successive halving (Karnin, Koren & Somekh 2013; Jamieson &
 * Talwalkar 2016): every round runs the surviving candidates on more of the same seeded
 * trials and keeps the more promising half, so trials go where the answer is likely to be.
 */
import { histogramQuantileWithInterval } from '../check/bounds.js';
import { GatesimError, ValidationError, formatIssues } from '../errors.js';
import { emptyPartial, finalizePair, mergePartial, type PairPartial } from '../eval/aggregate.js';
import { CHUNK_SIZE } from '../eval/chunk.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import { cartesian, DEFAULT_STEPS, gridValues, hypercubeCandidates } from './design.js';
import { TrialRunner } from './runner.js';
import {
  constrained,
  meets,
  meetsConstraint,
  objectives,
  paretoFront3,
  promiseOrder,
} from './select.js';
import { showParamValue, type PolicyTemplate, type TunedParam } from './template.js';
import type { Bound, CandidateResult, Constraint, ScenarioFigures, TuneRound } from './types.js';

/** Candidates tried by the hypercube when --budget is not given. */
export const DEFAULT_BUDGET = 32;
/** Successive halving stops halving at this many candidates, which then run the full trials. */
export const FINALISTS = 4;

export interface SearchOptions {
  template: PolicyTemplate;
  policyName: string;
  scenarios: readonly ScenarioConfig[];
  seed: number;
  trials: number;
  workers: number;
  budget: number | undefined;
  constraint: Constraint;
  bound: Bound;
  /** Feasible only when every scenario meets the constraint. */
  perScenario?: boolean;
  onProgress?: (message: string) => void;
}

export interface SearchResult {
  method: 'grid' | 'halving';
  rounds: TuneRound[];
  candidates: CandidateResult[];
  skipped: { values: number[]; reason: string }[];
}

/** Short names for parameters: the last key, or the whole path when two would clash. */
export function paramNames(params: readonly TunedParam[]): string[] {
  const last = params.map((p) => {
    const k = [...p.keys].reverse().find((x) => typeof x === 'string');
    return typeof k === 'string' ? k : p.path;
  });
  return last.map((n, i) => (last.filter((m) => m === n).length > 1 ? params[i]!.path : n));
}

function labelOf(
  params: readonly TunedParam[],
  names: readonly string[],
  values: readonly number[],
): string {
  return values.map((v, i) => `${names[i]}=${showParamValue(params[i]!, v)}`).join(', ');
}

/** The settings to try, before validation. */
export function designCandidates(
  params: readonly TunedParam[],
  seed: number,
  budget: number | undefined,
): { method: 'grid' | 'halving'; values: number[][] } {
  if (params.length <= 2) {
    const grids = params.map((p) => gridValues(p, p.steps ?? DEFAULT_STEPS[params.length]!));
    const values = cartesian(grids);
    if (budget !== undefined && values.length > budget) {
      throw new GatesimError(
        'bad-budget',
        `the grid has ${values.length} settings (${grids.map((g) => g.length).join(' × ')}), more than ` +
          `--budget ${budget}: give fewer :STEPS or a larger --budget`,
      );
    }
    return { method: 'grid', values };
  }
  return { method: 'halving', values: hypercubeCandidates(params, budget ?? DEFAULT_BUDGET, seed) };
}

/**
 * The halving rounds: trials per scenario after each round (doubling up to the full count,
 * each but the last a multiple of the chunk size, so every round extends the chunks a
 * compare run cuts) and how many candidates run in it (halving down to the finalists).
 */
export function halvingSchedule(
  candidates: number,
  trials: number,
): { trials: number; keep: number }[] {
  const finalists = Math.min(FINALISTS, candidates);
  const rounds = Math.max(1, Math.ceil(Math.log2(candidates / finalists)) + 1);
  const counts = [trials];
  while (counts.length < rounds) {
    const next = Math.ceil(counts[0]! / 2 / CHUNK_SIZE) * CHUNK_SIZE;
    if (next >= counts[0]! || next < CHUNK_SIZE) break;
    counts.unshift(next);
  }
  let n = candidates;
  return counts.map((t) => {
    const round = { trials: t, keep: n };
    n = Math.max(finalists, Math.ceil(n / 2));
    return round;
  });
}

interface Live {
  id: number;
  values: number[];
  label: string;
  policy: PolicyConfig;
  /** Per scenario. */
  partials: PairPartial[];
  trials: number;
  round: number;
}

function finalize(
  l: Live,
  scenarios: readonly ScenarioConfig[],
  constraint: Constraint,
  bound: Bound,
): CandidateResult {
  const pooledPartial = emptyPartial();
  for (const p of l.partials) mergePartial(pooledPartial, p);
  const pooled = finalizePair('(all scenarios)', l.label, pooledPartial);
  const perScenario = l.partials.map((p, s) => finalizePair(scenarios[s]!.name, l.label, p));
  const scenarioFigures = perScenario.map((result, s): ScenarioFigures => {
    const p = l.partials[s]!;
    const view = {
      pooled: result,
      leadTimeP90: histogramQuantileWithInterval(p.lead, p.leadN, 0.9),
    };
    return {
      scenario: result.scenario,
      shippedBad: result.shippedBad,
      blockedGood: result.blockedGood,
      leadTimeP90: view.leadTimeP90,
      constrained: constrained(view, constraint, bound),
      meets: meets(view, constraint, bound),
    };
  });
  const c: CandidateResult = {
    id: l.id,
    label: l.label,
    values: l.values,
    trials: l.trials,
    round: l.round,
    pooled,
    leadTimeP90: histogramQuantileWithInterval(pooledPartial.lead, pooledPartial.leadN, 0.9),
    perScenario,
    scenarioFigures,
    feasible: false,
    pareto: false,
  };
  return c;
}

/** Runs the whole search and returns every candidate with the figures of its last round. */
export async function search(o: SearchOptions): Promise<SearchResult> {
  const params = o.template.params;
  const names = paramNames(params);
  const design = designCandidates(params, o.seed, o.budget);
  const skipped: { values: number[]; reason: string }[] = [];
  const live: Live[] = [];
  for (const values of design.values) {
    try {
      const policy = o.template.config(values, `${o.policyName}~${live.length}`);
      live.push({
        id: live.length,
        values,
        label: labelOf(params, names, values),
        policy,
        partials: o.scenarios.map(() => emptyPartial()),
        trials: 0,
        round: 0,
      });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      skipped.push({ values, reason: formatIssues(o.template.file, e.issues) });
    }
  }
  if (live.length === 0) {
    throw new GatesimError(
      'bad-param',
      `every setting was rejected by the policy schema, e.g.:\n${skipped[0]?.reason ?? ''}`,
    );
  }
  const schedule =
    design.method === 'grid'
      ? [{ trials: o.trials, keep: live.length }]
      : halvingSchedule(live.length, o.trials);
  const runner = TrialRunner.open(o.workers);
  const rounds: TuneRound[] = [];
  const results = new Map<number, CandidateResult>();
  try {
    let alive = live;
    for (let r = 0; r < schedule.length; r++) {
      const { trials } = schedule[r]!;
      if (r > 0) {
        const order = promiseOrder(
          alive.map((l) => results.get(l.id)!),
          o.constraint,
          o.perScenario ?? false,
        );
        const keep = new Set(order.slice(0, schedule[r]!.keep).map((c) => c.id));
        alive = alive.filter((l) => keep.has(l.id));
      }
      const from = alive[0]!.trials;
      o.onProgress?.(
        `round ${r + 1}/${schedule.length}: ${alive.length} setting${alive.length === 1 ? '' : 's'}, ` +
          `trials ${from}–${trials} on ${o.scenarios.length} scenario${o.scenarios.length === 1 ? '' : 's'}`,
      );
      const into = o.scenarios.map((_, s) => alive.map((l) => l.partials[s]!));
      await runner.run(
        o.scenarios,
        alive.map((l) => l.policy),
        o.seed,
        from,
        trials,
        undefined,
        into,
      );
      for (const l of alive) {
        l.trials = trials;
        l.round = r;
        results.set(l.id, finalize(l, o.scenarios, o.constraint, o.bound));
      }
      rounds.push({ trials, candidates: alive.length });
    }
  } finally {
    await runner.close();
  }
  const candidates = live.map((l) => results.get(l.id)!);
  const finalists = candidates.filter((c) => c.trials === o.trials);
  for (const c of finalists)
    c.feasible = meetsConstraint(c, o.constraint, o.bound, o.perScenario ?? false);
  for (const i of paretoFront3(finalists.map(objectives))) finalists[i]!.pareto = true;
  return { method: design.method, rounds, candidates, skipped };
}
