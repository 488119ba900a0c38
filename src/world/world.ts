import {
  type TrialStreams,
  poisson,
  binomial,
  normal,
  lognormal,
  type RandomStream,
} from '../random/index.js';
import type { ConfounderInstance } from './confounders/types.js';
import type { FaultInstance, FleetFacts, RollbackEffect } from './faults/types.js';
import {
  mixtureCdf,
  mixtureQuantile,
  quantileStandardError,
  type LognormalComponent,
} from './latency.js';
import { regionRuntimes } from './regions.js';
import {
  BumpedCurve,
  DiurnalCurve,
  firstTimeAtLeast,
  inverseIntegral,
  type LoadCurve,
} from './traffic.js';
import {
  identityEffect,
  resetEffect,
  resetImpact,
  zeroImpact,
  type Impact,
  type CohortView,
  type EffectAccumulator,
  type Environment,
  type MetricName,
  type MetricPoint,
  type Minutes,
  type RegionRuntime,
  type ScenarioConfig,
} from './types.js';

/** Events the world asks the simulator to deliver back to it. */
export type WorldEvent = { kind: 'restart'; cohort: number };

export interface WorldScheduler {
  at(time: Minutes, event: WorldEvent): unknown;
  cancel(handle: unknown): void;
}

/** A cohort as the world keeps it: mutable host count, restart history, lifetime. */
export class Cohort implements CohortView {
  lastRestartAt: Minutes;
  readonly restarts: Minutes[] = [];
  removedAt: Minutes = Infinity;
  /** When the build's fault first shows on this cohort (computed at creation). */
  onsetAt: Minutes = Infinity;
  restartHandle: unknown = undefined;

  constructor(
    readonly id: number,
    readonly environment: Environment,
    readonly region: RegionRuntime,
    public hosts: number,
    readonly isNew: boolean,
    readonly deployedAt: Minutes,
    /** Mean of the fixed error-rate multipliers of the hosts in this cohort. */
    readonly errorMult: number,
    /** For hosts rolled back to the old build: when, so a migration's errors can follow. */
    readonly revertedAt: Minutes | undefined,
  ) {
    this.lastRestartAt = deployedAt;
  }
}

export interface WorldOptions {
  scenario: ScenarioConfig;
  streams: TrialStreams;
  /** Every effect the build carries (faults and benign ones). */
  faults: readonly FaultInstance[];
  confounders: readonly ConfounderInstance[];
  scheduler: WorldScheduler;
  /** No event or search looks past this time. */
  endLimit: Minutes;
  /** Load curves to use instead of the analytic diurnal shape (trace-driven scenarios). */
  curves?: readonly LoadCurve[];
  /** Per region, the business cycle in [−1, 1] to use instead of the analytic daily one. */
  conversionCycles?: readonly ((t: Minutes) => number)[];
}

/** Points drawn for one group, by metric and interval end. */
type PointsByMetric = Map<MetricName, Map<Minutes, MetricPoint>>;

const WEEK_MINUTES = 10080;
/** The effect of nothing at all; shared, so never mutated. */
const IDENTITY: Readonly<EffectAccumulator> = Object.freeze(identityEffect());
const NO_CONFOUNDERS: readonly ConfounderInstance[] = [];
const LATENCY_QUANTILES: Partial<Record<MetricName, number>> = {
  latency_p50: 0.5,
  latency_p90: 0.9,
  latency_p99: 0.99,
};
/** Longest stretch the impact integral treats with one midpoint evaluation. */
const IMPACT_STEP = 10;
/** Step and span of the fine grid after a process starts. */
const IMPACT_FINE_STEP = 0.5;
const IMPACT_FINE_WINDOW = 10;

/**
 * The system under deployment for one trial: regions, cohorts of hosts on the old or new
 * build, load, faults and confounders. It draws metric data points for whole intervals
 * (Poisson requests, binomial errors, latency quantiles from their asymptotic law) and
 * integrates customer impact between events, never looping over requests.
 */
export class World implements FleetFacts {
  readonly regions: readonly RegionRuntime[];
  readonly staging: RegionRuntime;
  readonly service: ScenarioConfig['service'];
  readonly impact: Impact = zeroImpact();
  readonly escapeImpact: Impact = zeroImpact();
  /** The longest metrics delay any confounder causes (0 when none does). */
  readonly maxMetricsDelay: Minutes;
  /** Impact counts into escapeImpact from this time (when the build reached 100%). */
  escapeFrom: Minutes = Infinity;

