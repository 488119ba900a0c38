/**
 * The unit of work of a stream study: one stream of one scenario under a list of variants
 * (policy, fatigue curve, flaky-check rate). The stream's changes and world events are drawn
 * once and shared by every variant; the task is plain data, so it crosses to a worker thread.
 */
import { liveRegistries, type Registries } from '../config/registries.js';
import type { TrialResult } from '../pipeline/executor.js';
import { bindPolicy } from '../pipeline/policy-binding.js';
import type { PolicyConfig } from '../policy/types.js';
import { DAY, WEEK } from '../world/calendar.js';
import { ALWAYS_AT_WORK, type HumanClock } from '../world/human-clock.js';
import { bindScenario, type ScenarioBinding } from '../world/scenario-binding.js';
import type { ScenarioConfig } from '../world/types.js';
import { drawChanges } from './arrivals.js';
import { emergencyPolicy, overridePolicy } from './override-policy.js';
import { streamSettings, type FatigueCurve } from './settings.js';
import {
  runStream,
  type DeployRecord,
  type StreamCounts,
  type StreamFigures,
  type StreamWorld,
} from './simulate.js';
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

/** A stream's shared inputs: its changes and world events, drawn once for every variant. */
function streamWorld(
  scenario: ScenarioBinding,
  config: ScenarioConfig,
  { seed, stream, weeks }: { seed: number; stream: number; weeks: number },
): StreamWorld {
  const settings = streamSettings(config);
  const clock = teamClock(scenario);
  const changes = drawChanges(scenario, clock, settings.changesPerDay, weeks, seed, stream);
  // Deploys start before the stream ends and a trial looks at most 15 days past its start.
  const events = drawStreamConfounders(
    scenario,
    seed,
    stream,
    WEEK - DAY,
    WEEK * (weeks + 1) + 16 * DAY,
  );
  return {
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
}

/** A policy bound for a stream: as given, and as an override and an emergency revert run it. */
function streamPolicies(p: PolicyConfig, registries: Registries) {
  return {
    policy: bindPolicy(p, registries.judges),
    override: bindPolicy(overridePolicy(p), registries.judges),
    emergency: bindPolicy(emergencyPolicy(p), registries.judges),
  };
}

/** Runs one stream under every variant of the task. */
export function runStreamTask(
  task: StreamTask,
  registries: Registries = liveRegistries,
): StreamTaskResult {
  const scenario = bindScenario(task.scenario, registries);
  const world = streamWorld(scenario, task.scenario, task);
  const bound = task.policies.map((p) => streamPolicies(p, registries));
  return {
    stream: task.stream,
    runs: task.variants.map((v) => {
      const b = bound[v.policy]!;
      return runStream(world, { ...b, fatigue: v.fatigue, flaky: v.flaky }, { rows: v.rows });
    }),
  };
}

/** What `explain --stream` replays: one deploy of one stream under one policy. */
export interface StreamDeployKey {
  scenario: ScenarioConfig;
  policy: PolicyConfig;
  weeks: number;
  seed: number;
  stream: number;
  deploy: number;
}

/**
 * One deploy of a stream study's run, replayed with its timeline and the points its checks
 * saw: the stream runs as the study ran it (the scenario's fatigue curve, no flaky check), and
 * the deploy's record is the row deploys.csv holds for it. Without a flaky check every deploy
 * runs a trial, so only a deploy the stream never made comes back with just the count.
 */
export function explainStreamDeploy(
  key: StreamDeployKey,
  registries: Registries = liveRegistries,
): { result: TrialResult; record: DeployRecord; deploys: number } | { deploys: number } {
  const scenario = bindScenario(key.scenario, registries);
  const world = streamWorld(scenario, key.scenario, key);
  const variant = {
    ...streamPolicies(key.policy, registries),
    fatigue: world.settings.fatigue,
    flaky: 0,
  };
  const run = runStream(world, variant, { rows: true, explain: key.deploy });
  const record = run.deploys!.find((r) => r.deploy === key.deploy);
  if (run.explained === undefined || record === undefined) return { deploys: run.counts.deploys };
  return { result: run.explained, record, deploys: run.counts.deploys };
}
