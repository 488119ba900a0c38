/**
 * Ranking candidates: the recommendation rule, the order successive halving keeps, and the
 * Pareto front. Candidates are always compared at equal trials on the same seeded trials
 * (common random numbers), so their differences are paired rather than noise between samples.
 */
import { judgedQuantile, judgedRate, type Bound } from '../check/bounds.js';
import type { TunedParam } from './template.js';
import type { CandidateResult, Constraint, Objectives } from './types.js';

/** Point estimates of the three figures; a rate with nothing counted is 0 (nothing to lose). */
export function objectives(c: Pick<CandidateResult, 'pooled' | 'leadTimeP90'>): Objectives {
  const lead = c.leadTimeP90.value;
  return {
    shippedBad: c.pooled.shippedBad.of > 0 ? c.pooled.shippedBad.rate : 0,
    blockedGood: c.pooled.blockedGood.of > 0 ? c.pooled.blockedGood.rate : 0,
    leadTimeP90: leadTimeFigure(c, lead),
  };
}

/** No good build shipped although some were tried: the lead time is unbounded. */
function leadTimeFigure(c: Pick<CandidateResult, 'pooled'>, v: number): number {
  if (Number.isFinite(v)) return v;
  return c.pooled.goodBuilds > 0 ? Infinity : 0;
}

/** The figure the constraint limits, as judged on `bound`; undefined when it does not apply. */
export function constrained(
  c: Pick<CandidateResult, 'pooled' | 'leadTimeP90'>,
  constraint: Constraint,
  bound: Bound,
): number | undefined {
  switch (constraint.kind) {
    case 'max-blocked-good':
      return judgedRate(c.pooled.blockedGood, bound);
    case 'max-shipped-bad':
      return judgedRate(c.pooled.shippedBad, bound);
    case 'max-lead-time-p90':
      if (c.pooled.goodBuilds === 0) return undefined;
      return leadTimeFigure(c, judgedQuantile(c.leadTimeP90, bound));
    default: {
      const never: never = constraint;
      throw new Error(`unknown constraint ${JSON.stringify(never)}`);
    }
  }
}

/** Meets the constraint on the chosen bound (a figure with nothing counted cannot break it). */
export function meets(
  c: Pick<CandidateResult, 'pooled' | 'leadTimeP90'>,
  constraint: Constraint,
  bound: Bound,
): boolean {
  const v = constrained(c, constraint, bound);
  return v === undefined || v <= constraint.limit;
}

/**
 * Whether a candidate is feasible: the pooled figures meet the constraint, or, per scenario,
 * every scenario's do (a setting that is fine on average but breaks one scenario is not).
 */
export function meetsConstraint(
  c: Pick<CandidateResult, 'pooled' | 'leadTimeP90' | 'scenarioFigures'>,
  constraint: Constraint,
  bound: Bound,
  perScenario: boolean,
): boolean {
  if (!perScenario) return meets(c, constraint, bound);
  return c.scenarioFigures.every((s) => s.meets);
}

