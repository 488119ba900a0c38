/**
 * Replaying one recorded deploy through a policy: the stages, bakes, deploy windows, check
 * intervals, initialDelay, count, windows, failure limits, inconclusive handling and the
 * watch, with the executor's semantics (CheckRunCounter for the run phases, pipeline/measure.ts
 * for windows, missing data and minSample), but reading recorded series instead of a simulated
 * world. The recording cannot react to the policy: a stage's hosts run the new build from when
 * the record says they took it, whatever the policy would have done before.
 */
import { Simulator, type EventHandle } from '../engine/index.js';
import { JUDGES } from '../judges/index.js';
import type { JudgeModel, JudgeResult, MetricData } from '../judges/types.js';
import type { RunPhase } from '../pipeline/check-run.js';
import { bindPolicy } from '../pipeline/policy-binding.js';
import {
  RolloutController,
  type CheckRun,
  type RolloutEvent,
  type RolloutSite,
} from '../pipeline/rollout.js';
import {
  beforeSpan,
  measurementWindowStart,
  readsBaseline,
  takeMeasurement,
} from '../pipeline/measure.js';
import { cumulativeTargets } from '../pipeline/targets.js';
import type { TimelineEntry } from '../pipeline/types.js';
import type { CheckConfig, DelayDistribution, PolicyConfig } from '../policy/types.js';
import { regionRuntimes } from '../world/regions.js';
import type { MetricName, MetricPoint, Minutes, RegionRuntime } from '../world/types.js';
import type { RecordedDeploy, RecordedMetrics, RecordedSeries } from './inputs.js';
import { latestTime, pointAt, pointsIn } from './series.js';
import { TIME_EPSILON } from './time.js';
import { MAX_TRIAL_MINUTES } from '../util/limits.js';

/** The region name whose rows stand for staging. */
export const STAGING_REGION = 'staging';
/** Longest a replay may run before the deploy counts as stalled (as the executor's 14 days). */
export const MAX_REPLAY_MINUTES = MAX_TRIAL_MINUTES;
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

/** The replay's own event; the rollout's travel inside `rollout`. */
type ReplayEvent = { kind: 'rollout'; event: RolloutEvent } | { kind: 'deployed'; stage: number };

type Seen = Pick<MeasurementRecord, 'canaryPoints' | 'canaryN' | 'baselinePoints' | 'baselineN'>;

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

