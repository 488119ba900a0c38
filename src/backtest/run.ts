/**
 * `gatesim backtest` as a library call: read the deploys, the policy and the recorded metrics
 * (streamed, keeping only the metrics the policy reads near some deploy), replay every deploy,
 * and, given the deploys that caused incidents, score the policy on the real history.
 */
import { liveRegistries, loadPolicy } from '../config/index.js';
import { GatesimError } from '../errors.js';
import type { Distribution, RateWithInterval } from '../eval/types.js';
import { JUDGES } from '../judges/index.js';
import type { JudgeModel } from '../judges/types.js';
import type { CheckConfig, PolicyConfig } from '../policy/types.js';
import { quantile } from '../stats/quantiles.js';
import { wilsonInterval } from '../stats/wilson.js';
import type { MetricName, Minutes } from '../world/types.js';
import { openCsvFile, type ByteSource } from './csv.js';
import {
  readDeploys,
  readIncidents,
  readMetrics,
  type RecordedDeploy,
  type RecordedMetrics,
} from './inputs.js';
import {
  MAX_REPLAY_MINUTES,
  productionRegions,
  replayDeploy,
  type BacktestFinal,
  type DeployDecision,
} from './replay.js';
import { recordingStep } from './series.js';

/** Where the inputs come from: file paths, or (for tests) ready-made streams named as files. */
export type Source = string | { name: string; open: () => ByteSource };

/** Options of `runBacktest`. */
export interface BacktestOptions {
  metrics: Source;
  deploys: Source;
  /** A policy file, or a policy already loaded. */
  policy: string | PolicyConfig;
  incidents?: Source;
  /** Local UTC offsets (hours) by region, for deploy windows; UTC when absent. */
  utcOffsets?: Readonly<Record<string, number>>;
  /** Judges by kind; the program's registry (read at call time) by default. */
  judges?: Readonly<Record<string, JudgeModel>>;
}

/** The figures a backtest with incident labels gives. */
export interface BacktestFigures {
  deploys: number;
  badDeploys: number;
  goodDeploys: number;
  /** Deploys that caused an incident and that the policy would still have shipped. */
  shippedBad: RateWithInterval;
  /** Deploys without an incident that the policy would have stopped (or never finished). */
  blockedGood: RateWithInterval;
  /** Deploy start to the stop decision, over the bad deploys the policy stopped. */
  timeToDetectMin: Distribution;
  /** Deploy start to 100%, over the good deploys the policy shipped. */
  leadTimeMin: Distribution;
}

/** Everything a backtest found. */
export interface BacktestResult {
  policy: string;
  files: { metrics: string; deploys: string; incidents: string | undefined };
  /** Rows of METRICS.csv read and kept (kept: metrics the policy reads, near a deploy). */
  rows: { read: number; kept: number };
  regions: string[];
  /** The recording's usual spacing in minutes. */
  stepMinutes: Minutes;
  decisions: DeployDecision[];
  /** Ids of the deploys that caused incidents, when an incidents file was given. */
  incidents: string[] | undefined;
  outcomes: Record<BacktestFinal, number>;
  figures: BacktestFigures | undefined;
}

/** How far before a deploy its data may be read: a week for seasonal references, and a day more. */
const LOOKBACK = 8 * 1440;

function sourceName(s: Source): string {
  return typeof s === 'string' ? s : s.name;
}

async function open(s: Source): Promise<ByteSource> {
  return typeof s === 'string' ? openCsvFile(s) : s.open();
}

/**
 * Replays a policy on recorded deploys and metrics.
 *
 * @example await runBacktest({ metrics: 'metrics.csv', deploys: 'deploys.csv', policy: 'policies/one-box.yaml' })
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const judges = options.judges ?? JUDGES;
  const policy =
    typeof options.policy === 'string'
      ? loadPolicy(options.policy, {
          registries:
            options.judges === undefined
              ? liveRegistries
              : {
                  get faults() {
                    return liveRegistries.faults;
                  },
                  get confounders() {
                    return liveRegistries.confounders;
                  },
                  judges,
                },
        })
      : options.policy;
  const deploysFile = sourceName(options.deploys);
  const deploys = await readDeploys(await open(options.deploys), deploysFile);
  const wanted = policyMetrics(policy, judges);
  const near = deployRanges(deploys);
  const metricsFile = sourceName(options.metrics);
  const metrics = await readMetrics(
    await open(options.metrics),
    metricsFile,
    (metric, t) => wanted.has(metric) && near(t),
  );
  const regions = productionRegions(metrics, deploys);
  checkRegions(policy, regions, metrics, metricsFile);
  const step = recordingStep(metrics.series);
  const decisions = deploys.map((deploy) =>
    replayDeploy({
      policy,
      metrics,
      deploy,
      judges,
      step,
      ...(options.utcOffsets !== undefined ? { utcOffsets: options.utcOffsets } : {}),
    }),
  );
  let incidents: string[] | undefined;
  if (options.incidents !== undefined) {
    const ids = new Set(deploys.map((d) => d.id));
    const bad = await readIncidents(
      await open(options.incidents),
      sourceName(options.incidents),
      ids,
    );
    incidents = deploys.filter((d) => bad.has(d.id)).map((d) => d.id);
  }
  const outcomes: Record<BacktestFinal, number> = {
    shipped: 0,
    'rolled-back': 0,
    blocked: 0,
    stalled: 0,
  };
  for (const d of decisions) outcomes[d.final]++;
  return {
    policy: policy.name,
    files: {
      metrics: metricsFile,
      deploys: deploysFile,
      incidents: options.incidents === undefined ? undefined : sourceName(options.incidents),
    },
    rows: { read: metrics.rows, kept: metrics.kept },
    regions,
    stepMinutes: step,
    decisions,
    incidents,
    outcomes,
    figures: incidents === undefined ? undefined : scoreDecisions(decisions, new Set(incidents)),
  };
}

/** A bad deploy shipped: it reached 100% and was not rolled back (as the simulator counts it). */
export function isShippedBad(d: DeployDecision, bad: boolean): boolean {
  return bad && d.shippedAt !== undefined && d.final !== 'rolled-back';
}

