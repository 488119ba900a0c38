/**
 * The metric feed: what a check run reads from the simulated world at each measurement, as a
 * metrics system would deliver it. It picks the run's canary and baseline cohorts, asks the
 * sampler for the points of the metric intervals that ended since the run last read, serves
 * a point still inside a metrics delay as missing (and asks again while the delay may still
 * deliver it), and adds the references some judges compare with: the same hosts before the
 * deploy, and a week earlier.
 */
import type { MetricData } from '../judges/types.js';
import type { CheckConfig, PolicyConfig } from '../policy/types.js';
import { WEEK } from '../world/calendar.js';
import type { Cohort } from '../world/cohort.js';
import { ConfounderIndex } from '../world/confounder-index.js';
import type { ConfounderInstance } from '../world/confounders/types.js';
import { missingPoint, type CohortGroup } from '../world/sampler.js';
import type { MetricName, MetricPoint, Minutes } from '../world/types.js';
import type { World } from '../world/world.js';
import { beforeSpan, measurementWindowStart, readsBaseline } from './measure.js';
import type { CheckRun } from './rollout.js';

/** A metric point a check saw, for charts. */
export interface SeenPoint {
  check: string;
  metric: MetricName;
  role: 'canary' | 'baseline';
  t: Minutes;
  value: number;
}

/** What a measurement reads: every metric its judge needs, and the metric that decides missing data. */
export interface Reading {
  data: Partial<Record<MetricName, MetricData>>;
  main: MetricName;
  /** Whether the check reads the old build's hosts (no baseline data is then missing data). */
  baselineRequired: boolean;
}

export interface MetricFeedOptions {
  world: World;
  /** Metrics delays among them hold points back. */
  confounders: readonly ConfounderInstance[];
  policy: PolicyConfig;
  /** Granularity of metric data points. */
  metricInterval: Minutes;
  /** The deploy's start: `before` references end here. */
  startAt: Minutes;
  /** Where to record every point a check saw (for the explain chart); undefined records none. */
  series: SeenPoint[] | undefined;
}

/** What a check run has seen, so its windows grow incrementally. */
interface RunData {
  /** End of the last metric interval observed. */
  lastEnd: Minutes;
  /** Every point the run has seen, per metric, oldest first. */
  history: Map<MetricName, RunHistory>;
}

interface RunHistory {
  canary: MetricPoint[];
  baseline: MetricPoint[];
  seasonal: MetricPoint[];
  before: MetricPoint[] | undefined;
}

/** A run's groups as of a fleet version. */
interface RunGroups {
  version: number;
  canary: CohortGroup;
  /** The canary's hosts, for their old-build points a week earlier. */
  lastWeek: CohortGroup;
  baseline: CohortGroup | undefined;
}

export class MetricFeed {
  private readonly world: World;
  private readonly policy: PolicyConfig;
  private readonly step: Minutes;
  private readonly startAt: Minutes;
  private readonly series: SeenPoint[] | undefined;
  private readonly delays: ConfounderIndex;
  /** The longest metrics delay any confounder causes (0 when none does). */
  private readonly maxDelay: Minutes;
  /** What each check run has seen, by run id. */
  private readonly runs = new Map<number, RunData>();
  /** Each run's groups, by run id, rebuilt only when the fleet changed. */
  private readonly groups = new Map<number, RunGroups>();
  /** The cohorts each stage deployed (scope: stage). */
  private readonly stageCohorts: Cohort[][] = [];

  constructor(options: MetricFeedOptions) {
    this.world = options.world;
    this.policy = options.policy;
    this.step = options.metricInterval;
    this.startAt = options.startAt;
    this.series = options.series;
    const delays = options.confounders.filter((c) => c.metricsDelayMin !== undefined);
    this.delays = new ConfounderIndex(delays);
    this.maxDelay = delays.reduce((m, c) => Math.max(m, c.metricsDelayMin!), 0);
  }

  /** Stage i begins deploying: the hosts it adds from now on are its own. */
  stageStarted(i: number): void {
    this.stageCohorts[i] = [];
  }

  /** Stage i put cohort c on the new build. */
  stageDeployed(i: number, c: Cohort): void {
    this.stageCohorts[i]!.push(c);
  }

