/**
 * How the anomaly judges do on recorded production series with expert labels: Microsoft's
 * Cloud Monitoring Dataset (Label = 1 marks an anomalous point) and three Numenta Anomaly
 * Benchmark series (labelled windows in combined_windows.json), from
 * the repository's data/real-metrics (MIT licensed; see its README).
 *
 * A series is replayed as a stream of canary checks, the way a pipeline would run them:
 * consecutive episodes of EPISODE_POINTS points each get a fresh judge, measured once per
 * point with a window of that point (`trend`, `threshold`) or everything since the episode
 * began (`business-anomaly`, its default `cumulative`). An episode alarms at most once, at its
 * first failed measurement. The mapping of a series to MetricPoints:
 * - counts (purchases, requests, taxi trips, errors): a rate metric with events = the count
 *   in the interval (requests per second × seconds for api-01) and n = EXPOSURE, so the judges'
 *   binomial arithmetic is the Poisson arithmetic of a count;
 * - levels (latency, crash rate): a non-rate metric with the value and n = 1.
 * References: `trend` (reference `before`) gets the EPISODE_POINTS points before the episode,
 * as the executor sends the pre-deploy points; `business-anomaly` gets the same hosts a week
 * earlier (`seasonal`; episodes in the first week are skipped); `threshold`, the naive
 * reference, alarms outside mean ± 3 sd of those same pre-episode points.
 * A labelled anomaly is caught when an alarm falls inside it or within SLACK_POINTS points
 * after it; an alarm elsewhere is outside the labels.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatesimError } from '../errors.js';
import { JUDGES } from '../judges/index.js';
import type { JudgeModel, MetricData } from '../judges/types.js';
import { takeMeasurement } from '../pipeline/measure.js';
import { loadTrace, parseTimestamp, type Trace } from '../world/trace.js';
import type { MetricName, MetricPoint } from '../world/types.js';

/** How a series becomes MetricPoints. */
export type SeriesKind =
  /** Events per interval (multiplied by `perStep` first, e.g. seconds per row for a rate per second). */
  | { kind: 'count'; perStep: number }
  /** A level such as a latency: a non-rate metric. */
  | { kind: 'level'; metric: MetricName };

/** A labelled real series. */
export interface RealSeriesSpec {
  /** Path under the real-metrics root. */
  path: string;
  as: SeriesKind;
  /** Where the labels come from: the file's Label column, NAB's windows, or none (metadata says so). */
  labels: 'label-column' | 'nab-windows' | 'none';
  /** What the series is, for the report. */
  about: string;
}

/** Sample size given to each point of a count series: large, so a count behaves as a Poisson count. */
export const EXPOSURE = 1e9;
/** Points per episode (one canary check run): 12 hours of hourly data, an hour of 5-minute data. */
export const EPISODE_POINTS = 12;
/** Points after a labelled window during which an alarm still counts as catching it. */
export const SLACK_POINTS = 3;
const WEEK = 10080;

/** The labelled series in data/real-metrics and how each is mapped. */
export const REAL_SERIES: readonly RealSeriesSpec[] = [
  {
    path: 'microsoft-cloud-monitoring/consumer-purchase-rate/purchase-01.csv',
    as: { kind: 'count', perStep: 1 },
    labels: 'none',
    about: 'store purchases per hour, low volume; metadata: no anomalies',
  },
  {
    path: 'microsoft-cloud-monitoring/consumer-purchase-rate/purchase-02.csv',
    as: { kind: 'count', perStep: 1 },
    labels: 'label-column',
    about: 'in-app purchases per hour',
  },
  {
    path: 'microsoft-cloud-monitoring/consumer-purchase-rate/purchase-03.csv',
    as: { kind: 'count', perStep: 1 },
    labels: 'label-column',
    about: 'in-app purchases per hour, high volume',
  },
  {
    path: 'microsoft-cloud-monitoring/ecommerce-api-incoming-rps/api-01.csv',
    as: { kind: 'count', perStep: 3600 },
    labels: 'label-column',
    about: 'incoming API requests per second (hourly means)',
  },
  {
    path: 'microsoft-cloud-monitoring/service-unavailable/unavail-01.csv',
    as: { kind: 'count', perStep: 1 },
    labels: 'label-column',
    about: '"service unavailable" results per minute; isolated events are not anomalies',
  },
  {
    path: 'microsoft-cloud-monitoring/application-crash-rate-2/app2-01.csv',
    as: { kind: 'level', metric: 'memory' },
    labels: 'label-column',
    about: 'application crash rate per hour',
  },
  {
    path: 'microsoft-cloud-monitoring/middle-tier-api-dependency-latency/outbound-01.csv',
    as: { kind: 'level', metric: 'latency_p50' },
    labels: 'label-column',
    about: 'outbound dependency latency (ms), all dependencies',
  },
  {
    path: 'microsoft-cloud-monitoring/middle-tier-api-dependency-latency/outbound-02.csv',
    as: { kind: 'level', metric: 'latency_p50' },
    labels: 'label-column',
    about: 'outbound dependency latency (ms), one dependency',
  },
  {
    path: 'microsoft-cloud-monitoring/middle-tier-api-dependency-latency/outbound-03.csv',
    as: { kind: 'level', metric: 'latency_p50' },
    labels: 'label-column',
    about: 'outbound dependency latency (ms), one dependency',
  },
  {
    path: 'nab/realKnownCause/ec2_request_latency_system_failure.csv',
    as: { kind: 'level', metric: 'latency_p50' },
    labels: 'nab-windows',
    about: 'EC2 request latency before a known system failure (5-minute)',
  },
  {
    path: 'nab/realAWSCloudwatch/elb_request_count_8c0756.csv',
    as: { kind: 'count', perStep: 1 },
    labels: 'nab-windows',
    about: 'load-balancer requests per 5 minutes',
  },
  {
    path: 'nab/realKnownCause/nyc_taxi.csv',
    as: { kind: 'count', perStep: 1 },
    labels: 'nab-windows',
    about: 'NYC taxi trips per 30 minutes; holidays are the anomalies',
  },
];

