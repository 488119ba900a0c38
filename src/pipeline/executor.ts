import { liveRegistries, type Registries } from '../config/registries.js';
import { Simulator, type EventHandle } from '../engine/index.js';
import type { JudgeResult } from '../judges/types.js';
import type { CheckConfig, DelayDistribution, PolicyConfig } from '../policy/types.js';
import { TrialStreams, exponential, lognormal, type RandomStream } from '../random/index.js';
import type { Cohort } from '../world/cohort.js';
import type { ConfounderInstance } from '../world/confounders/types.js';
import type { FaultInstance } from '../world/faults/types.js';
import type { FleetEvent } from '../world/fleet.js';
import { bindScenario, type ScenarioBinding } from '../world/scenario-binding.js';
import {
  setUpTrial,
  type DrawnBuild,
  type TrialCache,
  type TrialSetup,
} from '../world/trial-setup.js';
import {
  zeroImpact,
  type Minutes,
  type RegionRuntime,
  type ScenarioConfig,
} from '../world/types.js';
import type { HourWindow } from '../world/calendar.js';
import { pageResponseTime, type HumanClock } from '../world/human-clock.js';
import type { World } from '../world/world.js';
import { MAX_TRIAL_MINUTES } from '../util/limits.js';
import type { RunPhase } from './check-run.js';
import { takeMeasurement } from './measure.js';
import { MetricFeed, type SeenPoint } from './metric-feed.js';
import { worldEntries } from './world-timeline.js';
import { bindPolicy, type PolicyBinding } from './policy-binding.js';
import {
  RolloutController,
  type CheckRun,
  type RolloutEvent,
  type RolloutSite,
} from './rollout.js';
import { cumulativeTargets } from './targets.js';
import type { FinalState, TimelineEntry, TrialOutcome } from './types.js';
import { noWaits } from './waits.js';

const MIGRATION_STAYS =
  'the rollback failed: the migration cannot be undone; the build keeps serving';

/** The executor's own events; the rollout's travel inside `rollout`. */
type PipelineEvent =
  | { kind: 'fleet'; event: FleetEvent }
  | { kind: 'rollout'; event: RolloutEvent }
  | { kind: 'deploy-batch'; stage: number; last: boolean; counts: number[] }
  /** A traffic stage's weight takes effect (its canary pods have started). */
  | { kind: 'route'; stage: number; weight: number }
  /** An alert pages on-call about a bad build the pipeline let stay; `answered` once someone acts. */
  | { kind: 'page'; answered: boolean }
  /** A batch of a rollback, decided by the pipeline or (after a page) by on-call. */
  | { kind: 'rollback-batch'; last: boolean; counts: number[]; onCall: boolean }
  | { kind: 'probe' }
  | { kind: 'late-probe' }
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
   * Also look at the world at this absolute time (the Friday test's next working morning):
   * whether the build still hurts customers then and the impact so far (`TrialOutcome.probe`).
   * The trial counts at least until then.
   */
  probeAt?: Minutes;
  /** Run this build instead of the drawn one (a stream's batch). */
  build?: DrawnBuild;
  /** Use these confounder occurrences instead of drawn ones (events a stream's deploys share). */
  confounders?: readonly ConfounderInstance[];
  /**
   * Decide CI and the rollback drill by these uniforms instead of the trial's own `ci` and
   * `drill` streams (a stream's batch: each change draws its own once, so a change gets the
   * same verdicts in every deploy that carries it).
   */
  verdicts?: VerdictDraws;
  /**
   * Shares what a trial draws before any policy acts (build, confounders, ground truth)
   * between runs of the same trial under different policies. Results are the same with or
   * without it; it only saves recomputing them.
   */
  cache?: TrialCache;
  /** Plugin families to bind the scenario and policy against: the loaders' default, `liveRegistries`. */
  registries?: Registries;
}

/**
 * Uniforms for the verdicts before the rollout, one per fault of the build, in the build's
 * order: CI catches fault i when `ci[i]` is below the policy's `ciTests` for its kind; the
 * drill fails when some rollback-breaking fault's `drill[i]` is below its detect probability.
 */
