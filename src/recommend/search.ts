/**
 * The search, on common random numbers: every candidate runs the same seeded trials, so
 * every comparison is paired.
 *
 * 1. The given policies run the full trials first: they are the yardsticks every candidate
 *    is ranked against (rank.ts), and contenders that are never dropped.
 * 2. A race over a first population (the skeleton's defaults and points spread over the
 *    space): successive halving (Karnin, Koren & Somekh 2013; Jamieson & Talwalkar 2016) on
 *    25, 50, 100, … trials, keeping the better half each time, and dropping at once any
 *    candidate the leader beats significantly in a paired test (racing, as in Maron &
 *    Moore's Hoeffding races and Birattari's F-race).
 * 3. A local phase: every point one change away from the best so far races the same way
 *    (the best so far keeps its place), and the best of them becomes the new best when it
 *    ranks above it on the full trials. This repeats until no change helps or the budget of
 *    evaluations is spent. It is also what shows, for the final answer, what each of its
 *    choices is worth: its neighbours differ from it in exactly one.
 *
 * Everything depends on the seed alone: candidates are numbered in the order they are
 * made, ties go to the lower number, and trials are stored by index whatever the workers.
 */
import type { Bound } from '../check/bounds.js';
import type { PolicyConfig } from '../policy/types.js';
import { halvingSchedule } from '../tune/search.js';
import type { ScenarioConfig } from '../world/types.js';
import { buildCandidate, fleetFacts, type Built, type FleetFacts } from './build.js';
import { neighbours, samplePoints, shuffledIndices } from './design.js';
import {
  compareKeys,
  rankKey,
  significantlyWorseLoss,
  standing,
  type RankContext,
  type Standing,
} from './rank.js';
import { Records, type Constraint } from './records.js';
import { CandidateRunner } from './runner.js';
import { defaultAssignment } from './space.js';
import type { Assignment, BasePolicy, Space } from './types.js';

/** Where a candidate came from. */
export type Origin = 'default' | 'sample' | 'given' | 'neighbour';

export interface SearchCandidate {
  id: number;
  assignment: Assignment;
  origin: Origin;
  /** A given policy, unchanged. */
  given: boolean;
  /** For a given policy its name; else `#id`. */
  label: string;
  policy: PolicyConfig;
  /** The policy as YAML (no comments). */
  text: string;
  built: Built;
  key: string;
  records: Records;
}

export interface SearchRound {
  phase: string;
  /** Trials per scenario each candidate in the round has after it. */
  trials: number;
  candidates: number;
  /** Dropped after this round by the paired test (beyond halving). */
  droppedByTest: number;
}

export interface SearchOptions {
  space: Space;
  /** The skeleton first, then the given policies. */
  bases: readonly BasePolicy[];
  scenarios: readonly ScenarioConfig[];
  seed: number;
  trials: number;
  /** Candidates (not counting the given policies) that may be simulated. */
  budget: number;
  workers: number;
  constraints: readonly Constraint[];
  bound: Bound;
  onProgress?: (message: string) => void;
  /** Trial runs done, for a progress bar. */
  onTrials?: (runs: number) => void;
}

export interface SearchResult {
  candidates: SearchCandidate[];
  /** Points the policy loader or a scenario's fleet rejected, with why (first of each reason). */
  discarded: { assignment: Assignment; reason: string }[];
  rounds: SearchRound[];
  /** Candidates simulated, not counting the given policies. */
  evaluations: number;
  /** Trial runs (trial × policy) of the whole search, given policies included. */
  trialRuns: number;
  /** The best so far after the race and after each local step, by id. */
  path: number[];
}

/** The first population takes this share of the budget; the local phase the rest. */
export const FIRST_POPULATION_SHARE = 0.15;

class Search {
  readonly candidates: SearchCandidate[] = [];
  readonly discarded: { assignment: Assignment; reason: string }[] = [];
  readonly rounds: SearchRound[] = [];
  private readonly byKey = new Map<string, SearchCandidate>();
  private readonly facts: FleetFacts;
  readonly ctx: RankContext;
  evaluations = 0;

  constructor(
    readonly o: SearchOptions,
    readonly runner: CandidateRunner,
  ) {
    this.facts = fleetFacts(o.scenarios);
    this.ctx = {
      scenarios: o.scenarios.map((s) => s.name),
      constraints: o.constraints,
      references: [],
    };
  }

  /** The candidate a point builds, made once per distinct policy; undefined when discarded. */
  consider(a: Assignment, origin: Origin): SearchCandidate | undefined {
    const id = this.candidates.length;
    const given = origin === 'given';
    const base = this.o.bases[a.base]!;
    const name = given ? base.name : `candidate-${id}`;
    const r = buildCandidate(this.o.space, this.o.bases, a, this.o.scenarios, this.facts, `c${id}`);
    if (!r.ok) {
      if (!this.discarded.some((d) => d.reason === r.reason))
        this.discarded.push({ assignment: a, reason: r.reason });
      return undefined;
    }
    const known = this.byKey.get(r.key);
    if (known !== undefined) return known;
    const c: SearchCandidate = {
      id,
      assignment: a,
      origin,
      given,
      label: given ? name : `#${id}`,
      policy: r.policy,
      text: r.text,
      built: r.built,
      key: r.key,
      records: new Records(this.o.scenarios.length, this.o.trials),
    };
    this.candidates.push(c);
    this.byKey.set(r.key, c);
    return c;
  }