class DeployReplay implements RolloutSite {
  readonly policy: PolicyConfig;
  readonly judges: Readonly<Record<string, JudgeModel>>;
  readonly regions: RegionRuntime[];
  readonly endLimit: Minutes;
  private readonly deploy: RecordedDeploy;
  private readonly step: Minutes;
  private readonly sim: Simulator<ReplayEvent>;
  /** Hosts (listed groups, at least one) of each region wanted after each stage. */
  private readonly targets: number[][];
  /** Listed groups of the deploy per region, in the order they took the new version. */
  private readonly listed = new Map<string, { group: string; at: Minutes }[]>();
  private readonly byMetric = new Map<MetricName, RecordedSeries[]>();
  private readonly hasStaging: boolean;
  private readonly rollout: RolloutController;
  private readonly pending = new Set<EventHandle>();
  private readonly measurements: MeasurementRecord[] = [];
  private readonly timeline: TimelineEntry[] = [];
  /** What the last measurement of each run read, for its record. */
  private readonly lastSeen = new Map<number, Seen>();
  /** The last stage whose hosts run the new build (−1: none yet). */
  private deployedStage = -1;
  private productionTouched = false;
  private finished = false;
  private final: BacktestFinal = 'stalled';
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
    this.regions = regionRuntimes(
      names.map((name) => ({
        name,
        trafficShare: 1 / names.length,
        hosts: Math.max(1, this.listed.get(name)?.length ?? 0),
        utcOffsetHours: options.utcOffsets?.[name] ?? 0,
      })),
    );
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
    this.rollout = new RolloutController(this, bindPolicy(this.policy, this.judges));
  }

  run(): DeployDecision {
    this.rollout.start(this.deploy.start);
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
      stageReached: this.rollout.stageReached ?? 'start',
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
      case 'rollout':
        return this.rollout.dispatch(e.event, now);
      case 'deployed':
        return this.markDeployed(e.stage, now);
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

  private isStaging(i: number): boolean {
    return i >= 0 && this.policy.stages[i]!.target.kind === 'staging';
  }

  private isTraffic(i: number): boolean {
    return i >= 0 && this.policy.stages[i]!.target.kind === 'traffic';
  }

  private get firstTraffic(): number {
    return this.policy.stages.findIndex((s) => s.target.kind === 'traffic');
  }

  private everyRegion(): Selection {
    return new Map(this.regions.map((r) => [r.name, undefined]));
  }

  skipReason(i: number): string | undefined {
    // The recorded start is when production began; pre-production left no rows to replay.
    if (this.isStaging(i) && !this.hasStaging)
      return `stage ${this.policy.stages[i]!.name} targets staging, which the recording does not cover: skipped`;
    return undefined;
  }

  deployStage(i: number, now: Minutes): void {
    const at = this.recordedDeployTime(i);
    if (at > now + TIME_EPSILON) {
      this.note(
        'stage-start',
        `waiting ${Math.round(at - now)} min for the recording to have this stage's hosts on the new version`,
        i,
      );
      this.scheduleOwn(at, { kind: 'deployed', stage: i });
      return;
    }
    this.markDeployed(i, now);
  }

  /**
   * When the recording has every host of stage i on the new version: per region, the time the
   * k-th listed group took it (k the stage's cumulative target there). Regions without listed
   * groups add no wait.
   */
  private recordedDeployTime(i: number): Minutes {
    // A traffic weight moves requests to pods the recording shows when it shows them.
    if (this.isStaging(i) || this.isTraffic(i)) return -Infinity;
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

  private markDeployed(i: number, now: Minutes): void {
    if (this.finished) return;
    if (!this.isStaging(i)) {
      this.deployedStage = i;
      if (this.isTraffic(i) || this.targets[i]!.some((n) => n > 0)) this.productionTouched = true;
    }
    this.rollout.stageDeployed(i, now);
  }

  measure(r: CheckRun, now: Minutes): JudgeResult {
    const { result, seen } = this.evaluate(r, now);
    this.lastSeen.set(r.id, seen);
    return result;
  }

  measured(r: CheckRun, result: JudgeResult, phase: RunPhase, now: Minutes): void {
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
      ...this.lastSeen.get(r.id)!,
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
  }

  personDelay(d: DelayDistribution): { minutes: Minutes; how: string } {
    const minutes = typicalDelay(d);
    return { minutes, how: `${Math.round(minutes)} min, the median` };
  }

  /** Gathers the recorded data a check's judge needs and takes the measurement. */
  private evaluate(
    r: CheckRun,
    now: Minutes,
  ): {
    result: JudgeResult;
    seen: Pick<MeasurementRecord, 'canaryPoints' | 'canaryN' | 'baselinePoints' | 'baselineN'>;
  } {
    const check = r.check;
    const from = measurementWindowStart(check, r, now);
    const staging = this.isStaging(r.stage);
    const canarySel = this.canarySelection(check, r.stage, staging);
    if (r.region !== undefined)
      for (const name of [...canarySel.keys()]) if (name !== r.region.name) canarySel.delete(name);
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
      if (r.model.needs.seasonal) {
        const weeks = Array.from({ length: Math.max(1, r.binding.seasonalWeeks) }, (_, j) =>
          d.canary.map((p) => pointAt(metric, sameHosts, p.t - (j + 1) * WEEK, p.t)),
        );
        d.seasonal = weeks[0]!;
        if (weeks.length > 1) d.seasonalWeeks = weeks;
      }
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
    // Routed canary pods: every new-version row of every region, whatever its group.
    if (this.firstTraffic >= 0 && i >= this.firstTraffic && this.targets[i]!.every((n) => n === 0))
      return this.everyRegion();
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
    if (this.isTraffic(i)) return this.everyRegion();
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

  // ---- RolloutSite: outcomes ------------------------------------------------------

  shipped(now: Minutes): void {
    this.shippedAt = now - this.deploy.start;
  }

  passed(now: Minutes): void {
    this.finish('shipped', now);
  }

  rollback(by: string, now: Minutes): void {
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
    this.rollout.stop();
    for (const h of [...this.pending]) this.cancel(h);
    this.endAt = now - this.deploy.start;
    this.sim.stop();
  }

  // ---- helpers ---------------------------------------------------------------------

  private scheduleOwn(t: Minutes, e: ReplayEvent): EventHandle {
    const h = this.sim.at(Math.max(t, this.sim.now), e);
    this.pending.add(h);
    return h;
  }

  note(kind: TimelineEntry['kind'], message: string, stage?: number): void {
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
