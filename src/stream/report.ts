/**
 * A stream study's files: stream.json (the figures, fields in docs/reports.md), deploys.csv
 * (one row per deploy), report.md and report.html (the headline table, the crossover chart and
 * the fatigue sweep). Written as one output folder, atomically, like compare's report.
 */
import { cell } from '../report/cells.js';
import { escapeHtml, escapeMarkdown } from '../report/escape.js';
import { formatCount, formatMinutes, formatNumber, formatPercent } from '../report/format.js';
import { join } from 'node:path';
import { openOutputFolder } from '../report/output-folder.js';
import {
  axisBottom,
  axisLeft,
  colorAt,
  el,
  fmt,
  fragment,
  frame,
  legend,
  linearScale,
  niceDomain,
} from '../report/svg/index.js';
import type { DeployRecord } from './simulate.js';
import type { PolicyStreamFigures, ScenarioStreamResult, StreamStudyResult } from './study.js';
import type { Estimate } from './summary.js';

/** The files a stream study writes. */
export const STREAM_FILES = ['stream.json', 'deploys.csv', 'report.md', 'report.html'] as const;

/** Version of stream.json's layout. */
export const STREAM_FORMAT = 1;

/** Rounds every number to 12 significant digits: the same bytes on every platform's printing. */
function tidy(_key: string, v: unknown): unknown {
  return typeof v === 'number' ? Number(v.toPrecision(12)) : v;
}

export function renderStreamJson(r: StreamStudyResult): string {
  const body = {
    gatesimStream: STREAM_FORMAT,
    seed: r.seed,
    weeks: r.weeks,
    streams: r.streams,
    scenarios: r.scenarios.map((s) => ({
      scenario: s.scenario,
      settings: { ...s.settings, maxBatch: s.settings.maxBatch ?? null },
      policies: s.policies,
      crossover: s.crossover ?? null,
      crossoverNote: s.crossoverNote ?? null,
    })),
  };
  return JSON.stringify(body, tidy, 2) + '\n';
}

export const DEPLOY_COLUMNS = [
  'scenario',
  'policy',
  'stream',
  'deploy',
  'kind',
  'seed',
  'trial',
  'startAt',
  'changes',
  'badChanges',
  'bad',
  'template',
  'final',
  'detectedBy',
  'shippedAt',
  'pipelineMin',
  'triage',
  'overridden',
  'revert',
  'revertedAt',
  'failedRequests',
  'slowRequests',
  'lostCheckouts',
  'lostRevenue',
] as const;

/** A CSV line: text neutralised against formula injection (`cell`), quoted where needed. */
function csvLine(cells: readonly (string | number | boolean | undefined)[]): string {
  return (
    cells
      .map((c) => {
        const v = cell(c);
        return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
      })
      .join(',') + '\n'
  );
}

export function deployLine(scenario: string, policy: string, d: DeployRecord): string {
  return csvLine([
    scenario,
    policy,
    d.stream,
    d.deploy,
    d.kind,
    d.seed,
    d.trial,
    d.startAt,
    d.changes,
    d.badChanges,
    d.bad,
    d.template,
    d.final,
    d.detectedBy,
    d.shippedAt,
    d.pipelineMin,
    d.triage,
    d.overridden,
    d.revert,
    d.revertedAt,
    d.failedRequests,
    d.slowRequests,
    d.lostCheckouts,
    d.lostRevenue,
  ]);
}

const NA = '–';

function est(e: Estimate, show: (x: number) => string): string {
  if (e.mean === null) return NA;
  if (e.low === null || e.high === null) return show(e.mean);
  return `${show(e.mean)} (${show(Math.max(0, e.low))}–${show(e.high)})`;
}

const pct = (x: number) => formatPercent(x);
const num1 = (x: number) => formatNumber(x, 1);
const mins = (x: number) => formatMinutes(x);
const count = (x: number) => formatCount(x);