  standing(c: SearchCandidate, n: number, bound: Bound | 'lower' = 'lower'): Standing {
    return standing(c.records, n, this.ctx, bound);
  }

  /** Orders candidates by their standing on their first `n` trials, ties by id. */
  order(cs: readonly SearchCandidate[], n: number): SearchCandidate[] {
    const keys = new Map(cs.map((c) => [c.id, rankKey(this.standing(c, n))]));
    return [...cs].sort((a, b) => compareKeys(keys.get(a.id)!, keys.get(b.id)!) || a.id - b.id);
  }

  async extend(cs: readonly SearchCandidate[], to: number): Promise<void> {
    for (const c of cs) if (c.records.trials === 0 && !c.given) this.evaluations++;
    await this.runner.extend(
      this.o.scenarios,
      cs.map((c) => ({ policy: c.policy, records: c.records })),
      this.o.seed,
      to,
      this.o.onTrials,
    );
  }

  /**
   * Successive halving over `entrants` (the given policies and `keep` always stay), up to
   * the full trials; returns the survivors ordered best first.
   */
  async race(
    entrants: readonly SearchCandidate[],
    protectedIds: ReadonlySet<number>,
    phase: string,
  ): Promise<SearchCandidate[]> {
    const stays = (c: SearchCandidate) => c.given || protectedIds.has(c.id);
    const racing = entrants.filter((c) => !stays(c));
    const fixed = entrants.filter(stays);
    const schedule = halvingSchedule(Math.max(1, racing.length), this.o.trials);
    let alive = racing;
    for (let r = 0; r < schedule.length; r++) {
      const { trials, keep } = schedule[r]!;
      if (r > 0) alive = this.order(alive, schedule[r - 1]!.trials).slice(0, keep);
      this.o.onProgress?.(
        `${phase}: ${alive.length} candidate${alive.length === 1 ? '' : 's'} on ${trials} trials × ${this.o.scenarios.length} scenarios`,
      );
      await this.extend([...fixed, ...alive], trials);
      // Racing: whatever the halving keeps, a candidate the leader beats significantly goes.
      const ordered = this.order([...fixed, ...alive], trials);
      const leader = ordered[0]!;
      const lk = rankKey(this.standing(leader, trials));
      const before = alive.length;
      alive = alive.filter((c) => {
        if (c === leader) return true;
        const ck = rankKey(this.standing(c, trials));
        const notBetterFirst = lk[0]! <= ck[0]! && lk[1]! <= ck[1]! && lk[2]! <= ck[2]!;
        return !(
          notBetterFirst &&
          significantlyWorseLoss(c.records, leader.records, trials, this.o.scenarios.length)
        );
      });
      this.rounds.push({
        phase,
        trials,
        candidates: before + fixed.length,
        droppedByTest: before - alive.length,
      });
    }
    return this.order([...fixed, ...alive], this.o.trials);
  }
}

/**
 * The neighbours of `best` to race in a local step (on the given dimensions, or all): those
 * already run part of the way, and as many new ones as `room` allows (a seeded share when
 * not all fit). `fresh` counts the new ones there are, taken or not.
 */
function localEntrants(
  s: Search,
  best: SearchCandidate,
  dims: ReadonlySet<number> | undefined,
  o: SearchOptions,
  step: number,
  room: number,
): { entrants: SearchCandidate[]; dimension: Map<number, number>; fresh: number } {
  const around: SearchCandidate[] = [];
  const fresh: SearchCandidate[] = [];
  const dimension = new Map<number, number>();
  for (const nb of neighbours(o.space, best.assignment)) {
    if (dims !== undefined && !dims.has(nb.dimension)) continue;
    const c = s.consider(nb.assignment, 'neighbour');
    if (c === undefined || c === best || c.given || dimension.has(c.id)) continue;
    dimension.set(c.id, nb.dimension);
    if (c.records.trials === 0) fresh.push(c);
    else if (c.records.trials < o.trials) around.push(c);
  }
  const take = shuffledIndices(fresh.length, o.seed, `recommend:local:${step}`)
    .slice(0, Math.max(0, room))
    .sort((a, b) => a - b)
    .map((i) => fresh[i]!);
  return { entrants: [...around, ...take], dimension, fresh: fresh.length };
}

