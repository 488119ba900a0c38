/**
 * The backtest's report files: backtest-summary.json (the figures and every deploy's decision
 * and timeline), decisions.csv (one row per deploy), measurements.csv (one row per measurement,
 * with the numbers the judge gave) and backtest.md (for a reviewer). Number formatting and
 * escaping come from the compare report, so both read alike.
 */
import { join } from 'node:path';
import {
  escapeMarkdown,
  formatMinutes,
  formatQuantiles,
  formatRateInterval,
  NOT_AVAILABLE,
  openOutputFolder,
  sortKeysDeep,
} from '../report/index.js';
import { textCell } from '../report/cells.js';
import type { MeasurementRecord, DeployDecision } from './replay.js';
import type { BacktestResult } from './run.js';
import { formatTime } from './time.js';

/** The files `writeBacktestReport` writes. */
export const BACKTEST_FILES = [
  'backtest-summary.json',
  'decisions.csv',
  'measurements.csv',
  'backtest.md',
] as const;

/** A CSV cell: quoted when it holds a comma, quote, line break or edge space. */
export function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A line of decisions.csv or measurements.csv, files meant for a spreadsheet: text from the
 * inputs (deploy ids, versions, check names) is neutralised against formula injection as in
 * trials.csv, then quoted where needed.
 */
function csvLine(cells: readonly (string | number | boolean | undefined)[]): string {
  return cells.map((c) => csvCell(typeof c === 'string' ? textCell(c) : c)).join(',') + '\n';
}

export const DECISION_COLUMNS = [
  'deploy',
  'version',
  'start',
  'decision',
  'decided_at',
  'decided_after_min',
  'detected_by',
  'stage_reached',
  'shipped_at',
  'shipped_after_min',
  'incident',
  'measurements',
] as const;

/** decisions.csv: one row per deploy, in start order. */
export function renderDecisionsCsv(result: BacktestResult): string {
  const bad = result.incidents === undefined ? undefined : new Set(result.incidents);
  let out = csvLine(DECISION_COLUMNS);
  for (const d of result.decisions) {
    out += csvLine([
      d.deploy,
      d.version,
      formatTime(d.start),
      d.final,
      d.decidedAt === undefined ? undefined : formatTime(d.start + d.decidedAt),
      d.decidedAt,
      d.detectedBy,
      d.stageReached,
      d.shippedAt === undefined ? undefined : formatTime(d.start + d.shippedAt),
      d.shippedAt,
      bad === undefined ? undefined : bad.has(d.deploy),
      d.measurements.length,
    ]);
  }
  return out;
}

export const MEASUREMENT_COLUMNS = [
  'deploy',
  'time',
  'after_min',
  'stage',
  'check',
  'metric',
  'verdict',
  'phase',
  'dry_run',
  'canary_points',
  'canary_n',
  'baseline_points',
  'baseline_n',
  'reason',
  'figures',
] as const;

function measurementLine(m: MeasurementRecord): string {
  return csvLine([
    m.deploy,
    formatTime(m.t),
    m.after,
    m.stage,
    m.check,
    m.metric,
    m.verdict,
    m.phase,
    m.dryRun,
    m.canaryPoints,
    m.canaryN,
    m.baselinePoints,
    m.baselineN,
    m.reason,
    JSON.stringify(sortKeysDeep(m.figures)),
  ]);
}

/** backtest-summary.json: the result with sorted keys; measurements are in measurements.csv only. */
export function renderBacktestJson(result: BacktestResult): string {
  const doc = {
    ...result,
    decisions: result.decisions.map((d) => ({
      ...withoutMeasurements(d),
      startTime: formatTime(d.start),
      measurementCount: d.measurements.length,
    })),
  };
  return `${JSON.stringify(sortKeysDeep(doc), null, 2)}\n`;
}

