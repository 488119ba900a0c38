import { Simulator } from '../engine/index.js';
import type { ScheduledEvent } from '../engine/index.js';
import { JUDGES } from '../judges/index.js';
import type { JudgeResult, MetricData } from '../judges/types.js';
import type { CheckConfig, DelayDistribution, PolicyConfig } from '../policy/types.js';
import { TrialStreams, exponential, lognormal, type RandomStream } from '../random/index.js';
import {
  combineEffects,
  crossesBar,
  drawBuild,
  drawConfounders,
  drawStart,
  type DrawnBuild,
} from '../world/trial-setup.js';
import type { ConfounderInstance } from '../world/confounders/types.js';
import {
  zeroImpact,
  type MetricName,
  type MetricPoint,
  type Minutes,
  type RegionRuntime,
  type ScenarioConfig,
  type TraceConfig,
  type TrueEffect,
} from '../world/types.js';
import { World, type Cohort, type WorldEvent } from '../world/world.js';
import { regionRuntimes } from '../world/regions.js';
import { loadTrace, traceCurve } from '../world/trace.js';
import type { LoadCurve } from '../world/traffic.js';
import { resolve } from 'node:path';
import { MAX_TRIAL_MINUTES } from '../util/limits.js';
import type { RunPhase } from './check-run.js';
import {
  RolloutController,
  type CheckRun,
  type RolloutEvent,
  type RolloutSite,
} from './rollout.js';
import { beforeSpan, measurementWindowStart, readsBaseline, takeMeasurement } from './measure.js';
import { cumulativeTargets } from './targets.js';
import type { FinalState, TimelineEntry, TrialOutcome } from './types.js';

/** The executor's own events; the rollout's travel inside `rollout`. */
type PipelineEvent =
  | { kind: 'world'; event: WorldEvent }
  | { kind: 'rollout'; event: RolloutEvent }
  | { kind: 'deploy-batch'; stage: number; last: boolean; counts: number[] }
  | { kind: 'rollback-batch'; last: boolean; counts: number[] }
  | { kind: 'probe' }
  | { kind: 'end' };

export interface TrialOptions {
  scenario: ScenarioConfig;
  policy: PolicyConfig;
  seed: number;
  trial: number;
  /** Record every decision with its inputs (for `explain`); off for bulk runs. */
  timeline?: boolean;
  /** Record the metric points each check saw (for the explain chart). */
  series?: boolean;
  /** Start at this time instead of the drawn one (the Friday test). */
  startAt?: Minutes;
  /**
   * Shares what a trial draws before any policy acts (build, confounders, ground truth)
   * between runs of the same trial under different policies. Results are the same with or
   * without it; it only saves recomputing them.
   */
  cache?: TrialCache;
}

/** Per-trial memo for runs of the same (scenario, seed, trial); create one per trial. */
export class TrialCache {
  build: DrawnBuild | undefined = undefined;
  readonly confounders = new Map<Minutes, ConfounderInstance[]>();
  readonly effects = new Map<Minutes, TrueEffect>();
}

/** A metric point a check saw, for charts. */
export interface SeenPoint {
  check: string;
  metric: MetricName;
  role: 'canary' | 'baseline';
  t: Minutes;
  value: number;
}

export interface TrialResult {
  outcome: TrialOutcome;
  series: SeenPoint[];
}

/** What a check run has seen in the world, for incremental windows. */
interface RunData {
  /** End of the last metric interval observed. */
  lastEnd: Minutes;
  /** Every point the run has seen, per metric, oldest first. */
  history: Map<MetricName, RunHistory>;
}

interface RunGroups {
  version: number;
  canary: Cohort[];
  canaryKey: string;
  baseline: Cohort[] | undefined;
  baselineKey: string;
}

interface RunHistory {
  canary: MetricPoint[];
  baseline: MetricPoint[];
  seasonal: MetricPoint[];
  before: MetricPoint[] | undefined;
}

/** The points after `from` (the array itself when all of them are). */
function tail(points: MetricPoint[], from: Minutes): MetricPoint[] {
  if (points.length === 0 || points[0]!.t > from) return points;
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t > from) hi = mid;
    else lo = mid + 1;
  }
  return points.slice(lo);
}

