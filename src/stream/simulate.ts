/**
 * One stream of one team under one policy: changes arrive, wait while the pipeline is busy and
 * go out together in the next deploy; each deploy is a trial of the policy on that batch (the
 * single-trial executor, `runBoundTrial`, with the batch's build, the deploy's start and the
 * stream's world events); a stopped deploy's changes come back after someone looks, who may find
 * and fix a bad change, or — having found nothing — may override the gate, more readily the more
 * of the stops they remember were false alarms. A bad batch the pipeline lets stay pages
 * on-call inside its trial (the scenario's `people.pages`), who rolls it back; its changes then
 * come back to the queue like a rolled-back deploy's. One that cannot be rolled back (a
 * migration) hurts until a revert goes out through the same pipeline: its impact is its
 * trial's, replayed until the revert's deploy reached the whole fleet.
 *
 * Every draw outside the trials is keyed by the stream and by what it is about (the change and
 * its look, the deploy), never by the order events happen in, so policies replayed on a stream
 * share its commits, its bad changes and its world (common random numbers). Inside a deploy's
 * trial, CI and the rollback drill decide by its changes' own uniforms (drawn once per change),
 * so a change retried in a later deploy meets the same verdicts, as a deterministic test suite
 * gives the same build the same result.
 */
import { Simulator } from '../engine/index.js';
import { GatesimError } from '../errors.js';
import { runBoundTrial, type TrialResult, type VerdictDraws } from '../pipeline/executor.js';
import type { PolicyBinding } from '../pipeline/policy-binding.js';
import type { TrialOutcome } from '../pipeline/types.js';
import { TrialStreams, uniform } from '../random/index.js';
import { median, quantile } from '../stats/quantiles.js';
import { WEEK } from '../world/calendar.js';
import type { ConfounderInstance } from '../world/confounders/types.js';
import { deskWorkDone, pageResponseTime, type HumanClock } from '../world/human-clock.js';
import type { DrawnBuild } from '../world/trial-setup.js';
import { MAX_TRIAL_MINUTES } from '../util/limits.js';
import type { ScenarioBinding } from '../world/scenario-binding.js';
import type { Minutes } from '../world/types.js';
import { batchBuild, changeStreams, drawVerdicts, type Change } from './arrivals.js';
import { overrideProbability, type FatigueCurve, type StreamSettings } from './settings.js';

/** Trial numbers of stream s's deploys are (s + 1) × DEPLOY_STRIDE + d: apart from every other stream's. */
export const DEPLOY_STRIDE = 1_000_000;
/** Most deploys one stream may make; a scenario that needs more is refused (docs/stream.md). */
export const MAX_STREAM_DEPLOYS = 100_000;
/** Weeks in a quarter, for the per-quarter figures. */
export const QUARTER_WEEKS = 13;
/** Ids of revert changes start here, apart from the team's changes. */
const REVERT_IDS = 1_000_000_000;

/**
 * How a deploy ran: the policy's gates, the gates overridden, an emergency revert past the
 * gates, or stopped by a flaky check before it started (the crossover sweep only).
 */
export type DeployKind = 'gated' | 'override' | 'emergency' | 'flaky';

/** What the look at a stopped deploy concluded. */
export type TriageResult = 'found' | 'false-alarm' | 'none';

