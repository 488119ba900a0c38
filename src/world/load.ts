import type { ConfounderInstance } from './confounders/types.js';
import { Cohort } from './cohort.js';
import type { FleetFacts } from './faults/types.js';
import {
  BumpedCurve,
  DiurnalCurve,
  firstTimeAtLeast,
  inverseIntegral,
  type LoadCurve,
} from './traffic.js';
import type {
  CohortView,
  Environment,
  Minutes,
  RegionRuntime,
  ScenarioConfig,
  ServiceConfig,
} from './types.js';

export interface LoadOptions {
  scenario: ScenarioConfig;
  regions: readonly RegionRuntime[];
  /** Traffic spikes among them raise their region's load while they last. */
  confounders: readonly ConfounderInstance[];
  /** Load curves to use instead of the analytic diurnal shape (trace-driven scenarios). */
  curves?: readonly LoadCurve[] | undefined;
  /** Per region, the business cycle in [−1, 1] to use instead of the analytic daily one. */
  conversionCycles?: readonly ((t: Minutes) => number)[] | undefined;
}

/**
 * The load on one host at any time, in closed form: a production region follows its load
 * curve (the analytic diurnal shape or a recording, traffic spikes on top), staging a
 * constant synthetic rate. Faults read it as their `WorldView`; the sampler and the impact
 * ledger count requests with it. Nothing steps through time.
 */
export class Load implements FleetFacts {
  readonly regions: readonly RegionRuntime[];
  readonly service: ServiceConfig;
  private readonly scenario: ScenarioConfig;
  private readonly curves: readonly LoadCurve[];
  private readonly analytic: readonly DiurnalCurve[];
  private readonly conversionCycles: readonly ((t: Minutes) => number)[] | undefined;
  private readonly perHostPeak: Float64Array;
  private readonly stagingPerHostRate: number;
  private readonly stagingShare: number;
  // perHostRequests' memo, two slots per region in typed arrays: their layout never changes,
  // so optimised code that reads them is never thrown away.
  private readonly lastIntegralA: Float64Array;
  private readonly lastIntegralB: Float64Array;
  private readonly lastIntegral: Float64Array;
  /** Per region, which of its two memo slots to overwrite next. */
  private readonly lastIntegralNext: Uint8Array;

  constructor(options: LoadOptions) {
    const { scenario, regions } = options;
    this.scenario = scenario;
    this.service = scenario.service;
    this.regions = regions;
    this.conversionCycles = options.conversionCycles;
    this.analytic = regions.map((r) => new DiurnalCurve(scenario.traffic, r.utcOffsetHours));
    const baseCurves = options.curves ?? this.analytic;
    this.curves = regions.map((r, i) => {
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
      regions,
      (r) => (scenario.traffic.peakRequestsPerMin * r.trafficShare) / r.hosts,
    );
    this.lastIntegralA = new Float64Array(2 * regions.length).fill(NaN);
    this.lastIntegralB = new Float64Array(2 * regions.length).fill(NaN);
    this.lastIntegral = new Float64Array(2 * regions.length);
    this.lastIntegralNext = new Uint8Array(regions.length);
    const totalHosts = scenario.fleet.regions.reduce((sum, r) => sum + r.hosts, 0);
    this.stagingPerHostRate = scenario.staging.requestsPerMin / Math.max(1, scenario.staging.hosts);
    // Staging load as a share of an average production host's peak: small, so load-gated faults stay hidden.
    this.stagingShare =
      this.stagingPerHostRate / (scenario.traffic.peakRequestsPerMin / totalHosts);
  }

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

  /** The business cycle in a region at t, in [−1, 1]: people buy more at busy hours. */
  businessCycle(region: RegionRuntime, t: Minutes): number {
    const recorded = this.conversionCycles?.[region.index];
    return recorded !== undefined ? recorded(t) : (this.analytic[region.index]?.cycle(t) ?? 0);
  }
}