export interface VerdictDraws {
  ci: readonly number[];
  drill: readonly number[];
}

/** A trial's options with its scenario and policy bound already (a study binds once per chunk). */
export interface BoundTrialOptions extends Omit<
  TrialOptions,
  'scenario' | 'policy' | 'registries'
> {
  scenario: ScenarioBinding;
  policy: PolicyBinding;
}

export type { SeenPoint };

export interface TrialResult {
  outcome: TrialOutcome;
  series: SeenPoint[];
}

/** Longest a trial may run before it is called stalled (a rollout paused for good). */
const MAX_TRIAL = MAX_TRIAL_MINUTES;

/** Runs one policy against one trial of a scenario and returns what happened. */
export function runTrial(options: TrialOptions): TrialResult {
  const { scenario, policy, registries = liveRegistries, ...rest } = options;
  return runBoundTrial({
    ...rest,
    scenario: bindScenario(scenario, registries),
    policy: bindPolicy(policy, registries.judges),
  });
}

/** `runTrial` for a scenario and policy bound once for many trials. */
export function runBoundTrial(options: BoundTrialOptions): TrialResult {
  return new TrialRun(options).run();
}

class TrialRun implements RolloutSite {
  readonly policy: PolicyConfig;
  readonly endLimit: Minutes;
  readonly workingHours: readonly HourWindow[];
  private readonly probeAt: Minutes | undefined;
  private readonly scenario: ScenarioConfig;
  private readonly streams: TrialStreams;
  private readonly sim: Simulator<PipelineEvent>;
  private readonly world: World;
  private readonly startAt: Minutes;
  private readonly targets: number[][];
  private readonly outcome: TrialOutcome;
  private readonly timeline: TimelineEntry[] | undefined;
  private readonly series: SeenPoint[] = [];
  private readonly rollout: RolloutController;
  private readonly feed: MetricFeed;
  private readonly pending = new Set<EventHandle>();
  private readonly buildFaults: readonly FaultInstance[];
  /** Whether the build carries a migration that cannot be undone: every rollback of it fails. */
  private readonly migrationStays: boolean;
  /** The trial's confounder occurrences, for the timeline's `world` entries. */
  private readonly confounders: readonly ConfounderInstance[];
  private readonly verdicts: VerdictDraws | undefined;
  private finished = false;
  private productionTouched = false;
  /** Per stage, whether it starts a fresh baseline beside its hosts (a check asks for one). */
  private readonly freshStages: readonly boolean[];
  /** Whether stage i's fresh baseline must outlive the stage (a background check reads it). */
  private readonly freshUntilShipped: readonly boolean[];
  /** The fresh baseline cohorts running, with the stage that started each. */
  private readonly freshRunning: { stage: number; cohort: Cohort }[] = [];

  constructor(options: BoundTrialOptions) {
    this.scenario = options.scenario.scenario;
    this.policy = options.policy.policy;
    const fresh = (c: CheckConfig) => c.compare === 'baseline' && c.baselineScope === 'fresh';
    this.freshStages = this.policy.stages.map((s) => s.checks.some(fresh));
    this.freshUntilShipped = this.policy.stages.map((s) =>
      s.checks.some((c) => fresh(c) && c.background),
    );
    this.workingHours = this.scenario.people.workingHours;
    this.probeAt = options.probeAt;
    this.streams = new TrialStreams(options.seed, options.trial);
    this.timeline = options.timeline === true ? [] : undefined;
    const setup = setUpTrial(options.scenario, this.streams, {
      scheduler: {
        at: (t, event) => this.sim.at(Math.max(t, this.sim.now), { kind: 'fleet', event }),
        cancel: (h) => this.sim.cancel(h as EventHandle | undefined),
      },
      runLimit: MAX_TRIAL,
      startAt: options.startAt,
      build: options.build,
      confounders: options.confounders,
      cache: options.cache,
    });
    const { world, build, startAt } = setup;
    this.world = world;
    this.buildFaults = build.faults;
    this.verdicts = options.verdicts;
    const n = build.faults.length;
    if (
      this.verdicts !== undefined &&
      (this.verdicts.ci.length !== n || this.verdicts.drill.length !== n)
    )
      throw new Error(
        `verdicts: ${this.verdicts.ci.length} CI and ${this.verdicts.drill.length} drill uniforms for a build of ${n} faults`,
      );
    this.migrationStays = build.faults.some((f) => f.rollback?.fails === true);
    this.confounders = setup.confounders;
    this.startAt = startAt;
    this.endLimit = setup.endLimit;
    this.sim = new Simulator<PipelineEvent>(startAt);
    this.targets = cumulativeTargets(
      this.policy.stages.map((st) => st.target),
      world.fleet.regions,
    );
    this.feed = new MetricFeed({
      world,
      confounders: setup.confounders,
      policy: this.policy,
      metricInterval: this.scenario.metricInterval,
      startAt,
      series: options.series === true ? this.series : undefined,
    });
    this.outcome = initialOutcome(options, setup, this.timeline);
    this.rollout = new RolloutController(this, options.policy);
  }

