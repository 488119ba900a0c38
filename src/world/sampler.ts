import { binomial, lognormal, normal, poisson } from '../random/index.js';
import { fmix32, hashNumber, hashString, KeyedStream } from '../random/keyed.js';
import { Cohort } from './cohort.js';
import { ConfounderIndex } from './confounder-index.js';
import type { ConfounderInstance } from './confounders/types.js';
import type { CohortEffects } from './effects.js';
import type { FaultInstance } from './faults/types.js';
import {
  mixtureCdf,
  mixtureQuantile,
  quantileStandardError,
  type LognormalComponent,
} from './latency.js';
import type { Load } from './load.js';
import {
  identityEffect,
  METRIC_NAMES,
  type EffectAccumulator,
  type Environment,
  type MetricName,
  type RegionRuntime,
  type MetricPoint,
  type Minutes,
  type ScenarioConfig,
  type ServiceConfig,
} from './types.js';

/** Cohorts read together as one series (a check's canary or baseline), and the key that names them. */
export interface CohortGroup {
  /** Equal keys mean the same hosts: points are drawn once per key, metric and interval. */
  readonly key: string;
  readonly cohorts: readonly Cohort[];
}

export interface SamplerOptions {
  scenario: ScenarioConfig;
  load: Load;
  effects: CohortEffects;
  /** Every effect the build carries (faults and benign ones). */
  faults: readonly FaultInstance[];
  /** Metrics gaps among them leave points missing, with nothing drawn. */
  confounders: readonly ConfounderInstance[];
  /**
   * The trial's key (its seed and number): each point's randomness comes from a stream keyed
   * by it and by what the point is (its hosts, metric and span), never by when it was asked.
   */
  trialKey: string;
  /**
   * Compute every cohort's effect directly and draw old-build groups cohort by cohort: no
   * memo, no merging. Slower; it exists so tests can check that the fast path draws the same.
   */
  direct?: boolean;
}

/**
 * How many minutes of a fleet cohort's effects are remembered: an hour's, one slot per minute
 * of t (direct-mapped), enough for the longest span checks re-read between measurements.
 */
const EFFECT_MEMO = 64;

/** Points drawn for one group, by metric and interval end. */
type PointsByMetric = Map<MetricName, Map<Minutes, MetricPoint>>;

/** A group's hosts as if on the old build, the points drawn for them, and their key word. */
interface OldGroup {
  cohorts: Cohort[];
  points: PointsByMetric;
  hash: number;
}

/** Each metric's word in a point's key. */
const METRIC_WORD = Object.fromEntries(
  METRIC_NAMES.map((m, i) => [m, fmix32(0x51ed270b + i)]),
) as Record<MetricName, number>;

const LATENCY_QUANTILES: Partial<Record<MetricName, number>> = {
  latency_p50: 0.5,
  latency_p90: 0.9,
  latency_p99: 0.99,
};

/**
 * Draws metric data points: one point is a metric over one metric interval for a group of
 * cohorts, drawn for the whole interval at once (Poisson requests, binomial errors, latency
 * quantiles from their asymptotic law), never request by request. A point is drawn the first
 * time it is asked for and remembered, so two checks reading the same data agree.
 */
export class Sampler {
  private readonly scenario: ScenarioConfig;
  private readonly service: ServiceConfig;
  private readonly load: Load;
  private readonly effects: CohortEffects;
  private readonly faults: readonly FaultInstance[];
  private readonly gaps: ConfounderIndex;
  /** The stream a point is drawn from, restarted at the point's own key before each draw. */
  private readonly rng = new KeyedStream();
  private readonly trialHash: number;
  private readonly direct: boolean;
  /** Points drawn so far, by group key, metric and interval end, with the group's key word. */
  private readonly points = new Map<string, { hash: number; byMetric: PointsByMetric }>();
  /** Points over spans other than one metric interval (a window's scrapes), by group, metric and span. */
  private readonly spans = new Map<string, MetricPoint>();
  /** Groups as if on the old build (same hosts), by group key, with the points drawn for them. */
  private readonly asOld = new Map<string, OldGroup>();
  // drawPoint's scratch, reused between points (drawPoint never re-enters), written by index and
  // never shrunk: no garbage and no reallocation per point. Entries past a group's length are stale.
  private readonly pointAcc: Readonly<EffectAccumulator>[] = [];
  private pointReqs = new Float64Array(64);
  /** Reusable accumulators: one per cohort of the group being drawn. */
  private readonly scratchPool: EffectAccumulator[] = [];
  // A point's per-region memo. Cohorts of the old build that are neither a fresh baseline nor
  // rolled back differ only in size and region: within one point their effect and conversion
  // rate are the region's, so each is computed once per region (staging is a region of its
  // own, indexed after production's), not once per cohort. A slot holds a value for the point
  // whose number it stamps.
  private pointNumber = 0;
  private readonly oldEffectStamp: Float64Array;
  private readonly oldEffect: Readonly<EffectAccumulator>[] = [];
  private readonly conversionStamp: Float64Array;
  private readonly conversionOf: Float64Array;
  // Every other cohort's recent effects, by cohort id and minute of t: each check reads its
  // metric over the same recent intervals in turn (errors, crashes, memory, conversion), and
  // the effect at t depends only on the cohort's time since its last process start, which the
  // memo also holds, and on its region and build, which never change.
  // Plain arrays of doubles, kept on V8's heap: a typed array this size would get an off-heap
  // buffer, slow to make and to collect, and every trial makes a sampler. Allocated when first
  // needed: many trials (a policy without checks) never draw a point.
  private effectAtTime: number[] = [];
  private effectRestart: number[] = [];
  private memoCohorts = 0;
  private readonly effectOf: Readonly<EffectAccumulator>[] = [];
  private readonly effectOut: EffectAccumulator[] = [];