/** One deploy of a stream (a row of deploys.csv). */
export interface DeployRecord {
  stream: number;
  deploy: number;
  kind: DeployKind;
  /** The seed and trial of the deploy's trial. */
  seed: number;
  trial: number;
  /** Start, minutes since Monday 00:00 UTC of week 0. */
  startAt: Minutes;
  changes: number;
  /** The batch's changes (arrival indices; reverts from 1,000,000,000), oldest first. */
  changeIds: number[];
  /** Changes in the batch that still carried a fault. */
  badChanges: number;
  /** Ground truth of the batch (the trial's label: its full effect crosses the impact bar). */
  bad: boolean;
  template: string;
  final: TrialOutcome['final'] | 'flaky-stop';
  detectedBy: string;
  /** Minutes from start to 100% of the fleet (undefined: never). */
  shippedAt: Minutes | undefined;
  /** Minutes the pipeline was busy with this deploy (rollout, watch, rollback). */
  pipelineMin: Minutes;
  /** What the look at the stop concluded, and whether the team then overrode the gate. */
  triage: TriageResult;
  overridden: boolean;
  /** Whether the batch was a revert's deploy (it carries a revert change). */
  revert: boolean;
  /**
   * For a bad batch left in production (escaped, or a failed rollback): minutes from start until
   * the revert's deploy reached the whole fleet (undefined: not reverted before the trial limit).
   */
  revertedAt: Minutes | undefined;
  /** Impact until the build stopped hurting: the trial's, or until the revert for a batch left in production. */
  failedRequests: number;
  slowRequests: number;
  lostCheckouts: number;
  lostRevenue: number;
}

/** What a stream study varies: the policy, the fatigue curve, and a flaky check's stop rate. */
export interface StreamVariant {
  policy: PolicyBinding;
  /** The same policy with every gate removed: what an override runs. */
  override: PolicyBinding;
  /** The override outside deploy windows too: what an emergency revert runs. */
  emergency: PolicyBinding;
  fatigue: FatigueCurve;
  /** Chance that a flaky check stops a gated deploy before it starts (the crossover sweep; 0 otherwise). */
  flaky: number;
}

/** The inputs one stream shares across variants. */
export interface StreamWorld {
  scenario: ScenarioBinding;
  settings: StreamSettings;
  clock: HumanClock;
  weeks: number;
  seed: number;
  stream: number;
  changes: readonly Change[];
  events: readonly ConfounderInstance[];
  /** Hands each deploy the world events near its start. */
  eventsNear(at: Minutes): ConfounderInstance[];
}

/** Per-stream figures: one sample for each figure's interval over streams. */
export interface StreamFigures {
  deploymentsPerDay: number;
  leadTimeP50Min: number | undefined;
  leadTimeP90Min: number | undefined;
  changeFailureRate: number | undefined;
  timeToRestoreMin: number | undefined;
  failedRequestsPerWeek: number;
  lostCheckoutsPerWeek: number;
  lostRevenuePerWeek: number;
  incidentsPerQuarter: number;
  falseAlarmRate: number | undefined;
  overrideRate: number;
  badShippedByOverridePerQuarter: number;
  meanBatchSize: number | undefined;
}

/** Counts behind the figures of one stream. */
export interface StreamCounts {
  changes: number;
  delivered: number;
  deploys: number;
  gatedDeploys: number;
  overrideDeploys: number;
  production: number;
  failures: number;
  incidents: number;
  stops: number;
  falseAlarms: number;
  overrides: number;
  badShippedByOverride: number;
}

/** Counts of nothing yet: every field zero. */
export function noCounts(): StreamCounts {
  return {
    changes: 0,
    delivered: 0,
    deploys: 0,
    gatedDeploys: 0,
    overrideDeploys: 0,
    production: 0,
    failures: 0,
    incidents: 0,
    stops: 0,
    falseAlarms: 0,
    overrides: 0,
    badShippedByOverride: 0,
  };
}

export interface StreamRun {
  figures: StreamFigures;
  counts: StreamCounts;
  /** Every deploy, when asked for. */
  deploys: DeployRecord[] | undefined;
  /** The deploy `explain` asked for, when it ran a trial (a flaky stop runs none). */
  explained?: TrialResult | undefined;
}

/**
 * Who looks at a batch that came back: after a gate's stop, the team (who may find a bad change,
 * or override); after on-call rolled an incident back, the team (who may find it, but has no
 * gate to override); after an override that never finished, nobody (it is simply retried).
 */
type StopMode = 'gate' | 'incident' | 'retry';

type StreamEvent =
  | { kind: 'arrive'; change: Waiting }
  | { kind: 'free' }
  | {
      kind: 'triaged';
      batch: Waiting[];
      deploy: number;
      mode: StopMode;
      row: DeployRecord | undefined;
    }
  | { kind: 'close' };