function refetchMissing(
  points: MetricPoint[],
  after: Minutes,
  fetch: (end: Minutes) => MetricPoint,
): void {
  for (let i = points.length - 1; i >= 0 && points[i]!.t > after; i--) {
    if (Number.isNaN(points[i]!.value)) points[i] = fetch(points[i]!.t);
  }
}

/** Longest a trial may run before it is called stalled (a rollout paused for good). */
const MAX_TRIAL = MAX_TRIAL_MINUTES;

/** Runs one policy against one trial of a scenario and returns what happened. */
export function runTrial(options: TrialOptions): TrialResult {
  return new TrialRun(options).run();
}

class TrialRun implements RolloutSite {
  readonly policy: PolicyConfig;
  readonly judges = JUDGES;
  readonly endLimit: Minutes;
  private readonly scenario: ScenarioConfig;
  private readonly streams: TrialStreams;
  private readonly sim: Simulator<PipelineEvent>;
  private readonly world: World;
  private readonly startAt: Minutes;
  private readonly targets: number[][];
  private readonly bad: boolean;
  private readonly outcome: TrialOutcome;
  private readonly timeline: TimelineEntry[] | undefined;
  private readonly series: SeenPoint[] = [];
  private readonly recordSeries: boolean;
  private readonly rollout: RolloutController;
  /** What each check run has seen (by run id): its points, so windows grow incrementally. */
  private readonly runHistory = new Map<number, RunData>();
  /** Each run's cohort groups, by run id, as of a fleet version. */
  private readonly runGroups = new Map<number, RunGroups>();
  private readonly pending = new Set<ScheduledEvent<PipelineEvent>>();
  private readonly stageCohorts: Cohort[][] = [];
  private readonly buildFaults: TrialRunFaults;
  private finished = false;
  private productionTouched = false;

  constructor(options: TrialOptions) {
    this.scenario = options.scenario;
    this.policy = options.policy;
    this.streams = new TrialStreams(options.seed, options.trial);
    const cache = options.cache ?? new TrialCache();
    const build = cache.build ?? drawBuild(this.scenario, this.streams);
    cache.build = build;
    this.buildFaults = build.faults;
    this.timeline = options.timeline === true ? [] : undefined;
    this.recordSeries = options.series === true;

    // The start and the confounders need the regions before the world exists.
    const regions = regionRuntimes(this.scenario.fleet.regions);
    this.startAt = options.startAt ?? drawStart(this.scenario, regions, this.streams);
    this.endLimit = this.startAt + MAX_TRIAL + this.scenario.horizon + 1;
    const confounders =
      cache.confounders.get(this.startAt) ??
      drawConfounders(this.scenario, regions, this.streams, this.startAt);
    cache.confounders.set(this.startAt, confounders);
    this.sim = new Simulator<PipelineEvent>(this.startAt);
    const sim = this.sim;
    const curves = traceCurves(this.scenario, regions, this.streams);
    const cycles = conversionCycles(this.scenario, regions, this.streams);
    this.world = new World({
      scenario: this.scenario,
      streams: this.streams,
      faults: build.faults,
      confounders,
      endLimit: this.endLimit,
      ...(curves !== undefined ? { curves } : {}),
      ...(cycles !== undefined ? { conversionCycles: cycles } : {}),
      scheduler: {
        at: (t, event) => sim.at(Math.max(t, sim.now), { kind: 'world', event }),
        cancel: (h) => sim.cancel(h as ScheduledEvent<PipelineEvent> | undefined),
      },
    });
    this.world.advanceImpact(this.startAt);
    const effect =
      cache.effects.get(this.startAt) ??
      combineEffects(build.faults, this.world, this.startAt, this.startAt + this.scenario.horizon);
    cache.effects.set(this.startAt, effect);
    this.bad = build.bad && crossesBar(effect, this.scenario.impactBar);
    this.targets = cumulativeTargets(
      this.policy.stages.map((st) => st.target),
      this.world.regions,
    );
    this.outcome = {
      seed: options.seed,
      trial: options.trial,
      scenario: this.scenario.name,
      policy: this.policy.name,
      build: {
        bad: this.bad,
        template: build.template,
        faultKinds: build.faults.filter((f) => !f.benign).map((f) => f.kind),
        effect,
        rollbackBreaking: build.faults.some((f) => f.rollback !== undefined),
      },
      startAt: this.startAt,
      final: 'stalled',
      stageReached: 'ci',
      detectedBy: undefined,
      onsetAt: undefined,
      decidedAt: undefined,
      shippedAt: undefined,
      restoredAt: undefined,
      rollbackAttempted: false,
      rollbackSucceeded: false,
      impact: zeroImpact(),
      escapeImpact: zeroImpact(),
      hurtingAfter2h: false,
      endAt: 0,
      timeline: this.timeline,
    };
    this.rollout = new RolloutController(this);
  }