/** A detector: a judge with the parameters it runs with. */
export interface DetectorSpec {
  name: string;
  judge: 'trend' | 'business-anomaly' | 'threshold';
  params: Record<string, unknown>;
  /**
   * Send last week's points at the same times as the `baseline` (for `trend` with reference
   * `baseline`): a seasonal stand-in for the concurrent control a single series lacks.
   */
  lastWeekAsBaseline?: boolean;
}

/** The judges as the bench runs them by default: their defaults, except what the data forces. */
export const DEFAULT_DETECTORS: readonly DetectorSpec[] = [
  // No concurrent baseline exists in a single recorded series, so the reference is `before`;
  // labelled anomalies go both ways.
  { name: 'trend', judge: 'trend', params: { reference: 'before', direction: 'either' } },
  { name: 'business-anomaly', judge: 'business-anomaly', params: {} },
  // Parameters are set per episode from the pre-episode points (mean ± 3 sd).
  { name: 'threshold', judge: 'threshold', params: {} },
];

/**
 * Variants measured beside the defaults, so the figures say which settings would do better on
 * real data (docs/backtest.md has the numbers).
 */
export const ALTERNATIVE_DETECTORS: readonly DetectorSpec[] = [
  {
    name: 'trend h=10',
    judge: 'trend',
    params: { reference: 'before', direction: 'either', h: 10 },
  },
  {
    name: 'trend vs last week',
    judge: 'trend',
    params: { reference: 'baseline', direction: 'either' },
    lastWeekAsBaseline: true,
  },
  {
    name: 'trend vs last week, h=10',
    judge: 'trend',
    params: { reference: 'baseline', direction: 'either', h: 10 },
    lastWeekAsBaseline: true,
  },
  { name: 'business-anomaly minDropPct=10', judge: 'business-anomaly', params: { minDropPct: 10 } },
  { name: 'business-anomaly minDropPct=20', judge: 'business-anomaly', params: { minDropPct: 20 } },
  // Against the spread of several past weeks (only episodes with that much history count).
  { name: 'business-anomaly weeks=6', judge: 'business-anomaly', params: { weeks: 6 } },
];

/** A detector's figures summed over every series. */
export interface DetectorSummary {
  detector: string;
  /** Labelled anomalies caught, over the labelled series the detector can read. */
  caught: number;
  anomalies: number;
  /** Alarms outside labels per 1000 points, over those labelled series. */
  outsidePer1000Points: number;
  /** Alarms per 1000 points on the series without anomalies (purchase-01, unavail-01). */
  cleanAlarmsPer1000Points: number;
}