  constructor(options: SamplerOptions) {
    this.scenario = options.scenario;
    this.service = options.scenario.service;
    this.load = options.load;
    this.effects = options.effects;
    this.faults = options.faults;
    this.gaps = new ConfounderIndex(options.confounders.filter((c) => c.metricsGap === true));
    this.trialHash = hashString(options.trialKey);
    this.direct = options.direct === true;
    const slots = options.scenario.fleet.regions.length + 1;
    this.oldEffectStamp = new Float64Array(slots);
    this.conversionStamp = new Float64Array(slots);
    this.conversionOf = new Float64Array(slots);
  }

  /** The point of `metric` for a group over the metric interval ending at `end`. */
  point(group: CohortGroup, metric: MetricName, end: Minutes): MetricPoint {
    // Nested maps, no key strings: the caller's key string keeps its hash across calls.
    const known = this.groupPoints(group.key);
    let byEnd = known.byMetric.get(metric);
    if (byEnd === undefined) known.byMetric.set(metric, (byEnd = new Map()));
    let point = byEnd.get(end);
    if (point === undefined) {
      this.seedPoint(known.hash, metric, end, end - this.scenario.metricInterval);
      point = this.drawPoint(metric, group.cohorts, end);
      byEnd.set(end, point);
    }
    return point;
  }

  private groupPoints(key: string): { hash: number; byMetric: PointsByMetric } {
    let known = this.points.get(key);
    if (known === undefined)
      this.points.set(key, (known = { hash: hashString(key), byMetric: new Map() }));
    return known;
  }

  /** Restarts the point stream at the key of one point: its hosts, metric and span. */
  private seedPoint(hosts: number, metric: MetricName, end: Minutes, start: Minutes): void {
    this.rng.seed(
      this.trialHash,
      hosts,
      METRIC_WORD[metric],
      hashNumber(end) ^ fmix32(hashNumber(start)),
    );
  }

  /**
   * The point of `metric` for a group over the span (start, end]: what a query whose window is
   * shorter than one metric interval reads (the time between its first and last scrape). One
   * draw for the whole span, remembered like any point.
   */
  pointOver(group: CohortGroup, metric: MetricName, start: Minutes, end: Minutes): MetricPoint {
    const key = `${group.key}\u0000${metric}\u0000${start}\u0000${end}`;
    let point = this.spans.get(key);
    if (point === undefined) {
      this.seedPoint(this.groupPoints(group.key).hash, metric, end, start);
      point = this.drawPoint(metric, group.cohorts, end, start);
      this.spans.set(key, point);
    }
    return point;
  }

  /**
   * The point for the same hosts as if they ran the old build, over the interval ending at
   * `at` (before the deploy, or a week earlier), labelled with time `label`.
   */
  pointAsOld(group: CohortGroup, metric: MetricName, at: Minutes, label: Minutes): MetricPoint {
    const old = this.oldGroup(group);
    let byAt = old.points.get(metric);
    if (byAt === undefined) old.points.set(metric, (byAt = new Map()));
    let point = byAt.get(at);
    if (point === undefined) {
      this.seedPoint(old.hash, metric, at, at - this.scenario.metricInterval);
      // drawPoint makes a new point each time: relabelling it copies nothing.
      point = this.drawPoint(metric, old.cohorts, at);
      point.t = label;
      byAt.set(at, point);
    }
    return point;
  }

  /** `pointAsOld` over the span (start, end] instead of one metric interval. */
  pointAsOldOver(
    group: CohortGroup,
    metric: MetricName,
    start: Minutes,
    end: Minutes,
    label: Minutes,
  ): MetricPoint {
    const key = `old\u0000${group.key}\u0000${metric}\u0000${start}\u0000${end}`;
    let point = this.spans.get(key);
    if (point === undefined) {
      const old = this.oldGroup(group);
      this.seedPoint(old.hash, metric, end, start);
      point = this.drawPoint(metric, old.cohorts, end, start);
      point.t = label;
      this.spans.set(key, point);
    }
    return point;
  }