/** A change in the queue, with what the team has done to it so far. */
interface Waiting {
  change: Change;
  /** A look found its fault and fixed it: it now goes out clean. */
  fixed: boolean;
  looks: number;
  /** For a revert change: the escape it ends. */
  reverts: Escape | undefined;
}

/** A bad batch left in production, waiting for its revert to go out. */
interface Escape {
  /** The deploy's trial, to replay until the revert. */
  trial: {
    policy: PolicyBinding;
    trial: number;
    startAt: Minutes;
    build: DrawnBuild;
    verdicts: VerdictDraws;
    confounders: ConfounderInstance[];
  };
  /** Absolute time the batch reached the whole fleet (or the failed rollback was decided). */
  inProductionAt: Minutes;
  row: DeployRecord | undefined;
  resolved: boolean;
}

/**
 * Minutes a deploy kept the pipeline busy: a shipped one until its watch ended, a rolled-back
 * one until the old build served again, a stopped one until the stop.
 */
export function pipelineMinutes(o: TrialOutcome, horizon: Minutes): Minutes {
  switch (o.final) {
    case 'shipped':
      // The trial ends its pipeline at the watch's end and then counts impact for the horizon.
      return Math.max(0, o.endAt - horizon);
    case 'rolled-back':
      return o.restoredAt ?? o.decidedAt ?? o.rolloutMin;
    case 'blocked':
    case 'rollback-failed':
      return o.decidedAt ?? o.rolloutMin;
    case 'stalled':
      // Paused for good or waiting for a window that never opens: stuck until the trial gave up.
      return Math.max(1, o.rolloutMin, o.endAt - horizon);
    default: {
      const never: never = o.final;
      throw new Error(`unknown final state ${String(never)}`);
    }
  }
}

/** How a stream runs: whether it keeps its rows, and which deploy to record in full. */
export interface StreamRunOptions {
  rows: boolean;
  /**
   * Run deploy `explain` (its index in the stream) with its timeline and the points its checks
   * saw, for `explain --stream`; the stream itself runs exactly as without it.
   */
  explain?: number | undefined;
}

/** Runs one stream under one variant. */
export function runStream(
  world: StreamWorld,
  variant: StreamVariant,
  options: StreamRunOptions,
): StreamRun {
  return new StreamRunner(world, variant, options).run();
}

class StreamRunner {
  private readonly sim: Simulator<StreamEvent>;
  private readonly streams: TrialStreams;
  private readonly queue: Waiting[] = [];
  private readonly overridesWaiting: Waiting[][] = [];
  /** Reverts that skip the gates (`stream.emergencyRevert`), each deployed alone, first. */
  private readonly emergencies: Waiting[] = [];
  private readonly remembered: boolean[] = [];
  private readonly leadTimes: Minutes[] = [];
  private readonly restoreTimes: Minutes[] = [];
  private readonly rows: DeployRecord[] | undefined;
  private readonly counts: StreamCounts;
  private readonly start: Minutes = WEEK;
  private readonly end: Minutes;
  private readonly escapes: Escape[] = [];
  private busy = false;
  private closed = false;
  private batchChanges = 0;
  private revertId = 0;
  private impact = { failedRequests: 0, slowRequests: 0, lostCheckouts: 0, lostRevenue: 0 };

  private readonly explain: number | undefined;
  /** The explained deploy's trial, with its timeline and series, once it ran. */
  private explained: TrialResult | undefined;

  constructor(
    private readonly world: StreamWorld,
    private readonly variant: StreamVariant,
    options: StreamRunOptions,
  ) {
    this.sim = new Simulator<StreamEvent>(this.start);
    this.streams = new TrialStreams(world.seed, world.stream);
    this.rows = options.rows ? [] : undefined;
    this.explain = options.explain;
    this.end = this.start + world.weeks * WEEK;
    this.counts = { ...noCounts(), changes: world.changes.length };
  }

