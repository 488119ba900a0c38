import type { Judge, JudgeModel, JudgeResult } from '../judges/types.js';
import type { CheckConfig, DelayDistribution, PolicyConfig } from '../policy/types.js';
import { inWindows, nextWindowStart, type HourWindow } from '../world/calendar.js';
import { ALWAYS_AT_WORK, deskWorkDone } from '../world/human-clock.js';
import type { MetricName, Minutes, RegionRuntime } from '../world/types.js';
import { CheckRunCounter, type RunPhase, type SharedFailures } from './check-run.js';
import type { CheckBinding, PolicyBinding } from './policy-binding.js';
import { windowRegion } from './targets.js';
import type { TimelineEntry } from './types.js';
import { WaitClock, type Waits } from './waits.js';

/**
 * A policy's rollout as a state machine: stages in order, deploy windows, bakes, check runs
 * on their intervals, Argo/Flagger run phases, inconclusive handling, approvals, promotion,
 * the watch after 100%, and the decision to roll back. It is the one place these semantics
 * live; where the rollout runs — the simulated world (executor.ts) or a recorded deploy
 * (backtest/replay.ts) — is a `RolloutSite` that deploys hosts, takes measurements and
 * carries out decisions.
 */
export type RolloutEvent =
  | { kind: 'begin-stage'; stage: number }
  | { kind: 'measure'; run: number }
  | { kind: 'bake-done'; stage: number }
  | { kind: 'approved'; stage: number }
  | { kind: 'resumed'; stage: number }
  | { kind: 'watch-done' };

/** One check running in a stage (or in the watch, stage −1). */
export interface CheckRun {
  id: number;
  /** The check with its judge, as the policy was bound. */
  binding: CheckBinding;
  check: CheckConfig;
  /** Stage index, or −1 for the watch. */
  stage: number;
  /** The one region a `perRegion` check's run reads (undefined: every region its scope covers). */
  region: RegionRuntime | undefined;
  model: JudgeModel;
  judge: Judge;
  metrics: readonly MetricName[];
  counter: CheckRunCounter;
  startedAt: Minutes;
  /** Time of the last measurement (initially the start plus initialDelay). */
  lastAt: Minutes;
  handle: unknown;
  active: boolean;
}

/** Where a rollout runs: what the controller asks of the world or of a recording. */
export interface RolloutSite {
  readonly policy: PolicyConfig;
  readonly regions: readonly RegionRuntime[];
  /** Windows that do not open before this are never waited for. */
  readonly endLimit: Minutes;
  schedule(t: Minutes, e: RolloutEvent): unknown;
  cancel(handle: unknown): void;
  /** Puts stage i's hosts on the new build; the site calls `stageDeployed(i, t)` once they run it (at once or later). */
  deployStage(i: number, now: Minutes): void;
  /** Why stage i cannot run here (it is then passed by), or undefined. */
  skipReason?(i: number): string | undefined;
  /** Takes one measurement for a run. */
  measure(run: CheckRun, now: Minutes): JudgeResult;
  /** Told of every measurement and the run's phase after it (timelines, records). */
  measured(run: CheckRun, result: JudgeResult, phase: RunPhase, now: Minutes): void;
  /**
   * People's local working hours (read in the time of the region a stage deploys to): desk
   * work waits for them. Absent: people are always at work.
   */
  readonly workingHours?: readonly HourWindow[];
  /** How much desk work (minutes) a person takes to approve a promotion or resume a paused rollout. */
  personDelay(d: DelayDistribution, purpose: string): { minutes: Minutes; how: string };
  /** The rollout decided to roll back; the controller has stopped; the site carries it out. */
  rollback(by: string, now: Minutes): void;
  /** Stage i's own checks have ended: the rollout promoted past it (its background checks run on). */
  leftStage?(i: number, now: Minutes): void;
  /** Every production host runs the new build (before any watch). */
  shipped(now: Minutes): void;
  /** The rollout is over and the build stays (after the watch, if any). */
  passed(now: Minutes): void;
  note(kind: TimelineEntry['kind'], message: string, stage?: number): void;
}

