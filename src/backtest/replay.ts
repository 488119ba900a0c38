/**
 * Replaying one recorded deploy through a policy: the stages, bakes, deploy windows, check
 * intervals, initialDelay, count, windows, failure limits, inconclusive handling and the
 * watch, with the executor's semantics (CheckRunCounter for the run phases, pipeline/measure.ts
 * for windows, missing data and minSample), but reading recorded series instead of a simulated
 * world. The recording cannot react to the policy: a stage's hosts run the new build from when
 * the record says they took it, whatever the policy would have done before.
 */
import { Simulator, type ScheduledEvent } from '../engine/index.js';
import { GatesimError } from '../errors.js';
import { JUDGES } from '../judges/index.js';
import type { Judge, JudgeModel, JudgeResult, MetricData } from '../judges/types.js';
import { CheckRunCounter, type SharedFailures, type RunPhase } from '../pipeline/check-run.js';
import {
  beforeSpan,
  measurementWindowStart,
  readsBaseline,
  takeMeasurement,
} from '../pipeline/measure.js';
import { cumulativeTargets, windowRegion } from '../pipeline/targets.js';
import type { TimelineEntry } from '../pipeline/types.js';
import type { CheckConfig, DelayDistribution, PolicyConfig } from '../policy/types.js';
import { inWindows, nextWindowStart } from '../world/calendar.js';
import type { MetricName, MetricPoint, Minutes, RegionRuntime } from '../world/types.js';
import type { RecordedDeploy, RecordedMetrics, RecordedSeries } from './inputs.js';
import { latestTime, pointAt, pointsIn } from './series.js';
import { TIME_EPSILON } from './time.js';

/** The region name whose rows stand for staging. */
export const STAGING_REGION = 'staging';
/** Longest a replay may run before the deploy counts as stalled (as the executor's 14 days). */
export const MAX_REPLAY_MINUTES = 14 * 1440;
/** Argo retries a measurement that errored after 10 seconds. */
const ERROR_RETRY = 10 / 60;
const WEEK = 10080;

/** How a replayed deploy ended under the policy. */
export type BacktestFinal =
  /** Reached 100% and passed the watch (if any). */
  | 'shipped'
  /** Stopped after it reached production. */
  | 'rolled-back'
  /** Stopped before any production host ran it (a staging check). */
  | 'blocked'
  /** Never finished: a window that never opened, or the replay limit. */
  | 'stalled';

/** One measurement a check took on recorded data. */
export interface MeasurementRecord {
  deploy: string;
  /** Backtest minutes (see time.ts). */
  t: Minutes;
  /** Minutes since the deploy started. */
  after: Minutes;
  stage: string;
  check: string;
  metric: MetricName;
  verdict: JudgeResult['verdict'];
  /** The run's phase after this measurement. */
  phase: RunPhase;
  dryRun: boolean;
  reason: string;
  figures: Record<string, number>;
  /** Points and Σn of the check's metric the judge saw. */
  canaryPoints: number;
  canaryN: number;
  baselinePoints: number;
  baselineN: number;
}

/** What the policy would have done with one recorded deploy. */
export interface DeployDecision {
  deploy: string;
  version: string;
  /** Backtest minutes of the recorded start. */
  start: Minutes;
  final: BacktestFinal;
  /** The last stage entered, `watch` or `done`. */
  stageReached: string;
  /** The check that stopped the deploy, if one did. */
  detectedBy: string | undefined;
  /** Minutes from the start to the stop decision. */
  decidedAt: Minutes | undefined;
  /** Minutes from the start to 100%. */
  shippedAt: Minutes | undefined;
  /** Minutes from the start to the end of the replay. */
  endAt: Minutes;
  measurements: MeasurementRecord[];
  timeline: TimelineEntry[];
}

/** Options of `replayDeploy`. */
export interface ReplayOptions {
  policy: PolicyConfig;
  metrics: RecordedMetrics;
  deploy: RecordedDeploy;
  /** Judges by kind; the program's registry (read at call time) by default. */
  judges?: Readonly<Record<string, JudgeModel>>;
  /** Local UTC offset (hours) of regions, for deploy windows; UTC when absent. */
  utcOffsets?: Readonly<Record<string, number>>;
  /** The recording's usual spacing (minutes), for windows shorter than one row. */
  step: Minutes;
}