/** Sums each detector's figures over the series (only where it is applicable). */
export function summarizeDetectors(series: readonly SeriesFigures[]): DetectorSummary[] {
  const out = new Map<
    string,
    DetectorSummary & { pts: number; cleanPts: number; clean: number; outside: number }
  >();
  for (const s of series) {
    for (const d of s.detectors) {
      if (!d.applicable) continue;
      let a = out.get(d.detector);
      if (a === undefined) {
        a = {
          detector: d.detector,
          caught: 0,
          anomalies: 0,
          outsidePer1000Points: 0,
          cleanAlarmsPer1000Points: 0,
          pts: 0,
          cleanPts: 0,
          clean: 0,
          outside: 0,
        };
        out.set(d.detector, a);
      }
      if (s.anomalies > 0) {
        a.caught += d.caught;
        a.anomalies += s.anomalies;
        a.outside += d.outsideLabels;
        a.pts += s.points;
      } else {
        a.clean += d.alarms;
        a.cleanPts += s.points;
      }
    }
  }
  return [...out.values()].map((a) => ({
    detector: a.detector,
    caught: a.caught,
    anomalies: a.anomalies,
    outsidePer1000Points: a.pts === 0 ? 0 : (1000 * a.outside) / a.pts,
    cleanAlarmsPer1000Points: a.cleanPts === 0 ? 0 : (1000 * a.clean) / a.cleanPts,
  }));
}

/** One detector's figures on one series. */
export interface DetectorFigures {
  detector: string;
  /** False when the judge cannot read this series (business-anomaly on a latency). */
  applicable: boolean;
  /** Episodes judged. */
  episodes: number;
  alarms: number;
  /** Labelled anomalies with an alarm inside or within the slack after. */
  caught: number;
  /** Alarms not inside (or just after) any labelled anomaly. */
  outsideLabels: number;
  alarmsPer1000Points: number;
  outsidePer1000Points: number;
  /** Share of episodes that alarmed (a canary check that failed). */
  alarmedEpisodeShare: number;
}

/** Figures for one series. */
export interface SeriesFigures {
  series: string;
  about: string;
  points: number;
  stepMinutes: number;
  /** Labelled anomalies (runs of labelled points, or NAB windows). */
  anomalies: number;
  /** Points inside labelled anomalies. */
  labelledPoints: number;
  detectors: DetectorFigures[];
}

/** Options of `evaluateDetectorsOnRealData`. */
export interface RealDataOptions {
  detectors?: readonly DetectorSpec[];
  series?: readonly RealSeriesSpec[];
  episodePoints?: number;
  slackPoints?: number;
}

/**
 * Runs the anomaly judges over every labelled real series under `root` (the real-metrics
 * folder) and counts what they catch and how often they alarm elsewhere.
 *
 * @example evaluateDetectorsOnRealData('data/real-metrics')[0].detectors
 */
export function evaluateDetectorsOnRealData(
  root: string,
  options: RealDataOptions = {},
): SeriesFigures[] {
  const detectors = options.detectors ?? DEFAULT_DETECTORS;
  const episode = options.episodePoints ?? EPISODE_POINTS;
  const slack = options.slackPoints ?? SLACK_POINTS;
  let nabWindows: Record<string, [string, string][]> | undefined;
  return (options.series ?? REAL_SERIES).map((spec) => {
    const trace = loadTrace(join(root, spec.path));
    let windows: [number, number][] = [];
    if (spec.labels === 'label-column') windows = labelWindows(trace);
    else if (spec.labels === 'nab-windows') {
      nabWindows ??= readNabWindows(join(root, 'nab', 'combined_windows.json'));
      windows = nabWindowsFor(trace, nabWindows, spec.path.replace(/^nab\//, ''));
    }
    const points = seriesPoints(trace, spec.as);
    const labelled = trace.times.filter((t) => windows.some(([a, b]) => t >= a && t <= b)).length;
    return {
      series: spec.path,
      about: spec.about,
      points: trace.times.length,
      stepMinutes: trace.step,
      anomalies: windows.length,
      labelledPoints: labelled,
      detectors: detectors.map((d) =>
        runDetector(d, spec.as, points, windows, trace.step, episode, slack),
      ),
    };
  });
}

/** Runs of labelled points (gaps of at most one step) as [first, last] windows. */
function labelWindows(trace: Trace): [number, number][] {
  const out: [number, number][] = [];
  const labels = trace.labels;
  if (labels === undefined) return out;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    const t = trace.times[i]!;
    const last = out[out.length - 1];
    if (last !== undefined && t - last[1] <= trace.step * 1.5) last[1] = t;
    else out.push([t, t]);
  }
  return out;
}

function readNabWindows(file: string): Record<string, [string, string][]> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null)
    throw new GatesimError('invalid-input', `${file}: expected an object of windows`);
  return parsed as Record<string, [string, string][]>;
}

function nabWindowsFor(
  trace: Trace,
  all: Record<string, [string, string][]>,
  key: string,
): [number, number][] {
  const list = all[key];
  if (list === undefined) throw new GatesimError('invalid-input', `no NAB windows for ${key}`);
  const start = trace.startEpochSeconds ?? 0;
  return list.map(([a, b]) => [
    (parseTimestamp(a)! - start) / 60,
    (parseTimestamp(b)! - start) / 60,
  ]);
}

