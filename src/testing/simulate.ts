/**
 * `simulate`: one policy on one scenario over seeded trials, for teams' own test suites.
 * The result carries the rates with their Wilson intervals and the raw times the matchers
 * judge, so an assertion reads like the requirement it checks.
 */
import { quantileWithInterval, type QuantileWithInterval } from '../check/bounds.js';
import { collectStudy } from '../check/collect.js';
import { checkPolicyAgainstScenario, loadPolicy, loadScenario } from '../config/index.js';
import { GatesimError, ValidationError } from '../errors.js';
import type { PairResult, RateWithInterval } from '../eval/types.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';

export interface SimulateOptions {
  /** A policy file path or a loaded policy. */
  policy: string | PolicyConfig;
  /** A scenario file path or a loaded scenario. */
  scenario: string | ScenarioConfig;
  trials: number;
  /** Root seed (default 1): the same seed gives the same result on every machine. */
  seed?: number;
  /** Worker threads (default 1; more needs the built package). Results do not depend on it. */
  workers?: number;
}

/** What `simulate` returns; the gatesim matchers read it. */
export interface Simulation {
  /** Marks the object for the matchers' sanity check. */
  readonly kind: 'gatesim-simulation';
  policy: string;
  scenario: string;
  seed: number;
  trials: number;
  /** Bad builds that reached 100% and stayed, with the Wilson 95% interval. */
  shippedBad: RateWithInterval;
  /** Good builds stopped or rolled back, with the Wilson 95% interval. */
  blockedGood: RateWithInterval;
  /** p90 time to detect (minutes) over the bad builds that were stopped, with its 95% interval. */
  timeToDetectP90: QuantileWithInterval;
  /** p90 lead time (minutes) over the good builds that shipped, with its 95% interval. */
  leadTimeP90: QuantileWithInterval;
  /** Minutes to detect, one per stopped bad build. */
  ttdMinutes: number[];
  /** Minutes from start to 100%, one per good build that shipped. */
  leadTimeMinutes: number[];
  /** One letter per trial: S bad shipped, C bad contained, B good blocked, P good passed. */
  outcomes: string;
  /** Every figure compare reports for this pair. */
  result: PairResult;
}

/**
 * Runs `trials` seeded trials of a policy on a scenario.
 * @example
 * const sim = await simulate({ policy: 'policies/truthful.yaml', scenario: 'scenarios/crash-loop.yaml', trials: 200 });
 * expect(sim).toShipBadAtMost(0.05);
 * @throws GatesimError (ValidationError) when a file is invalid or the policy names regions the scenario lacks.
 */
export async function simulate(o: SimulateOptions): Promise<Simulation> {
  if (!Number.isInteger(o.trials) || o.trials < 1)
    throw new GatesimError(
      'bad-option',
      `simulate: trials must be a whole number ≥ 1, got ${o.trials}`,
    );
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0)
    throw new GatesimError('bad-option', `simulate: seed must be a whole number ≥ 0, got ${seed}`);
  const scenario = typeof o.scenario === 'string' ? loadScenario(o.scenario) : o.scenario;
  const policy = typeof o.policy === 'string' ? loadPolicy(o.policy, { scenario }) : o.policy;
  if (typeof o.policy !== 'string') {
    const issues = checkPolicyAgainstScenario(policy, scenario);
    if (issues.length > 0) throw new ValidationError(policy.name, issues);
  }
  const study = await collectStudy({
    scenarios: [scenario],
    policies: [policy],
    trials: o.trials,
    seed,
    workers: o.workers ?? 1,
  });
  const run = study.runs[0]![0]!;
  return {
    kind: 'gatesim-simulation',
    policy: policy.name,
    scenario: scenario.name,
    seed,
    trials: o.trials,
    shippedBad: run.result.shippedBad,
    blockedGood: run.result.blockedGood,
    timeToDetectP90: quantileWithInterval(run.ttdMinutes, 0.9),
    leadTimeP90: quantileWithInterval(run.leadTimeMinutes, 0.9),
    ttdMinutes: run.ttdMinutes,
    leadTimeMinutes: run.leadTimeMinutes,
    outcomes: run.outcomes,
    result: run.result,
  };
}