type ReplayEvent =
  | { kind: 'begin-stage'; stage: number }
  | { kind: 'deployed'; stage: number }
  | { kind: 'measure'; run: number }
  | { kind: 'bake-done'; stage: number }
  | { kind: 'approved'; stage: number }
  | { kind: 'resumed'; stage: number }
  | { kind: 'watch-done' };

interface Run {
  id: number;
  check: CheckConfig;
  /** Stage index, or −1 for the watch. */
  stage: number;
  model: JudgeModel;
  judge: Judge;
  metrics: MetricName[];
  counter: CheckRunCounter;
  startedAt: Minutes;
  lastAt: Minutes;
  handle: ScheduledEvent<ReplayEvent> | undefined;
  active: boolean;
}

/** Which recorded series a check reads: groups allowed per region (undefined = every group). */
type Selection = Map<string, Set<string> | undefined>;

/**
 * Replays one deploy; deterministic (manual approvals and resumes wait the median of their
 * delay distribution, since a backtest has no person to draw).
 */
export function replayDeploy(options: ReplayOptions): DeployDecision {
  return new DeployReplay(options).run();
}

/** The typical wait of a delay distribution: its median. */
export function typicalDelay(d: DelayDistribution): Minutes {
  switch (d.kind) {
    case 'fixed':
      return d.minutes;
    case 'exponential':
      return d.meanMinutes * Math.LN2;
    case 'lognormal':
      return d.medianMinutes;
    default: {
      const never: never = d;
      throw new Error(`unknown delay ${JSON.stringify(never)}`);
    }
  }
}

/** Production regions of a backtest: every region in the metrics or the deploys, except staging. */
export function productionRegions(
  metrics: RecordedMetrics,
  deploys: readonly RecordedDeploy[],
): string[] {
  const names = new Set(metrics.regions);
  for (const d of deploys) for (const g of d.groups) names.add(g.region);
  names.delete(STAGING_REGION);
  return [...names].sort();
}

class DeployReplay {
  private readonly policy: PolicyConfig;
  private readonly deploy: RecordedDeploy;
  private readonly judges: Readonly<Record<string, JudgeModel>>;
  private readonly step: Minutes;
  private readonly sim: Simulator<ReplayEvent>;
  private readonly regions: RegionRuntime[];
  /** Hosts (listed groups, at least one) of each region wanted after each stage. */
  private readonly targets: number[][];
  /** Listed groups of the deploy per region, in the order they took the new version. */
  private readonly listed = new Map<string, { group: string; at: Minutes }[]>();
  private readonly byMetric = new Map<MetricName, RecordedSeries[]>();
  private readonly hasStaging: boolean;
  private readonly endLimit: Minutes;
  private readonly runs: Run[] = [];
  private readonly pending = new Set<ScheduledEvent<ReplayEvent>>();
  private readonly measurements: MeasurementRecord[] = [];
  private readonly timeline: TimelineEntry[] = [];
  private readonly stageBakeDone: boolean[] = [];
  private readonly stagePaused: boolean[] = [];
  private readonly stageDone: boolean[] = [];
  private readonly resolvedInconclusive: boolean[] = [];
  /** Flagger's one failed-check counter for the whole analysis (as the executor keeps it). */
  private readonly flaggerFailures: SharedFailures = { failed: 0, lastAt: NaN };
  /** The last stage whose hosts run the new build (−1: none yet). */
  private deployedStage = -1;
  private productionTouched = false;
  private finished = false;
  private final: BacktestFinal = 'stalled';
  private stageReached = 'start';
  private detectedBy: string | undefined;
  private decidedAt: Minutes | undefined;
  private shippedAt: Minutes | undefined;
  private endAt: Minutes | undefined;