  private readonly scenario: ScenarioConfig;
  private readonly curves: readonly LoadCurve[];
  private readonly conversionCycles: readonly ((t: Minutes) => number)[] | undefined;
  private readonly analytic: readonly DiurnalCurve[];
  private readonly perHostPeak: Float64Array;
  private readonly stagingPerHostRate: number;
  private readonly stagingShare: number;
  private readonly hostMultPrefix: readonly Float64Array[];
  private readonly cohortsList: Cohort[] = [];
  private readonly oldCohorts: Cohort[];
  private readonly stagingOld: Cohort;
  private readonly deployedCount: number[];
  private readonly faults: readonly FaultInstance[];
  private readonly harmful: readonly FaultInstance[];
  private readonly rollbackEffect: RollbackEffect | undefined;
  private readonly confounders: readonly ConfounderInstance[];
  private readonly applying: ConfounderIndex;
  private readonly gaps: ConfounderIndex;
  private readonly delays: ConfounderIndex;
  private readonly scheduler: WorldScheduler;
  private readonly endLimit: Minutes;
  private readonly observeRng: RandomStream;
  /** Groups as if on the old build (same hosts), by group key, with the points drawn for them. */
  private readonly asOld = new Map<string, { cohorts: Cohort[]; points: PointsByMetric }>();
  /** Points drawn so far, by group, metric and interval end. */
  private readonly points = new Map<string, PointsByMetric>();
  // Per-region memos (index regions.length is staging) in typed arrays: their layout never
  // changes, so optimised code that reads them is never thrown away.
  private readonly lastIntegralA: Float64Array;
  private readonly lastIntegralB: Float64Array;
  private readonly lastIntegral: Float64Array;
  /** Per region, which of its two memo slots to overwrite next. */
  private readonly lastIntegralNext: Uint8Array;
  private readonly pointAcc: Readonly<EffectAccumulator>[] = [];
  private pointReqs = new Float64Array(64);
  /** Reusable accumulators: one per cohort of the group being drawn (no garbage per point). */
  private readonly scratchPool: EffectAccumulator[] = [];
  private impactAt: Minutes = -Infinity;
  /** Components latencyCdf builds, reused between calls. */
  private readonly cdfComponents: LognormalComponent[] = [];
  /** One step's excess impact, reused by every step of advanceImpact. */
  private readonly stepImpact: Impact = zeroImpact();
  private changes = 0;
  private nextCohortId = 0;

  constructor(options: WorldOptions) {
    const { scenario } = options;
    this.scenario = scenario;
    this.service = scenario.service;
    this.faults = options.faults;
    this.harmful = options.faults.filter((f) => !f.benign);
    this.rollbackEffect = options.faults.find((f) => f.rollback !== undefined)?.rollback;
    this.confounders = options.confounders;
    this.applying = new ConfounderIndex(options.confounders.filter((c) => c.apply !== undefined));
    this.gaps = new ConfounderIndex(options.confounders.filter((c) => c.metricsGap === true));
    this.delays = new ConfounderIndex(
      options.confounders.filter((c) => c.metricsDelayMin !== undefined),
    );
    this.maxMetricsDelay = options.confounders.reduce(
      (m, c) => Math.max(m, c.metricsDelayMin ?? 0),
      0,
    );
    this.scheduler = options.scheduler;
    this.endLimit = options.endLimit;
    this.observeRng = options.streams.get('observe');
    this.conversionCycles = options.conversionCycles;

    this.regions = regionRuntimes(scenario.fleet.regions);
    const totalHosts = scenario.fleet.regions.reduce((sum, r) => sum + r.hosts, 0);
    this.staging = {
      name: 'staging',
      trafficShare: 0,
      hosts: scenario.staging.hosts,
      utcOffsetHours: 0,
      index: this.regions.length,
      firstHost: 0,
    };

    this.analytic = this.regions.map((r) => new DiurnalCurve(scenario.traffic, r.utcOffsetHours));
    const baseCurves = options.curves ?? this.analytic;
    this.curves = this.regions.map((r, i) => {
      const bumps = options.confounders
        .filter(
          (c) =>
            c.trafficMultiplier !== undefined && (c.region === undefined || c.region === r.name),
        )
        .map((c) => ({ start: c.start, end: c.end, multiplier: c.trafficMultiplier! }));
      const base = baseCurves[i]!;
      return bumps.length > 0 ? new BumpedCurve(base, bumps) : base;
    });
    this.perHostPeak = Float64Array.from(
      this.regions,
      (r) => (scenario.traffic.peakRequestsPerMin * r.trafficShare) / r.hosts,
    );
    const places = this.regions.length + 1;
    this.lastIntegralA = new Float64Array(2 * places).fill(NaN);
    this.lastIntegralB = new Float64Array(2 * places).fill(NaN);
    this.lastIntegral = new Float64Array(2 * places);
    this.lastIntegralNext = new Uint8Array(places);
    this.stagingPerHostRate = scenario.staging.requestsPerMin / Math.max(1, scenario.staging.hosts);
    // Staging load as a share of an average production host's peak: small, so load-gated faults stay hidden.
    this.stagingShare =
      this.stagingPerHostRate / (scenario.traffic.peakRequestsPerMin / totalHosts);

    // Each host has a fixed error-rate multiplier (some hosts are simply worse); prefix sums
    // give any contiguous range's mean in O(1).
    const hostRng = options.streams.get('hosts');
    const sd = scenario.noise.hostErrorSd;
    this.hostMultPrefix = this.regions.map((r) => {
      const prefix = new Float64Array(r.hosts + 1);
      for (let h = 0; h < r.hosts; h++) {
        const m = sd > 0 ? lognormal(hostRng, (-sd * sd) / 2, sd) : 1;
        prefix[h + 1] = prefix[h]! + m;
      }
      return prefix;
    });
    this.deployedCount = this.regions.map(() => 0);
    this.oldCohorts = this.regions.map((r) =>
      this.addCohort('production', r, r.hosts, false, -Infinity, 1, undefined),
    );
    this.stagingOld = this.addCohort(
      'staging',
      this.staging,
      scenario.staging.hosts,
      false,
      -Infinity,
      1,
      undefined,
    );
  }

