/**
 * What a policy costs a trial, computed before the trial: how long its own schedule takes
 * (so it fits the 14 days a trial may run) and, on a scenario's fleet, how many deploy
 * batches it makes and how many metric points its checks draw and judge. The loaders reject
 * a policy whose cost crosses a limit (src/util/limits.ts), so everything they accept runs
 * in bounded time and memory.
 *
 * The schedule counts what is fixed: the drill, the longest wait for a deploy window, deploy
 * batches, bakes (or counted checks, when longer), fixed approval delays, the watch and a
 * rollback at the end. Random waits for a person (lognormal or exponential delays) are not
 * counted: a draw that runs past the limit is a stalled trial, not an error in the file.
 */
import type { ValidationIssue } from '../errors.js';
import type { JudgeModel } from '../judges/types.js';
import { cumulativeTargets } from '../pipeline/targets.js';
import type { CheckConfig, DeployWindow, PolicyConfig, StageConfig } from '../policy/types.js';
import { formatDuration } from '../util/duration.js';
import {
  LIMIT_NOTE,
  MAX_DEPLOY_BATCHES,
  MAX_JUDGED_POINTS,
  MAX_OBSERVED_POINTS,
  MAX_TRIAL_MINUTES,
} from '../util/limits.js';
import { regionRuntimes } from '../world/regions.js';
import type { Minutes, ScenarioConfig } from '../world/types.js';
import type { RawIssue } from './issues.js';
import { formatPath } from './issues.js';
import type { Registries } from './registries.js';
import { lookup } from './registries.js';

/** The parts of a policy its cost depends on (the parsed body has them before it has a name). */
export interface PolicyShape extends Pick<PolicyConfig, 'stages' | 'rollback' | 'maxBatchShare'> {
  watch?: PolicyConfig['watch'];
  rollbackDrill?: PolicyConfig['rollbackDrill'];
}

/** What a step of the schedule is, in the words a message uses. */
type StepKind =
  | 'drill'
  | 'deploy windows'
  | 'deploy batches'
  | 'bakes'
  | 'counted checks'
  | 'approvals'
  | 'watch'
  | 'rollback';

const STEP_ORDER: readonly StepKind[] = [
  'drill',
  'deploy windows',
  'deploy batches',
  'bakes',
  'counted checks',
  'approvals',
  'watch',
  'rollback',
];

interface Step {
  kind: StepKind;
  path: PropertyKey[];
  minutes: Minutes;
}

const WEEK = 7 * 1440;

/**
 * The longest a stage can wait for one of its deploy windows to open: the longest closed
 * stretch of the week (windows repeat weekly, so the gap wraps from Sunday into Monday).
 */
export function longestWindowWait(windows: readonly DeployWindow[]): Minutes {
  if (windows.length === 0) return 0;
  const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const open: [number, number][] = [];
  for (const w of windows) {
    for (const d of w.days) {
      const day = DAYS.indexOf(d) * 1440;
      open.push([day + w.fromHour * 60, day + w.toHour * 60]);
    }
  }
  open.sort((a, b) => a[0] - b[0]);
  let longest = 0;
  let reach = open[0]![1];
  for (const [from, to] of open.slice(1)) {
    if (from > reach) longest = Math.max(longest, from - reach);
    reach = Math.max(reach, to);
  }
  // From the last window's end round to the first window's start next week.
  return Math.max(longest, open[0]![0] + WEEK - reach, 0);
}

/** How long a check holds its stage when it has a count: its delay and every measurement. */
function countedMinutes(c: CheckConfig): Minutes {
  if (c.count === undefined || c.background || c.dryRun) return 0;
  return c.initialDelay + c.count * c.interval;
}

/** How long a stage runs once deployed: its bake, or its counted checks when they take longer. */
function stageActive(s: StageConfig): { minutes: Minutes; kind: 'bakes' | 'counted checks' } {
  const counted = Math.max(0, ...s.checks.map(countedMinutes));
  return counted > s.bake
    ? { minutes: counted, kind: 'counted checks' }
    : { minutes: s.bake, kind: 'bakes' };
}

