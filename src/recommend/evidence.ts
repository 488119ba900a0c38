/**
 * Why each choice of the answer: it is compared, on the trials they share, with the best
 * evaluated candidate that differs from it in that choice alone, and the trials where one
 * of the two erred and the other did not are counted per scenario: bad builds the choice
 * keeps from shipping, good builds it lets through, and what it costs the other way.
 */
import { formatDuration } from '../util/duration.js';
import { buildCandidate, fleetFacts, type FleetFacts } from './build.js';
import { neighbours } from './design.js';
import { compareKeys, rankKey, standing, type RankContext } from './rank.js';
import { figures, pooledTally, type Records } from './records.js';
import type { SearchCandidate } from './search.js';
import type { BasePolicy, Space } from './types.js';
import type { ScenarioConfig } from '../world/types.js';

/** Trials of one scenario where the two differ, one way. */
export interface TrialDifference {
  scenario: string;
  /** Bad builds in the trials compared, and how many of them this side kept from shipping. */
  bad: number;
  shippedBad: number;
  good: number;
  blockedGood: number;
  /** A few of the trials, for `gatesim explain --trial K`. */
  examples: number[];
}

export interface Comparison {
  /** The other choice (alternative name or value). */
  choice: string;
  candidate: number;
  /** Trials per scenario compared (the fewer of the two). */
  trials: number;
  /** Where the answer does better: the other shipped a bad build or blocked a good one, the answer did not. */
  fixes: TrialDifference[];
  /** Where it does worse. */
  costs: TrialDifference[];
  leadP90: { answer: number; other: number };
  /**
   * Where the other differs besides this choice (empty: only here). When no candidate one
   * change away was run, the closest that also differs in one other choice stands in.
   */
  alsoDiffers: { dimension: string; choice: string }[];
  /**
   * What decides between the two beyond the trials counted above, in the search's ranking:
   * a constraint, a significant regression against a given policy, the shortfall from
   * dominating them, or lead time. Undefined when the loss decides or nothing does.
   */
  decidedBy: string | undefined;
}

export interface Evidence {
  dimension: string;
  about: string;
  /** What the answer chose; `unset` when a given policy is left as it is there. */
  choice: string;
  /** The choice changes the policy (a patch that selects nothing there does not). */
  active: boolean;
  /** The best evaluated candidate that differs only here; undefined when none was run. */
  against: Comparison | undefined;
  /** Other options of this dimension that build the very same policy. */
  sameAs: string[];
  /** Other options that were never run (budget). */
  untried: string[];
  /** Other options whose policy the loader rejects. */
  rejected: string[];
}

/** The text of dimension `i`'s value `v` in an assignment. */
export function choiceText(space: Space, i: number, v: number | undefined): string {
  const d = space.dimensions[i]!;
  if (v === undefined) return 'unset';
  if (d.kind === 'choice') return d.alternatives[v]!.name;
  const x = d.values[v]!;
  return d.unit === 'duration' ? formatDuration(x) : String(x);
}

const EXAMPLES = 3;

function differences(
  a: Records,
  b: Records,
  n: number,
  scenarios: readonly string[],
): { aBetter: TrialDifference[]; bBetter: TrialDifference[] } {
  const aBetter: TrialDifference[] = [];
  const bBetter: TrialDifference[] = [];
  scenarios.forEach((name, s) => {
    const la = a.letters[s]!;
    const lb = b.letters[s]!;
    const one = (): TrialDifference => ({
      scenario: name,
      bad: 0,
      shippedBad: 0,
      good: 0,
      blockedGood: 0,
      examples: [],
    });
    const x = one();
    const y = one();
    for (let k = 0; k < n; k++) {
      const ca = la[k]!;
      const cb = lb[k]!;
      const bad = ca === 1 || ca === 2;
      if (bad) {
        x.bad++;
        y.bad++;
      } else {
        x.good++;
        y.good++;
      }
      // 1: a bad build shipped, 3: a good build blocked.
      const ea = ca === 1 || ca === 3;
      const eb = cb === 1 || cb === 3;
      if (ea === eb) continue;
      const better = eb ? x : y;
      if (bad) better.shippedBad++;
      else better.blockedGood++;
      if (better.examples.length < EXAMPLES) better.examples.push(k);
    }
    if (x.shippedBad + x.blockedGood > 0) aBetter.push(x);
    if (y.shippedBad + y.blockedGood > 0) bBetter.push(y);
  });
  return { aBetter, bBetter };
}

function leadP90(r: Records, n: number): number {
  const t = pooledTally(r, n);
  return t.lead.length > 0 ? figures(t).leadP90.value : t.good > 0 ? Infinity : 0;
}

/** Each dimension's choice where it changes the candidate's policy (undefined where it does not). */
function effective(space: Space, c: SearchCandidate): (string | undefined)[] {
  return space.dimensions.map((d, i) =>
    c.built.active[i] ? choiceText(space, i, c.assignment.values[i] ?? d.defaultIndex) : undefined,
  );
}

