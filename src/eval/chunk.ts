import { runTrial } from '../pipeline/executor.js';
import type { TrialOutcome } from '../pipeline/types.js';
import type { PolicyConfig } from '../policy/types.js';
import { regionRuntimes } from '../world/regions.js';
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
 * same build, start and confounders (its streams are keyed by seed and trial only).
 */
export function runChunk(task: ChunkTask): ChunkResult {
  const { scenario, policies, seed } = task;
  const partials = policies.map(() => emptyPartial());
  const pairwise: PairwisePartial[] = [];
  for (let i = 0; i < policies.length; i++) {
    for (let j = i + 1; j < policies.length; j++)
      pairwise.push(emptyPairwise(policies[i]!.name, policies[j]!.name));
  }
  const rows: TrialRow[] = [];
  const regions = regionRuntimes(scenario.fleet.regions);
  const fridayAt = pinnedStart(scenario, regions, 4, 16);
  const tuesdayAt = pinnedStart(scenario, regions, 1, 10);
  for (let trial = task.from; trial < task.to; trial++) {
    const cache = new TrialCache();
    // An exception inside a trial leaves as a TrialFailure naming it (also across workers).
    const at = (policy: PolicyConfig, pinned?: Pick<TrialContext, 'startAt' | 'replay'>) => ({
      scenario: scenario.name,
      policy: policy.name,
      seed,
      trial,
      ...pinned,
    });
    const outcomes = policies.map((policy) =>
      withTrialContext(
        at(policy),
        () => runTrial({ scenario, policy, seed, trial, cache }).outcome,
      ),
    );
    outcomes.forEach((o, i) => {
      addOutcome(partials[i]!, o);
      const { timeline: _timeline, ...row } = o;
      rows.push(row);
    });
    let k = 0;
    for (let i = 0; i < policies.length; i++) {
      for (let j = i + 1; j < policies.length; j++)
        addPair(pairwise[k++]!, outcomes[i]!, outcomes[j]!);
    }
    if (trial % FRIDAY_EVERY === 0 && outcomes[0]?.build.bad === true) {
      policies.forEach((policy, i) => {
        const fri = withTrialContext(
          at(policy, { startAt: fridayAt, replay: 'friday' }),
          () => runTrial({ scenario, policy, seed, trial, startAt: fridayAt, cache }).outcome,
        );
        const tue = withTrialContext(
          at(policy, { startAt: tuesdayAt, replay: 'tuesday' }),
          () => runTrial({ scenario, policy, seed, trial, startAt: tuesdayAt, cache }).outcome,
        );
        if (fri.build.bad) addFriday(partials[i]!, fri.hurtingAfter2h, tue.hurtingAfter2h);
      });
    }
  }
  return { index: task.index, scenario: scenario.name, rows, partials, pairwise };
}