/** A fleet's part of the schedule: deploy batches per stage and the rollback. */
interface FleetPlan {
  /** Deploy batches of each stage. */
  batches: number[];
  minutesPerBatch: Minutes;
  /** Batches a rollback of the whole fleet takes. */
  rollbackBatches: number;
}

/** Batches `splitBatches` in the executor makes of `counts` at `share`: the most any region needs. */
function batchCount(counts: readonly number[], share: number): number {
  let most = 0;
  for (const n of counts) {
    if (n <= 0) continue;
    const size = Math.max(1, Math.ceil(n * share - 1e-9));
    most = Math.max(most, Math.ceil(n / size));
  }
  return most;
}

function fleetPlan(policy: PolicyShape, scenario: ScenarioConfig): FleetPlan {
  const regions = regionRuntimes(scenario.fleet.regions);
  const targets = cumulativeTargets(
    policy.stages.map((s) => s.target),
    regions,
  );
  let have = regions.map(() => 0);
  const batches = policy.stages.map((s, i) => {
    if (s.target.kind === 'staging') return 1;
    const want = targets[i]!;
    const add = want.map((w, r) => Math.max(0, w - have[r]!));
    have = want;
    return batchCount(add, policy.maxBatchShare);
  });
  return {
    batches,
    minutesPerBatch: scenario.deploy.minutesPerBatch,
    rollbackBatches: batchCount(
      regions.map((r) => r.hosts),
      policy.rollback.maxBatchShare,
    ),
  };
}

/** The schedule's steps in the order a rollout takes them. */
function scheduleSteps(policy: PolicyShape, fleet: FleetPlan | undefined): Step[] {
  const steps: Step[] = [];
  if (policy.rollbackDrill !== undefined)
    steps.push({
      kind: 'drill',
      path: ['rollbackDrill', 'duration'],
      minutes: policy.rollbackDrill.duration,
    });
  policy.stages.forEach((s, i) => {
    const at = ['stages', i];
    steps.push({
      kind: 'deploy windows',
      path: [...at, 'deployWindows'],
      minutes: longestWindowWait(s.deployWindows),
    });
    if (fleet !== undefined)
      steps.push({
        kind: 'deploy batches',
        path: [...at, 'target'],
        minutes: fleet.batches[i]! * fleet.minutesPerBatch,
      });
    const active = stageActive(s);
    steps.push({
      kind: active.kind,
      path: active.kind === 'bakes' ? [...at, 'bake'] : [...at, 'checks'],
      minutes: active.minutes,
    });
    if (s.approval.kind === 'manual' && s.approval.delay.kind === 'fixed')
      steps.push({
        kind: 'approvals',
        path: [...at, 'approval'],
        minutes: s.approval.delay.minutes,
      });
  });
  if (policy.watch !== undefined)
    steps.push({ kind: 'watch', path: ['watch', 'duration'], minutes: policy.watch.duration });
  if (fleet !== undefined)
    steps.push({
      kind: 'rollback',
      path: ['rollback', 'minutesPerBatch'],
      minutes: fleet.rollbackBatches * policy.rollback.minutesPerBatch,
    });
  return steps;
}

/** `15d (bakes 12d, watch 3d)`: the total and its parts, in schedule order. */
function describeSteps(steps: readonly Step[]): string {
  const by = new Map<StepKind, number>();
  for (const s of steps) by.set(s.kind, (by.get(s.kind) ?? 0) + s.minutes);
  const total = steps.reduce((a, s) => a + s.minutes, 0);
  const parts = STEP_ORDER.filter((k) => (by.get(k) ?? 0) > 0).map(
    (k) => `${k} ${formatDuration(by.get(k)!)}`,
  );
  return `${formatDuration(total)} (${parts.join(', ')})`;
}