/** Runs the search; the caller ranks the full-trial candidates for the answer. */
export async function search(o: SearchOptions): Promise<SearchResult> {
  const runner = CandidateRunner.open(o.workers);
  const s = new Search(o, runner);
  const path: number[] = [];
  const result = () => ({
    candidates: s.candidates,
    discarded: s.discarded,
    rounds: s.rounds,
    evaluations: s.evaluations,
    trialRuns: runner.trialRuns,
    path,
  });
  try {
    // 1. The given policies, unchanged, on the full trials.
    const given: SearchCandidate[] = [];
    for (let b = 1; b < o.bases.length; b++) {
      const c = s.consider({ base: b, values: o.space.dimensions.map(() => undefined) }, 'given');
      if (c === undefined) continue;
      if (!c.given) continue; // two given files that are the same policy
      given.push(c);
    }
    if (given.length > 0) {
      o.onProgress?.(
        `given policies: ${given.length} on ${o.trials} trials × ${o.scenarios.length} scenarios`,
      );
      await s.extend(given, o.trials);
    }
    s.ctx.references = given.map((c) => ({ name: c.label, records: c.records }));

    // 2. The first population: the skeleton's defaults, then points spread over the space.
    const population: SearchCandidate[] = [];
    const want = Math.max(1, Math.min(o.budget, Math.round(o.budget * FIRST_POPULATION_SHARE)));
    const first = s.consider(defaultAssignment(o.space), 'default');
    if (first !== undefined) population.push(first);
    const samples = samplePoints(o.space, want * 8, o.seed);
    for (const a of samples) {
      if (population.length >= want) break;
      const c = s.consider(a, 'sample');
      if (c !== undefined && !population.includes(c) && !c.given) population.push(c);
    }
    if (population.length === 0 && given.length === 0) {
      return result();
    }
    const raced = await s.race([...given, ...population], new Set(), 'race');
    let best = raced[0]!;
    path.push(best.id);

    // 3. Local steps from the best so far. A full step races every change of the best; a
    // short step only the dimensions whose changes looked promising in the last step (they
    // survived a halving), since a change that lost around one point rarely wins around the
    // next. After a move comes a short step while the budget leaves room for a full one
    // after it; the last step is always full, so the answer's every choice is raced against
    // its alternatives (the evidence) and a full step without a move ends the search (a
    // local optimum). Changes that each beat the best are also tried together.
    let promising = new Set<number>();
    const swept = new Set<number>();
    for (let step = 1; ; step++) {
      const left = o.budget - s.evaluations;
      if (swept.has(best.id)) break;
      const all = localEntrants(s, best, undefined, o, step, left);
      const short =
        promising.size > 0 ? localEntrants(s, best, promising, o, step, left) : undefined;
      const full =
        short === undefined || short.entrants.length === 0 || left < short.fresh + all.fresh;
      const chosen = full ? all : short;
      if (chosen.entrants.length === 0) break;
      if (full) swept.add(best.id);
      const firstLevel = halvingSchedule(chosen.entrants.length, o.trials)[0]!.trials;
      const ordered = await s.race(
        [...given, best, ...chosen.entrants],
        new Set([best.id]),
        `local step ${step}${full ? ' (every change)' : ` (${promising.size} promising dimension${promising.size === 1 ? '' : 's'})`}`,
      );
      promising = new Set<number>();
      for (const c of chosen.entrants)
        if (c.records.trials > firstLevel) promising.add(chosen.dimension.get(c.id)!);
      const bestKey = rankKey(s.standing(best, o.trials));
      const better = ordered.filter(
        (c) =>
          !c.given &&
          c !== best &&
          c.records.trials === o.trials &&
          compareKeys(rankKey(s.standing(c, o.trials)), bestKey) < 0,
      );
      let next = better[0];
      if (better.length >= 2 && o.budget - s.evaluations > 0) {
        // Each of these changes helps alone; try them together.
        const values = [...best.assignment.values];
        const taken = new Set<number>();
        for (const c of better) {
          const d = chosen.dimension.get(c.id)!;
          if (taken.has(d)) continue;
          taken.add(d);
          values[d] = c.assignment.values[d];
        }
        const combo = s.consider({ base: best.assignment.base, values }, 'neighbour');
        if (combo !== undefined && !combo.given && combo.records.trials < o.trials) {
          o.onProgress?.(
            `local step ${step}: the ${taken.size} changes that each helped, together`,
          );
          await s.extend([combo], o.trials);
          s.rounds.push({
            phase: `local step ${step} (together)`,
            trials: o.trials,
            candidates: 1,
            droppedByTest: 0,
          });
        }
        if (
          combo !== undefined &&
          next !== undefined &&
          combo.records.trials === o.trials &&
          compareKeys(rankKey(s.standing(combo, o.trials)), rankKey(s.standing(next, o.trials))) < 0
        )
          next = combo;
      }
      // A short step without a move is followed by a full one; a full one ends the search.
      if (next === undefined) {
        if (full) break;
        promising = new Set<number>();
        continue;
      }
      best = next;
      path.push(best.id);
      if (o.budget - s.evaluations <= 0) break;
    }
  } finally {
    await runner.close();
  }
  return result();
}
