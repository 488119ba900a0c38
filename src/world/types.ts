/**
 * The world's vocabulary: the validated scenario (what the YAML becomes once defaults are
 * filled in) and the views that faults, confounders and the pipeline read.
 * Times are simulated minutes since Monday 00:00 UTC of the simulated week; durations are
 * minutes. Rates are probabilities per request unless a name says otherwise.
 */

export type Minutes = number;

export const METRIC_NAMES = [
  'error_rate',
  'latency_p50',
  'latency_p90',
  'latency_p99',
  'slow_rate',
  'memory',
  'connections',
  'crash_count',
  'conversion_rate',
  'requests',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface RegionConfig {
  name: string;
  /** Share of fleet traffic this region serves; shares sum to 1. */
  trafficShare: number;
  hosts: number;
  /** Local time = UTC + offset (hours); drives the diurnal peak and deploy windows. */
  utcOffsetHours: number;
}

export interface TrafficConfig {
  /** Fleet-wide requests per minute at the weekday daily peak. */
  peakRequestsPerMin: number;
  /** Depth of the daily cycle: load/peak = 1 − a + a·cos(2π(h − peakHour)/24); trough = 1 − 2a. */
  diurnalAmplitude: number;
  /** Local hour (0–24) of the daily peak. */
  peakHourLocal: number;
  /** Traffic multiplier on Saturday and Sunday (local). */
  weekendFactor: number;
  /** A recorded traffic shape that replaces the analytic one (issue: real-world inputs). */
  trace?: TraceConfig;
}

export interface TraceConfig {
  /** CSV file of `timestamp,value` rows (resolved relative to the scenario file). */
  file: string;
  /** Minutes between trace rows when the timestamps are not used. */
  stepMinutes?: Minutes;
}

export interface ServiceConfig {
  /** Probability a request fails on the old version. */
  errorRate: number;
  /**
   * Request latency on the old version: lognormal with this median (at the daily peak) and
   * log-sd. Busy hours are slower (queueing): the median scales by 1 + s·(load − 1), s the
   * load sensitivity, so a before/after comparison across a morning ramp sees a change.
   */
  latency: { medianMs: number; sigma: number; sloMs: number; loadSensitivity: number };
  memory: { baseMB: number; limitMB: number };
  /** In-flight connections per host follow Little's law: requests/s × holdMs/1000. */
  connections: { poolSize: number; holdMs: number };
  business: {
    requestsPerSession: number;
    /** Checkouts per session at the daily mean. */
    conversionRate: number;
    /** Relative daily swing of conversion (peaks with traffic). */
    conversionAmplitude: number;
    checkoutValue: number;
    /**
     * A recorded business series (e.g. purchases per hour) whose shape replaces the analytic
     * daily swing: its timing (daily, weekly, holidays) scaled to ±conversionAmplitude.
     */
    trace?: TraceConfig;
  };
  /** Process restarts per host-hour with no fault (deploys excluded). */
  crashesPerHostHour: number;
}

export interface NoiseConfig {
  /** Log-sd of each host's fixed error-rate multiplier (some hosts are just worse). */
  hostErrorSd: number;
  /** Log-sd of a per-interval, per-group error-rate multiplier (overdispersion beyond binomial). */
  intervalErrorSd: number;
  /** Log-sd of a per-interval, per-group latency multiplier. */
  intervalLatencySd: number;
  /** Log-sd of a per-interval conversion multiplier. */
  intervalConversionSd: number;
}

export interface StagingConfig {
  hosts: number;
  /** Synthetic requests per minute across staging; faults gated on load do not show. */
  requestsPerMin: number;
  /** Rows in staging's tables; data-scale regressions do not show at small sizes. */
  dataRows: number;
}

export interface ScheduleConfig {
  /** Local days and hours (in `region`'s time) when builds are started. */
  days: Weekday[];
  fromHour: number;
  toHour: number;
  region: string;
}

/**
 * The people who approve promotions and resume paused rollouts. Their working hours are
 * local to the region a stage deploys to (its deploy-window region), so a team works in
 * the time of the hosts it watches.
 */
export interface PeopleConfig {
  /** Local working days and hours; empty: people are always at work (no human clock). */
  workingHours: { days: readonly Weekday[]; fromHour: number; toHour: number }[];
  /**
   * Incidents after the pipeline let a bad build stay: an alert pages on-call `alertAfter`
   * minutes after the fault first shows, the page is answered after the response time of its
   * shift (in the schedule region's local time), and the responder rolls the build back.
   * Undefined: nobody is paged, and a shipped bad build hurts until the horizon.
   */
  pages: PagesConfig | undefined;
}

export interface PagesConfig {
  alertAfter: Minutes;
  response: { working: Minutes; night: Minutes; weekend: Minutes };
}

/** The impact bar: a build whose true full-fleet effect crosses any of these is bad. */
export interface ImpactBar {
  errorRatePp: number;
  p99Ratio: number;
  conversionDropPct: number;
  /** Whether an out-of-memory restart or pool exhaustion within the horizon makes a build bad. */
  resourceExhaustion: boolean;
}

/** A number, or a range a trial draws uniformly from (log-uniformly when `log`). */
export type ParamRange = number | { min: number; max: number; log?: boolean };

export interface FaultSpec {
  kind: string;
  /** Parameters as written; numbers may be ranges, resolved per trial. */
  params: Record<string, unknown>;
}

export interface BadBuildTemplate {
  name: string;
  weight: number;
  faults: FaultSpec[];
}

export interface BuildMix {
  /** Probability a build carries one of the `bad` templates. */
  badShare: number;
  bad: BadBuildTemplate[];
  /** Benign effects every build has (e.g. cold-cache warm-up). */
  benign: FaultSpec[];
}

export interface ConfounderSpec {
  kind: string;
  /** Expected occurrences per day, at random times (Poisson) over the trial. */
  ratePerDay: number;
  /** One more occurrence pinned relative to the deploy start, with a probability. */
  pinned: { probability: number; at: ParamRange } | undefined;
  /** Parameters as written; numbers may be ranges, resolved per occurrence. */
  params: Record<string, unknown>;
}

export interface DeployConfig {
  /** Minutes to deploy one batch of hosts (drain, install, start, health check). */
  minutesPerBatch: Minutes;
}

export interface ScenarioConfig {
  name: string;
  description: string;
  fleet: { regions: RegionConfig[] };
  traffic: TrafficConfig;
  service: ServiceConfig;
  noise: NoiseConfig;
  staging: StagingConfig;
  /** Rows in production's tables. */
  dataRows: number;
  deploy: DeployConfig;
  schedule: ScheduleConfig;
  /** When people do desk work (approvals, resuming a pause); see world/human-clock.ts. */
  people: PeopleConfig;
  builds: BuildMix;
  confounders: ConfounderSpec[];
  impactBar: ImpactBar;
  /** How long after the watch window ends (or 100%) the trial keeps counting impact. */
  horizon: Minutes;
  /** Granularity of metric data points. */
  metricInterval: Minutes;
  /**
   * How often Prometheus scrapes the service: a query window needs two scrapes for a rate
   * (one for a gauge), else it reads no data (world/scrape.ts).
   */
  scrapeInterval: Minutes;
  /** The team behind a stream of changes (`gatesim stream`, docs/stream.md); absent: the defaults. */
  stream?: StreamSettings;
  /** Where relative paths in the file resolve from (set by the loader). */
  baseDir: string;
}

/** A scenario's `stream:` section: how a team's changes arrive and how people react to gates. */
export interface StreamSettings {
  /** Changes merged per working day (Poisson arrivals inside people's working hours). */
  changesPerDay: number;
  /** Desk work (minutes, on the human clock) to look at a stopped deploy. */
  triage: Minutes;
  /** Chance that one look finds (and fixes) each bad change of the batch. */
  fixProbability: number;
  /**
   * Whether the revert of a bad build that could not be rolled back skips the gates (an
   * emergency path) instead of going through the pipeline like any change.
   */
  emergencyRevert: boolean;
  /** Most changes one deploy takes (oldest first); undefined: every waiting change. */
  maxBatch: number | undefined;
  /** Override probability = max × (1 − (1 − s)^steepness), s = share of remembered stops that were false alarms. */
  fatigue: { max: number; steepness: number; memory: number };
}

/** A region as the running world knows it. */
export interface RegionRuntime extends RegionConfig {
  index: number;
  /** Index of this region's first host in the fleet-wide host arrays. */
  firstHost: number;
}

export type Environment = 'production' | 'staging';

/** A set of hosts that run the same version since the same moment: they behave alike. */
export interface CohortView {
  readonly id: number;
  readonly environment: Environment;
  readonly region: RegionRuntime;
  readonly hosts: number;
  readonly isNew: boolean;
  /** When this cohort started running the new build (−Infinity for the old version). */
  readonly deployedAt: Minutes;
  /** Last process start: a deploy or a restart. Memory and pools reset here. */
  readonly lastRestartAt: Minutes;
}

/** Read-only facts about load and data that faults need, answered in closed form. */
export interface WorldView {
  readonly service: ServiceConfig;
  /** Load in a region as a share of the weekday daily peak (1 = peak). */
  loadShare(environment: Environment, region: RegionRuntime, t: Minutes): number;
  /** Requests per minute one host receives at time t. */
  perHostRate(environment: Environment, region: RegionRuntime, t: Minutes): number;
  /** Requests one host receives over [a, b] (the exact integral of perHostRate). */
  perHostRequests(environment: Environment, region: RegionRuntime, a: Minutes, b: Minutes): number;
  /** The time at which one host has received `count` requests since `from` (Infinity if never before `limit`). */
  timeAfterRequests(
    environment: Environment,
    region: RegionRuntime,
    from: Minutes,
    count: number,
    limit: Minutes,
  ): Minutes;
  /** The first time ≥ from at which loadShare ≥ share, or Infinity if not before `limit`. */
  nextTimeLoadAtLeast(
    environment: Environment,
    region: RegionRuntime,
    from: Minutes,
    share: number,
    limit: Minutes,
  ): Minutes;
  dataRows(environment: Environment): number;
}

/**
 * The per-cohort modifiers that faults and confounders add to, starting from identity.
 * The world turns them into metric distributions.
 */
export interface EffectAccumulator {
  /** Absolute probability added to the request failure rate. */
  errorAdd: number;
  /** Multiplier of the baseline failure rate. */
  errorMul: number;
  /** Multiplier of the whole latency distribution (median shift). */
  latencyMul: number;
  /** Share of requests slowed by `slowMul` (a tail regression: a lognormal mixture). */
  slowShare: number;
  slowMul: number;
  /** Multiplier of checkout conversion. */
  conversionMul: number;
  /** Extra process crashes per host-hour (crash loops). */
  crashesPerHostHour: number;
  /** Extra resident memory per host (MB). */
  memoryMB: number;
  /** Extra connections held per host (leaked). */
  connections: number;
}

export function identityEffect(): EffectAccumulator {
  // Every field starts as a non-integer (NaN) before its value: V8 then stores the fields as
  // doubles from the first accumulator on, instead of as small integers that a fault's
  // fraction later forces it to widen (which throws away the optimised code of every function
  // that touched an accumulator, once per field). The values are what they look like.
  const acc: EffectAccumulator = {
    errorAdd: NaN,
    errorMul: NaN,
    latencyMul: NaN,
    slowShare: NaN,
    slowMul: NaN,
    conversionMul: NaN,
    crashesPerHostHour: NaN,
    memoryMB: NaN,
    connections: NaN,
  };
  return resetEffect(acc);
}

/** Sets an accumulator back to the identity (no effect), for reuse. */
export function resetEffect(acc: EffectAccumulator): EffectAccumulator {
  acc.errorAdd = 0;
  acc.errorMul = 1;
  acc.latencyMul = 1;
  acc.slowShare = 0;
  acc.slowMul = 1;
  acc.conversionMul = 1;
  acc.crashesPerHostHour = 0;
  acc.memoryMB = 0;
  acc.connections = 0;
  return acc;
}

/** A data point: the metric over one metric interval for one group of hosts. */
export interface MetricPoint {
  /** End of the interval. */
  t: Minutes;
  /** The metric's value; NaN when the data is missing. */
  value: number;
  /** Sample size behind the value: requests (error rate, latency), sessions (conversion), hosts (memory). */
  n: number;
  /** Event count for rate metrics (errors, checkouts); 0 otherwise. */
  events: number;
}

/** Harm caused by a build, counted as the excess over what the old build would have done. */
export interface Impact {
  /** Requests that failed because of the build. */
  failedRequests: number;
  /** Requests slower than the SLO because of the build. */
  slowRequests: number;
  lostCheckouts: number;
  lostRevenue: number;
}

export function zeroImpact(): Impact {
  // Fields start as doubles for the reason identityEffect gives.
  const impact: Impact = {
    failedRequests: NaN,
    slowRequests: NaN,
    lostCheckouts: NaN,
    lostRevenue: NaN,
  };
  return resetImpact(impact);
}

/** Sets an impact back to zero, for reuse. */
export function resetImpact(impact: Impact): Impact {
  impact.failedRequests = 0;
  impact.slowRequests = 0;
  impact.lostCheckouts = 0;
  impact.lostRevenue = 0;
  return impact;
}

/** The full-fleet effect of a build, in the units of the impact bar. */
export interface TrueEffect {
  errorRatePp: number;
  p99Ratio: number;
  conversionDropPct: number;
  resourceExhaustion: boolean;
}
