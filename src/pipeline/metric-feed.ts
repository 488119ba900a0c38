/**
 * The metric feed: what a check run reads from the simulated world at each measurement, as a
 * metrics system would deliver it. It picks the run's canary and baseline cohorts, asks the
 * sampler for the points of the metric intervals that ended since the run last read, serves
 * a point still inside a metrics delay as missing (and asks again while the delay may still
 * deliver it), and adds the references some judges compare with: the same hosts before the
 * deploy, and a week earlier. A window reads what Prometheus would return for it: nothing when
 * it holds fewer scrapes than the metric's query needs (world/scrape.ts), and one draw over
 * the span between its first and last scrape when no metric interval ends inside it.
 */
import type { MetricData } from '../judges/types.js';
import type { CheckConfig, PolicyConfig } from '../policy/types.js';
import { WEEK } from '../world/calendar.js';
import type { Cohort } from '../world/cohort.js';
import { ConfounderIndex } from '../world/confounder-index.js';
import type { ConfounderInstance } from '../world/confounders/types.js';
import { missingPoint, type CohortGroup } from '../world/sampler.js';
import { samplesNeeded, scrapesIn, type ScrapeGrid, type ScrapesInRange } from '../world/scrape.js';
import { formatDuration } from '../util/duration.js';
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
  /** Why the main metric has no data, when its window holds too few scrapes for its query. */
  noData?: string | undefined;
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

/** What a check run keeps between measurements. */
interface RunData {
  /** End of the newest span recorded for the chart. */
  lastEnd: Minutes;
  /** The `before` reference per metric, drawn once. */
  before: Map<MetricName, MetricPoint[]>;
  /** What the run's last read of each metric delivered, for extending a growing window. */
  delivered: Map<MetricName, Delivered>;
}

/**
 * The whole metric intervals firstK..lastK a read delivered for one metric, for the groups it
 * read. A cumulative window's next read covers the same intervals and more: it reuses these
 * (asking again only for the points a metrics delay held back) and draws only the new ones,
 * instead of looking up every interval since the run began at every measurement.
 */
interface Delivered {
  canaryKey: string;
  baselineKey: string | undefined;
  firstK: number;
  lastK: number;
  canary: MetricPoint[];
  baseline: MetricPoint[];
  /** Per past week (index j − 1 for j weeks back), the same hosts' points on the old build. */
  seasonal: MetricPoint[][];
  /** Indices of the points served as missing because a metrics delay held them back. */
  delayed: number[];
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
  /** When the service is scraped; metric intervals end on the same grid's anchor. */
  private readonly scrapes: ScrapeGrid;
  private readonly startAt: Minutes;
  private readonly series: SeenPoint[] | undefined;
  private readonly delays: ConfounderIndex;
  /** What each check run has seen, by run id. */
  private readonly runs = new Map<number, RunData>();
  /** Each run's groups, by run id, rebuilt only when the fleet changed. */
  private readonly groups = new Map<number, RunGroups>();
  /** The cohorts each stage deployed (scope: stage). */
  private readonly stageCohorts: Cohort[][] = [];
  /** The fresh baseline cohorts each stage started beside its own (baselineScope: fresh). */
  private readonly freshCohorts: Cohort[][] = [];

  constructor(options: MetricFeedOptions) {
    this.world = options.world;
    this.policy = options.policy;
    this.step = options.metricInterval;
    this.scrapes = options.world.scrapes;
    this.startAt = options.startAt;
    this.series = options.series;
    const delays = options.confounders.filter((c) => c.metricsDelayMin !== undefined);
    this.delays = new ConfounderIndex(delays);
  }

  /** Stage i begins deploying: the hosts it adds from now on are its own. */
  stageStarted(i: number): void {
    this.stageCohorts[i] = [];
    this.freshCohorts[i] = [];
  }

  /** Stage i started cohort c of the old build as its fresh baseline. */
  freshBaselineStarted(i: number, c: Cohort): void {
    this.freshCohorts[i]!.push(c);
  }

  /** Stage i put cohort c on the new build. */
  stageDeployed(i: number, c: Cohort): void {
    this.stageCohorts[i]!.push(c);
  }

