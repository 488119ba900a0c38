/**
 * A stream study: every policy on every scenario over the same repeated streams, then the
 * crossover sweep — one gated policy with a flaky check stopping a growing share of its deploys,
 * under a few fatigue curves, against the reference policy — on the first streams.
 *
 * Each stream is a task (all its variants share its changes and world events); results are
 * folded in task order, so the study is the same for any worker count.
 */
import { GatesimError } from '../errors.js';
import { OrderedPool } from '../eval/chunk-pool.js';
import { builtScript } from '../eval/study.js';
import { ciOnlyReference } from '../policy/ci-only.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import { streamSettings, type FatigueCurve, type StreamSettings } from './settings.js';
import { noCounts, type DeployRecord, type StreamCounts, type StreamFigures } from './simulate.js';
import { estimate, type Estimate } from './summary.js';
import { runStreamTask, type StreamTask, type StreamTaskResult, type VariantSpec } from './task.js';

/** Flaky-check stop rates the crossover sweep tries. */
export const SWEEP_FLAKY = [0, 0.15, 0.3, 0.45, 0.6] as const;
/** Streams the crossover sweep uses by default (it runs its policy many times over). */
export const DEFAULT_SWEEP_STREAMS = 10;

export interface StreamStudyOptions {
  scenarios: readonly ScenarioConfig[];
  policies: readonly PolicyConfig[];
  weeks: number;
  streams: number;
  seed: number;
  workers: number;
  /**
   * The gated policy the crossover sweeps (by name); undefined: the one with the fewest failed
   * requests per week on each scenario; 'none': no sweep.
   */
  crossover?: string | undefined;
  /** Streams of the sweep (default DEFAULT_SWEEP_STREAMS, at most `streams`). */
  sweepStreams?: number | undefined;
  /** Called after each stream task with the tasks done and their total. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** One policy's figures on one scenario, over the streams. */
export interface PolicyStreamFigures {
  policy: string;
  deploymentsPerDay: Estimate;
  leadTimeForChangesMin: { p50: Estimate; p90: Estimate };
  changeFailureRate: Estimate;
  timeToRestoreMin: Estimate;
  customerImpactPerWeek: {
    failedRequests: Estimate;
    lostCheckouts: Estimate;
    lostRevenue: Estimate;
  };
  incidentsPerQuarter: Estimate;
  falseAlarmRate: Estimate;
  overrideRate: Estimate;
  badShippedByOverridePerQuarter: Estimate;
  meanBatchSize: Estimate;
  /** Totals over the streams. */
  counts: StreamCounts;
}

/** One fatigue curve's sweep: the swept policy's impact per flaky rate against the reference. */
export interface CrossoverCurve {
  label: string;
  fatigue: FatigueCurve;
  /** The reference policy's failed requests per week under this curve. */
  reference: Estimate;
  points: {
    flaky: number;
    falseAlarmRate: Estimate;
    overrideRate: Estimate;
    failedRequestsPerWeek: Estimate;
  }[];
  /**
   * The flaky rate (interpolated) where the swept policy's mean failed requests per week first
   * reaches the reference's, with the false-alarm rate the team experiences there; null when
   * it stays below over the whole sweep.
   */
  crossoverFlaky: number | null;
  crossoverFalseAlarmRate: number | null;
}

export interface StreamCrossover {
  policy: string;
  reference: string;
  streams: number;
  curves: CrossoverCurve[];
}

export interface ScenarioStreamResult {
  scenario: string;
  settings: StreamSettings;
  policies: PolicyStreamFigures[];
  crossover: StreamCrossover | undefined;
  /** Why there is no crossover, when there is none. */
  crossoverNote: string | undefined;
}

export interface StreamStudyResult {
  seed: number;
  weeks: number;
  streams: number;
  scenarios: ScenarioStreamResult[];
  /** Every deploy of the study's own runs, by scenario and policy, in stream order. */
  deploys: { scenario: string; policy: string; rows: DeployRecord[] }[];
}

/** The fatigue curves the sweep compares: none, the scenario's own, and three times steeper. */
export function sweepCurves(own: FatigueCurve): { label: string; fatigue: FatigueCurve }[] {
  return [
    { label: 'no overrides', fatigue: { ...own, max: 0 } },
    { label: `scenario's (steepness ${own.steepness})`, fatigue: own },
    {
      label: `steeper (steepness ${own.steepness * 3})`,
      fatigue: { ...own, steepness: own.steepness * 3 },
    },
  ];
}

/** Runs tasks on `workers` threads (or here) and hands results back in task order. */
async function runTasks(
  tasks: readonly StreamTask[],
  workers: number,
  fold: (k: number, r: StreamTaskResult) => void,
): Promise<void> {
  const pool = OrderedPool.open<StreamTask, StreamTaskResult>(
    workers,
    () => builtScript(new URL('./worker.js', import.meta.url)),
    runStreamTask,
  );
  try {
    await pool.runInOrder(tasks.length, (k) => tasks[k]!, fold);
  } finally {
    await pool.close();
  }
}

function sumCounts(all: readonly StreamCounts[]): StreamCounts {
  const out = noCounts();
  for (const c of all) for (const k of Object.keys(out) as (keyof StreamCounts)[]) out[k] += c[k];
  return out;
}

/** A policy's figures from its streams' figures and counts. */
export function policyFigures(
  policy: string,
  runs: readonly { figures: StreamFigures; counts: StreamCounts }[],
): PolicyStreamFigures {
  const f = (pick: (x: StreamFigures) => number | undefined) =>
    estimate(runs.map((r) => pick(r.figures)));
  return {
    policy,
    deploymentsPerDay: f((x) => x.deploymentsPerDay),
    leadTimeForChangesMin: { p50: f((x) => x.leadTimeP50Min), p90: f((x) => x.leadTimeP90Min) },
    changeFailureRate: f((x) => x.changeFailureRate),
    timeToRestoreMin: f((x) => x.timeToRestoreMin),
    customerImpactPerWeek: {
      failedRequests: f((x) => x.failedRequestsPerWeek),
      lostCheckouts: f((x) => x.lostCheckoutsPerWeek),
      lostRevenue: f((x) => x.lostRevenuePerWeek),
    },
    incidentsPerQuarter: f((x) => x.incidentsPerQuarter),
    falseAlarmRate: f((x) => x.falseAlarmRate),
    overrideRate: f((x) => x.overrideRate),
    badShippedByOverridePerQuarter: f((x) => x.badShippedByOverridePerQuarter),
    meanBatchSize: f((x) => x.meanBatchSize),
    counts: sumCounts(runs.map((r) => r.counts)),
  };
}

/**
 * Where the swept policy's impact first reaches the reference's: linear interpolation between
 * the two sweep points around the sign change of (policy − reference). Null when it never does.
 */
export function crossoverPoint(
  points: readonly { flaky: number; impact: number | null; falseAlarmRate: number | null }[],
  reference: number | null,
): { flaky: number | null; falseAlarmRate: number | null } {
  if (reference === null) return { flaky: null, falseAlarmRate: null };
  let prev: (typeof points)[number] | undefined;
  for (const p of points) {
    if (p.impact === null) continue;
    if (p.impact >= reference) {
      if (prev === undefined || prev.impact === null)
        return { flaky: p.flaky, falseAlarmRate: p.falseAlarmRate };
      const w = (reference - prev.impact) / (p.impact - prev.impact);
      const fa =
        prev.falseAlarmRate === null || p.falseAlarmRate === null
          ? p.falseAlarmRate
          : prev.falseAlarmRate + w * (p.falseAlarmRate - prev.falseAlarmRate);
      return { flaky: prev.flaky + w * (p.flaky - prev.flaky), falseAlarmRate: fa };
    }
    prev = p;
  }
  return { flaky: null, falseAlarmRate: null };
}

/** Which task a result belongs to: the study's own runs or the sweep, a scenario, a stream. */
export interface TaskKey {
  phase: 'main' | 'sweep';
  scenario: number;
  stream: number;
}

/** A task's result with its key: what a shard writes and merge reads back. */
export interface KeyedResult {
  key: TaskKey;
  result: StreamTaskResult;
}

/**
 * What a study is, without the files' contents: enough to plan its tasks' keys and to assemble
 * its result (what a shard records for merge).
 */
export interface StudyShape {
  scenarios: readonly { name: string; settings: StreamSettings }[];
  policies: readonly string[];
  /** The policy every crossover is measured against: the first that ships on CI alone. */
  reference: string | undefined;
  weeks: number;
  streams: number;
  seed: number;
  crossover: string | undefined;
  sweepStreams: number;
}

export function studyShape(o: StreamStudyOptions): StudyShape {
  return {
    scenarios: o.scenarios.map((s) => ({ name: s.name, settings: streamSettings(s) })),
    policies: o.policies.map((p) => p.name),
    reference: ciOnlyReference(o.policies),
    weeks: o.weeks,
    streams: o.streams,
    seed: o.seed,
    crossover: o.crossover,
    sweepStreams: Math.min(o.streams, o.sweepStreams ?? DEFAULT_SWEEP_STREAMS),
  };
}

/** The study's own task keys: every stream of every scenario. */
function mainKeys(shape: StudyShape): TaskKey[] {
  const out: TaskKey[] = [];
  shape.scenarios.forEach((_, si) => {
    for (let stream = 0; stream < shape.streams; stream++)
      out.push({ phase: 'main', scenario: si, stream });
  });
  return out;
}

/** The variants of a scenario's own tasks: every policy under the scenario's fatigue curve. */
function mainVariants(shape: StudyShape, si: number): VariantSpec[] {
  return shape.policies.map((_, i) => ({
    policy: i,
    fatigue: shape.scenarios[si]!.settings.fatigue,
    flaky: 0,
    rows: true,
  }));
}

/**
 * The policy each scenario's sweep runs (an index), or a note saying why there is none. With
 * no `crossover` option it is the gated policy with the fewest failed requests per week, which
 * needs the study's own figures.
 */
function sweptPolicies(
  shape: StudyShape,
  figures: readonly (readonly PolicyStreamFigures[])[] | undefined,
): ({ swept: number } | { note: string })[] {
  const referenceIndex = referenceOf(shape);
  return shape.scenarios.map((_, si) => {
    if (shape.crossover === 'none')
      return { note: 'no crossover sweep was asked for (--crossover none)' };
    if (referenceIndex < 0)
      return {
        note: 'no crossover: every policy gates after CI (the reference is one with no check after CI and no rollback drill)',
      };
    let swept: number;
    if (shape.crossover !== undefined) {
      swept = shape.policies.indexOf(shape.crossover);
    } else {
      if (figures === undefined)
        throw new Error('the sweep needs the study figures to choose its policy');
      swept = bestGated(figures[si]!, referenceIndex);
    }
    if (swept < 0 || swept === referenceIndex)
      return {
        note:
          shape.crossover === undefined
            ? 'no crossover: no gated policy besides the reference'
            : `no crossover: --crossover ${shape.crossover} is not a gated policy among the policies`,
      };
    return { swept };
  });
}

/** The sweep's task keys: its first streams of every scenario that has a swept policy. */
function sweepKeys(
  shape: StudyShape,
  swept: readonly ({ swept: number } | { note: string })[],
): TaskKey[] {
  const out: TaskKey[] = [];
  shape.scenarios.forEach((_, si) => {
    if (!('swept' in swept[si]!)) return;
    for (let stream = 0; stream < shape.sweepStreams; stream++)
      out.push({ phase: 'sweep', scenario: si, stream });
  });
  return out;
}

/** A sweep task's variants: per fatigue curve, the reference, then the swept policy at each flaky rate. */
function sweepVariants(shape: StudyShape, si: number, swept: number): VariantSpec[] {
  const referenceIndex = referenceOf(shape);
  const variants: VariantSpec[] = [];
  for (const c of sweepCurves(shape.scenarios[si]!.settings.fatigue)) {
    variants.push({ policy: referenceIndex, fatigue: c.fatigue, flaky: 0, rows: false });
    for (const q of SWEEP_FLAKY)
      variants.push({ policy: swept, fatigue: c.fatigue, flaky: q, rows: false });
  }
  return variants;
}

/** The reference policy's index, or −1 when every policy gates. */
function referenceOf(shape: StudyShape): number {
  return shape.reference === undefined ? -1 : shape.policies.indexOf(shape.reference);
}

/** Whether stream `stream` belongs to shard `shard` (every count-th stream). */
function inShard(stream: number, shard: ShardSpec | undefined): boolean {
  return shard === undefined || stream % shard.count === shard.index;
}

/** Which slice of the streams a run does: streams s with s mod count = index. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** The study's own figures, per scenario and policy, from its main results in stream order. */
function mainFigures(shape: StudyShape, main: readonly KeyedResult[]): PolicyStreamFigures[][] {
  return shape.scenarios.map((_, si) => {
    const results = main.filter((m) => m.key.scenario === si).map((m) => m.result);
    return shape.policies.map((name, pi) =>
      policyFigures(
        name,
        results.map((r) => r.runs[pi]!),
      ),
    );
  });
}

/**
 * Runs the tasks of a study (or of one shard of it) and returns their keyed results in plan
 * order. A shard needs the swept policy named (`crossover`), since choosing it needs every
 * stream's figures.
 */
export async function runStreamTasks(
  o: StreamStudyOptions,
  shard?: ShardSpec,
): Promise<KeyedResult[]> {
  const shape = studyShape(o);
  if (shard !== undefined && shape.crossover === undefined)
    throw new GatesimError(
      'bad-option',
      '--shard: name the crossover policy (--crossover POLICY, or none): choosing it needs every stream',
    );
  const policies = [...o.policies];
  const task = (k: TaskKey, variants: VariantSpec[]): StreamTask => ({
    scenario: o.scenarios[k.scenario]!,
    policies,
    variants,
    weeks: o.weeks,
    seed: o.seed,
    stream: k.stream,
  });
  const main = mainKeys(shape).filter((k) => inShard(k.stream, shard));
  const total = { done: 0, all: main.length };
  const out: KeyedResult[] = [];
  await runTasks(
    main.map((k) => task(k, mainVariants(shape, k.scenario))),
    o.workers,
    (i, r) => {
      out.push({ key: main[i]!, result: r });
      o.onProgress?.(++total.done, total.all);
    },
  );
  const swept = sweptPolicies(
    shape,
    shape.crossover === undefined ? mainFigures(shape, out) : undefined,
  );
  const sweep = sweepKeys(shape, swept).filter((k) => inShard(k.stream, shard));
  total.all += sweep.length;
  await runTasks(
    sweep.map((k) => {
      const choice = swept[k.scenario]!;
      if (!('swept' in choice)) throw new Error('a sweep task without a swept policy');
      return task(k, sweepVariants(shape, k.scenario, choice.swept));
    }),
    o.workers,
    (i, r) => {
      out.push({ key: sweep[i]!, result: r });
      o.onProgress?.(++total.done, total.all);
    },
  );
  return out;
}

/**
 * The study's result from every task's result (in any order: they are put back in plan order),
 * so one run and merged shards give the same bytes.
 */
export function assembleStreamStudy(
  shape: StudyShape,
  results: readonly KeyedResult[],
): StreamStudyResult {
  const id = (k: TaskKey) => `${k.phase}/${k.scenario}/${k.stream}`;
  const name = (k: TaskKey) =>
    `stream ${k.stream} (${k.phase === 'main' ? 'study' : 'sweep'}, scenario ${shape.scenarios[k.scenario]?.name ?? k.scenario})`;
  const byKey = new Map<string, StreamTaskResult>();
  for (const r of results) {
    if (byKey.has(id(r.key)))
      throw new GatesimError('bad-merge', `${name(r.key)} appears in two shards`);
    byKey.set(id(r.key), r.result);
  }
  const take = (key: TaskKey): KeyedResult => {
    const result = byKey.get(id(key));
    if (result === undefined)
      throw new GatesimError(
        'bad-merge',
        `${name(key)} is missing: merge every shard of the study`,
      );
    return { key, result };
  };
  const main = mainKeys(shape).map(take);
  const figures = mainFigures(shape, main);
  const swept = sweptPolicies(shape, figures);
  const sweep = sweepKeys(shape, swept).map(take);
  if (byKey.size !== main.length + sweep.length)
    throw new GatesimError('bad-merge', 'the shards hold streams this study does not have');
  const deploys: StreamStudyResult['deploys'] = [];
  const scenarios = shape.scenarios.map((scenario, si): ScenarioStreamResult => {
    const results = main.filter((m) => m.key.scenario === si).map((m) => m.result);
    shape.policies.forEach((policy, pi) =>
      deploys.push({
        scenario: scenario.name,
        policy,
        rows: results.flatMap((r) => r.runs[pi]!.deploys ?? []),
      }),
    );
    const choice = swept[si]!;
    const mine = sweep.filter((x) => x.key.scenario === si).map((x) => x.result);
    return {
      scenario: scenario.name,
      settings: scenario.settings,
      policies: figures[si]!,
      crossover:
        'swept' in choice
          ? crossoverOf(scenario.settings, shape.policies[choice.swept]!, shape.reference!, mine)
          : undefined,
      crossoverNote: 'note' in choice ? choice.note : undefined,
    };
  });
  return { seed: shape.seed, weeks: shape.weeks, streams: shape.streams, scenarios, deploys };
}

function crossoverOf(
  settings: StreamSettings,
  policy: string,
  reference: string,
  results: readonly StreamTaskResult[],
): StreamCrossover {
  const per = 1 + SWEEP_FLAKY.length;
  const curves = sweepCurves(settings.fatigue).map((c, ci): CrossoverCurve => {
    const at = (v: number) => results.map((r) => r.runs[ci * per + v]!);
    const referenceImpact = estimate(at(0).map((r) => r.figures.failedRequestsPerWeek));
    const points = SWEEP_FLAKY.map((flaky, qi) => {
      const runs = at(1 + qi);
      return {
        flaky,
        falseAlarmRate: estimate(runs.map((r) => r.figures.falseAlarmRate)),
        overrideRate: estimate(runs.map((r) => r.figures.overrideRate)),
        failedRequestsPerWeek: estimate(runs.map((r) => r.figures.failedRequestsPerWeek)),
      };
    });
    const cross = crossoverPoint(
      points.map((p) => ({
        flaky: p.flaky,
        impact: p.failedRequestsPerWeek.mean,
        falseAlarmRate: p.falseAlarmRate.mean,
      })),
      referenceImpact.mean,
    );
    return {
      label: c.label,
      fatigue: c.fatigue,
      reference: referenceImpact,
      points,
      crossoverFlaky: cross.flaky,
      crossoverFalseAlarmRate: cross.falseAlarmRate,
    };
  });
  return { policy, reference, streams: results.length, curves };
}

/** Runs a stream study in this process's pool and assembles its result. */
export async function runStreamStudy(o: StreamStudyOptions): Promise<StreamStudyResult> {
  return assembleStreamStudy(studyShape(o), await runStreamTasks(o));
}

/** The gated policy with the fewest failed requests per week (ties: the first). */
function bestGated(figures: readonly PolicyStreamFigures[], reference: number): number {
  let best = -1;
  let bestImpact = Infinity;
  figures.forEach((f, i) => {
    const m = f.customerImpactPerWeek.failedRequests.mean;
    if (i === reference || m === null) return;
    if (m < bestImpact) {
      best = i;
      bestImpact = m;
    }
  });
  return best;
}
