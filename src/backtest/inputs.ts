/**
 * Reading the backtester's three input files (formats in docs/backtest.md):
 * METRICS.csv (recorded metric points by region, group and role or version), DEPLOYS.csv
 * (deploys and, optionally, when each group took the new version) and INCIDENTS.csv (which
 * deploys caused incidents). Each is streamed; only the rows the backtest can use are kept.
 */
import { GatesimError } from '../errors.js';
import { didYouMean } from '../config/suggest.js';
import { METRIC_NAMES, type MetricName, type Minutes } from '../world/types.js';
import { tableRows, type ByteSource, type ColumnSpec, type TableRow } from './csv.js';
import { toMinutes } from './time.js';

/** How METRICS.csv tells new from old hosts: a `role` column or a `version` column. */
export type SideColumn = 'role' | 'version';

/** One recorded series: a metric of one group in one region under one role or version, in time order. */
export interface RecordedSeries {
  metric: MetricName;
  region: string;
  group: string;
  /** `canary` / `baseline` with a role column; the version string with a version column. */
  side: string;
  t: number[];
  value: number[];
  n: number[];
  events: number[];
}

/** The rows of METRICS.csv the backtest kept, as series. */
export interface RecordedMetrics {
  file: string;
  sideColumn: SideColumn;
  series: RecordedSeries[];
  /** Every region seen in the file (kept rows or not), sorted. */
  regions: string[];
  /** Rows read and rows kept. */
  rows: number;
  kept: number;
}

const RATE_METRICS: ReadonlySet<MetricName> = new Set([
  'error_rate',
  'slow_rate',
  'conversion_rate',
]);

export const METRICS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'timestamp', aliases: ['time', 'ts'], required: true },
  { name: 'region', required: true },
  { name: 'group', aliases: ['host'], required: true },
  { name: 'role', required: false },
  { name: 'version', required: false },
  { name: 'metric', required: true },
  { name: 'value', required: true },
  { name: 'n', required: false },
  { name: 'events', required: false },
];

const suggest = (name: string, known: readonly string[]): string => didYouMean(name, known);

/** Parses a number cell; empty or `NaN` gives `missing`. */
function numberCell(
  row: TableRow,
  column: string,
  missing: number,
  check?: (v: number) => string | undefined,
): number {
  const text = row.get(column);
  if (text === undefined || text === '' || text === 'NaN') return missing;
  const v = Number(text);
  if (!Number.isFinite(v))
    row.fail(column, `expected a number in column "${column}", got "${text}"`);
  const problem = check?.(v);
  if (problem !== undefined) row.fail(column, `${problem} in column "${column}", got "${text}"`);
  return v;
}

function timeCell(row: TableRow, column: string): Minutes {
  const text = row.get(column) ?? '';
  const t = toMinutes(text);
  if (t === undefined) {
    row.fail(
      column,
      `expected an ISO 8601 time or epoch seconds in column "${column}", got "${text}"`,
    );
  }
  return t;
}

function textCell(row: TableRow, column: string, what: string): string {
  const text = row.get(column) ?? '';
  if (text === '') row.fail(column, `expected ${what} in column "${column}", got nothing`);
  return text;
}

/**
 * Reads METRICS.csv, keeping the rows `keep` accepts (the metrics a policy reads, near some
 * deploy). Rows may come in any order; each series is sorted by time afterwards.
 */