  // ---- WorldView -------------------------------------------------------------------

  loadShare(environment: Environment, region: RegionRuntime, t: Minutes): number {
    return environment === 'staging' ? this.stagingShare : this.curves[region.index]!.share(t);
  }

  perHostRate(environment: Environment, region: RegionRuntime, t: Minutes): number {
    return environment === 'staging'
      ? this.stagingPerHostRate
      : this.perHostPeak[region.index]! * this.curves[region.index]!.share(t);
  }

  perHostRequests(environment: Environment, region: RegionRuntime, a: Minutes, b: Minutes): number {
    if (b <= a) return 0;
    if (environment === 'staging') return this.stagingPerHostRate * (b - a);
    // Every cohort and metric of a region asks for the same metric interval in turn, with a
    // fault's own span (a leak since the process start) in between: remember the last two.
    const r = region.index;
    for (let slot = 2 * r; slot < 2 * r + 2; slot++) {
      if (this.lastIntegralA[slot] === a && this.lastIntegralB[slot] === b)
        return this.lastIntegral[slot]!;
    }
    const v = this.perHostPeak[r]! * this.curves[r]!.integral(a, b);
    const slot = 2 * r + this.lastIntegralNext[r]!;
    this.lastIntegralNext[r] = 1 - this.lastIntegralNext[r]!;
    this.lastIntegralA[slot] = a;
    this.lastIntegralB[slot] = b;
    this.lastIntegral[slot] = v;
    return v;
  }

  timeAfterRequests(
    environment: Environment,
    region: RegionRuntime,
    from: Minutes,
    count: number,
    limit: Minutes,
  ): Minutes {
    if (environment === 'staging') {
      const t = from + count / this.stagingPerHostRate;
      return t <= limit ? t : Infinity;
    }
    return inverseIntegral(
      this.curves[region.index]!,
      from,
      count / this.perHostPeak[region.index]!,
      limit,
    );
  }

  nextTimeLoadAtLeast(
    environment: Environment,
    region: RegionRuntime,
    from: Minutes,
    share: number,
    limit: Minutes,
  ): Minutes {
    if (environment === 'staging') return this.stagingShare >= share ? from : Infinity;
    return firstTimeAtLeast(this.curves[region.index]!, from, share, limit);
  }

  dataRows(environment: Environment): number {
    return environment === 'staging' ? this.scenario.staging.dataRows : this.scenario.dataRows;
  }

  wholeRegionCohort(regionIndex: number, deployAt: Minutes): CohortView {
    const region = this.regions[regionIndex]!;
    return new Cohort(-1, 'production', region, region.hosts, true, deployAt, 1, undefined);
  }

  // ---- fleet state -----------------------------------------------------------------

  get cohorts(): readonly Cohort[] {
    return this.cohortsList;
  }

  /** Production hosts of a region that run the new build. */
  newHosts(regionIndex: number): number {
    return this.deployedCount[regionIndex]!;
  }

  stagingNewHosts(): number {
    return this.scenario.staging.hosts - this.stagingOld.hosts;
  }

  /** Counts changes to which hosts run which build: groups of cohorts stay valid while it holds. */
  get fleetVersion(): number {
    return this.changes;
  }