  constructor(options: ReplayOptions) {
    this.policy = options.policy;
    this.deploy = options.deploy;
    this.judges = options.judges ?? JUDGES;
    this.step = options.step;
    this.sim = new Simulator<ReplayEvent>(this.deploy.start);
    this.endLimit = this.deploy.start + MAX_REPLAY_MINUTES;
    for (const g of this.deploy.groups) {
      const list = this.listed.get(g.region) ?? [];
      list.push({ group: g.group, at: g.at });
      this.listed.set(g.region, list);
    }
    const names = productionRegions(options.metrics, [this.deploy]);
    let firstHost = 0;
    this.regions = names.map((name, index) => {
      const hosts = Math.max(1, this.listed.get(name)?.length ?? 0);
      const r: RegionRuntime = {
        name,
        trafficShare: 1 / names.length,
        hosts,
        utcOffsetHours: options.utcOffsets?.[name] ?? 0,
        index,
        firstHost,
      };
      firstHost += hosts;
      return r;
    });
    this.targets = cumulativeTargets(
      this.policy.stages.map((s) => s.target),
      this.regions,
    );
    for (const s of options.metrics.series) {
      const list = this.byMetric.get(s.metric) ?? [];
      list.push(s);
      this.byMetric.set(s.metric, list);
    }
    this.hasStaging = options.metrics.regions.includes(STAGING_REGION);
  }

  run(): DeployDecision {
    this.schedule(this.deploy.start, { kind: 'begin-stage', stage: 0 });
    this.sim.run((e, now) => this.dispatch(e, now), this.endLimit);
    if (!this.finished) {
      this.note('end', 'the replay ended before the policy decided (stalled)');
      this.finish('stalled', Math.min(this.sim.now, this.endLimit));
    }
    this.timeline.sort((a, b) => a.t - b.t);
    return {
      deploy: this.deploy.id,
      version: this.deploy.version,
      start: this.deploy.start,
      final: this.final,
      stageReached: this.stageReached,
      detectedBy: this.detectedBy,
      decidedAt: this.decidedAt,
      shippedAt: this.shippedAt,
      endAt: this.endAt ?? 0,
      measurements: this.measurements,
      timeline: this.timeline,
    };
  }