  /**
   * The group's hosts as if on the old build, with the points drawn for them. Their points are
   * keyed by how many hosts of each region they are, not by which cohorts the fleet split
   * them into: the same hosts a week ago are the same data for every check and policy.
   */
  private oldGroup(group: CohortGroup): OldGroup {
    let old = this.asOld.get(group.key);
    if (old === undefined) {
      const regions = regionsOnOldBuild(group.cohorts);
      const cohorts = this.direct
        ? group.cohorts.map((c) => oldBuildCohort(c.environment, c.region, c.hosts, c.errorMult))
        : regions;
      const hosts = regions.map((c) => `${c.region.index}x${c.hosts}`).join(',');
      old = { cohorts, points: new Map(), hash: hashString(`old:${hosts}`) };
      this.asOld.set(group.key, old);
    }
    return old;
  }

  private gapAt(end: Minutes): boolean {
    for (const k of this.gaps.at(end)) if (end >= k.start && end < k.end) return true;
    return false;
  }

  /**
   * Cohort c's effect at a point's midpoint t (c being the point's i-th cohort, the point
   * numbered `stamp`): a plain old cohort's is its region's, computed once per point; a fleet
   * cohort's comes from its memo; anything else (and everything when `direct`) is computed.
   */
  private pointEffect(
    c: Cohort,
    t: Minutes,
    i: number,
    stamp: number,
  ): Readonly<EffectAccumulator> {
    if (!this.direct) {
      if (!c.isNew && !c.freshBaseline && c.revertedAt === undefined) {
        const slot = c.region.index;
        if (this.oldEffectStamp[slot] !== stamp) {
          this.oldEffectStamp[slot] = stamp;
          this.oldEffect[slot] = this.effects.effectAt(c, t, true, this.faults, this.scratch(i));
        }
        return this.oldEffect[slot]!;
      }
      if (c.id >= 0) return this.cohortEffect(c, t);
    }
    return this.effects.effectAt(c, t, true, this.faults, this.scratch(i));
  }

  /** A fleet cohort's effect at t (every confounder included), remembered for its next metrics. */
  private cohortEffect(c: Cohort, t: Minutes): Readonly<EffectAccumulator> {
    const id = c.id;
    if (id >= this.memoCohorts) this.growEffectMemo(id);
    const k = id * EFFECT_MEMO + (Math.floor(t) & (EFFECT_MEMO - 1));
    if (this.effectAtTime[k] === t && this.effectRestart[k] === c.lastRestartAt)
      return this.effectOf[k]!;
    let out = this.effectOut[k];
    if (out === undefined) this.effectOut[k] = out = identityEffect();
    const e = this.effects.effectAt(c, t, true, this.faults, out);
    this.effectAtTime[k] = t;
    this.effectRestart[k] = c.lastRestartAt;
    this.effectOf[k] = e;
    return e;
  }

  private growEffectMemo(id: number): void {
    const n = Math.max(16, 2 * (id + 1));
    // Grown in place: new slots hold NaN, a time no lookup matches.
    for (let k = this.memoCohorts * EFFECT_MEMO; k < n * EFFECT_MEMO; k++) {
      this.effectAtTime.push(NaN);
      this.effectRestart.push(NaN);
    }
    this.memoCohorts = n;
  }

  private scratch(i: number): EffectAccumulator {
    while (this.scratchPool.length <= i) this.scratchPool.push(identityEffect());
    return this.scratchPool[i]!;
  }