/** The headline table's columns: header and cell. */
const HEADLINE: readonly [string, (p: PolicyStreamFigures) => string][] = [
  ['deploys/day', (p) => est(p.deploymentsPerDay, (x) => formatNumber(x, 2))],
  ['lead time p50', (p) => est(p.leadTimeForChangesMin.p50, mins)],
  ['lead time p90', (p) => est(p.leadTimeForChangesMin.p90, mins)],
  ['change failure', (p) => est(p.changeFailureRate, pct)],
  ['time to restore', (p) => est(p.timeToRestoreMin, mins)],
  ['failed requests/week', (p) => est(p.customerImpactPerWeek.failedRequests, count)],
  ['lost checkouts/week', (p) => est(p.customerImpactPerWeek.lostCheckouts, count)],
  ['incidents/quarter', (p) => est(p.incidentsPerQuarter, num1)],
  ['false alarms', (p) => est(p.falseAlarmRate, pct)],
  ['overrides', (p) => est(p.overrideRate, pct)],
  ['bad shipped by override/quarter', (p) => est(p.badShippedByOverridePerQuarter, num1)],
  ['batch size', (p) => est(p.meanBatchSize, (x) => formatNumber(x, 2))],
];

function headlineRows(s: ScenarioStreamResult): string[][] {
  return s.policies.map((p) => [p.policy, ...HEADLINE.map(([, f]) => f(p))]);
}

function crossoverSentence(s: ScenarioStreamResult): string[] {
  const c = s.crossover;
  if (c === undefined) return [s.crossoverNote ?? 'no crossover sweep'];
  return c.curves.map((k) => {
    const where =
      k.crossoverFlaky === null
        ? `stays below ${c.reference}'s failed requests over the whole sweep (flaky stops up to ${formatPercent(k.points.at(-1)!.flaky)})`
        : `reaches ${c.reference}'s failed requests per week at ${formatPercent(k.crossoverFlaky)} flaky stops, where the team experiences ${k.crossoverFalseAlarmRate === null ? NA : formatPercent(k.crossoverFalseAlarmRate)} of its stops as false alarms`;
    return `${k.label}: ${c.policy} ${where}.`;
  });
}

/** Kinds of deploy worth replaying, and how each is recognised in a policy's rows. */
const REPLAYS: readonly [string, (d: DeployRecord) => boolean][] = [
  // A false alarm in the strict sense: a good batch a gate (CI included) stopped.
  [
    'a good batch stopped',
    (d) => d.kind === 'gated' && !d.bad && (d.final === 'blocked' || d.final === 'rolled-back'),
  ],
  // A bad batch every gate passed.
  ['a bad batch through the gates', (d) => d.kind === 'gated' && d.bad && d.final === 'shipped'],
  ['a bad batch shipped by override', (d) => d.kind === 'override' && d.bad],
];

/**
 * Per policy of a scenario, the first deploy of each kind worth replaying with `explain
 * --stream S --deploy D`, as "stream S deploy D" (– when none).
 */
function replayRows(r: StreamStudyResult, scenario: string): string[][] {
  return r.deploys
    .filter((d) => d.scenario === scenario)
    .map((d) => [
      d.policy,
      ...REPLAYS.map(([, is]) => {
        const first = d.rows.find(is);
        return first === undefined ? NA : `stream ${first.stream} deploy ${first.deploy}`;
      }),
    ]);
}

/** How to replay a row of the replay table. */
function replayCommand(r: StreamStudyResult): string {
  return `gatesim explain --scenario FILE --policy FILE --stream S --deploy D --weeks ${r.weeks} --seed ${r.seed}`;
}