export async function readMetrics(
  source: ByteSource,
  file: string,
  keep: (metric: MetricName, t: Minutes) => boolean = () => true,
): Promise<RecordedMetrics> {
  const series = new Map<string, RecordedSeries>();
  // The line of each kept row, by series, so a duplicate can name both rows.
  const lines = new Map<RecordedSeries, number[]>();
  const regions = new Set<string>();
  let sideColumn: SideColumn | undefined;
  let rows = 0;
  let kept = 0;
  for await (const row of tableRows(source, file, METRICS_COLUMNS, { strict: true, suggest })) {
    rows++;
    if (sideColumn === undefined) {
      const hasRole = row.get('role') !== undefined;
      const hasVersion = row.get('version') !== undefined;
      if (hasRole === hasVersion) {
        throw new GatesimError(
          'invalid-csv',
          `${file}:1:1: the header needs exactly one of the columns "role" (canary or baseline) and "version"`,
        );
      }
      sideColumn = hasRole ? 'role' : 'version';
    }
    const t = timeCell(row, 'timestamp');
    const region = textCell(row, 'region', 'a region name');
    regions.add(region);
    const group = row.get('group') ?? '';
    let side: string;
    if (sideColumn === 'role') {
      side = row.get('role') ?? '';
      if (side !== 'canary' && side !== 'baseline')
        row.fail('role', `expected canary or baseline in column "role", got "${side}"`);
    } else {
      side = textCell(row, 'version', 'a version');
    }
    const metricText = row.get('metric') ?? '';
    if (!(METRIC_NAMES as readonly string[]).includes(metricText)) {
      row.fail(
        'metric',
        `unknown metric "${metricText}"${didYouMean(metricText, METRIC_NAMES)} (known: ${METRIC_NAMES.join(', ')})`,
      );
    }
    const metric = metricText as MetricName;
    const value = numberCell(row, 'value', NaN);
    const n = numberCell(row, 'n', 1, (v) => (v < 0 ? 'expected a sample size ≥ 0' : undefined));
    const rate = RATE_METRICS.has(metric);
    if (rate && !Number.isNaN(value) && (value < 0 || value > 1))
      row.fail('value', `expected a rate between 0 and 1 for ${metric}, got "${row.get('value')}"`);
    const events = numberCell(row, 'events', rate && !Number.isNaN(value) ? value * n : 0, (v) =>
      v < 0 ? 'expected a count ≥ 0' : rate && v > n ? `expected at most n (${n})` : undefined,
    );
    if (!keep(metric, t)) continue;
    kept++;
    const key = `${metric}\u0000${region}\u0000${group}\u0000${side}`;
    let s = series.get(key);
    if (s === undefined) {
      s = { metric, region, group, side, t: [], value: [], n: [], events: [] };
      series.set(key, s);
      lines.set(s, []);
    }
    lines.get(s)!.push(row.line);
    s.t.push(t);
    s.value.push(value);
    s.n.push(n);
    s.events.push(events);
  }
  const out = [...series.values()];
  for (const s of out) sortSeries(s, file, lines.get(s)!);
  out.sort((a, b) => compareKeys(a, b));
  return {
    file,
    sideColumn: sideColumn ?? 'role',
    series: out,
    regions: [...regions].sort(),
    rows,
    kept,
  };
}