  get regions(): readonly RegionRuntime[] {
    return this.world.regions;
  }

  run(): TrialResult {
    this.note(
      'ci',
      'build ' +
        (this.outcome.build.faultKinds.length > 0
          ? `carries ${this.outcome.build.faultKinds.join(', ')}`
          : 'has no fault'),
    );
    if (this.ciCatches()) return this.result();
    let t = this.startAt;
    const drill = this.policy.rollbackDrill;
    if (drill !== undefined) {
      this.outcome.stageReached = 'drill';
      const hit = this.streams.get('drill').next() < drill.detectProbability;
      t += drill.duration;
      const breaking = this.buildFaults.some(
        (f) => f.rollback !== undefined && (f.rollback.fails || f.rollback.errorAdd > 0),
      );
      if (breaking && hit) {
        this.sim.run(() => undefined, t);
        this.note(
          'drill',
          'rollback drill in staging failed: the build cannot be rolled back cleanly',
        );
        this.block('drill');
        return this.result();
      }
      this.note('drill', `rollback drill passed (${drill.duration} min)`);
    }
    this.rollout.start(t);
    this.sim.at(this.startAt + 120, { kind: 'probe' });
    this.sim.run((e, now) => this.dispatch(e, now));
    if (!this.finished) this.finish('stalled', this.sim.now);
    return this.result();
  }

  // ---- pre-deploy ----------------------------------------------------------------

  private ciCatches(): boolean {
    const rng = this.streams.get('ci');
    let caught = false;
    // Draw one number per fault whatever happens, so the stream stays aligned across policies.
    for (const f of this.buildFaults) {
      const u = rng.next();
      if (f.benign) continue;
      const p = this.policy.ciTests[f.ciKind] ?? 0;
      if (u < p) caught = true;
    }
    if (caught) {
      this.note('ci', 'the test suite caught the fault');
      this.block('ci');
    }
    return caught;
  }

  private block(by: string): void {
    this.outcome.detectedBy = by;
    this.outcome.decidedAt = this.sim.now - this.startAt;
    this.outcome.final = 'blocked';
    this.outcome.endAt = this.sim.now - this.startAt;
    this.finished = true;
  }

  // ---- dispatch --------------------------------------------------------------------

