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
  /** Other options that were never run (budget) or the loader rejected. */
  untried: string[];
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

/**
 * The evidence for every dimension of `answer`: each option one change away is built; those
 * that build the answer itself are "the same here", those run are compared.
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
    };
    let best: { c: SearchCandidate; choice: string; key: number[]; n: number } | undefined;
    for (const nb of around.filter((x) => x.dimension === i)) {
      const text = choiceText(space, i, nb.assignment.values[i]);
      const built = buildCandidate(space, bases, nb.assignment, scenarios, facts, 'neighbour');
      if (!built.ok) {
        ev.untried.push(`${text} (rejected)`);
        continue;
      }
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
      const key = rankKey(standing(c.records, n, ctx, 'point'));
      if (best === undefined || n > best.n || (n === best.n && compareKeys(key, best.key) < 0))
        best = { c, choice: text, key, n };
    }
    if (best !== undefined) {
      const { aBetter, bBetter } = differences(answer.records, best.c.records, best.n, names);
      ev.against = {
        choice: best.choice,
        candidate: best.c.id,
        trials: best.n,
        fixes: aBetter,
        costs: bBetter,
        leadP90: {
          answer: leadP90(answer.records, best.n),
          other: leadP90(best.c.records, best.n),
        },
      };
    }
    return ev;
  });
}