/** The figures in the order the constraint ranks them: what it optimises first, ties after. */
export function rankKey(o: Objectives, constraint: Constraint): number[] {
  switch (constraint.kind) {
    case 'max-blocked-good':
    case 'max-lead-time-p90':
      return [o.shippedBad, o.blockedGood, o.leadTimeP90];
    case 'max-shipped-bad':
      return [o.blockedGood, o.shippedBad, o.leadTimeP90];
    default: {
      const never: never = constraint;
      throw new Error(`unknown constraint ${JSON.stringify(never)}`);
    }
  }
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * How far a setting moves from the file, as a share of each range, summed: among settings
 * that tie on every figure the tuner changes the least, since the figures cannot tell them apart.
 */
export function distanceFromFile(values: readonly number[], params: readonly TunedParam[]): number {
  let d = 0;
  values.forEach((v, i) => {
    const p = params[i]!;
    if (p.original !== undefined) d += Math.abs(v - p.original) / (p.high - p.low);
  });
  return d;
}

/**
 * The recommendation: among candidates meeting the constraint, the best on the optimised
 * figure, ties broken by the other rate, then lead time, then the smallest change to the
 * file, then the order tried.
 */
export function recommend(
  candidates: readonly CandidateResult[],
  constraint: Constraint,
  bound: Bound,
  params: readonly TunedParam[],
  perScenario = false,
): CandidateResult | undefined {
  const ok = candidates.filter((c) => meetsConstraint(c, constraint, bound, perScenario));
  ok.sort(
    (a, b) =>
      compareKeys(rankKey(objectives(a), constraint), rankKey(objectives(b), constraint)) ||
      distanceFromFile(a.values, params) - distanceFromFile(b.values, params) ||
      a.id - b.id,
  );
  return ok[0];
}

/**
 * The order successive halving keeps candidates in after a round with few trials. A
 * candidate stays in contention while the constraint is plausible (judged on the interval's
 * lower end, since more trials may well bring it in); those rank by the optimised figure,
 * the rest by how far the estimate is past the limit.
 */
export function promiseOrder(
  candidates: readonly CandidateResult[],
  constraint: Constraint,
  perScenario = false,
): CandidateResult[] {
  // Per scenario, every scenario must be plausible, and the worst one says how far off it is.
  const views = (c: CandidateResult): Pick<CandidateResult, 'pooled' | 'leadTimeP90'>[] =>
    perScenario
      ? c.perScenario.map((p, i) => ({
          pooled: p,
          leadTimeP90: c.scenarioFigures[i]!.leadTimeP90,
        }))
      : [c];
  const key = (c: CandidateResult): number[] => {
    const plausible = views(c).every((v) => {
      const lenient = constraintLowerEnd(v, constraint);
      return lenient === undefined || lenient <= constraint.limit;
    });
    if (plausible) return [0, ...rankKey(objectives(c), constraint)];
    const past = Math.max(
      ...views(c).map((v) => (constrained(v, constraint, 'point') ?? 0) - constraint.limit),
    );
    return [1, past, ...rankKey(objectives(c), constraint)];
  };
  return [...candidates].sort((a, b) => compareKeys(key(a), key(b)) || a.id - b.id);
}

function constraintLowerEnd(
  c: Pick<CandidateResult, 'pooled' | 'leadTimeP90'>,
  constraint: Constraint,
): number | undefined {
  switch (constraint.kind) {
    case 'max-blocked-good':
      return c.pooled.blockedGood.of > 0 ? c.pooled.blockedGood.lo : undefined;
    case 'max-shipped-bad':
      return c.pooled.shippedBad.of > 0 ? c.pooled.shippedBad.lo : undefined;
    case 'max-lead-time-p90':
      if (c.pooled.goodBuilds === 0) return undefined;
      return leadTimeFigure(c, c.leadTimeP90.lo);
    default: {
      const never: never = constraint;
      throw new Error(`unknown constraint ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Indices of the points no other point beats: at most as large on every figure and smaller
 * on one (all three figures minimised).
 *
 * @example paretoFront3([{shippedBad: 0.1, blockedGood: 0, leadTimeP90: 60}, {shippedBad: 0.2, blockedGood: 0, leadTimeP90: 60}]) // [0]
 */
export function paretoFront3(points: readonly Objectives[]): number[] {
  const dominates = (a: Objectives, b: Objectives): boolean =>
    a.shippedBad <= b.shippedBad &&
    a.blockedGood <= b.blockedGood &&
    a.leadTimeP90 <= b.leadTimeP90 &&
    (a.shippedBad < b.shippedBad || a.blockedGood < b.blockedGood || a.leadTimeP90 < b.leadTimeP90);
  const out: number[] = [];
  points.forEach((p, i) => {
    if (!points.some((q, j) => j !== i && dominates(q, p))) out.push(i);
  });
  return out;
}
