/**
 * The final judgement, on fresh trials: the recommendation and every given policy run as a
 * `gatesim compare` study at another seed (so none of the trials the search chose on is
 * reused), and the recommendation is compared with each given policy the way
 * `gatesim check --baseline-policy` compares: per scenario, shipped-bad and blocked-good
 * paired trial by trial with McNemar's exact test; pooled, whether it Pareto-dominates it;
 * and the constraints judged on every scenario as check's budgets.
 */
import { compareOutcomes, type Regression } from '../check/baseline.js';
import { quantileWithInterval, type Bound, type QuantileWithInterval } from '../check/bounds.js';
import { judgeBudget, type Budget, type BudgetRow } from '../check/budgets.js';
import { collectStudy, type CollectedStudy } from '../check/collect.js';
import type { RateWithInterval } from '../eval/types.js';
import type { PolicyConfig } from '../policy/types.js';
import { mcnemar, wilsonInterval } from '../stats/index.js';
import type { ScenarioConfig } from '../world/types.js';
import type { Constraint } from './records.js';

/** The seed of the fresh trials: a seed the search never used. */
export function verificationSeed(seed: number): number {
  return seed + 1;
}

export interface PooledFigures {
  policy: string;
  shippedBad: RateWithInterval;
  blockedGood: RateWithInterval;
  leadTimeP90: QuantileWithInterval;
}

/**
 * One figure paired trial by trial over every scenario: the trials where only the
 * recommendation erred, where only the given policy did, and McNemar's exact two-sided p on
 * them. Trials are independent pairs whatever their scenario, so under "no difference" the
 * discordant trials split evenly in total as they do in each scenario.
 */
export interface PooledPaired {
  worseOnly: number;
  betterOnly: number;
  pValue: number;
}

export interface Versus {
  policy: string;
  /** At most as many shipped bad and blocked good builds pooled, and fewer of one. */
  dominates: boolean;
  /** Whether a pooled difference is beyond chance, dominated or not. */
  paired: { shippedBad: PooledPaired; blockedGood: PooledPaired };
  /** Two rows per scenario (shipped-bad, blocked-good), the recommendation as "current". */
  regressions: Regression[];
  worseOn: string[];
  betterOn: string[];
}

export interface Verification {
  seed: number;
  trials: number;
  /** The recommendation's name in the study, then the given policies'. */
  policies: string[];
  pooled: PooledFigures[];
  versus: Versus[];
  /** The constraints on every scenario, as check's budget rows. */
  budgets: BudgetRow[];
  /** Dominates every given policy, worse than none on any scenario, every budget met. */
  passed: boolean;
  study: CollectedStudy;
}

function pooledPaired(rows: readonly Regression[], metric: Regression['metric']): PooledPaired {
  let worseOnly = 0;
  let betterOnly = 0;
  for (const r of rows) {
    if (r.metric !== metric) continue;
    worseOnly += r.worseOnly;
    betterOnly += r.betterOnly;
  }
  return { worseOnly, betterOnly, pValue: mcnemar(worseOnly, betterOnly).pValue };
}

function rate(count: number, of: number): RateWithInterval {
  const w = wilsonInterval(count, of);
  return { count, rate: of > 0 ? count / of : 0, lo: w.lo, hi: w.hi, of };
}

/** check's budget for a constraint. */
export function budgetOf(c: Constraint): Budget {
  switch (c.kind) {
    case 'max-shipped-bad':
      return { kind: 'shipped-bad', max: c.limit };
    case 'max-blocked-good':
      return { kind: 'blocked-good', max: c.limit };
    case 'max-lead-time-p90':
      return { kind: 'lead-time-p90', max: c.limit };
    default: {
      const never: never = c;
      throw new Error(`unknown constraint ${JSON.stringify(never)}`);
    }
  }
}

export interface VerifyOptions {
  recommended: PolicyConfig;
  given: readonly PolicyConfig[];
  scenarios: readonly ScenarioConfig[];
  seed: number;
  trials: number;
  workers: number;
  constraints: readonly Constraint[];
  bound: Bound;
  onProgress?: (done: number, total: number) => void;
}

/** Runs the fresh-trial study and judges it. */
export async function verify(o: VerifyOptions): Promise<Verification> {
  const study = await collectStudy({
    scenarios: o.scenarios,
    policies: [o.recommended, ...o.given],
    trials: o.trials,
    seed: o.seed,
    workers: o.workers,
    ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
  });
  const names = [o.recommended.name, ...o.given.map((p) => p.name)];
  const pooled: PooledFigures[] = names.map((policy, p) => {
    let sb = 0;
    let bad = 0;
    let bg = 0;
    let good = 0;
    const lead: number[] = [];
    for (const row of study.runs) {
      const r = row[p]!;
      sb += r.result.shippedBad.count;
      bad += r.result.badBuilds;
      bg += r.result.blockedGood.count;
      good += r.result.goodBuilds;
      lead.push(...r.leadTimeMinutes);
    }
    return {
      policy,
      shippedBad: rate(sb, bad),
      blockedGood: rate(bg, good),
      leadTimeP90: quantileWithInterval(lead, 0.9),
    };
  });
  const mine = pooled[0]!;
  const versus: Versus[] = o.given.map((g, i) => {
    const theirs = pooled[i + 1]!;
    const regressions = study.runs.flatMap((row) =>
      compareOutcomes(row[0]!.scenario, row[0]!.outcomes, row[i + 1]!.outcomes),
    );
    const dominates =
      mine.shippedBad.count <= theirs.shippedBad.count &&
      mine.blockedGood.count <= theirs.blockedGood.count &&
      (mine.shippedBad.count < theirs.shippedBad.count ||
        mine.blockedGood.count < theirs.blockedGood.count);
    return {
      policy: g.name,
      dominates,
      paired: {
        shippedBad: pooledPaired(regressions, 'shipped-bad'),
        blockedGood: pooledPaired(regressions, 'blocked-good'),
      },
      regressions,
      worseOn: regressions
        .filter((r) => r.verdict === 'worse')
        .map((r) => `${r.scenario} (${r.metric})`),
      betterOn: regressions
        .filter((r) => r.verdict === 'better')
        .map((r) => `${r.scenario} (${r.metric})`),
    };
  });
  const budgets = o.constraints.flatMap((c) =>
    study.runs.map((row) => judgeBudget(row[0]!, budgetOf(c), o.bound)),
  );
  const passed =
    versus.every((v) => v.dominates && v.worseOn.length === 0) &&
    budgets.every((b) => b.status !== 'fail');
  return {
    seed: o.seed,
    trials: o.trials,
    policies: names,
    pooled,
    versus,
    budgets,
    passed,
    study,
  };
}