  private dispatch(e: ReplayEvent, now: Minutes): void {
    switch (e.kind) {
      case 'begin-stage':
        return this.beginStage(e.stage, now);
      case 'deployed':
        return this.stageDeployed(e.stage, now);
      case 'measure':
        return this.measure(this.runs[e.run]!, now);
      case 'bake-done':
        this.stageBakeDone[e.stage] = true;
        return this.tryCompleteStage(e.stage, now);
      case 'approved':
        this.note('approval', 'a person approved the promotion', e.stage);
        return this.promote(e.stage, now);
      case 'resumed':
        this.stagePaused[e.stage] = false;
        this.note('pause', 'a person resumed the paused rollout', e.stage);
        return this.tryCompleteStage(e.stage, now);
      case 'watch-done':
        for (const r of this.runs) if (r.stage === -1) this.stopRun(r);
        this.note('end', 'post-deploy watch passed');
        this.stageReached = 'done';
        return this.finish('shipped', now);
      default: {
        const never: never = e;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  }

  // ---- stages ----------------------------------------------------------------------

  private isStaging(i: number): boolean {
    return i >= 0 && this.policy.stages[i]!.target.kind === 'staging';
  }

  private beginStage(i: number, now: Minutes): void {
    const stage = this.policy.stages[i]!;
    this.stageReached = stage.name;
    if (this.isStaging(i) && !this.hasStaging) {
      // The recorded start is when production began; pre-production left no rows to replay.
      this.note(
        'stage-start',
        `stage ${stage.name} targets staging, which the recording does not cover: skipped`,
        i,
      );
      this.stageDone[i] = true;
      return this.promote(i, now);
    }
    const region = windowRegion(stage.target, this.regions);
    const offset = region?.utcOffsetHours ?? 0;
    if (!inWindows(now, stage.deployWindows, offset)) {
      const open = nextWindowStart(now, stage.deployWindows, offset);
      if (open === Infinity || open > this.endLimit) return;
      this.note(
        'window-wait',
        `outside the deploy window; waiting ${Math.round(open - now)} min`,
        i,
      );
      this.schedule(open, { kind: 'begin-stage', stage: i });
      return;
    }
    this.note('stage-start', `stage ${stage.name} begins`, i);
    const at = this.recordedDeployTime(i);
    if (at > now + TIME_EPSILON) {
      this.note(
        'stage-start',
        `waiting ${Math.round(at - now)} min for the recording to have this stage's hosts on the new version`,
        i,
      );
      this.schedule(at, { kind: 'deployed', stage: i });
      return;
    }
    this.stageDeployed(i, now);
  }

  /**
   * When the recording has every host of stage i on the new version: per region, the time the
   * k-th listed group took it (k the stage's cumulative target there). Regions without listed
   * groups add no wait.
   */
  private recordedDeployTime(i: number): Minutes {
    if (this.isStaging(i)) return -Infinity;
    let at = -Infinity;
    const want = this.targets[i]!;
    this.regions.forEach((r, k) => {
      const list = this.listed.get(r.name);
      const count = want[k]!;
      if (list === undefined || count === 0) return;
      at = Math.max(at, list[Math.min(count, list.length) - 1]!.at);
    });
    return at;
  }

  private stageDeployed(i: number, now: Minutes): void {
    if (this.finished) return;
    const stage = this.policy.stages[i]!;
    if (!this.isStaging(i)) {
      this.deployedStage = i;
      if (this.targets[i]!.some((n) => n > 0)) this.productionTouched = true;
    }
    this.note('deployed', `stage ${stage.name} deployed; baking ${stage.bake} min`, i);
    for (const check of stage.checks) this.startRun(check, i, now);
    this.schedule(now + stage.bake, { kind: 'bake-done', stage: i });
  }

  private tryCompleteStage(i: number, now: Minutes): void {
    if (this.finished || this.stageDone[i] || !this.stageBakeDone[i] || this.stagePaused[i]) return;
    const mine = this.runs.filter((r) => r.stage === i && !r.check.background && !r.check.dryRun);
    for (const r of mine) {
      if (!r.active) continue;
      // Runs with a count block promotion until done; a Flagger check that just failed holds the weight.
      if (r.check.count !== undefined || r.counter.holdsPromotion()) return;
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
    this.stageDone[i] = true;
    const stage = this.policy.stages[i]!;
    if (stage.approval.kind === 'manual') {
      const delay = typicalDelay(stage.approval.delay);
      this.note(
        'approval',
        `waiting for a person to approve (${Math.round(delay)} min, the median)`,
        i,
      );
      this.schedule(now + delay, { kind: 'approved', stage: i });
      return;
    }
    this.promote(i, now);
  }

  /** Returns true when the pipeline must wait (paused) or stop (aborted). */
  private handleInconclusive(r: Run, stage: number, now: Minutes): boolean {
    switch (this.policy.onInconclusive) {
      case 'abort':
        this.rollback(r.check.name, now);
        return true;
      case 'pause': {
        if (stage < 0) return false;
        if (this.stagePaused[stage] === true) return true;
        const delay = typicalDelay(this.policy.manualResume);
        this.stagePaused[stage] = true;
        this.note(
          'pause',
          `check ${r.check.name} inconclusive: rollout paused for a person (${Math.round(delay)} min, the median)`,
          stage,
        );
        this.schedule(now + delay, { kind: 'resumed', stage });
        return true;
      }
      case 'continue':
        return false;
      default: {
        const never: never = this.policy.onInconclusive;
        throw new Error(`unknown onInconclusive ${String(never)}`);
      }
    }
  }

  private promote(i: number, now: Minutes): void {
    if (this.finished) return;
    for (const r of this.runs) if (r.stage === i && !r.check.background) this.stopRun(r);
    this.note('promote', `promoted past ${this.policy.stages[i]!.name}`, i);
    if (i + 1 < this.policy.stages.length) {
      this.beginStage(i + 1, now);
      return;
    }
    this.ship(now);
  }

  private ship(now: Minutes): void {
    this.shippedAt = now - this.deploy.start;
    for (const r of this.runs) this.stopRun(r);
    this.note('shipped', 'every production host runs the new build');
    const watch = this.policy.watch;
    if (watch === undefined) {
      this.stageReached = 'done';
      this.finish('shipped', now);
      return;
    }
    this.stageReached = 'watch';
    this.note('watch-start', `post-deploy watch for ${watch.duration} min`);
    for (const check of watch.checks) this.startRun(check, -1, now);
    this.schedule(now + watch.duration, { kind: 'watch-done' });
  }

  // ---- checks ----------------------------------------------------------------------

  private startRun(check: CheckConfig, stage: number, now: Minutes): void {
    const model = Object.hasOwn(this.judges, check.judge.kind)
      ? this.judges[check.judge.kind]
      : undefined;
    if (model === undefined) {
      throw new GatesimError(
        'unknown-judge',
        `unknown judge "${check.judge.kind}" in check ${check.name}`,
      );
    }
    const parsed = model.params.safeParse(check.judge.params);
    if (!parsed.success) {
      throw new GatesimError(
        'invalid-input',
        `check ${check.name}: invalid ${check.judge.kind} parameters: ${parsed.error.issues.map((x) => x.message).join('; ')}`,
      );
    }
    const run: Run = {
      id: this.runs.length,
      check,
      stage,
      model,
      judge: model.create(parsed.data),
      metrics: model.metrics(parsed.data, check.metric),
      counter: new CheckRunCounter(
        check,
        check.failedChecksThreshold !== undefined ? this.flaggerFailures : undefined,
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

  private stopRun(r: Run): void {
    if (!r.active) return;
    r.active = false;
    if (r.handle !== undefined) this.cancel(r.handle);
    r.handle = undefined;
  }

  private measure(r: Run, now: Minutes): void {
    r.handle = undefined;
    if (!r.active || this.finished) return;
    const { result, seen } = this.evaluate(r, now);
    r.lastAt = now;
    const phase = r.counter.record(result.verdict, now);
    const stageName = r.stage >= 0 ? this.policy.stages[r.stage]!.name : 'watch';
    this.measurements.push({
      deploy: this.deploy.id,
      t: now,
      after: now - this.deploy.start,
      stage: stageName,
      check: r.check.name,
      metric: r.check.metric,
      verdict: result.verdict,
      phase,
      dryRun: r.check.dryRun,
      reason: result.reason,
      figures: result.figures,
      ...seen,
    });
    this.timeline.push({
      t: now - this.deploy.start,
      kind: 'measurement',
      stage: stageName,
      check: r.check.name,
      verdict: result.verdict,
      message: (r.check.dryRun ? '[dry run] ' : '') + result.reason,
      figures: result.figures,
    });
    if (r.check.dryRun) {
      if (phase !== 'running') r.active = false;
      else r.handle = this.schedule(now + r.check.interval, { kind: 'measure', run: r.id });
      return;
    }
    switch (phase) {
      case 'failed':
      case 'error':
        r.active = false;
        this.note('check-done', `check ${r.check.name} ${phase}: rolling back`, r.stage);
        this.rollback(r.check.name, now);
        return;
      case 'inconclusive':
        r.active = false;
        if (r.stage >= 0) {
          this.resolvedInconclusive[r.stage] = true;
          if (this.handleInconclusive(r, r.stage, now)) return;
          this.tryCompleteStage(r.stage, now);
        } else if (this.policy.onInconclusive === 'abort') {
          this.rollback(r.check.name, now);
        }
        return;
      case 'successful':
        r.active = false;
        if (r.stage >= 0) this.tryCompleteStage(r.stage, now);
        return;
      case 'running': {
        const next = result.verdict === 'error' ? ERROR_RETRY : r.check.interval;
        r.handle = this.schedule(now + next, { kind: 'measure', run: r.id });
        if (r.stage >= 0 && this.stageBakeDone[r.stage]) this.tryCompleteStage(r.stage, now);
        return;
      }
      default: {
        const never: never = phase;
        throw new Error(`unknown phase ${String(never)}`);
      }
    }
  }

  /** Gathers the recorded data a check's judge needs and takes the measurement. */
  private evaluate(
    r: Run,
    now: Minutes,
  ): {
    result: JudgeResult;
    seen: Pick<MeasurementRecord, 'canaryPoints' | 'canaryN' | 'baselinePoints' | 'baselineN'>;
  } {
    const check = r.check;
    const from = measurementWindowStart(check, r, now);
    const staging = this.isStaging(r.stage);
    const canarySel = this.canarySelection(check, r.stage, staging);
    const wantsBaseline = readsBaseline(check, r.model);
    const baselineSel = wantsBaseline
      ? this.baselineSelection(check, canarySel, staging)
      : undefined;
    const data: Partial<Record<MetricName, MetricData>> = {};
    for (const metric of r.metrics) {
      const all = this.byMetric.get(metric) ?? [];
      // scope `all` reads every production host whatever its version (a before/after view).
      const everyVersion = check.scope === 'all' && !staging;
      const canarySeries = all.filter(
        (s) => (everyVersion || this.isNew(s)) && selected(canarySel, s),
      );
      const d: MetricData = { canary: this.window(metric, canarySeries, from, now) };
      if (baselineSel !== undefined) {
        const baselineSeries = all.filter((s) => !this.isNew(s) && selected(baselineSel, s));
        d.baseline = this.window(metric, baselineSeries, from, now);
      }
      // The same hosts under any version: their own history, for seasonal and before references.
      const keys = new Set(canarySeries.map((s) => `${s.region}\u0000${s.group}`));
      const sameHosts = all.filter((s) => keys.has(`${s.region}\u0000${s.group}`));
      if (r.model.needs.seasonal)
        d.seasonal = d.canary.map((p) => pointAt(metric, sameHosts, p.t - WEEK, p.t));
      if (r.model.needs.before) {
        const span = beforeSpan(now - from);
        const start = this.deploy.start;
        let before = pointsIn(metric, sameHosts, start - span, start);
        if (before.length === 0) {
          // New hosts with no history of their own (fresh canary pods): their region's old hosts.
          const regions = new Set(canarySeries.map((s) => s.region));
          const old = all.filter((s) => !this.isNew(s) && regions.has(s.region));
          before = pointsIn(metric, old, start - span, start);
        }
        d.before = before;
      }
      data[metric] = d;
    }
    const main = data[check.metric] ?? data[r.metrics[0]!];
    const result = takeMeasurement(
      r.judge,
      check,
      data,
      data[check.metric] !== undefined ? check.metric : r.metrics[0]!,
      wantsBaseline,
    );
    const sum = (ps: readonly MetricPoint[] | undefined): number =>
      (ps ?? []).reduce((s, p) => s + (Number.isNaN(p.value) ? 0 : p.n), 0);
    const count = (ps: readonly MetricPoint[] | undefined): number =>
      (ps ?? []).filter((p) => !Number.isNaN(p.value)).length;
    return {
      result,
      seen: {
        canaryPoints: count(main?.canary),
        canaryN: sum(main?.canary),
        baselinePoints: count(main?.baseline),
        baselineN: sum(main?.baseline),
      },
    };
  }

  /**
   * The combined points of some series over (from, now]; for a window shorter than one
   * recorded row with no row inside it, the latest row within one step (as the executor reads
   * the latest metric interval).
   */
  private window(
    metric: MetricName,
    series: readonly RecordedSeries[],
    from: Minutes,
    now: Minutes,
  ): MetricPoint[] {
    const points = pointsIn(metric, series, from, now);
    if (points.length > 0 || now - from >= this.step - TIME_EPSILON) return points;
    const t = latestTime(series, now - this.step, now);
    return t === undefined ? [] : pointsIn(metric, series, t - TIME_EPSILON, t);
  }

  /** A series runs the new build: role canary, or the deploy's version. */
  private isNew(s: RecordedSeries): boolean {
    return s.side === 'canary' || s.side === this.deploy.version;
  }

  private canarySelection(check: CheckConfig, stage: number, staging: boolean): Selection {
    if (staging) return new Map([[STAGING_REGION, undefined]]);
    switch (check.scope) {
      case 'new':
        return this.groupsUpTo(this.deployedStage);
      case 'stage': {
        if (stage < 0) return this.groupsUpTo(this.deployedStage);
        return this.groupsAdded(stage);
      }
      case 'all': {
        const sel: Selection = new Map();
        for (const r of this.regions) sel.set(r.name, undefined);
        return sel;
      }
      default: {
        const never: never = check.scope;
        throw new Error(`unknown scope ${String(never)}`);
      }
    }
  }

  /** The groups on the new build once stage i is deployed, per region. */
  private groupsUpTo(i: number): Selection {
    const sel: Selection = new Map();
    if (i < 0) return sel;
    this.regions.forEach((r, k) => {
      const count = this.targets[i]![k]!;
      if (count === 0) return;
      const list = this.listed.get(r.name);
      sel.set(
        r.name,
        list === undefined ? undefined : new Set(list.slice(0, count).map((g) => g.group)),
      );
    });
    return sel;
  }

  /** The groups stage i added, per region. */
  private groupsAdded(i: number): Selection {
    const now = this.groupsUpTo(i);
    const before = i > 0 ? this.groupsUpTo(i - 1) : new Map<string, Set<string> | undefined>();
    const sel: Selection = new Map();
    this.regions.forEach((r, k) => {
      const added = this.targets[i]![k]! - (i > 0 ? this.targets[i - 1]![k]! : 0);
      if (added <= 0) return;
      const all = now.get(r.name);
      const old = before.get(r.name);
      sel.set(
        r.name,
        all === undefined ? undefined : new Set([...all].filter((g) => !(old?.has(g) ?? false))),
      );
    });
    return sel;
  }

  /** Old-build series beside the canary: in its regions, or the whole fleet. */
  private baselineSelection(check: CheckConfig, canary: Selection, staging: boolean): Selection {
    if (staging) return new Map([[STAGING_REGION, undefined]]);
    const sel: Selection = new Map();
    for (const r of this.regions) {
      if (check.baselineScope === 'fleet' || canary.has(r.name)) sel.set(r.name, undefined);
    }
    return sel;
  }

  // ---- the end ---------------------------------------------------------------------

  private rollback(by: string, now: Minutes): void {
    if (this.finished || this.decidedAt !== undefined) return;
    this.detectedBy = by;
    this.decidedAt = now - this.deploy.start;
    if (!this.productionTouched) {
      this.note('rollback-done', `stopped before production by ${by}`);
      this.finish('blocked', now);
      return;
    }
    this.note('rollback-start', `rolling back (decided by ${by})`);
    this.finish('rolled-back', now);
  }

  private finish(final: BacktestFinal, now: Minutes): void {
    if (this.finished) return;
    this.finished = true;
    this.final = final;
    for (const r of this.runs) this.stopRun(r);
    for (const h of [...this.pending]) this.cancel(h);
    this.endAt = now - this.deploy.start;
    this.sim.stop();
  }

  // ---- helpers ---------------------------------------------------------------------

  private schedule(t: Minutes, e: ReplayEvent): ScheduledEvent<ReplayEvent> {
    const h = this.sim.at(Math.max(t, this.sim.now), e);
    this.pending.add(h);
    return h;
  }

  private cancel(h: ScheduledEvent<ReplayEvent>): void {
    this.sim.cancel(h);
    this.pending.delete(h);
  }

  private note(kind: TimelineEntry['kind'], message: string, stage?: number): void {
    const entry: TimelineEntry = { t: this.sim.now - this.deploy.start, kind, message };
    if (stage !== undefined && stage >= 0) entry.stage = this.policy.stages[stage]!.name;
    this.timeline.push(entry);
  }
}

function selected(sel: Selection, s: RecordedSeries): boolean {
  if (!sel.has(s.region)) return false;
  const groups = sel.get(s.region);
  return groups === undefined || groups.has(s.group);
}