export function renderStreamMarkdown(r: StreamStudyResult): string {
  const out: string[] = [];
  out.push('# Deploy stream study', '');
  out.push(
    `${r.streams} streams of ${r.weeks} weeks per scenario, seed ${r.seed}; every policy on the same streams (the same commits, bad changes and world events). Figures are means over streams with 95% intervals (Student's t). See docs/stream.md for the model.`,
    '',
  );
  for (const s of r.scenarios) {
    const st = s.settings;
    out.push(`## ${escapeMarkdown(s.scenario)}`, '');
    out.push(
      `${st.changesPerDay} changes per working day; triage ${formatMinutes(st.triage)} of desk work; a look finds a bad change with probability ${st.fixProbability}; ${st.maxBatch === undefined ? 'no batch limit' : `at most ${st.maxBatch} changes a deploy`}; fatigue: max ${st.fatigue.max}, steepness ${st.fatigue.steepness}, memory ${st.fatigue.memory} stops.`,
      '',
    );
    const header = ['policy', ...HEADLINE.map(([h]) => h)];
    out.push(`| ${header.join(' | ')} |`);
    out.push(`| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
    for (const row of headlineRows(s))
      out.push(`| ${row.map((c, i) => (i === 0 ? escapeMarkdown(c) : c)).join(' | ')} |`);
    out.push('');
    const replays = replayRows(r, s.scenario);
    if (replays.length > 0) {
      out.push(
        '### Deploys to replay',
        '',
        `The first of each kind per policy; replay one with \`${replayCommand(r)}\`.`,
        '',
      );
      out.push(`| policy | ${REPLAYS.map(([h]) => h).join(' | ')} |`);
      out.push(`| --- | ${REPLAYS.map(() => '---').join(' | ')} |`);
      for (const row of replays)
        out.push(`| ${row.map((c, i) => (i === 0 ? escapeMarkdown(c) : c)).join(' | ')} |`);
      out.push('');
    }
    out.push(
      `### Crossover${s.crossover === undefined ? '' : ` against ${escapeMarkdown(s.crossover.reference)}`}, and the fatigue sweep`,
      '',
    );
    for (const line of crossoverSentence(s)) out.push(`- ${escapeMarkdown(line)}`);
    out.push('');
    const c = s.crossover;
    if (c !== undefined) {
      out.push(
        `${c.policy} with a flaky check stopping a share of its deploys, ${c.streams} streams, failed requests per week (reference ${c.reference} on the same streams in the last column):`,
        '',
      );
      const qs = c.curves[0]!.points.map((p) => `flaky ${formatPercent(p.flaky)}`);
      out.push(`| fatigue | ${qs.join(' | ')} | ${escapeMarkdown(c.reference)} |`);
      out.push(`| --- | ${qs.map(() => '---:').join(' | ')} | ---: |`);
      for (const k of c.curves)
        out.push(
          `| ${escapeMarkdown(k.label)} | ${k.points.map((p) => `${est(p.failedRequestsPerWeek, count)}; FA ${est(p.falseAlarmRate, pct)}; OR ${est(p.overrideRate, pct)}`).join(' | ')} | ${est(k.reference, count)} |`,
        );
      out.push('', 'FA: stops the team found nothing wrong with; OR: stops overridden.', '');
    }
  }
  return out.join('\n') + '\n';
}

/**
 * The crossover chart: failed requests per week against the flaky share, a solid line per
 * fatigue curve and, dashed in the same colour, the reference policy under that curve.
 */
function crossoverSvg(s: ScenarioStreamResult): string {
  const c = s.crossover;
  if (c === undefined) return '';
  const width = 560;
  const height = 320;
  const margin = { top: 44, right: 24, bottom: 84, left: 70 };
  const xs = c.curves[0]!.points.map((p) => p.flaky);
  const values = c.curves.flatMap((k) => [
    ...k.points.map((p) => p.failedRequestsPerWeek.mean ?? 0),
    k.reference.mean ?? 0,
  ]);
  const x = linearScale([0, Math.max(...xs, 1e-9)], [margin.left, width - margin.right]);
  const y = linearScale(niceDomain(0, Math.max(...values, 1), 4), [
    height - margin.bottom,
    margin.top,
  ]);
  const lines = c.curves.map((k, i) => {
    const color = colorAt(i);
    const pts = k.points
      .filter((p) => p.failedRequestsPerWeek.mean !== null)
      .map((p) => `${fmt(x(p.flaky))},${fmt(y(p.failedRequestsPerWeek.mean!))}`)
      .join(' ');
    const ref = k.reference.mean;
    return fragment(
      el('polyline', { fill: 'none', stroke: color, 'stroke-width': 2, points: pts }),
      ref === null
        ? undefined
        : el('line', {
            x1: margin.left,
            x2: width - margin.right,
            y1: y(ref),
            y2: y(ref),
            stroke: color,
            'stroke-dasharray': '4 3',
          }),
    );
  });
  const key = legend(
    c.curves.map((k, i) => ({ label: k.label, color: colorAt(i) })),
    margin.left,
    height - 30,
    width - margin.left - margin.right,
  );
  return frame(
    { width, height, title: `Failed requests per week (dashed: ${c.reference})` },
    axisBottom({
      scale: x,
      at: height - margin.bottom,
      ticks: xs,
      format: formatPercent,
      label: 'share of deploys a flaky check stops',
    }),
    axisLeft({
      scale: y,
      at: margin.left,
      gridTo: width - margin.right,
      format: formatCount,
    }),
    ...lines,
    key.markup,
  ).toString();
}

