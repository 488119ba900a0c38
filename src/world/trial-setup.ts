/**
 * Setting up a trial: what it draws before any policy acts (the build, the start time, the
 * confounders), its world at the start, and the ground truth about its build. Each draw comes
 * from its own stream, so every policy replayed on trial k sees the same ones (common random
 * numbers), whatever it does afterwards.
 */
import { bernoulli, poisson, uniform, weightedIndex, type TrialStreams } from '../random/index.js';
import type { ConfounderInstance } from './confounders/types.js';
import type { FaultInstance, FleetFacts } from './faults/types.js';
import { atLocal, DAY } from './calendar.js';
import type { FleetScheduler } from './fleet.js';
import { Load } from './load.js';
import { isRange } from './params.js';
import { recordedCurves, recordedCycles } from './recorded.js';
import type { ScenarioBinding } from './scenario-binding.js';
import type { ImpactBar, Minutes, TrueEffect } from './types.js';
import { WEEKDAYS } from './types.js';
import { World } from './world.js';

export interface TrialSetupOptions {
  /** Where the fleet schedules its restarts: the trial's simulator. */
  scheduler: FleetScheduler;
  /** How long the pipeline may run; with the horizon after it, nothing looks further. */
  runLimit: Minutes;
  /** Start here instead of at a drawn time (the Friday test; one deploy of a stream). */
  startAt?: Minutes | undefined;
  /** This build instead of a drawn one (a stream's batch). */
  build?: DrawnBuild | undefined;
  /** These confounder occurrences instead of drawn ones (world events a stream's deploys share). */
  confounders?: readonly ConfounderInstance[] | undefined;
  /**
   * Shares the trial's own draws and ground truth between its runs under different policies
   * (results are the same without it). Not used when a build or confounders are given.
   */
  cache?: TrialCache | undefined;
}

/** A trial ready to run: its world at the start, and what was drawn before any policy acts. */
export interface TrialSetup {
  world: World;
  build: DrawnBuild;
  startAt: Minutes;
  /** No event or search looks past this time. */
  endLimit: Minutes;
  confounders: readonly ConfounderInstance[];
  /** Ground truth: the build's full-fleet effect, and whether it crosses the impact bar. */
  truth: { effect: TrueEffect; bad: boolean };
}

/** What runs of one (scenario, seed, trial) under different policies share; create one per trial. */
export class TrialCache {
  build: DrawnBuild | undefined = undefined;
  readonly confounders = new Map<Minutes, readonly ConfounderInstance[]>();
  readonly effects = new Map<Minutes, TrueEffect>();
}

/**
 * Sets up one trial: draws (or takes) its build, start and confounders, builds its world at
 * the start and labels the build with ground truth. Every draw comes from its own stream of
 * `streams`, so every policy replayed on the trial sees the same ones.
 */
export function setUpTrial(
  binding: ScenarioBinding,
  streams: TrialStreams,
  options: TrialSetupOptions,
): TrialSetup {
  const { scenario } = binding;
  const cache =
    options.build === undefined && options.confounders === undefined ? options.cache : undefined;
  const build = options.build ?? cache?.build ?? drawBuild(binding, streams);
  if (cache !== undefined) cache.build = build;
  const startAt = options.startAt ?? drawStart(binding, streams);
  const endLimit = startAt + options.runLimit + scenario.horizon + 1;
  const confounders =
    options.confounders ??
    cache?.confounders.get(startAt) ??
    drawConfounders(binding, streams, startAt);
  cache?.confounders.set(startAt, confounders);
  const load = trialLoad(binding, streams, confounders);
  const world = new World({
    scenario,
    streams,
    load,
    faults: build.faults,
    confounders,
    scheduler: options.scheduler,
    startAt,
    endLimit,
  });
  const effect =
    cache?.effects.get(startAt) ??
    combineEffects(build.faults, load, startAt, startAt + scenario.horizon);
  cache?.effects.set(startAt, effect);
  const bad = build.bad && crossesBar(effect, scenario.impactBar);
  return { world, build, startAt, endLimit, confounders, truth: { effect, bad } };
}

/**
 * The load of the trial: the scenario's analytic shape or its recordings at a seeded week,
 * with the trial's traffic spikes on top.
 */
function trialLoad(
  binding: ScenarioBinding,
  streams: TrialStreams,
  confounders: readonly ConfounderInstance[],
): Load {
  const { scenario, regions, traffic, business } = binding;
  const clock = scenario.schedule.region;
  return new Load({
    scenario,
    regions,
    confounders,
    curves:
      traffic === undefined
        ? undefined
        : recordedCurves(traffic, clock, regions, streams.get('trace')),
    conversionCycles:
      business === undefined
        ? undefined
        : recordedCycles(business, clock, regions, streams.get('trace:business')),
  });
}