/** A good deploy blocked: stopped, rolled back or never finished. */
export function isBlockedGood(d: DeployDecision, bad: boolean): boolean {
  return !bad && d.final !== 'shipped';
}

/** Shipped-bad and blocked-good on the recorded history, with Wilson 95% intervals. */
export function scoreDecisions(
  decisions: readonly DeployDecision[],
  bad: ReadonlySet<string>,
): BacktestFigures {
  const badOnes = decisions.filter((d) => bad.has(d.deploy));
  const goodOnes = decisions.filter((d) => !bad.has(d.deploy));
  const shippedBad = badOnes.filter((d) => isShippedBad(d, true)).length;
  const blockedGood = goodOnes.filter((d) => isBlockedGood(d, false)).length;
  const ttd = badOnes
    .filter((d) => d.decidedAt !== undefined && d.final !== 'shipped')
    .map((d) => d.decidedAt!);
  const lead = goodOnes
    .filter((d) => d.final === 'shipped' && d.shippedAt !== undefined)
    .map((d) => d.shippedAt!);
  return {
    deploys: decisions.length,
    badDeploys: badOnes.length,
    goodDeploys: goodOnes.length,
    shippedBad: rate(shippedBad, badOnes.length),
    blockedGood: rate(blockedGood, goodOnes.length),
    timeToDetectMin: distribution(ttd),
    leadTimeMin: distribution(lead),
  };
}

function rate(count: number, of: number): RateWithInterval {
  const { lo, hi } = wilsonInterval(count, of);
  return { count, of, rate: of === 0 ? 0 : count / of, lo, hi };
}

function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { n: 0, mean: NaN, p50: NaN, p90: NaN };
  return {
    n: values.length,
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    p50: quantile([...values], 0.5),
    p90: quantile([...values], 0.9),
  };
}

/** Every metric any check of the policy reads (its judge may read more than the check's metric). */
export function policyMetrics(
  policy: PolicyConfig,
  judges: Readonly<Record<string, JudgeModel>>,
): Set<MetricName> {
  const checks: CheckConfig[] = [
    ...policy.stages.flatMap((s) => s.checks),
    ...(policy.watch?.checks ?? []),
  ];
  const out = new Set<MetricName>();
  for (const c of checks) {
    out.add(c.metric);
    const model = Object.hasOwn(judges, c.judge.kind) ? judges[c.judge.kind] : undefined;
    if (model === undefined) continue;
    const parsed = model.params.safeParse(c.judge.params);
    if (parsed.success) for (const m of model.metrics(parsed.data, c.metric)) out.add(m);
  }
  return out;
}

/** A predicate: is time t near enough some deploy to matter (a week before to the replay limit after)? */
function deployRanges(deploys: readonly RecordedDeploy[]): (t: Minutes) => boolean {
  const ranges: [number, number][] = [];
  for (const d of [...deploys].sort((a, b) => a.start - b.start)) {
    const lo = d.start - LOOKBACK;
    const hi = d.start + MAX_REPLAY_MINUTES + 1;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else ranges.push([lo, hi]);
  }
  return (t) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = ranges[mid]!;
      if (t < a) hi = mid - 1;
      else if (t > b) lo = mid + 1;
      else return true;
    }
    return false;
  };
}

/** Every region a policy's targets name must be in the recording. */
function checkRegions(
  policy: PolicyConfig,
  regions: readonly string[],
  metrics: RecordedMetrics,
  file: string,
): void {
  for (const stage of policy.stages) {
    const t = stage.target;
    const names =
      t.kind === 'hosts' || t.kind === 'region'
        ? [t.region]
        : t.kind === 'regions'
          ? t.regions
          : [];
    for (const name of names) {
      if (!regions.includes(name)) {
        throw new GatesimError(
          'unknown-region',
          `policy ${policy.name}: stage ${stage.name} targets region ${name}, but ${file} has ${regions.length === 0 ? 'no production regions' : `only ${regions.join(', ')}`}`,
        );
      }
    }
  }
  if (metrics.series.length === 0) {
    throw new GatesimError(
      'no-data',
      `${file}: no rows for the metrics the policy reads near any deploy (${metrics.rows} rows read)`,
    );
  }
}