export function renderStreamHtml(r: StreamStudyResult): string {
  const out: string[] = [];
  out.push(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gatesim deploy stream study</title>',
    '<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}td{text-align:right}td:first-child{text-align:left}</style></head><body>',
    '<h1>Deploy stream study</h1>',
    `<p>${r.streams} streams of ${r.weeks} weeks per scenario, seed ${r.seed}; every policy on the same streams. Means over streams with 95% intervals.</p>`,
  );
  for (const s of r.scenarios) {
    out.push(`<h2>${escapeHtml(s.scenario)}</h2><table><thead><tr><th>policy</th>`);
    for (const [h] of HEADLINE) out.push(`<th>${escapeHtml(h)}</th>`);
    out.push('</tr></thead><tbody>');
    for (const row of headlineRows(s))
      out.push(`<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`);
    out.push('</tbody></table>');
    const replays = replayRows(r, s.scenario);
    if (replays.length > 0) {
      out.push(
        `<h3>Deploys to replay</h3><p>The first of each kind per policy; replay one with <code>${escapeHtml(replayCommand(r))}</code>.</p>`,
        `<table><thead><tr><th>policy</th>${REPLAYS.map(([h]) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`,
      );
      for (const row of replays)
        out.push(`<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`);
      out.push('</tbody></table>');
    }
    out.push(
      `<h3>Crossover${s.crossover === undefined ? '' : ` against ${escapeHtml(s.crossover.reference)}`}, and the fatigue sweep</h3><ul>`,
    );
    for (const line of crossoverSentence(s)) out.push(`<li>${escapeHtml(line)}</li>`);
    out.push('</ul>', crossoverSvg(s));
  }
  out.push('</body></html>');
  return out.join('\n') + '\n';
}

/**
 * Writes the study's four files as the folder `dir`, atomically (a hidden folder renamed into
 * place when complete, replacing only a previous gatesim output); returns the files' paths.
 */
export async function writeStreamReport(r: StreamStudyResult, dir: string): Promise<string[]> {
  const out = await openStreamReport(dir);
  await out.write(r);
  return STREAM_FILES.map((f) => join(out.dir, f));
}

/** A stream report's folder, opened before the study runs so a bad `--out` fails first. */
export interface StreamReportFolder {
  readonly dir: string;
  /** Writes the files and publishes the folder; on failure nothing is published. */
  write(r: StreamStudyResult): Promise<void>;
  /** Drops the folder being written (the study failed). */
  abort(): Promise<void>;
}

export async function openStreamReport(dir: string): Promise<StreamReportFolder> {
  const out = await openOutputFolder(dir, { what: 'a stream study' });
  return {
    dir: out.dir,
    async write(r) {
      try {
        await out.writeFile('stream.json', renderStreamJson(r));
        const csv = await out.openFile('deploys.csv');
        await csv.write(DEPLOY_COLUMNS.join(',') + '\n');
        for (const d of r.deploys)
          for (const row of d.rows) await csv.write(deployLine(d.scenario, d.policy, row));
        await csv.close();
        await out.writeFile('report.md', renderStreamMarkdown(r));
        await out.writeFile('report.html', renderStreamHtml(r));
        await out.commit();
      } catch (e) {
        await out.abort();
        throw e;
      }
    },
    abort: () => out.abort(),
  };
}