  run(): StreamRun {
    for (const change of this.world.changes)
      this.sim.at(change.at, {
        kind: 'arrive',
        change: { change, fixed: false, looks: 0, reverts: undefined },
      });
    this.sim.at(this.end, { kind: 'close' });
    this.sim.run((e, now) => this.dispatch(e, now));
    // Escapes whose revert never went out hurt until the trial's limit.
    for (const e of this.escapes) if (!e.resolved) this.resolve(e, Infinity);
    return {
      figures: this.figures(),
      counts: this.counts,
      deploys: this.rows,
      explained: this.explained,
    };
  }

  private dispatch(e: StreamEvent, now: Minutes): void {
    switch (e.kind) {
      case 'arrive':
        // An emergency revert goes out alone, past the gates, as soon as the pipeline is free.
        if (e.change.reverts !== undefined && this.world.settings.emergencyRevert)
          this.emergencies.push(e.change);
        else this.requeue([e.change]);
        return this.tryDeploy(now);
      case 'free':
        this.busy = false;
        return this.tryDeploy(now);
      case 'triaged':
        return this.triaged(e.batch, e.deploy, e.mode, e.row, now);
      case 'close':
        this.closed = true;
        return;
      default: {
        const never: never = e;
        throw new Error(`unknown stream event ${JSON.stringify(never)}`);
      }
    }
  }

  /** Starts the next deploy if the pipeline is free: an override first, else every waiting change. */
  private tryDeploy(now: Minutes): void {
    if (this.busy) return;
    const emergency = this.emergencies.shift();
    if (emergency !== undefined) return this.deploy([emergency], 'emergency', now);
    if (this.closed) {
      // After the stream's last week only reverts go out, so every incident ends somewhere.
      const reverts = this.queue.filter((w) => w.reverts !== undefined);
      if (reverts.length === 0) return;
      this.queue.splice(0, reverts.length);
      return this.deploy(reverts, 'gated', now);
    }
    const override = this.overridesWaiting.shift();
    if (override !== undefined) return this.deploy(override, 'override', now);
    if (this.queue.length === 0) return;
    const take = Math.min(this.queue.length, this.world.settings.maxBatch ?? Infinity);
    this.deploy(this.queue.splice(0, take), 'gated', now);
  }