  /** Live cohorts (hosts > 0) matching a filter. */
  select(filter: (c: Cohort) => boolean): Cohort[] {
    return this.cohortsList.filter((c) => c.hosts > 0 && filter(c));
  }

  /** Moves `count` old hosts of a region (or staging) onto the new build at t. */
  deploy(
    environment: Environment,
    regionIndex: number,
    count: number,
    t: Minutes,
  ): Cohort | undefined {
    if (count <= 0) return undefined;
    this.advanceImpact(t);
    this.changes++;
    if (environment === 'staging') {
      const n = Math.min(count, this.stagingOld.hosts);
      this.stagingOld.hosts -= n;
      const c = this.addCohort('staging', this.staging, n, true, t, 1, undefined);
      this.afterDeploy(c, t);
      return c;
    }
    const region = this.regions[regionIndex]!;
    const old = this.oldCohorts[regionIndex]!;
    const n = Math.min(count, old.hosts);
    if (n <= 0) return undefined;
    const from = this.deployedCount[regionIndex]!;
    const prefix = this.hostMultPrefix[regionIndex]!;
    const mult = (prefix[from + n]! - prefix[from]!) / n;
    old.hosts -= n;
    this.deployedCount[regionIndex] = from + n;
    const c = this.addCohort('production', region, n, true, t, mult, undefined);
    this.afterDeploy(c, t);
    return c;
  }

  /**
   * Returns up to `count` of a region's new hosts to the old build at t, newest first.
   * A migration that breaks rollback makes the returned hosts fail requests for a while.
   */
  revert(environment: Environment, regionIndex: number, count: number, t: Minutes): number {
    this.advanceImpact(t);
    this.changes++;
    let left = count;
    const live = this.cohortsList.filter(
      (c) =>
        c.isNew &&
        c.hosts > 0 &&
        c.environment === environment &&
        (environment === 'staging' || c.region.index === regionIndex),
    );
    for (let i = live.length - 1; i >= 0 && left > 0; i--) {
      const c = live[i]!;
      const n = Math.min(left, c.hosts);
      c.hosts -= n;
      left -= n;
      if (c.hosts === 0) {
        c.removedAt = t;
        this.scheduler.cancel(c.restartHandle);
      }
      if (environment === 'staging') {
        this.stagingOld.hosts += n;
      } else {
        this.deployedCount[regionIndex]! -= n;
        const effect = this.rollbackEffect;
        if (effect !== undefined && effect.errorAdd > 0) {
          this.addCohort('production', c.region, n, false, -Infinity, c.errorMult, t);
        } else {
          this.oldCohorts[regionIndex]!.hosts += n;
        }
      }
    }
    return count - left;
  }

  /** Whether, at t, hosts on the new build are hurting customers (their fault has shown). */
  isHurting(t: Minutes): boolean {
    return this.cohortsList.some(
      (c) => c.isNew && c.hosts > 0 && c.environment === 'production' && c.onsetAt <= t,
    );
  }

  /** The first time the build's fault showed in production, or Infinity. */
  onsetTime(): Minutes {
    let first = Infinity;
    for (const c of this.cohortsList) {
      if (c.isNew && c.environment === 'production' && c.onsetAt < c.removedAt && c.onsetAt < first)
        first = c.onsetAt;
    }
    return first;
  }

  /** Delivers a world event scheduled earlier. */
  handle(event: WorldEvent, t: Minutes): void {
    switch (event.kind) {
      case 'restart': {
        const c = this.cohortsList[event.cohort]!;
        if (c.hosts === 0) return;
        this.advanceImpact(t);
        c.lastRestartAt = t;
        c.restarts.push(t);
        this.scheduleRestart(c, t);
        return;
      }
      default: {
        const never: never = event.kind;
        throw new Error(`unknown world event ${String(never)}`);
      }
    }
  }

  // ---- effects ---------------------------------------------------------------------

  /** The combined effect on a cohort at t: the build's (if the cohort runs it), a migration's, and confounders'. */
  effectAt(
    c: Cohort,
    t: Minutes,
    withConfounders: boolean,
    faults: readonly FaultInstance[] = this.faults,
    out?: EffectAccumulator,
  ): Readonly<EffectAccumulator> {
    const reverted =
      c.revertedAt !== undefined &&
      this.rollbackEffect !== undefined &&
      t >= c.revertedAt &&
      t < c.revertedAt + this.rollbackEffect.durationMin;
    const active =
      withConfounders && c.environment === 'production' ? this.applying.at(t) : NO_CONFOUNDERS;
    let touched = false;
    for (const k of active) {
      if (t >= k.start && t < k.end && (k.region === undefined || k.region === c.region.name)) {
        touched = true;
        break;
      }
    }
    // Most cohorts on most points are old hosts with nothing going on: share one identity.
    if (!(c.isNew && faults.length > 0) && !reverted && !touched) return IDENTITY;
    const acc = out === undefined ? identityEffect() : resetEffect(out);
    if (c.isNew) {
      for (const f of faults) f.apply(acc, c, this, t);
    } else if (reverted) {
      acc.errorAdd += this.rollbackEffect!.errorAdd;
    }
    if (touched) {
      for (const k of active) {
        if (t >= k.start && t < k.end && (k.region === undefined || k.region === c.region.name))
          k.apply!(acc, c, t);
      }
    }
    return acc;
  }