  /**
   * The data a run's judge reads at `now`. Each run keeps the points it has seen and adds
   * only the new ones, so a cumulative window costs O(1) points per measurement; points that
   * were missing only because they arrived late are asked for again until the delay has passed.
   */
  read(r: CheckRun, now: Minutes): Reading {
    const seen = this.runData(r);
    const check = r.check;
    const step = this.step;
    const baselineRequired = readsBaseline(check, r.model);
    const { canary, lastWeek, baseline } = this.groupsOf(r, baselineRequired);
    const sampler = this.world.sampler;

    const ends = newIntervalEnds(seen.lastEnd, now, step);
    const refetchAfter = now - this.maxDelay;
    const windowStart = measurementWindowStart(check, r, now);
    const data: Partial<Record<MetricName, MetricData>> = {};
    for (const metric of r.metrics) {
      let h = seen.history.get(metric);
      if (h === undefined) {
        h = { canary: [], baseline: [], seasonal: [], before: undefined };
        seen.history.set(metric, h);
      }
      // Late points: ask again for those still missing inside the longest metrics delay.
      if (this.maxDelay > 0) {
        this.refetchMissing(h.canary, refetchAfter, canary, metric, now);
        if (baseline !== undefined)
          this.refetchMissing(h.baseline, refetchAfter, baseline, metric, now);
      }
      for (const e of ends) {
        const c = this.delivered(canary, metric, e, now);
        h.canary.push(c);
        const b = baseline === undefined ? undefined : this.delivered(baseline, metric, e, now);
        if (b !== undefined) h.baseline.push(b);
        if (r.model.needs.seasonal)
          h.seasonal.push(sampler.pointAsOld(lastWeek, metric, e - WEEK, e));
        if (this.series !== undefined) {
          this.series.push({ check: check.name, metric, role: 'canary', t: c.t, value: c.value });
          if (b !== undefined)
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
        // The same hosts on the old build before the deploy began: an hour, or as long as the window.
        h.before ??= this.before(check, canary, metric);
        d.before = h.before;
      }
      data[metric] = d;
    }
    if (ends.length > 0) seen.lastEnd = ends[ends.length - 1]!;
    const main = data[check.metric] !== undefined ? check.metric : r.metrics[0]!;
    return { data, main, baselineRequired };
  }

  /** The point as delivered at `now`: missing while a metrics delay still holds it back. */
  private delivered(
    group: CohortGroup,
    metric: MetricName,
    end: Minutes,
    now: Minutes,
  ): MetricPoint {
    const point = this.world.sampler.point(group, metric, end);
    return this.delays.size > 0 && this.delayedAt(end, now) ? missingPoint(end) : point;
  }

  private delayedAt(end: Minutes, now: Minutes): boolean {
    for (const k of this.delays.at(end)) {
      if (end >= k.start && end < k.end && now < end + k.metricsDelayMin!) return true;
    }
    return false;
  }

  private refetchMissing(
    points: MetricPoint[],
    after: Minutes,
    group: CohortGroup,
    metric: MetricName,
    now: Minutes,
  ): void {
    for (let i = points.length - 1; i >= 0 && points[i]!.t > after; i--) {
      if (Number.isNaN(points[i]!.value))
        points[i] = this.delivered(group, metric, points[i]!.t, now);
    }
  }

  private before(check: CheckConfig, canary: CohortGroup, metric: MetricName): MetricPoint[] {
    const step = this.step;
    const span = beforeSpan(typeof check.window === 'number' ? check.window : check.interval);
    const out: MetricPoint[] = [];
    for (
      let e = Math.floor((this.startAt - span) / step) * step + step;
      e <= this.startAt;
      e += step
    )
      out.push(this.world.sampler.pointAsOld(canary, metric, e, e));
    return out;
  }

  private runData(r: CheckRun): RunData {
    let d = this.runs.get(r.id);
    if (d === undefined) {
      const check = r.check;
      // A lookback window may reach back before the run began.
      const back =
        typeof check.window === 'number' ? Math.max(0, check.window - check.interval) : 0;
      d = { lastEnd: r.startedAt + check.initialDelay - back, history: new Map() };
      this.runs.set(r.id, d);
    }
    return d;
  }

  /** The run's canary and baseline groups, rebuilt only when the fleet changed. */
  private groupsOf(r: CheckRun, wantsBaseline: boolean): RunGroups {
    const version = this.world.fleet.version;
    const known = this.groups.get(r.id);
    if (known !== undefined && known.version === version) return known;
    const staging = r.stage >= 0 && this.policy.stages[r.stage]!.target.kind === 'staging';
    const canary = this.canaryCohorts(r.check, r.stage, staging);
    const baseline = wantsBaseline ? this.baselineCohorts(r.check, canary, staging) : undefined;
    const canaryKey = groupKey('c', canary);
    const groups: RunGroups = {
      version,
      canary: { key: canaryKey, cohorts: canary },
      lastWeek: { key: `lastweek:${canaryKey}`, cohorts: canary },
      baseline:
        baseline === undefined ? undefined : { key: groupKey('b', baseline), cohorts: baseline },
    };
    this.groups.set(r.id, groups);
    return groups;
  }

  private canaryCohorts(check: CheckConfig, stage: number, staging: boolean): Cohort[] {
    const fleet = this.world.fleet;
    if (staging) return fleet.select((c) => c.environment === 'staging' && c.isNew);
    switch (check.scope) {
      case 'new':
        return fleet.select((c) => c.environment === 'production' && c.isNew);
      case 'stage':
        return stage >= 0
          ? (this.stageCohorts[stage] ?? []).filter((c) => c.hosts > 0)
          : fleet.select((c) => c.environment === 'production' && c.isNew);
      case 'all':
        return fleet.select((c) => c.environment === 'production');
      default: {
        const never: never = check.scope;
        throw new Error(`unknown scope ${String(never)}`);
      }
    }
  }

  private baselineCohorts(
    check: CheckConfig,
    canary: readonly Cohort[],
    staging: boolean,
  ): Cohort[] {
    const fleet = this.world.fleet;
    if (staging) return fleet.select((c) => c.environment === 'staging' && !c.isNew);
    const regions = new Set(canary.map((c) => c.region.index));
    return fleet.select(
      (c) =>
        c.environment === 'production' &&
        !c.isNew &&
        c.revertedAt === undefined &&
        (check.baselineScope === 'fleet' || regions.has(c.region.index)),
    );
  }
}

/** Ends of the metric intervals (multiples of `step`) in (after, now]. */
function newIntervalEnds(after: Minutes, now: Minutes, step: Minutes): Minutes[] {
  const ends: Minutes[] = [];
  for (let k = Math.floor(after / step + 1e-9) + 1; k * step <= now + 1e-9; k++)
    ends.push(k * step);
  return ends;
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

/** A group's key names its cohorts and their sizes: equal keys, equal hosts. */
function groupKey(prefix: string, group: readonly Cohort[]): string {
  return prefix + ':' + group.map((c) => `${c.id}x${c.hosts}`).join(',');
}