/** Argo retries a measurement that errored after 10 seconds. */
const ERROR_RETRY = 10 / 60;

export class RolloutController {
  /** The last stage entered (a stage name, `watch` or `done`); undefined before the first. */
  stageReached: string | undefined = undefined;
  private readonly runs: CheckRun[] = [];
  private readonly pending = new Set<unknown>();
  private readonly bakeDone: boolean[] = [];
  private readonly paused: boolean[] = [];
  private readonly done: boolean[] = [];
  private readonly resolvedInconclusive: boolean[] = [];
  /** Flagger's one failed-check counter for the whole analysis. */
  private readonly flaggerFailures: SharedFailures = { failed: 0, lastAt: NaN };
  /** The check whose failure brought Flagger's count to its threshold, and when. */
  private flaggerBy: { check: string; at: Minutes } | undefined = undefined;
  /** The stage the rollout is at (the last begun), where a background run's pause holds it. */
  private current = -1;
  /** Background runs that ended Inconclusive and wait for a person to resume the rollout. */
  private readonly pausedBackground = new Set<CheckRun>();
  private stopped = false;
  private decided = false;
  private readonly waitClock = new WaitClock();
  private readonly deployed: boolean[] = [];

  /** `checks` is the site's policy bound to its judges (bindPolicy). */
  constructor(
    private readonly site: RolloutSite,
    private readonly checks: PolicyBinding,
  ) {}

  /** Begins the first stage at time t. */
  start(t: Minutes): void {
    this.waitClock.start(t);
    this.schedule(t, { kind: 'begin-stage', stage: 0 });
  }

  /** Stops every check and pending step at `now` (when known); the rollout decides nothing more. */
  stop(now?: Minutes): void {
    this.stopped = true;
    if (now !== undefined) this.waitClock.end(now);
    for (const r of this.runs) this.stopRun(r);
    for (const h of [...this.pending]) this.cancel(h);
  }

  /** Minutes the rollout waited, by kind, from its start until 100% or until it stopped. */
  waits(): Waits {
    return this.waitClock.waits();
  }