  private errorProbability(c: Cohort, acc: Readonly<EffectAccumulator>, noise: number): number {
    const p = this.service.errorRate * c.errorMult * noise * acc.errorMul + acc.errorAdd;
    return p < 0 ? 0 : p > 1 ? 1 : p;
  }

  /** Busy hours are slower: the median scales by 1 + s·(load − 1) (s the load sensitivity). */
  private loadLatencyFactor(c: Cohort, t: Minutes): number {
    const s = this.service.latency.loadSensitivity;
    if (s === 0) return 1;
    return Math.max(0.2, 1 + s * (this.loadShare(c.environment, c.region, t) - 1));
  }

  private latencyComponents(
    acc: Readonly<EffectAccumulator>,
    weight: number,
    noise: number,
    out: LognormalComponent[],
  ): void {
    const { medianMs, sigma } = this.service.latency;
    const mu = Math.log(medianMs * acc.latencyMul * noise);
    const s = acc.slowShare > 0 ? Math.min(1, acc.slowShare) : 0;
    if (s < 1) out.push({ weight: weight * (1 - s), mu, sigma });
    if (s > 0) out.push({ weight: weight * s, mu: mu + Math.log(acc.slowMul), sigma });
  }

  /** The share of one cohort's requests faster than x: the CDF of its latencyComponents at weight 1. */
  private latencyCdf(acc: Readonly<EffectAccumulator>, noise: number, x: number): number {
    const comps = this.cdfComponents;
    comps.length = 0;
    this.latencyComponents(acc, 1, noise, comps);
    return mixtureCdf(comps, x);
  }

  /** Conversion at t in a region: it swings with the region's daily cycle (people buy more at busy hours). */
  private conversionAt(region: RegionRuntime, t: Minutes): number {
    const b = this.service.business;
    const recorded = this.conversionCycles?.[region.index];
    const cycle =
      recorded !== undefined ? recorded(t) : (this.analytic[region.index]?.cycle(t) ?? 0);
    return Math.max(0, Math.min(1, b.conversionRate * (1 + b.conversionAmplitude * cycle)));
  }

  private scratch(i: number): EffectAccumulator {
    while (this.scratchPool.length <= i) this.scratchPool.push(identityEffect());
    return this.scratchPool[i]!;
  }

  // ---- observation -----------------------------------------------------------------

  /**
   * One data point of `metric` for a group of cohorts over the metric interval ending at
   * `end`, as seen at `now` (a point still in a metrics delay is missing). Points are
   * memoised by (groupKey, metric, end), so two checks reading the same data agree.
   */
  observe(
    metric: MetricName,
    groupKey: string,
    group: readonly Cohort[],
    end: Minutes,
    now: Minutes,
  ): MetricPoint {
    // Nested maps, no key strings: the caller's groupKey string keeps its hash across calls.
    let byMetric = this.points.get(groupKey);
    if (byMetric === undefined) this.points.set(groupKey, (byMetric = new Map()));
    let byEnd = byMetric.get(metric);
    if (byEnd === undefined) byMetric.set(metric, (byEnd = new Map()));
    let point = byEnd.get(end);
    if (point === undefined) {
      point = this.drawPoint(metric, group, end);
      byEnd.set(end, point);
    }
    if (this.delays.size > 0 && this.delayedAt(end, now)) return missingPoint(end);
    return point;
  }

  /** The old build's point for the same time one week earlier, over the same hosts. */
  observeLastWeek(
    metric: MetricName,
    groupKey: string,
    group: readonly Cohort[],
    end: Minutes,
  ): MetricPoint {
    return this.observeAsOld(metric, `lastweek:${groupKey}`, group, end - WEEK_MINUTES, end);
  }