  /**
   * The data a run's judge reads at `now`: for each metric, the span between the first and
   * last scrape of the check's window (nothing when the window holds fewer scrapes than the
   * metric's query needs), as the whole metric intervals inside it, or one draw for the whole
   * span when it is shorter than a metric interval. Points are asked for at every measurement, so one that a metrics
   * delay held back is delivered once the delay has passed.
   */
  read(r: CheckRun, now: Minutes): Reading {
    const seen = this.runData(r);
    const check = r.check;
    const baselineRequired = readsBaseline(check, r.model);
    const { canary, lastWeek, baseline } = this.groupsOf(r, baselineRequired);

    const windowStart = measurementWindowStart(check, r, now);
    const scraped = scrapesIn(this.scrapes, windowStart, now);
    const data: Partial<Record<MetricName, MetricData>> = {};
    let newest = seen.lastEnd;
    for (const metric of r.metrics) {
      let cs: MetricPoint[] = [];
      let bs: MetricPoint[] = [];
      let ss: MetricPoint[][] = [];
      // Fewer scrapes than the query needs: Prometheus returns nothing, onMissingData decides.
      if (scraped.count >= samplesNeeded(metric)) {
        const span = this.spanOf(scraped, samplesNeeded(metric), windowStart);
        const got = this.readSpan(r, seen, metric, span, { canary, lastWeek, baseline }, now);
        cs = got.canary;
        bs = got.baseline;
        ss = got.seasonal;
        newest = Math.max(newest, got.newest);
      } else {
        seen.delivered.delete(metric);
      }
      const d: MetricData = { canary: cs };
      if (baseline !== undefined) d.baseline = bs;
      if (r.model.needs.seasonal) {
        d.seasonal = ss[0] ?? [];
        if (ss.length > 1) d.seasonalWeeks = ss;
      }
      if (r.model.needs.before) {
        // The same hosts on the old build before the deploy began: an hour, or as long as the window.
        let before = seen.before.get(metric);
        if (before === undefined)
          seen.before.set(metric, (before = this.before(check, canary, metric)));
        d.before = before;
      }
      data[metric] = d;
    }
    seen.lastEnd = newest;
    const main = data[check.metric] !== undefined ? check.metric : r.metrics[0]!;
    const need = samplesNeeded(main);
    const noData =
      scraped.count < need
        ? tooFewScrapes(now - windowStart, this.scrapes.interval, scraped.count, need)
        : undefined;
    return { data, main, baselineRequired, noData };
  }

  /**
   * A metric's points over the span [from, to] of a window's scrapes: every whole metric
   * interval (ending on `anchor + k × step`) inside it; when none fits, one draw for the whole
   * span. The remainders at either end of a longer span (each under one metric interval) are
   * left out: a judge that keeps state takes each point once by its time, and a remainder would
   * cover time a later whole point covers again. Only a run's first short span can still
   * overlap the whole point a later window reads. Records the points not recorded yet.
   */
  private readSpan(
    r: CheckRun,
    seen: RunData,
    metric: MetricName,
    [from, to]: [Minutes, Minutes],
    groups: Omit<RunGroups, 'version'>,
    now: Minutes,
  ): {
    canary: MetricPoint[];
    baseline: MetricPoint[];
    seasonal: MetricPoint[][];
    newest: Minutes;
  } {
    const { canary, lastWeek, baseline } = groups;
    const { anchor } = this.scrapes;
    const step = this.step;
    const weeks = r.binding.seasonalWeeks;
    const firstK = Math.ceil((from - anchor) / step - 1e-9) + 1;
    const lastK = Math.floor((to - anchor) / step + 1e-9);
    let newest = -Infinity;
    if (firstK > lastK) {
      seen.delivered.delete(metric);
      const c = this.deliveredPiece(canary, metric, from, to, false, now);
      const b =
        baseline === undefined
          ? undefined
          : this.deliveredPiece(baseline, metric, from, to, false, now);
      const s: MetricPoint[][] = [];
      for (let j = 1; j <= weeks; j++)
        s.push([
          this.world.sampler.pointAsOldOver(lastWeek, metric, from - j * WEEK, to - j * WEEK, to),
        ]);
      if (to > seen.lastEnd) {
        this.record(r.check.name, metric, c, b);
        newest = to;
      }
      return { canary: [c], baseline: b === undefined ? [] : [b], seasonal: s, newest };
    }

    // A growing window (cumulative) starts where the last read started: keep what it delivered.
    const last = seen.delivered.get(metric);
    const extends_ =
      last !== undefined &&
      last.canaryKey === canary.key &&
      last.baselineKey === baseline?.key &&
      last.firstK === firstK &&
      last.lastK <= lastK;
    let d: Delivered;
    if (extends_) {
      // Extended in place: a judge reads a window's points during its call and keeps none of
      // them (MetricData is read-only to it), so the next read may add to the same arrays.
      d = last;
      const heldBack = d.delayed;
      d.delayed = [];
      // Points a metrics delay held back are asked for again: the delay may have passed.
      for (const i of heldBack) {
        const end = anchor + (firstK + i) * step;
        d.canary[i] = this.deliveredPiece(canary, metric, end - step, end, true, now);
        if (baseline !== undefined)
          d.baseline[i] = this.deliveredPiece(baseline, metric, end - step, end, true, now);
        if (this.delays.size > 0 && this.delayedAt(end, now)) d.delayed.push(i);
      }
    } else {
      d = {
        canaryKey: canary.key,
        baselineKey: baseline?.key,
        firstK,
        lastK: firstK - 1,
        canary: [],
        baseline: [],
        seasonal: Array.from({ length: weeks }, () => []),
        delayed: [],
      };
    }
    const sampler = this.world.sampler;
    for (let k = d.lastK + 1; k <= lastK; k++) {
      const end = anchor + k * step;
      const c = this.deliveredPiece(canary, metric, end - step, end, true, now);
      d.canary.push(c);
      let b: MetricPoint | undefined;
      if (baseline !== undefined) {
        b = this.deliveredPiece(baseline, metric, end - step, end, true, now);
        d.baseline.push(b);
      }
      for (let j = 1; j <= weeks; j++)
        d.seasonal[j - 1]!.push(sampler.pointAsOld(lastWeek, metric, end - j * WEEK, end));
      if (this.delays.size > 0 && this.delayedAt(end, now)) d.delayed.push(k - firstK);
      if (end > seen.lastEnd) {
        this.record(r.check.name, metric, c, b);
        newest = end;
      }
    }
    d.lastK = lastK;
    seen.delivered.set(metric, d);
    return { canary: d.canary, baseline: d.baseline, seasonal: d.seasonal, newest };
  }

