/**
 * What the search keeps of each candidate's trials: per scenario and trial, how the build
 * ended (one of check's outcome letters), the lead time of a good build that shipped and the
 * time to detect a bad one that was stopped. Every figure the search ranks by is computed
 * from these for any prefix of the trials, so candidates that ran different numbers of
 * trials are always compared on the trials they share (common random numbers).
 */
import { judgedQuantile, judgedRate, quantileWithInterval, type Bound } from '../check/bounds.js';
import { outcomeLetter } from '../check/collect.js';
import { timeToDetect } from '../eval/aggregate.js';
import type { TrialRow } from '../eval/chunk.js';
import type { RateWithInterval } from '../eval/types.js';
import type { TrialOutcome } from '../pipeline/types.js';
import { wilsonInterval } from '../stats/index.js';
import type { Constraint } from '../tune/types.js';

/** S a bad build shipped, C contained, B a good build blocked, P passed; 0: not run. */
const CODES = { S: 1, C: 2, B: 3, P: 4 } as const;
const LETTERS = ['?', 'S', 'C', 'B', 'P'] as const;

/** One candidate's trials on every scenario. */
export class Records {
  readonly letters: Uint8Array[];
  readonly lead: Float64Array[];
  readonly ttd: Float64Array[];
  /** Trials run on every scenario (always the first `trials` of them). */
  trials = 0;

  constructor(scenarios: number, capacity: number) {
    this.letters = Array.from({ length: scenarios }, () => new Uint8Array(capacity));
    this.lead = Array.from({ length: scenarios }, () => new Float64Array(capacity).fill(NaN));
    this.ttd = Array.from({ length: scenarios }, () => new Float64Array(capacity).fill(NaN));
  }

  /** Stores one trial's outcome. */
  add(scenario: number, row: TrialRow): void {
    const k = row.trial;
    this.letters[scenario]![k] = CODES[outcomeLetter(row)];
    if (!row.build.bad && row.final === 'shipped' && row.shippedAt !== undefined)
      this.lead[scenario]![k] = row.shippedAt;
    const t = timeToDetect(row as TrialOutcome);
    if (t !== undefined) this.ttd[scenario]![k] = t;
  }

  /** The outcome letters of trials [0, n) of a scenario, as check's baselines write them. */
  letterString(scenario: number, n: number): string {
    let s = '';
    const l = this.letters[scenario]!;
    for (let k = 0; k < n; k++) s += LETTERS[l[k]!]!;
    return s;
  }
}

/** Counts over some trials. */
export interface Tally {
  bad: number;
  good: number;
  shippedBad: number;
  blockedGood: number;
  /** Lead times (minutes) of the good builds that shipped. */
  lead: number[];
  /** Times to detect (minutes) of the bad builds that were stopped. */
  ttd: number[];
}

export function emptyTally(): Tally {
  return { bad: 0, good: 0, shippedBad: 0, blockedGood: 0, lead: [], ttd: [] };
}

/** Counts of trials [0, n) of one scenario. */
export function tally(r: Records, scenario: number, n: number, into = emptyTally()): Tally {
  const l = r.letters[scenario]!;
  const lead = r.lead[scenario]!;
  const ttd = r.ttd[scenario]!;
  for (let k = 0; k < n; k++) {
    const c = l[k]!;
    if (c === CODES.S || c === CODES.C) {
      into.bad++;
      if (c === CODES.S) into.shippedBad++;
      if (!Number.isNaN(ttd[k]!)) into.ttd.push(ttd[k]!);
    } else if (c === CODES.B || c === CODES.P) {
      into.good++;
      if (c === CODES.B) into.blockedGood++;
      else if (!Number.isNaN(lead[k]!)) into.lead.push(lead[k]!);
    }
  }
  return into;
}

/** Every scenario's trials [0, n) together. */
export function pooledTally(r: Records, n: number): Tally {
  const t = emptyTally();
  for (let s = 0; s < r.letters.length; s++) tally(r, s, n, t);
  return t;
}

function rate(count: number, of: number): RateWithInterval {
  const w = wilsonInterval(count, of);
  return { count, rate: of > 0 ? count / of : 0, lo: w.lo, hi: w.hi, of };
}

/** The figures of a tally: rates with Wilson 95% intervals, lead time and time to detect p90. */
export interface Figures {
  shippedBad: RateWithInterval;
  blockedGood: RateWithInterval;
  leadP90: ReturnType<typeof quantileWithInterval>;
  leadP50: number;
  ttdP90: ReturnType<typeof quantileWithInterval>;
}

export function figures(t: Tally): Figures {
  const lead = quantileWithInterval(t.lead, 0.9);
  return {
    shippedBad: rate(t.shippedBad, t.bad),
    blockedGood: rate(t.blockedGood, t.good),
    leadP90: lead,
    leadP50: quantileWithInterval(t.lead, 0.5).value,
    ttdP90: quantileWithInterval(t.ttd, 0.9),
  };
}

/** A constraint on one figure (tune's), judged on every scenario as `gatesim check` judges a budget. */
export type { Constraint };

/**
 * The judged value of a constraint's figure on a tally: on the bound (`upper` for the final
 * judgement), or on the lenient end (`lower`) while more trials may still bring it in.
 * Undefined when nothing is counted (no builds of that kind), which cannot break it.
 */
export function judgedFigure(t: Tally, c: Constraint, bound: Bound | 'lower'): number | undefined {
  const f = figures(t);
  switch (c.kind) {
    case 'max-shipped-bad':
      return bound === 'lower'
        ? f.shippedBad.of > 0
          ? f.shippedBad.lo
          : undefined
        : judgedRate(f.shippedBad, bound);
    case 'max-blocked-good':
      return bound === 'lower'
        ? f.blockedGood.of > 0
          ? f.blockedGood.lo
          : undefined
        : judgedRate(f.blockedGood, bound);
    case 'max-lead-time-p90':
      if (t.good === 0) return undefined;
      // No good build shipped at all: the lead time is unbounded.
      if (t.lead.length === 0) return Infinity;
      return bound === 'lower' ? f.leadP90.lo : judgedQuantile(f.leadP90, bound);
    default: {
      const never: never = c;
      throw new Error(`unknown constraint ${JSON.stringify(never)}`);
    }
  }
}
