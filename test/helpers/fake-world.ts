import type { FleetFacts } from '../../src/world/faults/types.js';
import type {
  CohortView,
  Environment,
  Minutes,
  RegionConfig,
  RegionRuntime,
  ServiceConfig,
} from '../../src/world/types.js';

/**
 * A world with analytic load for fault tests: every answer of WorldView and FleetFacts is a
 * closed form (or a bisection of one), independent of src/world's traffic code, so a fault's
 * numbers can be checked against hand computations.
 *
 * Production load per region is either constant or a pure daily sinusoid,
 * load(t) = 1 − A + A·cos(2π(t − φ)/1440) with φ the UTC minute of the local peak, and a
 * host's rate is `peakRequestsPerMin · trafficShare / hosts · load(t)`. Staging is a constant
 * rate with a constant load share.
 */
export type FakeLoad =
  | { kind: 'constant'; share: number }
  | { kind: 'sinusoid'; amplitude: number; peakHourLocal: number };

export interface FakeWorldOptions {
  regions?: RegionConfig[];
  /** Fleet requests per minute at load share 1. */
  peakRequestsPerMin?: number;
  load?: FakeLoad;
  staging?: { hosts: number; requestsPerMin: number; dataRows: number; loadShare: number };
  dataRows?: number;
  service?: Partial<ServiceConfig>;
}

export const DAY_MINUTES = 1440;

export const DEFAULT_SERVICE: ServiceConfig = {
  errorRate: 0.002,
  latency: { medianMs: 80, sigma: 0.5, sloMs: 500, loadSensitivity: 0.3 },
  memory: { baseMB: 600, limitMB: 2048 },
  connections: { poolSize: 100, holdMs: 50 },
  business: {
    requestsPerSession: 12,
    conversionRate: 0.03,
    conversionAmplitude: 0.1,
    checkoutValue: 60,
  },
  crashesPerHostHour: 0.001,
};

export const DEFAULT_REGIONS: RegionConfig[] = [
  { name: 'us-east', trafficShare: 0.6, hosts: 30, utcOffsetHours: -5 },
  { name: 'eu-west', trafficShare: 0.4, hosts: 20, utcOffsetHours: 0 },
];

export class FakeWorld implements FleetFacts {
  readonly regions: readonly RegionRuntime[];
  readonly service: ServiceConfig;
  readonly staging: RegionRuntime;
  readonly load: FakeLoad;
  readonly peakRequestsPerMin: number;
  private readonly stagingOptions: NonNullable<FakeWorldOptions['staging']>;
  private readonly prodRows: number;

  constructor(options: FakeWorldOptions = {}) {
    let firstHost = 0;
    this.regions = (options.regions ?? DEFAULT_REGIONS).map((r, index) => {
      const rt = { ...r, index, firstHost };
      firstHost += r.hosts;
      return rt;
    });
    this.service = { ...DEFAULT_SERVICE, ...options.service };
    this.load = options.load ?? { kind: 'constant', share: 1 };
    this.peakRequestsPerMin = options.peakRequestsPerMin ?? 60000;
    this.stagingOptions = options.staging ?? {
      hosts: 2,
      requestsPerMin: 200,
      dataRows: 100_000,
      loadShare: 0.05,
    };
    this.prodRows = options.dataRows ?? 50_000_000;
    this.staging = {
      name: 'staging',
      trafficShare: 0,
      hosts: this.stagingOptions.hosts,
      utcOffsetHours: 0,
      index: this.regions.length,
      firstHost: 0,
    };
  }

  /** A host's rate at load share 1. */
  peakPerHostRate(region: RegionRuntime): number {
    return (this.peakRequestsPerMin * region.trafficShare) / region.hosts;
  }

  private stagingRate(): number {
    return this.stagingOptions.requestsPerMin / this.stagingOptions.hosts;
  }

  /** UTC minute (mod one day) of the region's local load peak. */
  private phase(region: RegionRuntime): number {
    const load = this.load;
    return load.kind === 'sinusoid' ? (load.peakHourLocal - region.utcOffsetHours) * 60 : 0;
  }

  loadShare(environment: Environment, region: RegionRuntime, t: Minutes): number {
    if (environment === 'staging') return this.stagingOptions.loadShare;
    const load = this.load;
    switch (load.kind) {
      case 'constant':
        return load.share;
      case 'sinusoid': {
        const a = load.amplitude;
        return 1 - a + a * Math.cos((2 * Math.PI * (t - this.phase(region))) / DAY_MINUTES);
      }
      default: {
        const never: never = load;
        throw new Error(`unknown load ${JSON.stringify(never)}`);
      }
    }
  }

  perHostRate(environment: Environment, region: RegionRuntime, t: Minutes): number {
    if (environment === 'staging') return this.stagingRate();
    return this.peakPerHostRate(region) * this.loadShare(environment, region, t);
  }