  /** The point over (start, end] as delivered at `now`: missing while a metrics delay holds it back. */
  private deliveredPiece(
    group: CohortGroup,
    metric: MetricName,
    start: Minutes,
    end: Minutes,
    whole: boolean,
    now: Minutes,
  ): MetricPoint {
    const sampler = this.world.sampler;
    const point = whole
      ? sampler.point(group, metric, end)
      : sampler.pointOver(group, metric, start, end);
    return this.delays.size > 0 && this.delayedAt(end, now) ? missingPoint(end) : point;
  }

  /** Records points a check saw, for the explain chart. */
  private record(check: string, metric: MetricName, c: MetricPoint, b: MetricPoint | undefined) {
    if (this.series === undefined) return;
    this.series.push({ check, metric, role: 'canary', t: c.t, value: c.value });
    if (b !== undefined)
      this.series.push({ check, metric, role: 'baseline', t: b.t, value: b.value });
  }

  /**
   * The span a window's query covers: from its first scrape to its last for a rate; for a gauge
   * read at one scrape, the scrape interval before it (within the window).
   */
  private spanOf(scraped: ScrapesInRange, need: 1 | 2, windowStart: Minutes): [Minutes, Minutes] {
    if (need === 2 || scraped.count >= 2) return [scraped.first, scraped.last];
    return [Math.max(windowStart, scraped.last - this.scrapes.interval), scraped.last];
  }

  private delayedAt(end: Minutes, now: Minutes): boolean {
    for (const k of this.delays.at(end)) {
      if (end >= k.start && end < k.end && now < end + k.metricsDelayMin!) return true;
    }
    return false;
  }

  private before(check: CheckConfig, canary: CohortGroup, metric: MetricName): MetricPoint[] {
    const step = this.step;
    const span = beforeSpan(typeof check.window === 'number' ? check.window : check.interval);
    const out: MetricPoint[] = [];
    const anchor = this.scrapes.anchor;
    for (
      let e = anchor + (Math.floor((this.startAt - span - anchor) / step) + 1) * step;
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
      d = {
        lastEnd: r.startedAt + check.initialDelay - back,
        before: new Map(),
        delivered: new Map(),
      };
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
    const all = this.canaryCohorts(r.check, r.stage, staging);
    const canary = r.region === undefined ? all : all.filter((c) => c.region === r.region);
    const baseline = wantsBaseline
      ? this.baselineCohorts(r.check, r.stage, canary, staging)
      : undefined;
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
    stage: number,
    canary: readonly Cohort[],
    staging: boolean,
  ): Cohort[] {
    const fleet = this.world.fleet;
    if (staging) return fleet.select((c) => c.environment === 'staging' && !c.isNew);
    if (check.baselineScope === 'fresh') {
      // The stage's own fresh cluster for its own hosts; every live one for every new host.
      return check.scope === 'stage' && stage >= 0
        ? (this.freshCohorts[stage] ?? []).filter((c) => c.hosts > 0)
        : fleet.select((c) => c.freshBaseline);
    }
    const regions = new Set(canary.map((c) => c.region.index));
    return fleet.select(
      (c) =>
        c.environment === 'production' &&
        !c.isNew &&
        !c.freshBaseline &&
        c.revertedAt === undefined &&
        (check.baselineScope === 'fleet' || regions.has(c.region.index)),
    );
  }
}

/** Why a window returned nothing: it holds fewer scrapes than its query needs. */
function tooFewScrapes(window: Minutes, every: Minutes, count: number, need: 1 | 2): string {
  const held = count === 0 ? 'no scrape' : count === 1 ? 'one scrape' : `${count} scrapes`;
  const query = need === 2 ? 'a rate needs two' : 'a gauge needs one';
  return `the ${formatDuration(window)} window holds ${held} (one every ${formatDuration(every)}); ${query}`;
}

/** A group's key names its cohorts and their sizes: equal keys, equal hosts. */
function groupKey(prefix: string, group: readonly Cohort[]): string {
  return prefix + ':' + group.map((c) => `${c.id}x${c.hosts}`).join(',');
}
