/**
 * How candidates are ranked, always on the trials they share. In order:
 *
 * 1. the constraints (`--max-…`), judged on every scenario as `gatesim check` judges a
 *    budget: how far the candidate is past them (0 when it meets them);
 * 2. how many times it is significantly worse than a given policy on a scenario (McNemar's
 *    exact test on the paired trials, as `check --baseline-policy` judges, for shipped-bad
 *    and blocked-good);
 * 3. how far it is from Pareto-dominating every given policy on pooled shipped-bad and
 *    blocked-good (0 when it has at most the fewest shipped-bad and at most the fewest
 *    blocked-good of any of them, on the same trials);
 * 4. the loss: pooled shipped-bad rate + pooled blocked-good rate;
 * 5. pooled lead time p90.
 *
 * The first three turn "beat every given policy, not worse anywhere, within the budgets" into
 * numbers; the loss weighs a shipped bad build and a blocked good one as the rates do.
 */
import type { Bound } from '../check/bounds.js';
import { compareOutcomes } from '../check/baseline.js';
import {
  figures,
  judgedFigure,
  pooledTally,
  tally,
  type Constraint,
  type Figures,
  type Records,
  type Tally,
} from './records.js';

/** A given policy the candidates are measured against. */
export interface Reference {
  name: string;
  records: Records;
}

export interface RankContext {
  scenarios: readonly string[];
  constraints: readonly Constraint[];
  references: readonly Reference[];
}

/** A candidate's standing on its first `n` trials of every scenario. */
export interface Standing {
  n: number;
  perScenario: Tally[];
  pooled: Tally;
  figures: Figures;
  /** Σ over constraints and scenarios of (judged − limit) / limit where it is past the limit. */
  constraintExcess: number;
  /** (given policy, scenario, figure) triples where it is significantly worse. */
  worse: number;
  /** Those triples, as `truthful on conversion-drop (shipped-bad)`. */
  worseOn: string[];
  /** Shortfall from dominating every given policy: excess shipped-bad rate + excess blocked-good rate. */
  dominanceExcess: number;
  loss: number;
  /** Pooled lead time p90 (minutes); Infinity when good builds were tried and none shipped. */
  leadP90: number;
}

/** The excess of each constraint on each scenario (0 where it holds or does not apply). */
export function constraintExcesses(
  perScenario: readonly Tally[],
  constraints: readonly Constraint[],
  bound: Bound | 'lower',
): number[][] {
  return constraints.map((c) =>
    perScenario.map((t) => {
      const v = judgedFigure(t, c, bound);
      if (v === undefined || v <= c.limit) return 0;
      if (!Number.isFinite(v)) return 1e6;
      return c.limit > 0 ? (v - c.limit) / c.limit : v;
    }),
  );
}

/** Pooled lead time p90 as a figure to minimise. */
function leadFigure(t: Tally, f: Figures): number {
  if (t.lead.length > 0) return f.leadP90.value;
  return t.good > 0 ? Infinity : 0;
}

/**
 * Where a candidate stands on its first `n` trials. `bound` judges the constraints: `lower`
 * while the race is on (a candidate whose interval still reaches the limit stays in), then
 * the chosen bound for the final verdict.
 */
export function standing(
  r: Records,
  n: number,
  ctx: RankContext,
  bound: Bound | 'lower',
): Standing {
  const perScenario = ctx.scenarios.map((_, s) => tally(r, s, n));
  const pooled = pooledTally(r, n);
  const f = figures(pooled);
  const constraintExcess = constraintExcesses(perScenario, ctx.constraints, bound)
    .flat()
    .reduce((a, b) => a + b, 0);
  const worseOn: string[] = [];
  let minShipped = Infinity;
  let minBlocked = Infinity;
  for (const ref of ctx.references) {
    if (ref.records === r) continue;
    const p = pooledTally(ref.records, n);
    minShipped = Math.min(minShipped, p.shippedBad);
    minBlocked = Math.min(minBlocked, p.blockedGood);
    ctx.scenarios.forEach((name, s) => {
      const mine = r.letterString(s, n);
      const theirs = ref.records.letterString(s, n);
      for (const reg of compareOutcomes(name, mine, theirs))
        if (reg.verdict === 'worse') worseOn.push(`${ref.name} on ${name} (${reg.metric})`);
    });
  }
  const dominanceExcess =
    ctx.references.length === 0
      ? 0
      : (pooled.bad > 0 ? Math.max(0, pooled.shippedBad - minShipped) / pooled.bad : 0) +
        (pooled.good > 0 ? Math.max(0, pooled.blockedGood - minBlocked) / pooled.good : 0);
  return {
    n,
    perScenario,
    pooled,
    figures: f,
    constraintExcess,
    worse: worseOn.length,
    worseOn,
    dominanceExcess,
    loss: (pooled.bad > 0 ? f.shippedBad.rate : 0) + (pooled.good > 0 ? f.blockedGood.rate : 0),
    leadP90: leadFigure(pooled, f),
  };
}

/** The rank key: compared element by element, smaller first. */
export function rankKey(s: Standing): number[] {
  return [s.constraintExcess, s.worse, s.dominanceExcess, s.loss, s.leadP90];
}

/** Compares two rank keys; ties on every element compare equal (the caller breaks them by id). */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // Differences below float noise are ties (losses are sums of fractions).
    if (Math.abs(x - y) > 1e-12 && x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Whether `x` is significantly worse than `leader` on the loss, paired trial by trial: each
 * trial where exactly one of them erred counts ±1/bad builds (a shipped bad build) or
 * ±1/good builds (a blocked good one), so the sum is the difference in loss; its
 * sign-flip (randomisation) distribution under "no difference" has variance Σd², and the
 * normal approximation of that test (McNemar's z when every weight is equal) rejects at
 * one-sided `alpha`.
 */
export function significantlyWorseLoss(
  x: Records,
  leader: Records,
  n: number,
  scenarios: number,
  z = 2.5758,
): boolean {
  let bad = 0;
  let good = 0;
  for (let s = 0; s < scenarios; s++) {
    const l = leader.letters[s]!;
    for (let k = 0; k < n; k++) {
      const c = l[k]!;
      if (c === 1 || c === 2) bad++;
      else if (c === 3 || c === 4) good++;
    }
  }
  let sum = 0;
  let sq = 0;
  for (let s = 0; s < scenarios; s++) {
    const a = x.letters[s]!;
    const b = leader.letters[s]!;
    for (let k = 0; k < n; k++) {
      const ea = a[k] === 1 || a[k] === 3 ? 1 : 0;
      const eb = b[k] === 1 || b[k] === 3 ? 1 : 0;
      if (ea === eb) continue;
      const w = b[k] === 1 || b[k] === 2 ? 1 / bad : 1 / good;
      const d = (ea - eb) * w;
      sum += d;
      sq += d * d;
    }
  }
  return sq > 0 && sum / Math.sqrt(sq) > z;
}