/** The series as MetricPoints under its mapping (times in minutes since its first row). */
function seriesPoints(trace: Trace, as: SeriesKind): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (let i = 0; i < trace.times.length; i++) {
    const t = trace.times[i]!;
    const v = trace.values[i]!;
    if (as.kind === 'count') {
      const events = Math.max(0, Math.round(v * as.perStep));
      out.push({ t, value: events / EXPOSURE, n: EXPOSURE, events });
    } else {
      out.push({ t, value: v, n: 1, events: 0 });
    }
  }
  return out;
}

function metricOf(as: SeriesKind): MetricName {
  return as.kind === 'count' ? 'conversion_rate' : as.metric;
}

function runDetector(
  spec: DetectorSpec,
  as: SeriesKind,
  points: readonly MetricPoint[],
  windows: readonly [number, number][],
  step: number,
  episode: number,
  slack: number,
): DetectorFigures {
  const model: JudgeModel | undefined = Object.hasOwn(JUDGES, spec.judge)
    ? JUDGES[spec.judge]
    : undefined;
  if (model === undefined)
    throw new GatesimError('unknown-judge', `judge ${spec.judge} is not registered`);
  const metric = metricOf(as);
  const applicable = spec.judge !== 'business-anomaly' || as.kind === 'count';
  const seasonalFor = (canary: readonly MetricPoint[], weeksBack = 1): MetricPoint[] =>
    canary.map((p) => {
      const last = byTime.get(p.t - weeksBack * WEEK);
      return last === undefined ? { t: p.t, value: NaN, n: 0, events: 0 } : { ...last, t: p.t };
    });
  // A judge that compares with several past weeks needs them all before an episode counts.
  const weeks = typeof spec.params['weeks'] === 'number' ? spec.params['weeks'] : 1;
  // Seasonal lookup by time: the recording is regular, so last week's point has an exact time.
  const byTime = new Map<number, MetricPoint>();
  for (const p of points) byTime.set(p.t, p);
  const needsLastWeek = spec.judge === 'business-anomaly' || spec.lastWeekAsBaseline === true;
  const alarms: number[] = [];
  let episodes = 0;
  if (applicable) {
    for (let start = episode; start + episode <= points.length; start += episode) {
      const before = points.slice(start - episode, start);
      const slice = points.slice(start, start + episode);
      if (needsLastWeek && !byTime.has(slice[0]!.t - weeks * WEEK)) continue;
      const params =
        spec.judge === 'threshold' ? { ...threeSigma(before), ...spec.params } : spec.params;
      const judge = model.create(model.params.parse(params));
      episodes++;
      for (let k = 0; k < slice.length; k++) {
        const canary = model.defaultWindow === 'cumulative' ? slice.slice(0, k + 1) : [slice[k]!];
        const d: MetricData = { canary };
        if (model.needs.before) d.before = before;
        if (model.needs.seasonal) d.seasonal = seasonalFor(canary);
        if (weeks > 1)
          d.seasonalWeeks = Array.from({ length: weeks }, (_, j) => seasonalFor(canary, j + 1));
        if (spec.lastWeekAsBaseline === true) d.baseline = seasonalFor(canary);
        const r = takeMeasurement(
          judge,
          { metric, onMissingData: 'inconclusive', minSample: 0 },
          { [metric]: d },
          metric,
          false,
        );
        if (r.verdict === 'fail') {
          alarms.push(slice[k]!.t);
          break;
        }
      }
    }
  }
  let outside = 0;
  const caught = new Set<number>();
  for (const a of alarms) {
    let inside = false;
    windows.forEach(([lo, hi], w) => {
      if (a >= lo - 1e-9 && a <= hi + slack * step + 1e-9) {
        inside = true;
        caught.add(w);
      }
    });
    if (!inside) outside++;
  }
  const per1000 = (x: number): number => (points.length === 0 ? 0 : (1000 * x) / points.length);
  return {
    detector: spec.name,
    applicable,
    episodes,
    alarms: alarms.length,
    caught: caught.size,
    outsideLabels: outside,
    alarmsPer1000Points: per1000(alarms.length),
    outsidePer1000Points: per1000(outside),
    alarmedEpisodeShare: episodes === 0 ? 0 : alarms.length / episodes,
  };
}

/** Naive static limits from a reference: mean ± 3 sample sd of its values. */
function threeSigma(points: readonly MetricPoint[]): { min: number; max: number } {
  const xs = points.map((p) => p.value);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { min: mean - 3 * sd, max: mean + 3 * sd };
}
