import { dirname, resolve } from 'node:path';
import { ensureFolder, writeFileAtomic } from './write-file.js';
import { loadPolicy, loadScenario } from '../config/index.js';
import { GatesimError } from '../errors.js';
import { runTrial, type SeenPoint, type TrialResult } from '../pipeline/executor.js';
import { explainStreamDeploy, type DeployRecord } from '../stream/index.js';
import type { TrialOutcome } from '../pipeline/types.js';
import {
  markerKindFor,
  renderTimelineSvg,
  type TimelineMarker,
  type TimelineSeries,
} from '../report/index.js';
import { localTime, WEEK } from '../world/calendar.js';
import { DEFAULT_WEEKS as DEFAULT_STREAM_WEEKS } from './stream.js';
import { buildName } from '../world/names.js';
import type { MetricName } from '../world/types.js';

export interface ExplainOptions {
  scenario: string;
  policy: string;
  /** A single trial; or `stream` and `deploy`, one deploy of a stream study. */
  trial?: number;
  stream?: number;
  deploy?: number;
  /** Weeks per stream, as the stream study ran (`stream` only). */
  weeks?: number;
  seed: number;
  /** A pinned start (minutes since Monday 00:00 UTC) instead of the trial's drawn one. */
  startAt?: number;
  svg?: string;
}

/** What to replay, from the options: a trial, or a stream's deploy; refused when unclear. */
function subject(
  o: ExplainOptions,
): { trial: number } | { stream: number; deploy: number; weeks: number } {
  const streamed = o.stream !== undefined || o.deploy !== undefined || o.weeks !== undefined;
  if (o.trial !== undefined && streamed)
    throw new GatesimError(
      'bad-option',
      '--trial replays a single trial; --stream and --deploy one deploy of a stream: give one or the other',
    );
  if (o.trial !== undefined) return { trial: o.trial };
  if (o.startAt !== undefined)
    throw new GatesimError(
      'bad-option',
      "--start-at pins a single trial's start (--trial); a stream's deploy starts where the stream put it",
    );
  if (o.stream === undefined || o.deploy === undefined)
    throw new GatesimError(
      'bad-option',
      streamed
        ? `${o.stream === undefined ? '--stream' : '--deploy'} is missing: a stream's deploy needs both --stream and --deploy`
        : 'expected --trial K, or --stream S and --deploy D (a row of deploys.csv)',
    );
  return { stream: o.stream, deploy: o.deploy, weeks: o.weeks ?? DEFAULT_STREAM_WEEKS };
}

export async function explainCommand(opts: ExplainOptions): Promise<void> {
  const scenario = loadScenario(opts.scenario);
  const policy = loadPolicy(opts.policy, { scenario });
  const what = subject(opts);
  let result: TrialResult;
  let name: string;
  if ('trial' in what) {
    result = runTrial({
      scenario,
      policy,
      seed: opts.seed,
      trial: what.trial,
      ...(opts.startAt !== undefined ? { startAt: opts.startAt } : {}),
      timeline: true,
      series: true,
    });
    name = String(what.trial);
  } else {
    const replay = explainStreamDeploy({ scenario, policy, seed: opts.seed, ...what });
    if (!('result' in replay))
      throw new GatesimError(
        'bad-option',
        `--deploy ${what.deploy}: stream ${what.stream} of ${scenario.name} under ${policy.name} (seed ${opts.seed}, ${what.weeks} weeks) made ${replay.deploys} deploys (0 to ${replay.deploys - 1})`,
      );
    result = replay.result;
    name = `stream${what.stream}-deploy${what.deploy}`;
    process.stdout.write(streamHeader(what, replay.record));
  }
  const { outcome, series } = result;
  process.stdout.write(renderStory(outcome));
  const svgPath = resolve(
    opts.svg ?? `reports/explain-${scenario.name}-${policy.name}-${name}.svg`,
  );
  ensureFolder(dirname(svgPath), 'the chart');
  writeFileAtomic(
    svgPath,
    renderChart(
      outcome,
      series,
      new Set(policy.stages.filter((st) => st.target.kind === 'staging').map((st) => st.name)),
    ),
    'the chart',
  );
  process.stdout.write(`\nchart: ${svgPath}\n`);
}