/** A decision without its measurements (they are in measurements.csv), timeline included. */
function withoutMeasurements(d: DeployDecision): Omit<DeployDecision, 'measurements'> {
  const { measurements: _measurements, ...rest } = d;
  return { ...rest, timeline: rest.timeline.filter((e) => e.kind !== 'measurement') };
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** The measurement that stopped a deploy: the last non-dry-run one of the deciding check. */
export function decidingMeasurement(d: DeployDecision): MeasurementRecord | undefined {
  if (d.detectedBy === undefined) return undefined;
  for (let i = d.measurements.length - 1; i >= 0; i--) {
    const m = d.measurements[i]!;
    if (m.check === d.detectedBy && !m.dryRun) return m;
  }
  return undefined;
}

/** backtest.md: the figures, every decision and the numbers behind each stop. */
export function renderBacktestMarkdown(result: BacktestResult): string {
  const lines: string[] = [`# Backtest of ${escapeMarkdown(result.policy)}`, ''];
  lines.push(
    `Recorded metrics: \`${escapeMarkdown(result.files.metrics)}\` (${result.rows.read} rows, ` +
      `${result.rows.kept} near a deploy for the metrics the policy reads; regions ` +
      `${result.regions.map(escapeMarkdown).join(', ')}; a row every ${formatMinutes(result.stepMinutes)}). ` +
      `Deploys: \`${escapeMarkdown(result.files.deploys)}\` (${result.decisions.length}).`,
    '',
  );
  const o = result.outcomes;
  lines.push(
    `The policy would have shipped ${o.shipped}, rolled back ${o['rolled-back']}, ` +
      `blocked ${o.blocked} before production and left ${o.stalled} unfinished.`,
    '',
  );
  const f = result.figures;
  if (f === undefined) {
    lines.push('No incidents file was given, so shipped-bad and blocked-good are not scored.', '');
  } else {
    lines.push(
      `## On the recorded history`,
      '',
      `${f.badDeploys} of ${f.deploys} deploys caused an incident (\`${escapeMarkdown(result.files.incidents ?? '')}\`).`,
      '',
      ...table(
        ['figure', 'value (95% Wilson interval)', 'count'],
        [
          [
            'shipped bad',
            formatRateInterval(f.shippedBad),
            `${f.shippedBad.count}/${f.shippedBad.of}`,
          ],
          [
            'blocked good',
            formatRateInterval(f.blockedGood),
            `${f.blockedGood.count}/${f.blockedGood.of}`,
          ],
          [
            'time to detect p50 / p90',
            formatQuantiles(f.timeToDetectMin),
            String(f.timeToDetectMin.n),
          ],
          ['lead time p50 / p90', formatQuantiles(f.leadTimeMin), String(f.leadTimeMin.n)],
        ],
      ),
      '',
    );
  }
  const bad = result.incidents === undefined ? undefined : new Set(result.incidents);
  lines.push('## Decisions', '');
  lines.push(
    ...table(
      ['deploy', 'version', 'start (UTC)', 'decision', 'after', 'by', 'numbers', 'incident'],
      result.decisions.map((d) => {
        const m = decidingMeasurement(d);
        const after =
          d.decidedAt !== undefined
            ? formatMinutes(d.decidedAt)
            : d.shippedAt !== undefined
              ? formatMinutes(d.shippedAt)
              : NOT_AVAILABLE;
        return [
          escapeMarkdown(d.deploy),
          escapeMarkdown(d.version),
          formatTime(d.start),
          d.final,
          after,
          d.detectedBy === undefined ? NOT_AVAILABLE : escapeMarkdown(d.detectedBy),
          m === undefined ? NOT_AVAILABLE : escapeMarkdown(m.reason),
          bad === undefined ? NOT_AVAILABLE : bad.has(d.deploy) ? 'yes' : 'no',
        ];
      }),
    ),
    '',
  );
  lines.push(
    'Every measurement, with the judge’s figures, is in `measurements.csv`; what a backtest ' +
      'replays and what it cannot is in docs/backtest.md.',
    '',
  );
  return lines.join('\n');
}

/**
 * Writes the four report files as the folder `dir`, atomically (the same writer as compare's
 * report: a hidden folder renamed into place when complete, replacing a previous gatesim output
 * whole and refusing a folder gatesim did not write); returns the files' paths.
 */
export async function writeBacktestReport(result: BacktestResult, dir: string): Promise<string[]> {
  const out = await openOutputFolder(dir, { what: 'a backtest report' });
  try {
    await out.writeFile(BACKTEST_FILES[0], renderBacktestJson(result));
    await out.writeFile(BACKTEST_FILES[1], renderDecisionsCsv(result));
    // Measurements can be many: stream them rather than build one string.
    const measurements = await out.openFile(BACKTEST_FILES[2]);
    await measurements.write(csvLine(MEASUREMENT_COLUMNS));
    for (const d of result.decisions)
      for (const m of d.measurements) await measurements.write(measurementLine(m));
    await measurements.close();
    await out.writeFile(BACKTEST_FILES[3], renderBacktestMarkdown(result));
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
  return BACKTEST_FILES.map((f) => join(out.dir, f));
}
