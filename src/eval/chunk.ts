import { liveRegistries, type Registries } from '../config/registries.js';
import { runBoundTrial } from '../pipeline/executor.js';
import { bindPolicy, type PolicyBinding } from '../pipeline/policy-binding.js';
import type { TrialOutcome } from '../pipeline/types.js';
import type { PolicyConfig } from '../policy/types.js';
import { ALWAYS_AT_WORK, nextWorkingMorning, type HumanClock } from '../world/human-clock.js';
import { bindScenario, type ScenarioBinding } from '../world/scenario-binding.js';
import { pinnedStart, TrialCache } from '../world/trial-setup.js';
import type { ScenarioConfig } from '../world/types.js';
import {
  addFriday,
  addOutcome,
  addPair,
  emptyPairwise,
  emptyPartial,
  type PairPartial,
  type PairwisePartial,
} from './aggregate.js';
import { withTrialContext, type TrialContext } from './trial-failure.js';

/** Trials per chunk: the unit of work, of ordering and of sharding. Fixed, so results never depend on workers or shards. */
export const CHUNK_SIZE = 25;

/** Every k-th trial also replays its build on Friday 16:00 and Tuesday 10:00 local (the Friday test). */
export const FRIDAY_EVERY = 4;

export interface ChunkTask {
  index: number;
  scenario: ScenarioConfig;
  policies: PolicyConfig[];
  seed: number;
  from: number;
  to: number;
  /** Replay bad builds on Friday and Tuesday (default true); a search that never reads it skips the work. */
  fridayTest?: boolean;
  /**
   * Return each trial's row and every pair of policies' paired tallies (default true). `tune`
   * reads only the per-policy partials: without them a chunk of 32 settings sends no rows back
   * across threads and adds no 496 pairs per trial.
   */
  details?: boolean;
}

/** A trial's outcome without its timeline: one row of trials.csv. */
export type TrialRow = Omit<TrialOutcome, 'timeline'>;

export interface ChunkResult {
  index: number;
  scenario: string;
  /** Outcomes in (trial, policy) order. */
  rows: TrialRow[];
  partials: PairPartial[];
  pairwise: PairwisePartial[];
}

/**
 * Runs trials [from, to) of one scenario under every policy. Trial k gives every policy the
 * same build, start and confounders (its streams are keyed by seed and trial only). The
 * scenario and policies are bound once for the chunk.
 */
export function runChunk(task: ChunkTask, registries: Registries = liveRegistries): ChunkResult {
  const { seed } = task;
  const scenario = bindScenario(task.scenario, registries);
  // A policy that cannot be bound fails at the chunk's first trial, which is named, so the
  // explain command it prints replays the failure.
  const policies = task.policies.map((p) =>
    withTrialContext({ scenario: task.scenario.name, policy: p.name, seed, trial: task.from }, () =>
      bindPolicy(p, registries.judges),
    ),
  );
  const partials = policies.map(() => emptyPartial());
  const details = task.details !== false;
  const pairwise: PairwisePartial[] = [];
  for (let i = 0; details && i < policies.length; i++) {
    for (let j = i + 1; j < policies.length; j++)
      pairwise.push(emptyPairwise(policies[i]!.policy.name, policies[j]!.policy.name));
  }
  const rows: TrialRow[] = [];
  const fridayAt = pinnedStart(scenario, 4, 16);
  const tuesdayAt = pinnedStart(scenario, 1, 10);
  const clock = morningClock(scenario);
  const fridayMorning = nextWorkingMorning(clock, fridayAt);
  const tuesdayMorning = nextWorkingMorning(clock, tuesdayAt);
  for (let trial = task.from; trial < task.to; trial++) {
    const cache = new TrialCache();
    // An exception inside a trial leaves as a TrialFailure naming it (also across workers).
    const at = (policy: PolicyBinding, pinned?: Pick<TrialContext, 'startAt' | 'replay'>) => ({
      scenario: task.scenario.name,
      policy: policy.policy.name,
      seed,
      trial,
      ...pinned,
    });
    const outcomes = policies.map((policy) =>
      withTrialContext(
        at(policy),
        () => runBoundTrial({ scenario, policy, seed, trial, cache }).outcome,
      ),
    );
    outcomes.forEach((o, i) => {
      addOutcome(partials[i]!, o);
      if (!details) return;
      const { timeline: _timeline, ...row } = o;
      rows.push(row);
    });
    let k = 0;
    for (let i = 0; details && i < policies.length; i++) {
      for (let j = i + 1; j < policies.length; j++)
        addPair(pairwise[k++]!, outcomes[i]!, outcomes[j]!);
    }
    if (
      task.fridayTest !== false &&
      trial % FRIDAY_EVERY === 0 &&
      outcomes[0]?.build.bad === true
    ) {
      policies.forEach((policy, i) => {
        // The same build started at a pinned time, watched until that day's next morning.
        const replay = (startAt: number, probeAt: number, name: 'friday' | 'tuesday') =>
          withTrialContext(
            at(policy, { startAt, replay: name }),
            () => runBoundTrial({ scenario, policy, seed, trial, startAt, probeAt, cache }).outcome,
          );
        const fri = replay(fridayAt, fridayMorning, 'friday');
        const tue = replay(tuesdayAt, tuesdayMorning, 'tuesday');
        if (fri.build.bad) addFriday(partials[i]!, fri, tue);
      });
    }
  }
  return { index: task.index, scenario: task.scenario.name, rows, partials, pairwise };
}

/**
 * The clock whose next working morning ends the Friday test's look (Monday 09:00 after a
 * Friday): people's working hours in the schedule region's time, or the schedule's own hours
 * when people are always at work, so the test looks at the same moment either way.
 */
export function morningClock(binding: ScenarioBinding): HumanClock {
  const { scenario, regions } = binding;
  const { days, fromHour, toHour, region } = scenario.schedule;
  const hours = scenario.people.workingHours;
  return {
    ...ALWAYS_AT_WORK,
    workingHours: hours.length > 0 ? hours : [{ days, fromHour, toHour }],
    utcOffsetHours: regions.find((r) => r.name === region)?.utcOffsetHours ?? 0,
  };
}