  private deploy(batch: Waiting[], kind: 'gated' | 'override' | 'emergency', now: Minutes): void {
    const d = this.counts.deploys++;
    if (d >= MAX_STREAM_DEPLOYS)
      throw new GatesimError(
        'stream-too-long',
        `scenario ${this.world.scenario.scenario.name}: stream ${this.world.stream} needs more than ${MAX_STREAM_DEPLOYS} deploys under policy ${this.variant.policy.policy.name}; lower stream.changesPerDay or --weeks`,
      );
    const { seed, stream } = this.world;
    const trial = (stream + 1) * DEPLOY_STRIDE + d;
    if (kind === 'gated') {
      this.counts.gatedDeploys++;
      this.batchChanges += batch.length;
    } else {
      this.counts.overrideDeploys++;
    }
    const flaky =
      kind === 'gated' &&
      this.variant.flaky > 0 &&
      uniform(this.streams.get(`stream:flaky:${d}`)) < this.variant.flaky;
    const { build, verdicts } = batchBuild(
      batch.map((w) => ({ build: w.change.build, verdicts: w.change.verdicts, fixed: w.fixed })),
    );
    if (flaky) {
      // A flaky check stops the deploy before it starts: nothing reaches customers.
      const row = this.record(d, kind, trial, now, batch, build.bad, build.template);
      this.stop(batch, now, d, 'gate', row);
      this.busy = true;
      this.sim.at(now, { kind: 'free' });
      return;
    }
    const policy =
      kind === 'override'
        ? this.variant.override
        : kind === 'emergency'
          ? this.variant.emergency
          : this.variant.policy;
    let outcome: TrialOutcome;
    try {
      const explained = d === this.explain;
      const result = runBoundTrial({
        scenario: this.world.scenario,
        policy,
        seed,
        trial,
        startAt: now,
        build,
        // CI's and the drill's verdicts are the changes' own, the same in every deploy of them.
        verdicts,
        confounders: this.world.eventsNear(now),
        // Recording changes nothing the trial decides (the explain test checks it).
        timeline: explained,
        series: explained,
      });
      if (explained) this.explained = result;
      outcome = result.outcome;
    } catch (e) {
      if (e instanceof GatesimError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(
        `stream ${stream}, deploy ${d} (seed ${seed}, trial ${trial}, start ${now}) of scenario ${this.world.scenario.scenario.name} under ${policy.policy.name} failed: ${why}`,
        { cause: e },
      );
    }
    const horizon = this.world.scenario.scenario.horizon;
    const busyFor = pipelineMinutes(outcome, horizon);
    this.busy = true;
    this.sim.at(now + busyFor, { kind: 'free' });
    const row = this.record(d, kind, trial, now, batch, outcome.build.bad, build.template, outcome);
    const bad = outcome.build.bad;
    const stays = outcome.final === 'shipped' || outcome.final === 'rollback-failed';
    // On-call rolled back a bad build the pipeline let stay (people.pages): it is gone again.
    const restoredByOnCall = stays && outcome.restoredAt !== undefined;
    const pages = this.world.scenario.scenario.people.pages;
    if (bad && stays && !restoredByOnCall && pages !== undefined) {
      // Paged, but nothing could roll it back (a migration): a revert must go out, and the
      // build hurts until it does; its impact is counted then.
      const inProductionAt = now + (outcome.shippedAt ?? outcome.decidedAt ?? 0);
      const escape: Escape = {
        trial: {
          policy,
          trial,
          startAt: now,
          build,
          verdicts,
          confounders: this.world.eventsNear(now),
        },
        inProductionAt,
        row,
        resolved: false,
      };
      this.escapes.push(escape);
      const paged =
        outcome.pagedAt !== undefined
          ? now + outcome.pagedAt
          : now +
            Math.max(outcome.onsetAt ?? 0, outcome.shippedAt ?? outcome.decidedAt ?? 0) +
            pages.alertAfter;
      const answered =
        paged + pageResponseTime({ ...this.world.clock, pageResponse: pages.response }, paged);
      this.revertId++;
      const id = REVERT_IDS + this.revertId;
      const revertBuild: DrawnBuild = { bad: false, template: 'good', faults: [] };
      const revert: Change = {
        id,
        at: answered,
        build: revertBuild,
        verdicts: drawVerdicts(changeStreams(seed, stream, id), revertBuild),
      };
      this.sim.at(Math.max(answered, now), {
        kind: 'arrive',
        change: { change: revert, fixed: false, looks: 0, reverts: escape },
      });
    } else {
      // The trial's own impact: until a rollback (the gate's or on-call's), or with nobody
      // paged, until the horizon.
      this.addImpact(outcome.impact);
    }
    if (outcome.shippedAt !== undefined) {
      this.counts.production++;
      if (bad) {
        this.counts.failures++;
        // Restored by the watch's rollback or on-call's; with nobody paged, the horizon; an
        // escape nothing could roll back, when its revert goes out.
        if (outcome.restoredAt !== undefined)
          this.restoreTimes.push(outcome.restoredAt - outcome.shippedAt);
        else if (pages === undefined) this.restoreTimes.push(outcome.endAt - outcome.shippedAt);
        if (kind === 'override' && outcome.final === 'shipped') this.counts.badShippedByOverride++;
      }
    }
    if (bad && (outcome.shippedAt !== undefined || outcome.final === 'rollback-failed'))
      this.counts.incidents++;
    if (restoredByOnCall) {
      // Rolled back by on-call: its changes come back once someone has looked.
      const at = now + outcome.restoredAt!;
      for (const w of batch)
        if (w.reverts !== undefined && !w.reverts.resolved) this.resolve(w.reverts, at);
      return this.stop(
        batch.filter((w) => w.reverts === undefined),
        at,
        d,
        'incident',
        row,
      );
    }
    switch (outcome.final) {
      case 'shipped':
      case 'rollback-failed': {
        // In production for good (a failed rollback leaves the build serving).
        const at = now + (outcome.shippedAt ?? outcome.decidedAt ?? 0);
        for (const w of batch) {
          if (w.reverts !== undefined) {
            if (!w.reverts.resolved) this.resolve(w.reverts, at);
            continue;
          }
          this.leadTimes.push(at - w.change.at);
          this.counts.delivered++;
        }
        return;
      }
      case 'blocked':
      case 'rolled-back':
      case 'stalled':
        return this.stop(
          batch,
          now + (outcome.decidedAt ?? busyFor),
          d,
          kind === 'gated' ? 'gate' : 'retry',
          row,
        );
      default: {
        const never: never = outcome.final;
        throw new Error(`unknown final state ${String(never)}`);
      }
    }
  }

  /** A stopped deploy: someone looks at it after the triage effort on the human clock. */
  private stop(
    batch: Waiting[],
    at: Minutes,
    deploy: number,
    mode: StopMode,
    row: DeployRecord | undefined,
  ): void {
    if (mode === 'gate') this.counts.stops++;
    if (batch.length === 0) return;
    const done = deskWorkDone(this.world.clock, at, this.world.settings.triage);
    // Working hours that never come: the changes never come back.
    if (done === Infinity) return;
    this.sim.at(Math.max(done, this.sim.now), { kind: 'triaged', batch, deploy, mode, row });
  }

  private triaged(
    batch: Waiting[],
    deploy: number,
    mode: StopMode,
    row: DeployRecord | undefined,
    now: Minutes,
  ): void {
    if (mode === 'retry') {
      // An override that never finished: back to the queue, no verdict on the gate.
      this.requeue(batch);
      return this.tryDeploy(now);
    }
    let found = false;
    for (const w of batch) {
      if (!w.change.build.bad || w.fixed || w.reverts !== undefined) continue;
      const u = uniform(this.streams.get(`stream:look:${w.change.id}:${w.looks}`));
      w.looks++;
      if (u < this.world.settings.fixProbability) {
        w.fixed = true;
        found = true;
      }
    }
    if (mode === 'incident') {
      // No gate to override and no false alarm to remember: the incident was real.
      if (row !== undefined) row.triage = found ? 'found' : 'none';
      this.requeue(batch);
      return this.tryDeploy(now);
    }
    const fatigue = this.variant.fatigue;
    if (found) {
      if (row !== undefined) row.triage = 'found';
      this.remember(false, fatigue.memory);
      this.requeue(batch);
      return this.tryDeploy(now);
    }
    if (row !== undefined) row.triage = 'false-alarm';
    this.counts.falseAlarms++;
    const p = overrideProbability(fatigue, this.remembered);
    this.remember(true, fatigue.memory);
    if (p > 0 && uniform(this.streams.get(`stream:override:${deploy}`)) < p) {
      this.counts.overrides++;
      if (row !== undefined) row.overridden = true;
      this.overridesWaiting.push(batch);
    } else {
      this.requeue(batch);
    }
    this.tryDeploy(now);
  }

  private addImpact(i: {
    failedRequests: number;
    slowRequests: number;
    lostCheckouts: number;
    lostRevenue: number;
  }): void {
    for (const k of ['failedRequests', 'slowRequests', 'lostCheckouts', 'lostRevenue'] as const)
      this.impact[k] += i[k];
  }

  /**
   * An escape's revert reached the fleet at `at` (Infinity: never): replays its deploy's trial,
   * looking at the world then (the trial's limit at most), for the impact until the revert.
   */
  private resolve(e: Escape, at: Minutes): void {
    e.resolved = true;
    const until = Math.min(at, e.trial.startAt + MAX_TRIAL_MINUTES);
    const replay = runBoundTrial({
      scenario: this.world.scenario,
      policy: e.trial.policy,
      seed: this.world.seed,
      trial: e.trial.trial,
      startAt: e.trial.startAt,
      build: e.trial.build,
      verdicts: e.trial.verdicts,
      confounders: e.trial.confounders,
      probeAt: until,
    }).outcome;
    const impact = replay.probe?.impact ?? replay.impact;
    this.addImpact(impact);
    if (at !== Infinity && e.inProductionAt <= at) this.restoreTimes.push(at - e.inProductionAt);
    if (e.row !== undefined) {
      e.row.revertedAt = at === Infinity ? undefined : at - e.trial.startAt;
      e.row.failedRequests = impact.failedRequests;
      e.row.slowRequests = impact.slowRequests;
      e.row.lostCheckouts = impact.lostCheckouts;
      e.row.lostRevenue = impact.lostRevenue;
    }
  }

  private remember(falseAlarm: boolean, memory: number): void {
    this.remembered.push(falseAlarm);
    while (this.remembered.length > memory) this.remembered.shift();
  }

  /** Into the queue: reverts first (a team ships the fix of an incident next), then oldest first. */
  private requeue(batch: readonly Waiting[]): void {
    this.queue.push(...batch);
    this.queue.sort(
      (a, b) =>
        Number(a.reverts === undefined) - Number(b.reverts === undefined) ||
        a.change.id - b.change.id,
    );
  }

  private record(
    d: number,
    kind: 'gated' | 'override' | 'emergency',
    trial: number,
    now: Minutes,
    batch: readonly Waiting[],
    bad: boolean,
    template: string,
    outcome?: TrialOutcome,
  ): DeployRecord | undefined {
    if (this.rows === undefined) return undefined;
    const horizon = this.world.scenario.scenario.horizon;
    const row: DeployRecord = {
      stream: this.world.stream,
      deploy: d,
      kind: outcome === undefined ? 'flaky' : kind,
      seed: this.world.seed,
      trial,
      startAt: now,
      changes: batch.length,
      changeIds: batch.map((w) => w.change.id),
      badChanges: batch.filter((w) => w.change.build.bad && !w.fixed).length,
      bad,
      template,
      final: outcome?.final ?? 'flaky-stop',
      detectedBy: outcome === undefined ? 'flaky-check' : (outcome.detectedBy ?? ''),
      shippedAt: outcome?.shippedAt,
      pipelineMin: outcome === undefined ? 0 : pipelineMinutes(outcome, horizon),
      triage: 'none',
      overridden: false,
      revert: batch.some((w) => w.reverts !== undefined),
      revertedAt: undefined,
      failedRequests: outcome?.impact.failedRequests ?? 0,
      slowRequests: outcome?.impact.slowRequests ?? 0,
      lostCheckouts: outcome?.impact.lostCheckouts ?? 0,
      lostRevenue: outcome?.impact.lostRevenue ?? 0,
    };
    this.rows.push(row);
    return row;
  }

  private figures(): StreamFigures {
    const c = this.counts;
    const weeks = this.world.weeks;
    const lead = [...this.leadTimes].sort((a, b) => a - b);
    return {
      deploymentsPerDay: c.production / (weeks * 7),
      leadTimeP50Min: lead.length > 0 ? quantile(lead, 0.5) : undefined,
      leadTimeP90Min: lead.length > 0 ? quantile(lead, 0.9) : undefined,
      changeFailureRate: c.production > 0 ? c.failures / c.production : undefined,
      timeToRestoreMin: this.restoreTimes.length > 0 ? median(this.restoreTimes) : undefined,
      failedRequestsPerWeek: this.impact.failedRequests / weeks,
      lostCheckoutsPerWeek: this.impact.lostCheckouts / weeks,
      lostRevenuePerWeek: this.impact.lostRevenue / weeks,
      incidentsPerQuarter: (c.incidents * QUARTER_WEEKS) / weeks,
      falseAlarmRate: c.stops > 0 ? c.falseAlarms / c.stops : undefined,
      overrideRate: c.stops > 0 ? c.overrides / c.stops : 0,
      badShippedByOverridePerQuarter: (c.badShippedByOverride * QUARTER_WEEKS) / weeks,
      meanBatchSize: c.gatedDeploys > 0 ? this.batchChanges / c.gatedDeploys : undefined,
    };
  }
}