  /**
   * A point for the same hosts as if they ran the old build, over the interval ending at
   * `at` (before the deploy, or a week earlier), labelled with time `label`.
   */
  observeAsOld(
    metric: MetricName,
    groupKey: string,
    group: readonly Cohort[],
    at: Minutes,
    label: Minutes,
  ): MetricPoint {
    let old = this.asOld.get(groupKey);
    if (old === undefined) {
      const cohorts = group.map(
        (c) =>
          new Cohort(
            -1,
            c.environment,
            c.region,
            c.hosts,
            false,
            -Infinity,
            c.errorMult,
            undefined,
          ),
      );
      this.asOld.set(groupKey, (old = { cohorts, points: new Map() }));
    }
    let byAt = old.points.get(metric);
    if (byAt === undefined) old.points.set(metric, (byAt = new Map()));
    let point = byAt.get(at);
    if (point === undefined) {
      point = { ...this.drawPoint(metric, old.cohorts, at), t: label };
      byAt.set(at, point);
    }
    return point;
  }

  private delayedAt(end: Minutes, now: Minutes): boolean {
    for (const k of this.delays.at(end)) {
      if (end >= k.start && end < k.end && now < end + k.metricsDelayMin!) return true;
    }
    return false;
  }

  private gapAt(end: Minutes): boolean {
    for (const k of this.gaps.at(end)) if (end >= k.start && end < k.end) return true;
    return false;
  }

  private drawPoint(metric: MetricName, group: readonly Cohort[], end: Minutes): MetricPoint {
    if (group.length === 0 || this.gapAt(end)) return missingPoint(end);
    const start = end - this.scenario.metricInterval;
    const mid = (start + end) / 2;
    let hosts = 0;
    let expected = 0;
    // Reused between points (drawPoint never re-enters), written by index and never shrunk:
    // no garbage and no reallocation per point. Entries past the group's length are stale.
    const acc = this.pointAcc;
    if (this.pointReqs.length < group.length) this.pointReqs = new Float64Array(2 * group.length);
    const reqs = this.pointReqs;
    for (let i = 0; i < group.length; i++) {
      const c = group[i]!;
      const r = c.hosts * this.perHostRequests(c.environment, c.region, start, end);
      acc[i] = this.effectAt(c, mid, true, this.faults, this.scratch(i));
      reqs[i] = r;
      expected += r;
      hosts += c.hosts;
    }
    // One method per metric: each stays small, so the engine optimises (and, when a new kind
    // of input turns up, re-optimises) them one at a time.
    switch (metric) {
      case 'requests': {
        const n = poisson(this.observeRng, expected);
        return { t: end, value: n, n, events: 0 };
      }
      case 'error_rate':
        return this.errorRatePoint(group, end, expected);
      case 'latency_p50':
      case 'latency_p90':
      case 'latency_p99':
      case 'slow_rate':
        return this.latencyPoint(metric, group, end, mid, expected);
      case 'memory':
        return this.memoryPoint(group, end, hosts);
      case 'connections':
        return this.connectionsPoint(group, end, hosts);
      case 'crash_count':
        return this.crashPoint(group, start, end, hosts);
      case 'conversion_rate':
        return this.conversionPoint(group, end, mid, expected);
      default: {
        const never: never = metric;
        throw new Error(`unknown metric ${String(never)}`);
      }
    }
  }

  // Each metric's point over the cohorts drawPoint prepared (pointAcc, pointReqs).

  private errorRatePoint(group: readonly Cohort[], end: Minutes, expected: number): MetricPoint {
    const rng = this.observeRng;
    const sd = this.scenario.noise.intervalErrorSd;
    const n = poisson(rng, expected);
    if (n === 0) return missingPoint(end);
    const eps = sd > 0 ? lognormal(rng, -(sd ** 2) / 2, sd) : 1;
    let p = 0;
    for (let i = 0; i < group.length; i++)
      p += this.pointReqs[i]! * this.errorProbability(group[i]!, this.pointAcc[i]!, eps);
    p = expected > 0 ? p / expected : 0;
    const errors = binomial(rng, n, Math.min(1, p));
    return { t: end, value: errors / n, n, events: errors };
  }

  private latencyPoint(
    metric: 'latency_p50' | 'latency_p90' | 'latency_p99' | 'slow_rate',
    group: readonly Cohort[],
    end: Minutes,
    mid: Minutes,
    expected: number,
  ): MetricPoint {
    const rng = this.observeRng;
    const sd = this.scenario.noise.intervalLatencySd;
    const n = poisson(rng, expected);
    if (n === 0) return missingPoint(end);
    const eps = sd > 0 ? lognormal(rng, 0, sd) : 1;
    const comps: LognormalComponent[] = [];
    for (let i = 0; i < group.length; i++)
      this.latencyComponents(
        this.pointAcc[i]!,
        this.pointReqs[i]!,
        eps * this.loadLatencyFactor(group[i]!, mid),
        comps,
      );
    if (metric === 'slow_rate') {
      const frac = 1 - mixtureCdf(comps, this.service.latency.sloMs);
      const slow = binomial(rng, n, Math.min(1, Math.max(0, frac)));
      return { t: end, value: slow / n, n, events: slow };
    }
    const q = LATENCY_QUANTILES[metric]!;
    const x = mixtureQuantile(comps, q);
    const se = quantileStandardError(comps, q, n, x);
    return { t: end, value: Math.max(0, normal(rng, x, se)), n, events: 0 };
  }