/** An issue at the step where the schedule crosses the limit, or undefined when it fits. */
function scheduleIssue(steps: readonly Step[], what: string): RawIssue | undefined {
  let sum = 0;
  for (const step of steps) {
    sum += step.minutes;
    if (sum > MAX_TRIAL_MINUTES) {
      return {
        path: step.path,
        message: `${what} takes ${describeSteps(steps)}, over the ${formatDuration(MAX_TRIAL_MINUTES)} a trial may run (${LIMIT_NOTE})`,
      };
    }
  }
  return undefined;
}

/**
 * The policy's own schedule against the 14-day limit (no fleet: deploy batches and the
 * rollback depend on a scenario and are checked in `checkPolicyCost`).
 */
export function checkPolicySchedule(policy: PolicyShape): RawIssue[] {
  const issue = scheduleIssue(scheduleSteps(policy, undefined), "the policy's own schedule");
  return issue === undefined ? [] : [issue];
}

/** Rounds a count for a message: 175 million, 12,345. */
function count(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))} million`;
  return String(Math.round(n));
}

/** One check run's share of the points drawn and judged in a trial. */
interface CheckCost {
  path: PropertyKey[];
  observed: number;
  judged: number;
  measurements: number;
  window: string;
}

/**
 * Points a check draws and judges, from how long it runs (`active`), its interval and window,
 * the metrics and sides (canary, baseline, last week) its judge reads.
 */
function checkCost(
  c: CheckConfig,
  active: Minutes,
  metricInterval: Minutes,
  judges: Registries['judges'],
  path: PropertyKey[],
  runs = 1,
): CheckCost {
  const model: JudgeModel | undefined = lookup(judges, c.judge.kind);
  const metrics = model === undefined ? 1 : model.metrics(c.judge.params, c.metric).length;
  const baseline = c.compare === 'baseline' || model?.needs.baseline === 'required';
  const sides = 1 + (baseline ? 1 : 0) + (model?.needs.seasonal === true ? 1 : 0);
  const counted = c.count === undefined ? Infinity : c.count * c.interval;
  const span = Math.max(0, Math.min(active - c.initialDelay, counted));
  const measurements = runs * Math.floor(span / c.interval + 1e-9);
  const lookback = typeof c.window === 'number' ? c.window : 0;
  const series = metrics * sides;
  const observed = (runs * series * (span + Math.max(0, lookback - c.interval))) / metricInterval;
  // A cumulative window grows by one interval a measurement: on average half the run.
  const windowPoints =
    c.window === 'cumulative'
      ? span / 2 / metricInterval
      : Math.max(1, (c.window === 'interval' ? c.interval : c.window) / metricInterval);
  const window =
    c.window === 'cumulative'
      ? 'a cumulative window'
      : c.window === 'interval'
        ? `a ${formatDuration(c.interval)} window`
        : `a ${formatDuration(c.window)} window`;
  return { path, observed, judged: measurements * windowPoints * series, measurements, window };
}

/** Every check run's cost, with how long each runs in the policy's schedule. */
function checkCosts(
  policy: PolicyShape,
  plan: FleetPlan,
  scenario: ScenarioConfig,
  judges: Registries['judges'],
): CheckCost[] {
  const { metricInterval } = scenario;
  const out: CheckCost[] = [];
  // What is left of the schedule from each stage to 100%: how long a background check runs.
  const stageTimes = policy.stages.map(
    (s, i) =>
      longestWindowWait(s.deployWindows) +
      plan.batches[i]! * plan.minutesPerBatch +
      stageActive(s).minutes +
      (s.approval.kind === 'manual' && s.approval.delay.kind === 'fixed'
        ? s.approval.delay.minutes
        : 0),
  );
  policy.stages.forEach((s, i) => {
    // A stage's checks start once it is deployed: its own deploy-window wait comes before them.
    const rest =
      stageTimes.slice(i).reduce((a, b) => a + b, 0) - longestWindowWait(s.deployWindows);
    s.checks.forEach((c, j) => {
      const active = c.background ? rest : stageActive(s).minutes;
      out.push(checkCost(c, active, metricInterval, judges, ['stages', i, 'checks', j]));
    });
  });
  policy.watch?.checks.forEach((c, j) => {
    // A perRegion check runs once per region.
    const runs = c.perRegion ? scenario.fleet.regions.length : 1;
    const path = ['watch', 'checks', j];
    out.push(checkCost(c, policy.watch!.duration, metricInterval, judges, path, runs));
  });
  return out;
}

/** What one trial of a policy on a scenario costs, in the units of gatesim's limits. */
export interface TrialCost {
  /** Minutes of the schedule (drill, windows, batches, bakes, approvals, watch, rollback). */
  scheduleMinutes: Minutes;
  deployBatches: number;
  observedPoints: number;
  judgedPoints: number;
}

/** The cost of one trial of `policy` on `scenario`, as the limits count it. */
export function trialCost(
  policy: PolicyShape,
  scenario: ScenarioConfig,
  judges: Registries['judges'],
): TrialCost {
  const plan = fleetPlan(policy, scenario);
  const costs = checkCosts(policy, plan, scenario, judges);
  return {
    scheduleMinutes: scheduleSteps(policy, plan).reduce((a, s) => a + s.minutes, 0),
    deployBatches: plan.batches.reduce((a, b) => a + b, 0),
    observedPoints: costs.reduce((a, c) => a + c.observed, 0),
    judgedPoints: costs.reduce((a, c) => a + c.judged, 0),
  };
}

/**
 * A policy's cost on a scenario's fleet against gatesim's limits: its whole schedule (with
 * deploy batches and a rollback) within 14 days, its deploy batches, and the metric points
 * its checks draw and judge. Issues are paths inside the policy.
 */
export function checkPolicyCost(
  policy: PolicyShape,
  scenario: ScenarioConfig,
  judges: Registries['judges'],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const on = `on scenario \`${scenario.name}\``;
  const plan = fleetPlan(policy, scenario);
  const batches = plan.batches.reduce((a, b) => a + b, 0);
  if (batches > MAX_DEPLOY_BATCHES) {
    issues.push({
      path: 'maxBatchShare',
      message: `${on} the rollout deploys in ${batches} batches, over the limit of ${MAX_DEPLOY_BATCHES} (${LIMIT_NOTE}); raise maxBatchShare`,
    });
  }
  const schedule = scheduleIssue(scheduleSteps(policy, plan), `${on} the schedule`);
  if (schedule !== undefined)
    issues.push({ path: formatPath(schedule.path), message: schedule.message });
  if (issues.length > 0) return issues;

  const costs = checkCosts(policy, plan, scenario, judges);
  const budgets = [
    {
      total: costs.reduce((a, c) => a + c.observed, 0),
      limit: MAX_OBSERVED_POINTS,
      of: (c: CheckCost) => c.observed,
      what: 'the checks would draw',
      why: (c: CheckCost) => `${count(c.measurements)} measurements`,
      fix: 'measure for a shorter time, or use a longer metricInterval in the scenario',
    },
    {
      total: costs.reduce((a, c) => a + c.judged, 0),
      limit: MAX_JUDGED_POINTS,
      of: (c: CheckCost) => c.judged,
      what: "the checks' judges would read",
      why: (c: CheckCost) => `${count(c.measurements)} measurements of ${c.window}`,
      fix: 'measure less often, or use a shorter window',
    },
  ];
  for (const b of budgets) {
    if (b.total <= b.limit) continue;
    const worst = costs.reduce((a, c) => (b.of(c) > b.of(a) ? c : a));
    issues.push({
      path: formatPath(worst.path),
      message: `${on} ${b.what} ${count(b.total)} points in a trial (this check ${count(b.of(worst))}: ${b.why(worst)}), over the limit of ${count(b.limit)} (${LIMIT_NOTE}); ${b.fix}`,
    });
  }
  return issues;
}