  perHostRequests(environment: Environment, region: RegionRuntime, a: Minutes, b: Minutes): number {
    if (b <= a) return 0;
    if (environment === 'staging') return this.stagingRate() * (b - a);
    const c = this.peakPerHostRate(region);
    const load = this.load;
    switch (load.kind) {
      case 'constant':
        return c * load.share * (b - a);
      case 'sinusoid': {
        // ∫ 1 − A + A cos(ω(t − φ)) dt = (1 − A)(b − a) + (A/ω)[sin ω(b − φ) − sin ω(a − φ)].
        const w = (2 * Math.PI) / DAY_MINUTES;
        const phi = this.phase(region);
        const amp = load.amplitude;
        return (
          c *
          ((1 - amp) * (b - a) + (amp / w) * (Math.sin(w * (b - phi)) - Math.sin(w * (a - phi))))
        );
      }
      default: {
        const never: never = load;
        throw new Error(`unknown load ${JSON.stringify(never)}`);
      }
    }
  }

  timeAfterRequests(
    environment: Environment,
    region: RegionRuntime,
    from: Minutes,
    count: number,
    limit: Minutes,
  ): Minutes {
    if (count <= 0) return from < limit ? from : Infinity;
    let t: number;
    if (environment === 'staging') {
      t = from + count / this.stagingRate();
    } else if (this.load.kind === 'constant') {
      const rate = this.perHostRate(environment, region, from);
      t = rate > 0 ? from + count / rate : Infinity;
    } else {
      // Whole days first (each holds the same number of requests), then bisect the last day.
      const perDay = this.perHostRequests(environment, region, from, from + DAY_MINUTES);
      const days = Math.floor(count / perDay);
      const t0 = from + days * DAY_MINUTES;
      const rest = count - days * perDay;
      let lo = t0;
      let hi = t0 + DAY_MINUTES;
      for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
        const mid = (lo + hi) / 2;
        if (this.perHostRequests(environment, region, t0, mid) < rest) lo = mid;
        else hi = mid;
      }
      t = hi;
    }
    return t < limit ? t : Infinity;
  }

  nextTimeLoadAtLeast(
    environment: Environment,
    region: RegionRuntime,
    from: Minutes,
    share: number,
    limit: Minutes,
  ): Minutes {
    let t: number;
    const load = this.load;
    if (environment === 'staging' || load.kind === 'constant') {
      t = this.loadShare(environment, region, from) >= share ? from : Infinity;
    } else {
      // cos θ ≥ c with θ = ω(t − φ): inside |θ mod 2π| ≤ acos c, else wait for the next entry at −acos c.
      const a = load.amplitude;
      const c = a > 0 ? (share - (1 - a)) / a : share <= 1 ? -Infinity : Infinity;
      if (c <= -1) {
        t = from;
      } else if (c > 1) {
        t = Infinity;
      } else {
        const w = (2 * Math.PI) / DAY_MINUTES;
        const alpha = Math.acos(c);
        const theta = w * (from - this.phase(region));
        const th = theta - 2 * Math.PI * Math.round(theta / (2 * Math.PI)); // in [−π, π]
        if (Math.abs(th) <= alpha) t = from;
        else if (th > alpha) t = from + (2 * Math.PI - alpha - th) / w;
        else t = from + (-alpha - th) / w;
      }
    }
    return t < limit ? t : Infinity;
  }

  dataRows(environment: Environment): number {
    return environment === 'staging' ? this.stagingOptions.dataRows : this.prodRows;
  }

  wholeRegionCohort(regionIndex: number, deployAt: Minutes): CohortView {
    const region = this.regions[regionIndex]!;
    return cohortOf(region, { id: 1000 + regionIndex, hosts: region.hosts, deployedAt: deployAt });
  }
}

export function makeFakeWorld(options: FakeWorldOptions = {}): FakeWorld {
  return new FakeWorld(options);
}

/** A cohort on the new build in a region (or staging), deployed at `deployedAt`. */
export function cohortOf(
  region: RegionRuntime,
  options: {
    id?: number;
    environment?: Environment;
    hosts?: number;
    deployedAt?: Minutes;
    lastRestartAt?: Minutes;
  } = {},
): CohortView {
  const deployedAt = options.deployedAt ?? 0;
  return {
    id: options.id ?? 1,
    environment: options.environment ?? 'production',
    region,
    hosts: options.hosts ?? 1,
    isNew: true,
    deployedAt,
    lastRestartAt: options.lastRestartAt ?? deployedAt,
  };
}

/** The same cohort after a restart at `at`. */
export function restartedAt(cohort: CohortView, at: Minutes): CohortView {
  return { ...cohort, lastRestartAt: at };
}