  private memoryPoint(group: readonly Cohort[], end: Minutes, hosts: number): MetricPoint {
    const { baseMB } = this.service.memory;
    let mem = 0;
    for (let i = 0; i < group.length; i++)
      mem += group[i]!.hosts * (baseMB + this.pointAcc[i]!.memoryMB);
    const mean = mem / hosts;
    // Per-host memory varies by a few percent; the mean over h hosts by 2%/√h.
    const value = normal(this.observeRng, mean, (0.02 * baseMB) / Math.sqrt(hosts));
    return { t: end, value: Math.max(0, value), n: hosts, events: 0 };
  }

  private connectionsPoint(group: readonly Cohort[], end: Minutes, hosts: number): MetricPoint {
    const { holdMs, poolSize } = this.service.connections;
    let conns = 0;
    for (let i = 0; i < group.length; i++) {
      const c = group[i]!;
      const inflight = (this.perHostRate(c.environment, c.region, end) / 60) * (holdMs / 1000);
      conns += c.hosts * Math.min(poolSize, inflight + this.pointAcc[i]!.connections);
    }
    const mean = conns / hosts;
    const value = normal(this.observeRng, mean, Math.sqrt(Math.max(mean, 1) / hosts));
    return { t: end, value: Math.max(0, value), n: hosts, events: 0 };
  }

  private crashPoint(
    group: readonly Cohort[],
    start: Minutes,
    end: Minutes,
    hosts: number,
  ): MetricPoint {
    let rate = 0;
    let restarts = 0;
    for (let i = 0; i < group.length; i++) {
      const c = group[i]!;
      rate += c.hosts * (this.service.crashesPerHostHour + this.pointAcc[i]!.crashesPerHostHour);
      for (const r of c.restarts) if (r > start && r <= end) restarts += c.hosts;
    }
    const crashes = poisson(this.observeRng, (rate * (end - start)) / 60) + restarts;
    return { t: end, value: crashes, n: hosts, events: crashes };
  }

  private conversionPoint(
    group: readonly Cohort[],
    end: Minutes,
    mid: Minutes,
    expected: number,
  ): MetricPoint {
    const rng = this.observeRng;
    const sd = this.scenario.noise.intervalConversionSd;
    const sessions = poisson(rng, expected / this.service.business.requestsPerSession);
    if (sessions === 0) return missingPoint(end);
    const eps = sd > 0 ? lognormal(rng, -(sd ** 2) / 2, sd) : 1;
    let conv = 0;
    for (let i = 0; i < group.length; i++)
      conv +=
        this.pointReqs[i]! *
        this.conversionAt(group[i]!.region, mid) *
        this.pointAcc[i]!.conversionMul;
    conv = expected > 0 ? (conv / expected) * eps : 0;
    const checkouts = binomial(rng, sessions, Math.min(1, Math.max(0, conv)));
    return { t: end, value: checkouts / sessions, n: sessions, events: checkouts };
  }

  // ---- impact ----------------------------------------------------------------------

  /**
   * Integrates the build's excess harm (failed and slow requests, lost checkouts) from the
   * last call up to t over production cohorts, with the fleet as it is now: callers advance
   * before every change to the fleet. Confounders are left out: they hurt either way.
   */
  advanceImpact(t: Minutes): void {
    if (this.impactAt === -Infinity) {
      this.impactAt = t;
      return;
    }
    if (t <= this.impactAt) return;
    if (this.harmful.length === 0 && this.rollbackEffect === undefined) {
      this.impactAt = t;
      return;
    }
    for (const c of this.cohortsList) {
      if (
        c.hosts === 0 ||
        c.environment !== 'production' ||
        !(c.isNew || c.revertedAt !== undefined)
      )
        continue;
      // Effects change fastest right after a process starts (restart windows, warm-up): use a
      // fine step there, and a coarse one elsewhere; never step across the 100% mark.
      const fineUntil = Math.max(c.lastRestartAt, c.revertedAt ?? -Infinity) + IMPACT_FINE_WINDOW;
      let a = this.impactAt;
      while (a < t) {
        let b = Math.min(t, a + (a < fineUntil ? IMPACT_FINE_STEP : IMPACT_STEP));
        if (a < fineUntil && b > fineUntil) b = fineUntil;
        if (a < this.escapeFrom && b > this.escapeFrom) b = this.escapeFrom;
        const seg = resetImpact(this.stepImpact);
        this.addExcess(seg, c, a, b);
        addImpact(this.impact, seg);
        if (a >= this.escapeFrom) addImpact(this.escapeImpact, seg);
        a = b;
      }
    }
    this.impactAt = t;
  }