  private dispatch(e: PipelineEvent, now: Minutes): void {
    switch (e.kind) {
      case 'world':
        this.world.handle(e.event, now);
        if (this.timeline !== undefined)
          this.note('restart', describeRestart(this.world.cohorts[e.event.cohort]!));
        return;
      case 'rollout':
        this.rollout.dispatch(e.event, now);
        this.outcome.stageReached = this.rollout.stageReached ?? this.outcome.stageReached;
        return;
      case 'deploy-batch':
        return this.deployBatch(e.stage, e.counts, e.last, now);
      case 'rollback-batch':
        return this.rollbackBatch(e.counts, e.last, now);
      case 'probe':
        this.outcome.hurtingAfter2h = this.world.isHurting(now);
        return;
      case 'end':
        this.sim.stop();
        return;
      default: {
        const never: never = e;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  }

  // ---- RolloutSite: deploying and measuring ----------------------------------------

  schedule(t: Minutes, e: RolloutEvent): unknown {
    return this.scheduleOwn(t, { kind: 'rollout', event: e });
  }

  cancel(handle: unknown): void {
    const h = handle as ScheduledEvent<PipelineEvent>;
    this.sim.cancel(h);
    this.pending.delete(h);
  }

  deployStage(i: number, now: Minutes): void {
    const stage = this.policy.stages[i]!;
    this.stageCohorts[i] = [];
    const perBatch = this.scenario.deploy.minutesPerBatch;
    if (stage.target.kind === 'staging') {
      const hosts = this.scenario.staging.hosts - this.world.stagingNewHosts();
      this.scheduleOwn(now + perBatch, {
        kind: 'deploy-batch',
        stage: i,
        last: true,
        counts: [hosts],
      });
      return;
    }
    const want = this.targets[i]!;
    const add = want.map((w, r) => Math.max(0, w - this.world.newHosts(r)));
    const batches = splitBatches(add, this.policy.maxBatchShare);
    if (batches.length === 0) {
      this.rollout.stageDeployed(i, now);
      return;
    }
    batches.forEach((counts, k) => {
      this.scheduleOwn(now + (k + 1) * perBatch, {
        kind: 'deploy-batch',
        stage: i,
        last: k === batches.length - 1,
        counts,
      });
    });
  }

  private deployBatch(i: number, counts: number[], last: boolean, now: Minutes): void {
    const stage = this.policy.stages[i]!;
    if (stage.target.kind === 'staging') {
      const c = this.world.deploy('staging', 0, counts[0] ?? 0, now);
      if (c !== undefined) this.stageCohorts[i]!.push(c);
    } else {
      counts.forEach((n, r) => {
        const c = this.world.deploy('production', r, n, now);
        if (c !== undefined) {
          this.stageCohorts[i]!.push(c);
          this.productionTouched = true;
        }
      });
    }
    if (last) this.rollout.stageDeployed(i, now);
  }

  measured(r: CheckRun, result: JudgeResult, _phase: RunPhase, now: Minutes): void {
    if (this.timeline === undefined) return;
    this.timeline.push({
      t: now - this.startAt,
      kind: 'measurement',
      stage: r.stage >= 0 ? this.policy.stages[r.stage]!.name : 'watch',
      check: r.check.name,
      verdict: result.verdict,
      message: (r.check.dryRun ? '[dry run] ' : '') + result.reason,
      figures: result.figures,
    });
  }

  personDelay(d: DelayDistribution, purpose: string): { minutes: Minutes; how: string } {
    const minutes = drawDelay(d, this.streams.get(purpose));
    return { minutes, how: `${Math.round(minutes)} min` };
  }

  private runData(r: CheckRun): RunData {
    let d = this.runHistory.get(r.id);
    if (d === undefined) {
      const check = r.check;
      // A lookback window may reach back before the run began.
      const back =
        typeof check.window === 'number' ? Math.max(0, check.window - check.interval) : 0;
      d = { lastEnd: r.startedAt + check.initialDelay - back, history: new Map() };
      this.runHistory.set(r.id, d);
    }
    return d;
  }

  /**
   * Gathers the data a check's judge needs and asks it; missing data and small samples are
   * handled here. Each run keeps the points it has seen and adds only the new ones, so a
   * cumulative window costs O(1) observations per measurement; points that were missing
   * only because they arrived late are fetched again until the delay has passed.
   */
  measure(r: CheckRun, now: Minutes): JudgeResult {
    const seen = this.runData(r);
    const check = r.check;
    const step = this.scenario.metricInterval;
    const staging = r.stage >= 0 && this.policy.stages[r.stage]!.target.kind === 'staging';
    const wantsBaseline = readsBaseline(check, r.model);
    const { canary, canaryKey, baseline, baselineKey } = this.groupsOf(r, staging, wantsBaseline);

    const ends: Minutes[] = [];
    for (let k = Math.floor(seen.lastEnd / step + 1e-9) + 1; k * step <= now + 1e-9; k++)
      ends.push(k * step);
    if (ends.length === 0 && seen.lastEnd === -Infinity)
      ends.push(Math.floor(now / step + 1e-9) * step);
    const refetchAfter = now - this.world.maxMetricsDelay;
    const windowStart = measurementWindowStart(check, r, now);
    const data: Partial<Record<MetricName, MetricData>> = {};
    for (const metric of r.metrics) {
      let h = seen.history.get(metric);
      if (h === undefined) {
        h = { canary: [], baseline: [], seasonal: [], before: undefined };
        seen.history.set(metric, h);
      }
      // Late points: ask again for those still missing inside the longest metrics delay.
      if (this.world.maxMetricsDelay > 0) {
        refetchMissing(h.canary, refetchAfter, (e) =>
          this.world.observe(metric, canaryKey, canary, e, now),
        );
        if (baseline !== undefined)
          refetchMissing(h.baseline, refetchAfter, (e) =>
            this.world.observe(metric, baselineKey, baseline, e, now),
          );
      }
      for (const e of ends) {
        const c = this.world.observe(metric, canaryKey, canary, e, now);
        h.canary.push(c);
        if (baseline !== undefined)
          h.baseline.push(this.world.observe(metric, baselineKey, baseline, e, now));
        if (r.model.needs.seasonal)
          h.seasonal.push(this.world.observeLastWeek(metric, canaryKey, canary, e));
        if (this.recordSeries) {
          this.series.push({ check: check.name, metric, role: 'canary', t: c.t, value: c.value });
          const b = h.baseline[h.baseline.length - 1];
          if (baseline !== undefined && b !== undefined)
            this.series.push({
              check: check.name,
              metric,
              role: 'baseline',
              t: b.t,
              value: b.value,
            });
        }
      }
      const d: MetricData = { canary: tail(h.canary, windowStart) };
      if (baseline !== undefined) d.baseline = tail(h.baseline, windowStart);
      if (r.model.needs.seasonal) d.seasonal = tail(h.seasonal, windowStart);
      if (r.model.needs.before) {
        if (h.before === undefined) {
          // The same hosts on the old build before the deploy began: an hour, or as long as the window.
          const span = beforeSpan(typeof check.window === 'number' ? check.window : check.interval);
          const before: MetricPoint[] = [];
          for (
            let e = Math.floor((this.startAt - span) / step) * step + step;
            e <= this.startAt;
            e += step
          ) {
            before.push(this.world.observeAsOld(metric, canaryKey, canary, e, e));
          }
          h.before = before;
        }
        d.before = h.before;
      }
      data[metric] = d;
    }
    if (ends.length > 0) seen.lastEnd = ends[ends.length - 1]!;

    const main = data[check.metric] !== undefined ? check.metric : r.metrics[0]!;
    return takeMeasurement(r.judge, check, data, main, wantsBaseline);
  }

  /** The run's canary and baseline cohorts with their keys, rebuilt only when the fleet changed. */
  private groupsOf(r: CheckRun, staging: boolean, wantsBaseline: boolean): RunGroups {
    const version = this.world.fleetVersion;
    const known = this.runGroups.get(r.id);
    if (known !== undefined && known.version === version) return known;
    const canary = this.canaryGroup(r.check, r.stage, staging);
    const baseline = wantsBaseline ? this.baselineGroup(r.check, canary, staging) : undefined;
    const groups: RunGroups = {
      version,
      canary,
      canaryKey: groupKey('c', canary),
      baseline,
      baselineKey: baseline === undefined ? '' : groupKey('b', baseline),
    };
    this.runGroups.set(r.id, groups);
    return groups;
  }

  private canaryGroup(check: CheckConfig, stage: number, staging: boolean): Cohort[] {
    if (staging) return this.world.select((c) => c.environment === 'staging' && c.isNew);
    switch (check.scope) {
      case 'new':
        return this.world.select((c) => c.environment === 'production' && c.isNew);
      case 'stage':
        return stage >= 0
          ? (this.stageCohorts[stage] ?? []).filter((c) => c.hosts > 0)
          : this.world.select((c) => c.environment === 'production' && c.isNew);
      case 'all':
        return this.world.select((c) => c.environment === 'production');
      default: {
        const never: never = check.scope;
        throw new Error(`unknown scope ${String(never)}`);
      }
    }
  }

  private baselineGroup(check: CheckConfig, canary: readonly Cohort[], staging: boolean): Cohort[] {
    if (staging) return this.world.select((c) => c.environment === 'staging' && !c.isNew);
    const regions = new Set(canary.map((c) => c.region.index));
    return this.world.select(
      (c) =>
        c.environment === 'production' &&
        !c.isNew &&
        c.revertedAt === undefined &&
        (check.baselineScope === 'fleet' || regions.has(c.region.index)),
    );
  }

  // ---- RolloutSite: outcomes ------------------------------------------------------

  shipped(now: Minutes): void {
    this.world.advanceImpact(now);
    this.world.escapeFrom = now;
    this.outcome.shippedAt = now - this.startAt;
  }

  passed(now: Minutes): void {
    this.outcome.stageReached = 'done';
    this.finish('shipped', now);
  }

  rollback(by: string, now: Minutes): void {
    if (this.finished) return;
    this.outcome.stageReached = this.rollout.stageReached ?? this.outcome.stageReached;
    this.outcome.detectedBy = by;
    this.outcome.decidedAt = now - this.startAt;
    for (const h of [...this.pending]) this.cancel(h);
    const newHosts = this.world.regions.map((r) => this.world.newHosts(r.index));
    const staging = this.world.stagingNewHosts();
    if (!this.productionTouched || newHosts.every((n) => n === 0)) {
      if (staging > 0) this.world.revert('staging', 0, staging, now);
      this.note('rollback-done', `stopped before production by ${by}`);
      this.finish(this.productionTouched ? 'rolled-back' : 'blocked', now);
      return;
    }
    this.outcome.rollbackAttempted = true;
    this.note('rollback-start', `rolling back (decided by ${by})`);
    if (this.buildFaults.some((f) => f.rollback?.fails === true)) {
      this.note(
        'rollback-failed',
        'the rollback failed: the migration cannot be undone; the build keeps serving',
      );
      this.finish('rollback-failed', now);
      return;
    }
    const batches = splitBatches(newHosts, this.policy.rollback.maxBatchShare);
    batches.forEach((counts, k) => {
      this.scheduleOwn(now + (k + 1) * this.policy.rollback.minutesPerBatch, {
        kind: 'rollback-batch',
        last: k === batches.length - 1,
        counts,
      });
    });
  }

  private rollbackBatch(counts: number[], last: boolean, now: Minutes): void {
    counts.forEach((n, r) => this.world.revert('production', r, n, now));
    if (!last) return;
    const staging = this.world.stagingNewHosts();
    if (staging > 0) this.world.revert('staging', 0, staging, now);
    this.outcome.rollbackSucceeded = true;
    this.outcome.restoredAt = now - this.startAt;
    this.note('rollback-done', 'the previous build serves everywhere again');
    this.finish('rolled-back', now);
  }

  /** Ends the pipeline; the world keeps counting impact until the horizon. */
  private finish(final: FinalState, now: Minutes): void {
    if (this.finished) return;
    this.finished = true;
    this.outcome.final = final;
    this.rollout.stop();
    for (const h of [...this.pending]) this.cancel(h);
    const end = Math.min(now + this.scenario.horizon, this.endLimit);
    this.outcome.endAt = end - this.startAt;
    this.sim.at(end, { kind: 'end' });
  }

  private result(): TrialResult {
    const end = this.startAt + this.outcome.endAt;
    this.world.advanceImpact(Math.max(end, this.sim.now));
    const onset = this.world.onsetTime();
    this.outcome.onsetAt = onset === Infinity ? undefined : onset - this.startAt;
    this.outcome.impact = { ...this.world.impact };
    this.outcome.escapeImpact = { ...this.world.escapeImpact };
    if (this.timeline !== undefined) this.timeline.sort((a, b) => a.t - b.t);
    return { outcome: this.outcome, series: this.series };
  }

  // ---- helpers ---------------------------------------------------------------------

  private scheduleOwn(t: Minutes, e: PipelineEvent): ScheduledEvent<PipelineEvent> {
    const h = this.sim.at(Math.max(t, this.sim.now), e);
    this.pending.add(h);
    return h;
  }

  note(kind: TimelineEntry['kind'], message: string, stage?: number): void {
    if (this.timeline === undefined) return;
    const entry: TimelineEntry = { t: this.sim.now - this.startAt, kind, message };
    if (stage !== undefined && stage >= 0) entry.stage = this.policy.stages[stage]!.name;
    this.timeline.push(entry);
  }
}

type TrialRunFaults = ReturnType<typeof drawBuild>['faults'];

/**
 * Per-region curves from a recorded series: each trial starts at a seeded whole week of the
 * recording (weekdays stay aligned), and every region sees it in its own local time.
 */
function recordedCurves(
  spec: TraceConfig,
  scenario: ScenarioConfig,
  regions: readonly RegionRuntime[],
  rng: RandomStream,
): { curves: LoadCurve[]; meanShare: number } {
  const trace = loadTrace(
    resolve(scenario.baseDir, spec.file),
    spec.stepMinutes === undefined ? {} : { stepMinutes: spec.stepMinutes },
  );
  const u = rng.next();
  let offset: Minutes;
  if (trace.mondayOffset !== undefined && trace.period - trace.mondayOffset >= 10080) {
    const weeks = Math.floor((trace.period - trace.mondayOffset) / 10080);
    offset = trace.mondayOffset + Math.floor(u * weeks) * 10080;
  } else {
    offset = u * trace.period;
  }
  const reference = regions.find((r) => r.name === scenario.schedule.region)?.utcOffsetHours ?? 0;
  const curves = regions.map((r) =>
    traceCurve(trace, offset + (r.utcOffsetHours - reference) * 60),
  );
  const whole = traceCurve(trace, 0);
  return { curves, meanShare: whole.integral(0, trace.period) / trace.period };
}

/** Traffic from a recorded trace, when the scenario has one. */
function traceCurves(
  scenario: ScenarioConfig,
  regions: readonly RegionRuntime[],
  streams: TrialStreams,
): LoadCurve[] | undefined {
  const spec = scenario.traffic.trace;
  return spec === undefined
    ? undefined
    : recordedCurves(spec, scenario, regions, streams.get('trace')).curves;
}

/**
 * The business cycle from a recorded series, when the scenario has one: the series' level
 * relative to its mean, scaled so its typical peak (share 1) is +1, clamped to [−1, 1].
 */
function conversionCycles(
  scenario: ScenarioConfig,
  regions: readonly RegionRuntime[],
  streams: TrialStreams,
): ((t: Minutes) => number)[] | undefined {
  const spec = scenario.service.business.trace;
  if (spec === undefined) return undefined;
  const { curves, meanShare } = recordedCurves(
    spec,
    scenario,
    regions,
    streams.get('trace:business'),
  );
  const span = Math.max(1e-9, 1 - meanShare);
  return curves.map(
    (c) => (t: Minutes) => Math.max(-1, Math.min(1, (c.share(t) - meanShare) / span)),
  );
}

function describeRestart(c: Cohort): string {
  const where = c.environment === 'staging' ? 'staging' : c.region.name;
  return `${c.hosts} ${where} host${c.hosts === 1 ? '' : 's'} on the new build restarted (out of memory or killed by a health check)`;
}

/** Splits per-region host counts into batches of at most `share` of each region's count (at least one host). */
export function splitBatches(counts: readonly number[], share: number): number[][] {
  const size = counts.map((n) => (n > 0 ? Math.max(1, Math.ceil(n * share - 1e-9)) : 0));
  const left = [...counts];
  const out: number[][] = [];
  while (left.some((n) => n > 0)) {
    const batch = left.map((n, i) => Math.min(n, size[i]!));
    batch.forEach((b, i) => (left[i] = left[i]! - b));
    out.push(batch);
  }
  return out;
}

function groupKey(prefix: string, group: readonly Cohort[]): string {
  return prefix + ':' + group.map((c) => `${c.id}x${c.hosts}`).join(',');
}

export function drawDelay(d: DelayDistribution, rng: RandomStream): Minutes {
  switch (d.kind) {
    case 'fixed':
      return d.minutes;
    case 'exponential':
      return exponential(rng, d.meanMinutes);
    case 'lognormal':
      return lognormal(rng, Math.log(d.medianMinutes), d.sigma);
    default: {
      const never: never = d;
      throw new Error(`unknown delay ${JSON.stringify(never)}`);
    }
  }
}
