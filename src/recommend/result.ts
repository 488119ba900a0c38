/** What `recommend` is asked and what it answers. */
import type { Bound } from '../check/bounds.js';
import type { RateWithInterval } from '../eval/types.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import type { Evidence } from './evidence.js';
import type { Constraint } from './records.js';
import type { SearchCandidate, SearchRound } from './search.js';
import type { Space } from './types.js';
import type { Verification } from './verify.js';

/** A policy to beat, as loaded (and checked against every scenario) by the caller. */
export interface GivenPolicy {
  file: string;
  policy: PolicyConfig;
}

export interface RecommendOptions {
  space: Space;
  given: readonly GivenPolicy[];
  scenarios: readonly ScenarioConfig[];
  constraints?: readonly Constraint[];
  /** Judge the constraints on the 95% upper bound (default) or the estimate. */
  bound?: Bound;
  /** Trials per scenario a finalist runs, and the fresh trials of the final judgement. */
  trials: number;
  /** Candidates the search may simulate (the given policies are not counted). */
  budget: number;
  seed: number;
  workers?: number;
  /** Skip the fresh-trial judgement (tests). */
  verify?: boolean;
  onProgress?: (message: string) => void;
  onTrials?: (runs: number) => void;
  /** Called as each phase starts, so a caller can time them. */
  onPhase?: (phase: 'search' | 'verify' | 'done') => void;
}

/** One candidate's figures on its trials, for the report. */
export interface CandidateFigures {
  id: number;
  label: string;
  origin: SearchCandidate['origin'];
  given: boolean;
  /** The base it was built on (`skeleton` or a given policy's name). */
  base: string;
  /** Its choices on the dimensions that change its policy. */
  choices: { dimension: string; choice: string }[];
  trials: number;
  shippedBad: RateWithInterval;
  blockedGood: RateWithInterval;
  leadTimeP90: number;
  loss: number;
  worse: number;
  dominanceExcess: number;
  constraintExcess: number;
  perScenario: {
    scenario: string;
    shippedBad: RateWithInterval;
    blockedGood: RateWithInterval;
    leadTimeP90: number;
  }[];
  /** Ran the full trials and meets the constraints on the chosen bound. */
  feasible: boolean;
  /** On the pooled Pareto front of the full-trial candidates (shipped-bad, blocked-good, lead time p90). */
  pareto: boolean;
  /** Scenarios on whose own front it is. */
  paretoOn: string[];
}

/** A constraint no full-trial candidate meets on a scenario. */
export interface Binding {
  constraint: string;
  scenario: string;
  /** The best judged value any candidate reached there, and which. */
  best: number;
  candidate: number;
}

export interface RecommendResult {
  seed: number;
  trials: number;
  budget: number;
  space: string;
  scenarios: string[];
  given: string[];
  constraints: Constraint[];
  bound: Bound;
  rounds: SearchRound[];
  evaluations: number;
  trialRuns: number;
  discarded: { reason: string }[];
  /** The best so far after the race and each local step. */
  path: number[];
  candidates: CandidateFigures[];
  recommended: number | undefined;
  /** When nothing meets the constraints: which constraint binds on which scenario. */
  binding: Binding[];
  /** The closest candidate's misses, when nothing meets the constraints. */
  closest:
    | { candidate: number; misses: { constraint: string; scenario: string; judged: number }[] }
    | undefined;
  evidence: Evidence[];
  /** The recommended policy, commented; undefined without a recommendation. */
  yaml: string | undefined;
  verification: Verification | undefined;
  /** Notes on inputs (e.g. `fromPolicies` keys the given policies disagree on). */
  notes: string[];
}