/** A build as a trial draws it: good or bad, its template, and every effect it carries. */
export interface DrawnBuild {
  bad: boolean;
  template: string;
  faults: FaultInstance[];
}

/** The template name of a build drawn good (no fault but the benign ones). */
export const GOOD_TEMPLATE = 'good';

export function drawBuild(binding: ScenarioBinding, streams: TrialStreams): DrawnBuild {
  const { builds } = binding.scenario;
  const rng = streams.get('build');
  const isBad = bernoulli(rng, builds.badShare) && builds.bad.length > 0;
  // Draw the template index even for good builds so the stream position never depends on the label.
  const idx =
    builds.bad.length > 0
      ? weightedIndex(
          rng,
          builds.bad.map((b) => b.weight),
        )
      : -1;
  const benign = binding.benign.map((f, i) => f.create(streams, `build:benign:${i}`));
  if (!isBad || idx < 0) return { bad: false, template: GOOD_TEMPLATE, faults: benign };
  const faults = binding.bad[idx]!.map((f, i) => f.create(streams, `build:${idx}:${i}`));
  return { bad: true, template: builds.bad[idx]!.name, faults: [...faults, ...benign] };
}

/** The start time: a random allowed local day and hour of the schedule's region, in week 1. */
export function drawStart(binding: ScenarioBinding, streams: TrialStreams): Minutes {
  const rng = streams.get('start');
  const { days, fromHour, toHour, region } = binding.scenario.schedule;
  const offset = binding.regions.find((r) => r.name === region)?.utcOffsetHours ?? 0;
  const day = days[Math.min(days.length - 1, Math.floor(uniform(rng) * days.length))]!;
  const hour = uniform(rng, fromHour, toHour);
  return atLocal(WEEKDAYS.indexOf(day), hour, offset);
}

/** A start pinned to a local day and hour (for the Friday test). */
export function pinnedStart(binding: ScenarioBinding, dayIndex: number, hour: number): Minutes {
  const { scenario, regions } = binding;
  const offset = regions.find((r) => r.name === scenario.schedule.region)?.utcOffsetHours ?? 0;
  return atLocal(dayIndex, hour, offset);
}

/**
 * Confounder occurrences over a span around the start (a day before to eight after, longer
 * than any trial), drawn per spec from a stream of its own.
 */
export function drawConfounders(
  binding: ScenarioBinding,
  streams: TrialStreams,
  startAt: Minutes,
): ConfounderInstance[] {
  const out: ConfounderInstance[] = [];
  binding.confounders.forEach((bound, i) => {
    const { spec } = bound;
    const rng = streams.get(`confounders:${i}`);
    const from = startAt - DAY;
    const span = 9 * DAY;
    const times: Minutes[] = [];
    const n = poisson(rng, (spec.ratePerDay * span) / DAY);
    for (let k = 0; k < n; k++) times.push(from + uniform(rng) * span);
    if (spec.pinned !== undefined) {
      const hit = bernoulli(rng, spec.pinned.probability);
      const at = spec.pinned.at;
      const offset = isRange(at) ? uniform(rng, at.min, at.max) : at;
      if (hit) times.push(startAt + offset);
    }
    for (const start of times) out.push(bound.occurrence(rng, start, binding.regions));
  });
  return out;
}

/**
 * Ground truth: a build is bad when its true full-fleet effect crosses the impact bar. The
 * label comes from the faults' parameters, never from a detector.
 */
export function combineEffects(
  faults: readonly FaultInstance[],
  fleet: FleetFacts,
  from: Minutes,
  until: Minutes,
): TrueEffect {
  const total: TrueEffect = {
    errorRatePp: 0,
    p99Ratio: 1,
    conversionDropPct: 0,
    resourceExhaustion: false,
  };
  let keep = 1;
  for (const f of faults) {
    if (f.benign) continue;
    const e = f.trueEffect(fleet, from, until);
    total.errorRatePp += e.errorRatePp;
    total.p99Ratio *= e.p99Ratio;
    keep *= 1 - e.conversionDropPct / 100;
    total.resourceExhaustion ||= e.resourceExhaustion;
  }
  total.conversionDropPct = (1 - keep) * 100;
  return total;
}

/** Whether an effect crosses the impact bar on any of its axes. */
export function crossesBar(effect: TrueEffect, bar: ImpactBar): boolean {
  return (
    effect.errorRatePp >= bar.errorRatePp ||
    effect.p99Ratio >= bar.p99Ratio ||
    effect.conversionDropPct >= bar.conversionDropPct ||
    (bar.resourceExhaustion && effect.resourceExhaustion)
  );
}
