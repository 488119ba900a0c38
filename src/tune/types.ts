/** What `gatesim tune` is asked and what it answers. */
import type { Bound, QuantileWithInterval } from '../check/bounds.js';
import type { PairResult, RateWithInterval } from '../eval/types.js';
import type { TunedParam } from './template.js';

export type { Bound } from '../check/bounds.js';

/**
 * The constraint a recommendation must meet, and so what it optimises: under a blocked-good
 * or lead-time limit the lowest shipped-bad; under a shipped-bad limit the lowest blocked-good.
 */
export type Constraint =
  | { kind: 'max-blocked-good'; limit: number }
  | { kind: 'max-shipped-bad'; limit: number }
  /** Minutes. */
  | { kind: 'max-lead-time-p90'; limit: number };

/** The default: at most 5% of good builds blocked. */
export const DEFAULT_CONSTRAINT: Constraint = { kind: 'max-blocked-good', limit: 0.05 };

/** The three figures the front is drawn over; smaller is better on each. */
export interface Objectives {
  shippedBad: number;
  blockedGood: number;
  /** Lead time p90 in minutes; Infinity when no good build shipped. */
  leadTimeP90: number;
}

/** One scenario's figures for a setting, and how it stands against the constraint there. */
export interface ScenarioFigures {
  scenario: string;
  shippedBad: RateWithInterval;
  blockedGood: RateWithInterval;
  /** Lead time p90 of this scenario's good builds that shipped, with its 95% interval. */
  leadTimeP90: QuantileWithInterval;
  /** The constrained figure on the chosen bound; undefined when nothing is counted (n/a). */
  constrained: number | undefined;
  /** Meets the constraint here (n/a counts as meeting it). */
  meets: boolean;
}

export interface CandidateResult {
  id: number;
  /** `max=0.0135, bake=30m`. */
  label: string;
  /** One value per parameter, in the parameters' units (minutes for durations). */
  values: number[];
  /** Trials per scenario this candidate ran (fewer than asked when halving dropped it). */
  trials: number;
  /** The last round it took part in (0-based). */
  round: number;
  /** Every scenario's trials pooled: the figures the tuner ranks by. */
  pooled: PairResult;
  /** Lead time p90 of the pooled good builds with its 95% interval. */
  leadTimeP90: QuantileWithInterval;
  perScenario: PairResult[];
  /** Every scenario's figures against the constraint, in the order of the scenarios. */
  scenarioFigures: ScenarioFigures[];
  /**
   * Ran the full trials and meets the constraint on the chosen bound: on the pooled figures,
   * or with `perScenario` on every scenario's.
   */
  feasible: boolean;
  /** On the Pareto front of the candidates that ran the full trials. */
  pareto: boolean;
}

export interface TuneRound {
  /** Trials per scenario each candidate has after this round. */
  trials: number;
  candidates: number;
}

export interface TuneResult {
  policy: string;
  file: string;
  seed: number;
  /** Trials per scenario for the final comparison. */
  trials: number;
  scenarios: string[];
  method: 'grid' | 'halving';
  params: TunedParam[];
  constraint: Constraint;
  bound: Bound;
  /** The constraint holds on every scenario, not only on the pooled figures. */
  perScenario: boolean;
  rounds: TuneRound[];
  candidates: CandidateResult[];
  /** Settings left out because the policy schema rejects that combination. */
  skipped: { values: number[]; reason: string }[];
  /** The recommended candidate's id; undefined when none meets the constraint. */
  recommended: number | undefined;
  /** The policy with the recommended values, comments intact; undefined with no recommendation. */
  tunedYaml: string | undefined;
  /** Things the user should know that do not stop the run (a tuned node shared by aliases). */
  warnings: string[];
}