/** Why the answer ranks above `other` on n trials beyond the loss, in words. */
function decidedBy(
  answer: SearchCandidate,
  other: SearchCandidate,
  n: number,
  ctx: RankContext,
): string | undefined {
  const a = standing(answer.records, n, ctx, 'point');
  const b = standing(other.records, n, ctx, 'point');
  const ka = rankKey(a);
  const kb = rankKey(b);
  for (let i = 0; i < ka.length; i++) {
    if (compareKeys([ka[i]!], [kb[i]!]) === 0) continue;
    const better = ka[i]! < kb[i]!;
    switch (i) {
      case 0:
        return better
          ? 'the alternative misses a constraint there'
          : 'on these trials the alternative is closer to the constraints';
      case 1: {
        const extra = b.worseOn.filter((w) => !a.worseOn.includes(w));
        const mine = a.worseOn.filter((w) => !b.worseOn.includes(w));
        return better
          ? `with the alternative it is significantly worse than ${extra.join(', ')}`
          : `on these trials the answer is significantly worse than ${mine.join(', ')}, the alternative not`;
      }
      case 2:
        return better
          ? 'the alternative is further from dominating every given policy'
          : 'on these trials the alternative is closer to dominating every given policy';
      case 3:
        return undefined;
      default:
        return better
          ? 'a shorter lead time decides'
          : 'on these trials the alternative ranks above it';
    }
  }
  return undefined;
}

/**
 * The evidence for every dimension of `answer`: each option one change away is built; those
 * that build the answer itself are "the same here", those run are compared. Where none was
 * run, the closest run candidate that differs here and in one other choice stands in, and
 * says so.
 */
export function gatherEvidence(
  space: Space,
  bases: readonly BasePolicy[],
  scenarios: readonly ScenarioConfig[],
  answer: SearchCandidate,
  candidates: readonly SearchCandidate[],
  ctx: RankContext,
  facts: FleetFacts = fleetFacts(scenarios),
): Evidence[] {
  const byKey = new Map(candidates.map((c) => [c.key, c]));
  const around = neighbours(space, answer.assignment);
  const names = scenarios.map((s) => s.name);
  const mineEff = effective(space, answer);
  const run = candidates.filter(
    (c) => c !== answer && c.records.trials > 0 && c.assignment.base === answer.assignment.base,
  );
  const runEff = new Map(run.map((c) => [c.id, effective(space, c)]));
  return space.dimensions.map((d, i) => {
    const mine = answer.assignment.values[i];
    const ev: Evidence = {
      dimension: d.name,
      about: d.about,
      choice: choiceText(space, i, mine),
      active: answer.built.active[i] ?? false,
      against: undefined,
      sameAs: [],
      untried: [],
      rejected: [],
    };
    type Pick = { c: SearchCandidate; choice: string; key: number[]; n: number; also: number[] };
    let best: Pick | undefined;
    const consider = (p: Pick): void => {
      if (
        best === undefined ||
        p.also.length < best.also.length ||
        (p.also.length === best.also.length &&
          (p.n > best.n || (p.n === best.n && compareKeys(p.key, best.key) < 0)))
      )
        best = p;
    };
    // Every other option here, and, where the answer changed a given policy, that policy as it
    // was here (an option may not rebuild it: a dimension that removes a stage the base has).
    const options = around.filter((x) => x.dimension === i).map((x) => x.assignment);
    const base = bases[answer.assignment.base];
    if (mine !== undefined && base?.kind === 'given')
      options.push({ ...answer.assignment, values: answer.assignment.values.with(i, undefined) });
    const seen = new Set<string>();
    for (const option of options) {
      const v = option.values[i];
      const text = v === undefined ? `${base!.name} as given` : choiceText(space, i, v);
      const built = buildCandidate(space, bases, option, scenarios, facts, 'neighbour');
      if (!built.ok) {
        ev.rejected.push(text);
        continue;
      }
      // The given policy as it was, when an option already rebuilt it, is that option.
      if (v === undefined && seen.has(built.key)) continue;
      seen.add(built.key);
      if (built.key === answer.key) {
        ev.sameAs.push(text);
        continue;
      }
      const c = byKey.get(built.key);
      if (c === undefined || c.records.trials === 0) {
        ev.untried.push(text);
        continue;
      }
      const n = Math.min(c.records.trials, answer.records.trials);
      consider({
        c,
        choice: text,
        key: rankKey(standing(c.records, n, ctx, 'point')),
        n,
        also: [],
      });
    }
    if (best === undefined && ev.active) {
      for (const c of run) {
        const eff = runEff.get(c.id)!;
        if (eff[i] === undefined || eff[i] === mineEff[i]) continue;
        const also = eff.flatMap((v, j) => (j !== i && v !== mineEff[j] ? [j] : []));
        if (also.length > 1) continue;
        const n = Math.min(c.records.trials, answer.records.trials);
        consider({
          c,
          choice: eff[i]!,
          key: rankKey(standing(c.records, n, ctx, 'point')),
          n,
          also,
        });
      }
    }
    const pick: Pick | undefined = best;
    if (pick !== undefined) {
      const { aBetter, bBetter } = differences(answer.records, pick.c.records, pick.n, names);
      const otherEff = effective(space, pick.c);
      ev.against = {
        choice: pick.choice,
        candidate: pick.c.id,
        trials: pick.n,
        fixes: aBetter,
        costs: bBetter,
        leadP90: {
          answer: leadP90(answer.records, pick.n),
          other: leadP90(pick.c.records, pick.n),
        },
        alsoDiffers: pick.also.map((j) => ({
          dimension: space.dimensions[j]!.name,
          choice: otherEff[j] ?? 'not applied',
        })),
        decidedBy: decidedBy(answer, pick.c, pick.n, ctx),
      };
    }
    return ev;
  });
}