  /** When the rollout reached 100% or stopped (undefined: it never began or never ended). */
  get rolloutEnd(): Minutes | undefined {
    return this.waitClock.endTime;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  dispatch(e: RolloutEvent, now: Minutes): void {
    switch (e.kind) {
      case 'begin-stage':
        return this.beginStage(e.stage, now);
      case 'measure':
        return this.measure(this.runs[e.run]!, now);
      case 'bake-done':
        this.bakeDone[e.stage] = true;
        return this.tryCompleteStage(e.stage, now);
      case 'approved':
        this.waitClock.enter('active', now);
        this.site.note('approval', 'a person approved the promotion', e.stage);
        return this.promote(e.stage, now);
      case 'resumed':
        this.paused[e.stage] = false;
        this.waitClock.enter(this.deployed[e.stage] === true ? 'bake' : 'active', now);
        this.site.note('pause', 'a person resumed the paused rollout', e.stage);
        this.restartBackground(now);
        return this.tryCompleteStage(e.stage, now);
      case 'watch-done':
        for (const r of this.runs) if (r.stage === -1) this.stopRun(r);
        this.site.note('end', 'post-deploy watch passed');
        this.stageReached = 'done';
        this.stop(now);
        return this.site.passed(now);
      default: {
        const never: never = e;
        throw new Error(`unknown rollout event ${JSON.stringify(never)}`);
      }
    }
  }

  // ---- stages ----------------------------------------------------------------------

  private beginStage(i: number, now: Minutes): void {
    if (this.stopped) return;
    this.current = i;
    const stage = this.site.policy.stages[i]!;
    this.stageReached = stage.name;
    const skip = this.site.skipReason?.(i);
    if (skip !== undefined) {
      this.site.note('stage-start', skip, i);
      this.done[i] = true;
      this.promote(i, now);
      return;
    }
    const region = windowRegion(stage.target, this.site.regions);
    const offset = region?.utcOffsetHours ?? 0;
    if (!inWindows(now, stage.deployWindows, offset)) {
      const open = nextWindowStart(now, stage.deployWindows, offset);
      if (open === Infinity || open > this.site.endLimit) return;
      this.site.note(
        'window-wait',
        `outside the deploy window; waiting ${Math.round(open - now)} min`,
        i,
      );
      this.waitClock.enter('window', now);
      this.schedule(open, { kind: 'begin-stage', stage: i });
      return;
    }
    this.site.note('stage-start', `stage ${stage.name} begins`, i);
    this.waitClock.enter('active', now);
    this.site.deployStage(i, now);
  }

  /** Stage i's hosts run the new build: its checks start and its bake begins. */
  stageDeployed(i: number, now: Minutes): void {
    if (this.stopped) return;
    const stage = this.site.policy.stages[i]!;
    this.site.note('deployed', `stage ${stage.name} deployed; baking ${stage.bake} min`, i);
    this.deployed[i] = true;
    if (!this.paused[i]) this.waitClock.enter('bake', now);
    for (const bound of this.checks.stages[i]!) this.startRun(bound, i, now);
    this.schedule(now + stage.bake, { kind: 'bake-done', stage: i });
  }

  private tryCompleteStage(i: number, now: Minutes): void {
    if (this.stopped || this.done[i] || !this.bakeDone[i] || this.paused[i]) return;
    const mine = this.runs.filter((r) => r.stage === i && !r.check.background && !r.check.dryRun);
    for (const r of mine) {
      if (!r.active) continue;
      // Runs with a count block promotion until done; a Flagger check that just failed holds
      // the weight, and one still to be measured at this instant may yet (Flagger advances
      // only when every check of the interval passed: scheduler.go, runAnalysis).
      if (r.check.count !== undefined || r.counter.holdsPromotion() || this.dueNow(r, now)) return;
    }
    for (const r of mine) {
      if (r.active) {
        r.counter.finish();
        this.stopRun(r);
      }
    }
    const failed = mine.find((x) => x.counter.phase === 'failed' || x.counter.phase === 'error');
    if (failed !== undefined) return this.rollback(failed.check.name, now);
    const inconclusive = mine.find((x) => x.counter.phase === 'inconclusive');
    if (inconclusive !== undefined && !this.resolvedInconclusive[i]) {
      this.resolvedInconclusive[i] = true;
      if (this.handleInconclusive(inconclusive, i, now)) return;
    }
    this.done[i] = true;
    const stage = this.site.policy.stages[i]!;
    if (stage.approval.kind === 'manual') {
      const delay = this.site.personDelay(stage.approval.delay, `approval:${i}`);
      const at = this.deskWorkDone(i, now, delay.minutes);
      this.site.note(
        'approval',
        `waiting for a person to approve (${this.waitFor(delay, at, now)})`,
        i,
      );
      this.waitClock.enter('person', now);
      if (at !== Infinity) this.schedule(at, { kind: 'approved', stage: i });
      return;
    }
    this.promote(i, now);
  }

  /** Returns true when the rollout must wait (paused) or stop (aborted). */
  private handleInconclusive(r: CheckRun, stage: number, now: Minutes): boolean {
    const policy = this.site.policy;
    switch (policy.onInconclusive) {
      case 'abort':
        this.rollback(r.check.name, now);
        return true;
      case 'pause': {
        if (stage < 0) return false;
        if (this.paused[stage] === true) return true;
        const delay = this.site.personDelay(policy.manualResume, `resume:${stage}`);
        const at = this.deskWorkDone(stage, now, delay.minutes);
        this.paused[stage] = true;
        this.site.note(
          'pause',
          `check ${r.check.name} inconclusive: rollout paused for a person (${this.waitFor(delay, at, now)})`,
          stage,
        );
        this.waitClock.enter('person', now);
        if (at !== Infinity) this.schedule(at, { kind: 'resumed', stage });
        return true;
      }
      case 'continue':
        return false;
      default: {
        const never: never = policy.onInconclusive;
        throw new Error(`unknown onInconclusive ${String(never)}`);
      }
    }
  }

  private promote(i: number, now: Minutes): void {
    if (this.stopped) return;
    for (const r of this.runs) if (r.stage === i && !r.check.background) this.stopRun(r);
    this.site.leftStage?.(i, now);
    this.site.note('promote', `promoted past ${this.site.policy.stages[i]!.name}`, i);
    if (i + 1 < this.site.policy.stages.length) {
      this.beginStage(i + 1, now);
      return;
    }
    this.ship(now);
  }

  /**
   * When desk work of `effort` minutes asked for at `now` in stage i is done: it advances only
   * in working hours, local to the region whose time the stage's deploy windows are read in.
   */
  private deskWorkDone(i: number, now: Minutes, effort: Minutes): Minutes {
    const hours = this.site.workingHours;
    if (hours === undefined || hours.length === 0) return now + effort;
    const region = windowRegion(this.site.policy.stages[i]!.target, this.site.regions);
    const clock = {
      ...ALWAYS_AT_WORK,
      workingHours: hours,
      utcOffsetHours: region?.utcOffsetHours ?? 0,
    };
    return deskWorkDone(clock, now, effort);
  }

  /** How a person's wait reads in the timeline: the work, and the wall-clock wait when longer. */
  private waitFor(delay: { minutes: Minutes; how: string }, at: Minutes, now: Minutes): string {
    if (at === Infinity) return `${delay.how}; nobody is ever at work`;
    const wall = at - now;
    return wall > delay.minutes + 1e-9
      ? `${delay.how} of desk work, done in ${Math.round(wall)} min with working hours`
      : delay.how;
  }

  private ship(now: Minutes): void {
    this.waitClock.end(now);
    for (const r of this.runs) this.stopRun(r);
    this.site.shipped(now);
    this.site.note('shipped', 'every production host runs the new build');
    const watch = this.site.policy.watch;
    if (watch === undefined) {
      this.stageReached = 'done';
      this.stop(now);
      this.site.passed(now);
      return;
    }
    this.stageReached = 'watch';
    this.site.note('watch-start', `post-deploy watch for ${watch.duration} min`);
    for (const bound of this.checks.watch) this.startRun(bound, -1, now);
    this.schedule(now + watch.duration, { kind: 'watch-done' });
  }

  private rollback(by: string, now: Minutes): void {
    if (this.decided) return;
    this.decided = true;
    this.stop(now);
    this.site.rollback(by, now);
  }

  // ---- checks ----------------------------------------------------------------------

  /** Starts a check: one run, or one per production region for a `perRegion` check. */
  private startRun(bound: CheckBinding, stage: number, now: Minutes): void {
    if (!bound.check.perRegion) return this.startRegionRun(bound, stage, now, undefined);
    for (const region of this.site.regions) this.startRegionRun(bound, stage, now, region);
  }

  private startRegionRun(
    bound: CheckBinding,
    stage: number,
    now: Minutes,
    region: RegionRuntime | undefined,
  ): void {
    // Each region's run is its own alert series: named for the region, judged and counted alone.
    const check =
      region === undefined
        ? bound.check
        : { ...bound.check, name: `${bound.check.name}[${region.name}]` };
    const run: CheckRun = {
      id: this.runs.length,
      binding: bound,
      check,
      stage,
      region,
      model: bound.model,
      judge: bound.judge(),
      metrics: bound.metrics,
      counter: new CheckRunCounter(
        check,
        check.failedChecksThreshold !== undefined && !check.dryRun
          ? this.flaggerFailures
          : undefined,
      ),
      startedAt: now,
      lastAt: now + check.initialDelay,
      handle: undefined,
      active: true,
    };
    this.runs.push(run);
    run.handle = this.schedule(now + check.initialDelay + check.interval, {
      kind: 'measure',
      run: run.id,
    });
  }

  /** A Flagger run whose measurement at this instant has not been taken yet. */
  private dueNow(r: CheckRun, now: Minutes): boolean {
    if (r.check.failedChecksThreshold === undefined || r.lastAt >= now) return false;
    const next = r.counter.lastVerdict === 'error' ? ERROR_RETRY : r.check.interval;
    return r.lastAt + next <= now;
  }

  /**
   * A person resumed a rollout paused by Inconclusive background analysis: Argo starts a new
   * background AnalysisRun (rollout/analysis.go, needsNewAnalysisRun: a controller pause over
   * an Inconclusive run), with fresh counts.
   */
  private restartBackground(now: Minutes): void {
    const runs = [...this.pausedBackground];
    this.pausedBackground.clear();
    for (const r of runs) this.startRun(r.binding, r.stage, now);
  }

  private stopRun(r: CheckRun): void {
    if (!r.active) return;
    r.active = false;
    if (r.handle !== undefined) this.cancel(r.handle);
    r.handle = undefined;
  }

  private measure(r: CheckRun, now: Minutes): void {
    r.handle = undefined;
    if (!r.active || this.stopped) return;
    // Flagger checks its failed-check count at the start of an interval, before analysing it
    // (scheduler.go, advanceCanary): a threshold reached in an earlier interval rolls back
    // without measuring; checks later in the interval that reached it still run.
    if (
      !r.check.dryRun &&
      r.counter.rollbackDue() &&
      this.flaggerBy !== undefined &&
      this.flaggerBy.at < now
    ) {
      r.active = false;
      const by = this.flaggerBy.check;
      this.site.note(
        'check-done',
        `failed checks ${this.flaggerFailures.failed} ≥ threshold ${r.check.failedChecksThreshold}: rolling back (failure of ${by})`,
        r.stage,
      );
      this.rollback(by, now);
      return;
    }
    const result = this.site.measure(r, now);
    r.lastAt = now;
    const phase = r.counter.record(result.verdict, now);
    if (this.flaggerBy === undefined && !r.check.dryRun && r.counter.rollbackDue())
      this.flaggerBy = { check: r.check.name, at: now };
    this.site.measured(r, result, phase, now);
    if (r.check.dryRun) {
      if (phase !== 'running') r.active = false;
      else r.handle = this.schedule(now + r.check.interval, { kind: 'measure', run: r.id });
      return;
    }
    switch (phase) {
      case 'failed':
      case 'error':
        r.active = false;
        this.site.note('check-done', `check ${r.check.name} ${phase}: rolling back`, r.stage);
        this.rollback(r.check.name, now);
        return;
      case 'inconclusive': {
        r.active = false;
        // A background analysis runs on through later stages: Argo pauses the rollout where it
        // is (rollout/analysis.go, reconcileBackgroundAnalysisRun), not the stage it began in.
        const at = r.check.background ? this.current : r.stage;
        if (at >= 0) {
          this.resolvedInconclusive[at] = true;
          if (r.check.background && this.site.policy.onInconclusive === 'pause')
            this.pausedBackground.add(r);
          if (this.handleInconclusive(r, at, now)) return;
          this.tryCompleteStage(at, now);
        } else if (this.site.policy.onInconclusive === 'abort') {
          this.rollback(r.check.name, now);
        }
        return;
      }
      case 'successful':
        r.active = false;
        if (r.stage >= 0) this.tryCompleteStage(r.stage, now);
        return;
      case 'running': {
        const next = result.verdict === 'error' ? ERROR_RETRY : r.check.interval;
        r.handle = this.schedule(now + next, { kind: 'measure', run: r.id });
        if (r.stage >= 0 && this.bakeDone[r.stage]) this.tryCompleteStage(r.stage, now);
        return;
      }
      default: {
        const never: never = phase;
        throw new Error(`unknown phase ${String(never)}`);
      }
    }
  }

  // ---- helpers ---------------------------------------------------------------------

  private schedule(t: Minutes, e: RolloutEvent): unknown {
    const h = this.site.schedule(t, e);
    this.pending.add(h);
    return h;
  }

  private cancel(h: unknown): void {
    this.site.cancel(h);
    this.pending.delete(h);
  }
}