function compareKeys(a: RecordedSeries, b: RecordedSeries): number {
  for (const k of ['metric', 'region', 'group', 'side'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

function sortSeries(s: RecordedSeries, file: string, lines: number[]): void {
  let sorted = true;
  for (let i = 1; i < s.t.length; i++) if (s.t[i]! < s.t[i - 1]!) sorted = false;
  let rowLines = lines;
  if (!sorted) {
    const order = s.t.map((_, i) => i).sort((a, b) => s.t[a]! - s.t[b]! || a - b);
    s.t = order.map((i) => s.t[i]!);
    s.value = order.map((i) => s.value[i]!);
    s.n = order.map((i) => s.n[i]!);
    s.events = order.map((i) => s.events[i]!);
    rowLines = order.map((i) => lines[i]!);
  }
  for (let i = 1; i < s.t.length; i++) {
    if (s.t[i] === s.t[i - 1]) {
      // The sort is stable, so the earlier line comes first.
      const [first, second] = [rowLines[i - 1]!, rowLines[i]!];
      throw new GatesimError(
        'invalid-csv',
        `${file}:${second}:1: two rows for ${s.metric} of group "${s.group}" in region ${s.region} (${s.side}) at the same time (lines ${first} and ${second})`,
      );
    }
  }
}

/** When one group (host or host group) of a deploy took the new version. */
export interface GroupDeploy {
  region: string;
  group: string;
  at: Minutes;
}

/** A recorded deploy. */
export interface RecordedDeploy {
  id: string;
  start: Minutes;
  version: string;
  /** Groups with the time each took the new version, in time order (may be empty). */
  groups: GroupDeploy[];
  /** Line of its first row, for messages. */
  line: number;
}

export const DEPLOYS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'deploy', aliases: ['id', 'deploy_id'], required: true },
  { name: 'start', aliases: ['started_at', 'start_time'], required: true },
  { name: 'version', required: true },
  { name: 'region', required: false },
  { name: 'group', aliases: ['host'], required: false },
  { name: 'deployed_at', aliases: ['at'], required: false },
];

/**
 * Reads DEPLOYS.csv: one row per deploy, or one row per group of a deploy (the deploy's start
 * and version may then be left empty after its first row). Deploys come back in start order.
 */
export async function readDeploys(source: ByteSource, file: string): Promise<RecordedDeploy[]> {
  const byId = new Map<string, RecordedDeploy>();
  for await (const row of tableRows(source, file, DEPLOYS_COLUMNS, { strict: true, suggest })) {
    const id = textCell(row, 'deploy', 'a deploy id');
    let d = byId.get(id);
    const startText = row.get('start') ?? '';
    const versionText = row.get('version') ?? '';
    if (d === undefined) {
      d = {
        id,
        start: timeCell(row, 'start'),
        version: textCell(row, 'version', 'a version'),
        groups: [],
        line: row.line,
      };
      byId.set(id, d);
    } else {
      if (startText !== '' && timeCell(row, 'start') !== d.start)
        row.fail('start', `deploy ${id} already started at another time (line ${d.line})`);
      if (versionText !== '' && versionText !== d.version)
        row.fail('version', `deploy ${id} already has version "${d.version}" (line ${d.line})`);
    }
    const group = row.get('group') ?? '';
    const at = row.get('deployed_at') ?? '';
    const region = row.get('region') ?? '';
    if (group === '' && at === '' && region === '') continue;
    if (group === '') row.fail('group', 'a row with a region or deployed_at needs a group');
    if (region === '') row.fail('region', `expected the region of group "${group}"`);
    if (at === '')
      row.fail('deployed_at', `expected the time group "${group}" took the new version`);
    const when = timeCell(row, 'deployed_at');
    if (when < d.start - 1e-9)
      row.fail('deployed_at', `group "${group}" took the new version before the deploy started`);
    if (d.groups.some((g) => g.region === region && g.group === group))
      row.fail('group', `group "${group}" in ${region} is listed twice for deploy ${id}`);
    d.groups.push({ region, group, at: when });
  }
  const out = [...byId.values()];
  for (const d of out) d.groups.sort((a, b) => a.at - b.at);
  out.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (out.length === 0)
    throw new GatesimError('invalid-csv', `${file}: no deploys (the file has only a header)`);
  return out;
}

export const INCIDENTS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'deploy', aliases: ['id', 'deploy_id'], required: true },
];

/**
 * Reads INCIDENTS.csv: the ids of deploys that caused an incident. Other columns (time,
 * description, severity, ...) are allowed and ignored, so an incident tracker's export works.
 */
export async function readIncidents(
  source: ByteSource,
  file: string,
  deployIds: ReadonlySet<string>,
): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const row of tableRows(source, file, INCIDENTS_COLUMNS, { strict: false })) {
    const id = textCell(row, 'deploy', 'a deploy id');
    if (!deployIds.has(id))
      row.fail('deploy', `no deploy "${id}" in the deploys file${didYouMean(id, [...deployIds])}`);
    out.add(id);
  }
  return out;
}