  private drawPoint(
    metric: MetricName,
    group: readonly Cohort[],
    end: Minutes,
    start: Minutes = end - this.scenario.metricInterval,
  ): MetricPoint {
    if (group.length === 0 || this.gapAt(end)) return missingPoint(end);
    const mid = (start + end) / 2;
    let hosts = 0;
    let expected = 0;
    const acc = this.pointAcc;
    if (this.pointReqs.length < group.length) this.pointReqs = new Float64Array(2 * group.length);
    const reqs = this.pointReqs;
    const stamp = ++this.pointNumber;
    for (let i = 0; i < group.length; i++) {
      const c = group[i]!;
      const r =
        c.hosts * c.trafficFactor * this.load.perHostRequests(c.environment, c.region, start, end);
      acc[i] = this.pointEffect(c, mid, i, stamp);
      reqs[i] = r;
      expected += r;
      hosts += c.hosts;
    }
    // One method per metric: each stays small, so the engine optimises (and, when a new kind
    // of input turns up, re-optimises) them one at a time.
    switch (metric) {
      case 'requests': {
        const n = poisson(this.rng, expected);
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
    const rng = this.rng;
    const sd = this.scenario.noise.intervalErrorSd;
    const n = poisson(rng, expected);
    if (n === 0) return missingPoint(end);
    const eps = sd > 0 ? lognormal(rng, -(sd ** 2) / 2, sd) : 1;
    let p = 0;
    for (let i = 0; i < group.length; i++)
      p += this.pointReqs[i]! * this.effects.errorProbability(group[i]!, this.pointAcc[i]!, eps);
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
    const rng = this.rng;
    const sd = this.scenario.noise.intervalLatencySd;
    const n = poisson(rng, expected);
    if (n === 0) return missingPoint(end);
    const eps = sd > 0 ? lognormal(rng, 0, sd) : 1;
    const comps: LognormalComponent[] = [];
    for (let i = 0; i < group.length; i++)
      this.effects.latencyComponents(
        this.pointAcc[i]!,
        this.pointReqs[i]!,
        eps * this.effects.loadLatencyFactor(group[i]!, mid),
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
    const value = normal(this.rng, mean, (0.02 * baseMB) / Math.sqrt(hosts));
    return { t: end, value: Math.max(0, value), n: hosts, events: 0 };
  }

  private connectionsPoint(group: readonly Cohort[], end: Minutes, hosts: number): MetricPoint {
    const { holdMs, poolSize } = this.service.connections;
    let conns = 0;
    for (let i = 0; i < group.length; i++) {
      const c = group[i]!;
      const inflight = (this.load.perHostRate(c.environment, c.region, end) / 60) * (holdMs / 1000);
      conns += c.hosts * Math.min(poolSize, inflight + this.pointAcc[i]!.connections);
    }
    const mean = conns / hosts;
    const value = normal(this.rng, mean, Math.sqrt(Math.max(mean, 1) / hosts));
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
    const crashes = poisson(this.rng, (rate * (end - start)) / 60) + restarts;
    return { t: end, value: crashes, n: hosts, events: crashes };
  }

  private conversionPoint(
    group: readonly Cohort[],
    end: Minutes,
    mid: Minutes,
    expected: number,
  ): MetricPoint {
    const rng = this.rng;
    const sd = this.scenario.noise.intervalConversionSd;
    const sessions = poisson(rng, expected / this.service.business.requestsPerSession);
    if (sessions === 0) return missingPoint(end);
    const eps = sd > 0 ? lognormal(rng, -(sd ** 2) / 2, sd) : 1;
    const stamp = this.pointNumber;
    let conv = 0;
    for (let i = 0; i < group.length; i++) {
      const slot = group[i]!.region.index;
      if (this.conversionStamp[slot] !== stamp || this.direct) {
        this.conversionStamp[slot] = stamp;
        this.conversionOf[slot] = this.effects.conversionAt(group[i]!.region, mid);
      }
      conv += this.pointReqs[i]! * this.conversionOf[slot]! * this.pointAcc[i]!.conversionMul;
    }
    conv = expected > 0 ? (conv / expected) * eps : 0;
    const checkouts = binomial(rng, sessions, Math.min(1, Math.max(0, conv)));
    return { t: end, value: checkouts / sessions, n: sessions, events: checkouts };
  }
}

/** Hosts of a region on the old build, never restarted, rolled back or freshly started. */
function oldBuildCohort(
  environment: Environment,
  region: RegionRuntime,
  hosts: number,
  errorMult: number,
): Cohort {
  return new Cohort(-1, environment, region, hosts, false, -Infinity, errorMult, undefined);
}

/**
 * Cohorts' hosts as if on the old build, one cohort per region. On the old build a region's
 * hosts differ only in their error-rate multiplier, and every metric is linear in it (a
 * mixture's weights, a mean's terms; as long as no host's error probability exceeds 1), so a
 * region's hosts as one cohort with their host-weighted mean multiplier draw from the same
 * law as cohort by cohort, over a few regions instead of every cohort the fleet split into.
 */
function regionsOnOldBuild(cohorts: readonly Cohort[]): Cohort[] {
  const byRegion = new Map<RegionRuntime, { env: Environment; hosts: number; weight: number }>();
  for (const c of cohorts) {
    const r = byRegion.get(c.region);
    if (r === undefined)
      byRegion.set(c.region, { env: c.environment, hosts: c.hosts, weight: c.hosts * c.errorMult });
    else {
      r.hosts += c.hosts;
      r.weight += c.hosts * c.errorMult;
    }
  }
  return [...byRegion].map(([region, r]) =>
    oldBuildCohort(r.env, region, r.hosts, r.hosts > 0 ? r.weight / r.hosts : 1),
  );
}

/** A point without data: a metrics gap, a delay, or an interval without requests. */
export function missingPoint(end: Minutes): MetricPoint {
  return { t: end, value: NaN, n: 0, events: 0 };
}
