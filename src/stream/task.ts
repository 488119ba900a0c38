/**
 * The unit of work of a stream study: one stream of one scenario under a list of variants
 * (policy, fatigue curve, flaky-check rate). The stream's changes and world events are drawn
 * once and shared by every variant; the task is plain data, so it crosses to a worker thread.
 */
import { liveRegistries, type Registries } from '../config/registries.js';
import { bindPolicy } from '../pipeline/policy-binding.js';
import type { PolicyConfig } from '../policy/types.js';
import { DAY, WEEK } from '../world/calendar.js';
import { ALWAYS_AT_WORK, type HumanClock } from '../world/human-clock.js';
import { bindScenario, type ScenarioBinding } from '../world/scenario-binding.js';
import type { ScenarioConfig } from '../world/types.js';
import { drawChanges } from './arrivals.js';
import { emergencyPolicy, overridePolicy } from './override-policy.js';
import { streamSettings, type FatigueCurve } from './settings.js';
import { runStream, type DeployRecord, type StreamCounts, type StreamFigures } from './simulate.js';
import { drawStreamConfounders, eventsNear } from './world-events.js';

/** One variant of a task, as plain data. */
export interface VariantSpec {
  /** Index into the task's policies. */
  policy: number;
  fatigue: FatigueCurve;
  flaky: number;
  /** Keep every deploy's record (the study's own runs; the sweep keeps none). */
  rows: boolean;
}

export interface StreamTask {
  scenario: ScenarioConfig;
  policies: PolicyConfig[];
  variants: VariantSpec[];
  weeks: number;
  seed: number;
  stream: number;
}

export interface StreamTaskResult {
  stream: number;
  /** Per variant, in the task's order. */
  runs: { figures: StreamFigures; counts: StreamCounts; deploys: DeployRecord[] | undefined }[];
}

/**
 * The team's clock: people's working hours (none when they are always at work) in the time
 * zone of the region builds start in, as the schedule reads it.
 */
export function teamClock(binding: ScenarioBinding): HumanClock {
  const { scenario, regions } = binding;
  return {
    ...ALWAYS_AT_WORK,
    workingHours: scenario.people.workingHours,
    utcOffsetHours: regions.find((r) => r.name === scenario.schedule.region)?.utcOffsetHours ?? 0,
  };
}

/** Runs one stream under every variant of the task. */
export function runStreamTask(
  task: StreamTask,
  registries: Registries = liveRegistries,
): StreamTaskResult {
  const scenario = bindScenario(task.scenario, registries);
  const settings = streamSettings(task.scenario);
  const clock = teamClock(scenario);
  const { seed, stream, weeks } = task;
  const changes = drawChanges(scenario, clock, settings.changesPerDay, weeks, seed, stream);
  // Deploys start before the stream ends and a trial looks at most 15 days past its start.
  const events = drawStreamConfounders(
    scenario,
    seed,
    stream,
    WEEK - DAY,
    WEEK * (weeks + 1) + 16 * DAY,
  );
  const world = {
    scenario,
    settings,
    clock,
    weeks,
    seed,
    stream,
    changes,
    events,
    eventsNear: (at: number) => eventsNear(events, at),
  };
  const bound = task.policies.map((p) => ({
    policy: bindPolicy(p, registries.judges),
    override: bindPolicy(overridePolicy(p), registries.judges),
    emergency: bindPolicy(emergencyPolicy(p), registries.judges),
  }));
  return {
    stream,
    runs: task.variants.map((v) => {
      const b = bound[v.policy]!;
      return runStream(world, { ...b, fatigue: v.fatigue, flaky: v.flaky }, { rows: v.rows });
    }),
  };
}