/** Where a stream's deploy sits in its stream: what the batch held and what came of it. */
function streamHeader(
  at: { stream: number; deploy: number; weeks: number },
  r: DeployRecord,
): string {
  const day = localTime(r.startAt, 0);
  return (
    `stream ${at.stream} (${at.weeks} weeks), deploy ${at.deploy}: ${r.kind}, ${r.changes} change${r.changes === 1 ? '' : 's'} ` +
    `(${r.badChanges} still carrying a fault${r.revert ? '; a revert' : ''}), ${day.day} week ${Math.floor(r.startAt / WEEK)}; ` +
    `triage ${r.triage}${r.overridden ? ', then overridden' : ''}\n\n`
  );
}

function fmt(v: number | undefined): string {
  return v === undefined ? '—' : `${v.toFixed(1)} min`;
}

function count(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

/** The trial as a story a person can read: build, stages, checks with their numbers, decisions, outcome, impact. */
export function renderStory(o: TrialOutcome): string {
  const lines: string[] = [];
  const start = localTime(o.startAt, 0);
  const e = o.build.effect;
  lines.push(
    `gatesim explain — scenario ${o.scenario}, policy ${o.policy}, seed ${o.seed}, trial ${o.trial}`,
  );
  lines.push(
    `started ${start.day} ${String(Math.floor(start.hour)).padStart(2, '0')}:${String(Math.round((start.hour % 1) * 60) % 60).padStart(2, '0')} UTC`,
  );
  const name = buildName(o.seed, o.trial);
  lines.push(
    `build ${name.sha} "${name.nickname}": ${o.build.bad ? 'BAD' : 'good'} (${o.build.template}${o.build.faultKinds.length > 0 ? `: ${o.build.faultKinds.join(', ')}` : ''}); ` +
      `true full-fleet effect: errors +${e.errorRatePp.toFixed(2)} pp, p99 ×${e.p99Ratio.toFixed(2)}, conversion −${e.conversionDropPct.toFixed(2)}%` +
      `${e.resourceExhaustion ? ', exhausts memory or connections' : ''}${o.build.rollbackBreaking ? '; breaks rollback' : ''}`,
  );
  lines.push('');
  for (const t of o.timeline ?? []) {
    const where = [t.stage, t.check].filter((x) => x !== undefined).join(' / ');
    const figures =
      t.figures !== undefined && Object.keys(t.figures).length > 0
        ? '  [' +
          Object.entries(t.figures)
            .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
            .join(' ') +
          ']'
        : '';
    lines.push(
      `${t.t.toFixed(1).padStart(8)} min  ${t.kind.padEnd(15)} ${where !== '' ? where + ': ' : ''}${t.verdict !== undefined ? t.verdict.toUpperCase() + ' — ' : ''}${t.message}${figures}`,
    );
  }
  lines.push('');
  lines.push(
    `outcome: ${o.final}${o.detectedBy !== undefined ? ` (stopped by ${o.detectedBy})` : ''}; reached ${o.stageReached}`,
  );
  lines.push(
    `fault onset ${fmt(o.onsetAt)}, decision ${fmt(o.decidedAt)}, 100% at ${fmt(o.shippedAt)}, restored ${fmt(o.restoredAt)}`,
  );
  lines.push(
    `impact until the horizon: ${count(o.impact.failedRequests)} failed requests, ${count(o.impact.slowRequests)} slow requests, ` +
      `${count(o.impact.lostCheckouts)} lost checkouts (${count(o.impact.lostRevenue)} revenue); after 100%: ${count(o.escapeImpact.failedRequests)} failed requests`,
  );
  lines.push(
    `two hours after the start, customers ${o.hurtingAfter2h ? 'WERE' : 'were not'} being hurt by this build`,
  );
  return lines.join('\n') + '\n';
}

function renderChart(
  o: TrialOutcome,
  seen: readonly SeenPoint[],
  stagingStages: ReadonlySet<string>,
): string {
  // The production rollout, not the wait for a window before it: from its first stage on.
  const firstProduction = (o.timeline ?? []).find(
    (e) => e.kind === 'stage-start' && e.stage !== undefined && !stagingStages.has(e.stage),
  );
  const from = firstProduction === undefined ? 0 : Math.max(0, firstProduction.t - 5);
  const inRange = (t: number): boolean => t >= from;
  const charted = chartedCheck(o, seen, inRange);
  const series: TimelineSeries[] = [];
  if (charted !== undefined) {
    for (const role of ['canary', 'baseline'] as const) {
      const byT = new Map<number, number>();
      for (const p of seen)
        if (
          p.check === charted.check &&
          p.metric === charted.metric &&
          p.role === role &&
          !Number.isNaN(p.value) &&
          inRange(p.t - o.startAt)
        )
          byT.set(p.t - o.startAt, p.value);
      const sorted = [...byT.entries()].sort((a, b) => a[0] - b[0]);
      // Leave a gap where the check was not looking, rather than a line across it.
      const points: (readonly [number, number])[] = [];
      sorted.forEach(([t, v], k) => {
        if (k > 0 && t - sorted[k - 1]![0] > 30) points.push([t - 1, NaN]);
        points.push([t, v]);
      });
      if (points.length > 0)
        series.push({
          name: `${charted.check}: ${charted.metric} (${role === 'canary' ? 'new build' : 'old build'})`,
          points,
          dashed: role === 'baseline',
        });
    }
  }
  const markers: TimelineMarker[] = [];
  for (const t of o.timeline ?? []) {
    const kind = markerKindFor(t.kind);
    if (kind !== undefined && inRange(t.t))
      markers.push({
        t: t.t,
        label: t.stage !== undefined ? `${t.kind} ${t.stage}` : t.kind,
        kind,
      });
  }
  if (o.onsetAt !== undefined && inRange(o.onsetAt))
    markers.push({ t: o.onsetAt, label: 'fault onset', kind: 'fault' });
  return renderTimelineSvg({
    title: `${o.scenario} × ${o.policy}, trial ${o.trial}: ${o.final}`,
    series,
    markers,
    xLabel: 'minutes since the deploy started',
    yLabel: charted?.metric ?? 'metric',
  });
}

/**
 * Which check's data the chart shows: the check that decided; for a build nothing stopped, the
 * check on the metric its true effect moves (errors, then p99, conversion, memory) whose new
 * build peaked highest after the fault's onset, so a per-region alert charts the region where
 * the fault showed; else the first check that saw data. One check's points only: checks on the
 * same metric read different hosts (stages, regions), and their points at one minute are not
 * one series.
 */
export function chartedCheck(
  o: Pick<TrialOutcome, 'detectedBy' | 'startAt' | 'onsetAt' | 'build'>,
  seen: readonly SeenPoint[],
  inRange: (t: number) => boolean = () => true,
): { check: string; metric: MetricName } | undefined {
  const shown = seen.filter((p) => !Number.isNaN(p.value) && inRange(p.t - o.startAt));
  const decider = shown.find((p) => p.check === o.detectedBy);
  if (decider !== undefined) return { check: decider.check, metric: decider.metric };
  const e = o.build.effect;
  const moved: MetricName[] = [
    ...(e.errorRatePp > 0 ? (['error_rate'] as const) : []),
    ...(e.p99Ratio > 1 ? (['latency_p99'] as const) : []),
    ...(e.conversionDropPct > 0 ? (['conversion_rate'] as const) : []),
    ...(e.resourceExhaustion ? (['memory', 'connections'] as const) : []),
  ];
  // Once the fault shows, the hosts that carry it stand out; before, the highest point is
  // noise (a one-box's minute with a few hundred requests).
  const onset = o.onsetAt ?? Infinity;
  const afterOnset = shown.filter((p) => p.t - o.startAt >= onset);
  for (const metric of moved) {
    let best: SeenPoint | undefined;
    for (const p of afterOnset)
      if (
        p.metric === metric &&
        p.role === 'canary' &&
        (best === undefined || p.value > best.value)
      )
        best = p;
    if (best !== undefined) return { check: best.check, metric };
  }
  const first = shown[0];
  return first === undefined ? undefined : { check: first.check, metric: first.metric };
}