  get regions(): readonly RegionRuntime[] {
    return this.world.fleet.regions;
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
      t += drill.duration;
      if (this.drillFails(drill.detectProbability)) {
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
    if (this.probeAt !== undefined) this.sim.at(this.probeAt, { kind: 'late-probe' });
    this.sim.run((e, now) => this.dispatch(e, now));
    if (!this.finished) this.finish('stalled', this.sim.now);
    return this.result();
  }

  // ---- pre-deploy ----------------------------------------------------------------

  private ciCatches(): boolean {
    const given = this.verdicts?.ci;
    const rng = given === undefined ? this.streams.get('ci') : undefined;
    let caught = false;
    // Draw one number per fault whatever happens, so the stream stays aligned across policies.
    for (const [i, f] of this.buildFaults.entries()) {
      const u = given?.[i] ?? rng!.next();
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

  /** Whether the drill finds that the build cannot be rolled back cleanly. */
  private drillFails(detectProbability: number): boolean {
    const breaks = (f: FaultInstance) =>
      f.rollback !== undefined && (f.rollback.fails || f.rollback.errorAdd > 0);
    const given = this.verdicts?.drill;
    if (given !== undefined)
      return this.buildFaults.some((f, i) => breaks(f) && given[i]! < detectProbability);
    // One draw per trial whatever the build, so the stream stays aligned across policies.
    const hit = this.streams.get('drill').next() < detectProbability;
    return hit && this.buildFaults.some(breaks);
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
      case 'fleet':
        this.world.fleet.handle(e.event, now);
        if (this.timeline !== undefined)
          this.note('restart', describeRestart(this.world.fleet.cohorts[e.event.cohort]!));
        return;
      case 'rollout':
        this.rollout.dispatch(e.event, now);
        this.outcome.stageReached = this.rollout.stageReached ?? this.outcome.stageReached;
        return;
      case 'deploy-batch':
        return this.deployBatch(e.stage, e.counts, e.last, now);
      case 'route':
        return this.route(e.stage, e.weight, now);
      case 'page':
        return e.answered ? this.answerPage(now) : this.page(now);
      case 'rollback-batch':
        return this.rollbackBatch(e.counts, e.last, e.onCall, now);
      case 'probe':
        this.outcome.hurtingAfter2h = this.world.fleet.isHurting(now);
        return;
      case 'late-probe':
        this.world.ledger.advanceTo(now);
        this.outcome.probe = {
          at: now - this.startAt,
          hurting: this.world.fleet.isHurting(now),
          impact: { ...this.world.ledger.impact },
        };
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
    const h = handle as EventHandle;
    this.sim.cancel(h);
    this.pending.delete(h);
  }

  deployStage(i: number, now: Minutes): void {
    const stage = this.policy.stages[i]!;
    this.feed.stageStarted(i);
    const perBatch = this.scenario.deploy.minutesPerBatch;
    if (stage.target.kind === 'staging') {
      const hosts = this.scenario.staging.hosts - this.world.fleet.stagingNewHosts();
      this.scheduleOwn(now + perBatch, {
        kind: 'deploy-batch',
        stage: i,
        last: true,
        counts: [hosts],
      });
      return;
    }
    if (stage.target.kind === 'traffic') {
      // The canary pods start once (a deploy batch's time); later weights move traffic at once.
      const weight = stage.target.weight;
      if (this.world.fleet.routing) this.route(i, weight, now);
      else this.scheduleOwn(now + perBatch, { kind: 'route', stage: i, weight });
      return;
    }
    const want = this.targets[i]!;
    const add = want.map((w, r) => Math.max(0, w - this.world.fleet.newHosts(r)));
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
      const c = this.world.fleet.deploy('staging', 0, counts[0] ?? 0, now);
      if (c !== undefined) this.feed.stageDeployed(i, c);
    } else {
      counts.forEach((n, r) => {
        const c = this.world.fleet.deploy('production', r, n, now);
        if (c !== undefined) {
          this.feed.stageDeployed(i, c);
          if (this.freshStages[i] === true) this.startFreshBaseline(i, c, now);
          if (!this.productionTouched) this.outcome.exposedAt = now - this.startAt;
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

  measure(r: CheckRun, now: Minutes): JudgeResult {
    const { data, main, baselineRequired, noData } = this.feed.read(r, now);
    return takeMeasurement(r.judge, r.check, data, main, baselineRequired, noData);
  }

  /** Stage i's weight of traffic goes to the canary pods (started now if they were not). */
  private route(i: number, weight: number, now: Minutes): void {
    for (const c of this.world.fleet.routeToCanary(weight, now)) this.feed.stageDeployed(i, c);
    if (!this.productionTouched) this.outcome.exposedAt = now - this.startAt;
    this.productionTouched = true;
    this.rollout.stageDeployed(i, now);
  }

  /** Starts the old build on as many extra hosts as cohort c, beside it, as its fresh baseline. */
  private startFreshBaseline(i: number, c: Cohort, now: Minutes): void {
    const f = this.world.fleet.startFreshBaseline(c.region.index, c.hosts, now);
    if (f === undefined) return;
    this.feed.freshBaselineStarted(i, f);
    this.freshRunning.push({ stage: i, cohort: f });
  }

  /** Removes the fresh baselines `which` selects, counting the host-minutes they ran. */
  private stopFreshBaselines(now: Minutes, which: (stage: number) => boolean): void {
    for (let k = this.freshRunning.length - 1; k >= 0; k--) {
      const { stage, cohort } = this.freshRunning[k]!;
      if (!which(stage)) continue;
      this.outcome.freshBaselineHostMin += this.world.fleet.stopFreshBaseline(cohort, now);
      this.freshRunning.splice(k, 1);
    }
  }

  leftStage(i: number, now: Minutes): void {
    if (this.freshUntilShipped[i] !== true) this.stopFreshBaselines(now, (s) => s === i);
  }

  // ---- RolloutSite: outcomes ------------------------------------------------------

  shipped(now: Minutes): void {
    this.stopFreshBaselines(now, () => true);
    // Every host runs the new build: all traffic back to them, the canary pods go (Flagger's
    // promotion routes everything to the updated primary, then scales the canary to zero).
    this.world.fleet.stopRouting(now);
    this.world.ledger.escapeAt(now);
    this.outcome.shippedAt = now - this.startAt;
  }

  passed(now: Minutes): void {
    this.outcome.checksEndedAt = now - this.startAt;
    this.outcome.stageReached = 'done';
    this.finish('shipped', now);
    this.schedulePage(now);
  }

  // ---- after the pipeline: incidents page on-call -----------------------------------

  /**
   * A bad build the pipeline let stay pages on-call once its fault has shown for the alert
   * delay (not before the pipeline is over: until then its checks are the detector). Nothing
   * is scheduled past the trial's end.
   */
  private schedulePage(now: Minutes): void {
    const pages = this.scenario.people.pages;
    if (pages === undefined || !this.outcome.build.bad) return;
    const onset = this.world.fleet.onsetTime();
    if (onset === Infinity) return;
    const at = Math.max(now, onset + pages.alertAfter);
    if (at < this.startAt + this.outcome.endAt) this.sim.at(at, { kind: 'page', answered: false });
  }

  /** The page fires: someone answers after their shift's response time. */
  private page(now: Minutes): void {
    const delay = pageResponseTime(this.onCall(), now);
    this.outcome.pagedAt = now - this.startAt;
    this.note('page', `an alert pages on-call; answered in ${Math.round(delay)} min`);
    this.sim.at(now + delay, { kind: 'page', answered: true });
  }

  /** On-call rolls the build back with the policy's rollback, unless a migration forbids it. */
  private answerPage(now: Minutes): void {
    this.outcome.rollbackAttempted = true;
    if (this.migrationStays) {
      this.note('rollback-failed', MIGRATION_STAYS);
      return;
    }
    this.note('rollback-start', 'on-call rolls the build back');
    const fleet = this.world.fleet;
    this.scheduleRollback(
      now,
      fleet.regions.map((r) => fleet.newHosts(r.index)),
      true,
    );
  }

  /** On-call's clock: the people's working hours and page response, in the schedule region's time. */
  private onCall(): HumanClock {
    const pages = this.scenario.people.pages!;
    const region = this.world.fleet.regions.find((r) => r.name === this.scenario.schedule.region);
    return {
      workingHours: this.workingHours,
      utcOffsetHours: region?.utcOffsetHours ?? 0,
      pageResponse: pages.response,
    };
  }

  rollback(by: string, now: Minutes): void {
    if (this.finished) return;
    this.outcome.stageReached = this.rollout.stageReached ?? this.outcome.stageReached;
    this.outcome.detectedBy = by;
    this.outcome.decidedAt = now - this.startAt;
    for (const h of [...this.pending]) this.cancel(h);
    this.stopFreshBaselines(now, () => true);
    const fleet = this.world.fleet;
    if (fleet.routing && this.migrationStays) {
      this.outcome.rollbackAttempted = true;
      this.note('rollback-failed', MIGRATION_STAYS);
      this.finish('rollback-failed', now);
      return;
    }
    // Routed traffic goes back to the fleet's hosts at once: the canary pods are removed.
    const routed = fleet.stopRouting(now);
    const newHosts = fleet.regions.map((r) => fleet.newHosts(r.index));
    const staging = fleet.stagingNewHosts();
    if (!this.productionTouched || newHosts.every((n) => n === 0)) {
      if (staging > 0) fleet.revert('staging', 0, staging, now);
      if (routed) {
        this.outcome.rollbackAttempted = true;
        this.outcome.rollbackSucceeded = true;
        this.outcome.restoredAt = now - this.startAt;
        this.note(
          'rollback-done',
          `traffic routed back to the fleet, canary pods removed (decided by ${by})`,
        );
        this.finish('rolled-back', now);
        return;
      }
      this.note('rollback-done', `stopped before production by ${by}`);
      this.finish(this.productionTouched ? 'rolled-back' : 'blocked', now);
      return;
    }
    this.outcome.rollbackAttempted = true;
    this.note('rollback-start', `rolling back (decided by ${by})`);
    if (this.migrationStays) {
      this.note('rollback-failed', MIGRATION_STAYS);
      this.finish('rollback-failed', now);
      return;
    }
    this.scheduleRollback(now, newHosts, false);
  }

  /** The policy's rollback of `newHosts` (per region), in its batches from now. */
  private scheduleRollback(now: Minutes, newHosts: number[], onCall: boolean): void {
    const { maxBatchShare, minutesPerBatch } = this.policy.rollback;
    const batches = splitBatches(newHosts, maxBatchShare);
    batches.forEach((counts, k) => {
      this.scheduleOwn(now + (k + 1) * minutesPerBatch, {
        kind: 'rollback-batch',
        last: k === batches.length - 1,
        counts,
        onCall,
      });
    });
  }

  private rollbackBatch(counts: number[], last: boolean, onCall: boolean, now: Minutes): void {
    const fleet = this.world.fleet;
    counts.forEach((n, r) => fleet.revert('production', r, n, now));
    if (!last) return;
    this.outcome.rollbackSucceeded = true;
    this.outcome.restoredAt = now - this.startAt;
    if (onCall) {
      // After the pipeline: it has already finished, with the build shipped.
      this.note('rollback-done', 'on-call restored the previous build');
      return;
    }
    const staging = fleet.stagingNewHosts();
    if (staging > 0) fleet.revert('staging', 0, staging, now);
    this.note('rollback-done', 'the previous build serves everywhere again');
    this.finish('rolled-back', now);
  }

  /** Ends the pipeline; the world keeps counting impact until the horizon. */
  private finish(final: FinalState, now: Minutes): void {
    if (this.finished) return;
    this.finished = true;
    this.outcome.final = final;
    this.rollout.stop(now);
    this.stopFreshBaselines(now, () => true);
    for (const h of [...this.pending]) this.cancel(h);
    let end = Math.min(now + this.scenario.horizon, this.endLimit);
    // The late probe needs the world to run until it (only Friday-test replays ask for one).
    if (this.probeAt !== undefined && this.probeAt > end) end = this.probeAt;
    this.outcome.endAt = end - this.startAt;
    this.sim.at(end, { kind: 'end' });
  }

  private result(): TrialResult {
    const end = this.startAt + this.outcome.endAt;
    const ledger = this.world.ledger;
    ledger.advanceTo(Math.max(end, this.sim.now));
    const onset = this.world.fleet.onsetTime();
    this.outcome.onsetAt = onset === Infinity ? undefined : onset - this.startAt;
    this.outcome.impact = { ...ledger.impact };
    this.outcome.waits = this.rollout.waits();
    // A build blocked before the rollout began (CI, drill) ended it at the block decision.
    const rolloutEnd = this.rollout.rolloutEnd;
    this.outcome.rolloutMin =
      rolloutEnd !== undefined ? rolloutEnd - this.startAt : (this.outcome.decidedAt ?? 0);
    // A build stopped before the run loop (CI) never reaches the late probe: nothing hurts.
    if (this.probeAt !== undefined && this.outcome.probe === undefined)
      this.outcome.probe = {
        at: this.probeAt - this.startAt,
        hurting: this.world.fleet.isHurting(this.probeAt),
        impact: { ...ledger.impact },
      };
    this.outcome.escapeImpact = { ...ledger.escapeImpact };
    if (this.timeline !== undefined) {
      // What happened in the world while the pipeline was deciding, up to its last entry.
      const last = this.timeline.reduce((m, e) => Math.max(m, e.t), 0);
      this.timeline.push(...worldEntries(this.confounders, this.startAt, this.startAt + last));
      this.timeline.sort((a, b) => a.t - b.t);
    }
    return { outcome: this.outcome, series: this.series };
  }

  // ---- helpers ---------------------------------------------------------------------

  private scheduleOwn(t: Minutes, e: PipelineEvent): EventHandle {
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

/** The outcome before anything happens: the build as drawn, nothing decided yet. */
function initialOutcome(
  options: BoundTrialOptions,
  setup: TrialSetup,
  timeline: TimelineEntry[] | undefined,
): TrialOutcome {
  const { build, truth } = setup;
  return {
    seed: options.seed,
    trial: options.trial,
    scenario: options.scenario.scenario.name,
    policy: options.policy.policy.name,
    build: {
      bad: truth.bad,
      template: build.template,
      faultKinds: build.faults.filter((f) => !f.benign).map((f) => f.kind),
      effect: truth.effect,
      rollbackBreaking: build.faults.some((f) => f.rollback !== undefined),
    },
    startAt: setup.startAt,
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
    exposedAt: undefined,
    waits: noWaits(),
    rolloutMin: 0,
    freshBaselineHostMin: 0,
    checksEndedAt: undefined,
    pagedAt: undefined,
    endAt: 0,
    timeline,
  };
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