  private addExcess(out: Impact, c: Cohort, a: Minutes, b: Minutes): void {
    const mid = (a + b) / 2;
    const requests = c.hosts * this.perHostRequests('production', c.region, a, b);
    if (requests <= 0) return;
    const withFault = this.effectAt(c, mid, false, this.harmful, this.scratch(0));
    const pWith = this.errorProbability(c, withFault, 1);
    const pWithout = this.errorProbability(c, IDENTITY, 1);
    out.failedRequests += requests * Math.max(0, pWith - pWithout);
    if (withFault.latencyMul !== 1 || withFault.slowShare > 0) {
      const slo = this.service.latency.sloMs;
      const load = this.loadLatencyFactor(c, mid);
      const extra = this.latencyCdf(IDENTITY, load, slo) - this.latencyCdf(withFault, load, slo);
      out.slowRequests += requests * Math.max(0, extra);
    }
    if (withFault.conversionMul !== 1) {
      const sessions = requests / this.service.business.requestsPerSession;
      const lost = sessions * this.conversionAt(c.region, mid) * (1 - withFault.conversionMul);
      out.lostCheckouts += lost;
      out.lostRevenue += lost * this.service.business.checkoutValue;
    }
  }

  // ---- internals -------------------------------------------------------------------

  private addCohort(
    environment: Environment,
    region: RegionRuntime,
    hosts: number,
    isNew: boolean,
    deployedAt: Minutes,
    errorMult: number,
    revertedAt: Minutes | undefined,
  ): Cohort {
    const c = new Cohort(
      this.nextCohortId++,
      environment,
      region,
      hosts,
      isNew,
      deployedAt,
      errorMult,
      revertedAt,
    );
    this.cohortsList.push(c);
    return c;
  }

  private afterDeploy(c: Cohort, t: Minutes): void {
    let onset = Infinity;
    for (const f of this.harmful) {
      const o = f.onset(c, this, this.endLimit);
      if (o < onset) onset = o;
    }
    c.onsetAt = onset;
    this.scheduleRestart(c, t);
  }

  private scheduleRestart(c: Cohort, from: Minutes): void {
    let next = Infinity;
    for (const f of this.faults) {
      const r = f.nextRestart(c, this, from, this.endLimit);
      if (r < next) next = r;
    }
    c.restartHandle =
      next < this.endLimit && next > from
        ? this.scheduler.at(next, { kind: 'restart', cohort: c.id })
        : undefined;
  }
}

/**
 * Confounders bucketed by the hours they cover, so finding the ones active at t costs a
 * lookup, not a scan over every occurrence of a nine-day span.
 */
class ConfounderIndex {
  private static readonly BUCKET = 60;
  private readonly buckets = new Map<number, ConfounderInstance[]>();
  private static readonly NONE: readonly ConfounderInstance[] = [];

  constructor(items: readonly ConfounderInstance[]) {
    this.size = items.length;
    for (const c of items) {
      const first = Math.floor(c.start / ConfounderIndex.BUCKET);
      const last = Math.floor(c.end / ConfounderIndex.BUCKET);
      for (let b = first; b <= last; b++) {
        let list = this.buckets.get(b);
        if (list === undefined) this.buckets.set(b, (list = []));
        list.push(c);
      }
    }
  }

  /** How many occurrences are indexed. */
  readonly size: number;

  /** Candidates whose span may contain t (callers still check start ≤ t < end). */
  at(t: Minutes): readonly ConfounderInstance[] {
    return this.buckets.get(Math.floor(t / ConfounderIndex.BUCKET)) ?? ConfounderIndex.NONE;
  }
}

/** A point without data: a metrics gap, a delay, or an interval without requests. */
function missingPoint(end: Minutes): MetricPoint {
  return { t: end, value: NaN, n: 0, events: 0 };
}

function addImpact(into: Impact, from: Impact): void {
  into.failedRequests += from.failedRequests;
  into.slowRequests += from.slowRequests;
  into.lostCheckouts += from.lostCheckouts;
  into.lostRevenue += from.lostRevenue;
}
