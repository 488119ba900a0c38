/**
 * Converting a Prometheus range query (`GET /api/v1/query_range`, JSON with
 * `{status, data: {resultType: "matrix", result: [{metric: {labels}, values: [[ts, "v"], ...]}]}}`)
 * into METRICS.csv rows. Labels give the columns where present: `region`; `group`, else
 * `instance`, `pod` or `host`; `role` (canary or baseline), else `version`. Options fill in what
 * the labels leave out. Problems are reported with their JSON path.
 */
import { GatesimError } from '../errors.js';
import { didYouMean } from '../config/suggest.js';
import { METRIC_NAMES, type MetricName } from '../world/types.js';
import { csvCell } from './report.js';

/** Options of `convertPrometheus`. */
export interface PrometheusOptions {
  /** The file name, for messages. */
  file: string;
  /** The gatesim metric every series is (default: each series' `__name__`, if it is one). */
  metric?: MetricName;
  /** Role of series without a `role` label. */
  role?: 'canary' | 'baseline';
  /** Region of series without a `region` label. */
  region?: string;
}

/** A METRICS.csv row as text cells. */
export interface ConvertedRow {
  timestamp: string;
  region: string;
  group: string;
  /** canary / baseline, or a version when the series carry `version` labels instead of roles. */
  side: string;
  metric: MetricName;
  value: string;
}

/** Labels that name the group (host or host group) of a series, in order of preference. */
export const GROUP_LABELS = ['group', 'instance', 'pod', 'host'] as const;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Converts a parsed range-query response to METRICS.csv rows; `sideColumn` says whether the
 * rows carry roles or versions. Values that are NaN or infinite become missing (empty).
 *
 * @example convertPrometheus(JSON.parse(text), { file: 'q.json', metric: 'error_rate', role: 'canary', region: 'eu' })
 */
export function convertPrometheus(
  response: Json,
  options: PrometheusOptions,
): { sideColumn: 'role' | 'version'; rows: ConvertedRow[] } {
  const fail = (path: string, message: string): never => {
    throw new GatesimError('invalid-prometheus', `${options.file}: ${path}: ${message}`);
  };
  if (!isObject(response)) return fail('(root)', 'expected a JSON object (a query_range response)');
  if (response.status !== 'success') {
    const why = [response.errorType, response.error]
      .filter((x) => typeof x === 'string')
      .join(': ');
    return fail(
      'status',
      `expected "success", got ${JSON.stringify(response.status)}${why === '' ? '' : ` (${why})`}`,
    );
  }
  const data = response.data;
  if (!isObject(data)) return fail('data', 'expected an object');
  if (data.resultType !== 'matrix') {
    return fail(
      'data.resultType',
      `expected "matrix" (a range query), got ${JSON.stringify(data.resultType)}`,
    );
  }
  const result = data.result;
  if (!Array.isArray(result)) return fail('data.result', 'expected an array of series');

  const sides: ('role' | 'version')[] = [];
  const rows: ConvertedRow[] = [];
  const seen = new Map<string, number>();
  result.forEach((series: Json, i) => {
    const at = `data.result[${i}]`;
    if (!isObject(series)) fail(at, 'expected a series object');
    const s = series as Record<string, Json>;
    const labels = s.metric ?? {};
    if (!isObject(labels)) return fail(`${at}.metric`, 'expected an object of labels');
    const label = (name: string): string | undefined => {
      const v = labels[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'string') fail(`${at}.metric.${name}`, 'expected a string');
      return v as string;
    };
    let metric = options.metric;
    if (metric === undefined) {
      const name = label('__name__');
      if (name === undefined) {
        return fail(`${at}.metric`, 'no __name__ label to take the metric from; pass --metric');
      }
      if (!(METRIC_NAMES as readonly string[]).includes(name)) {
        return fail(
          `${at}.metric.__name__`,
          `"${name}" is not a gatesim metric${didYouMean(name, METRIC_NAMES)}; pass --metric (one of ${METRIC_NAMES.join(', ')})`,
        );
      }
      metric = name as MetricName;
    }
    const region = label('region') ?? options.region;
    if (region === undefined || region === '')
      return fail(`${at}.metric`, 'no region label; pass --region');
    let group = '';
    for (const g of GROUP_LABELS) {
      const v = label(g);
      if (v !== undefined) {
        group = v;
        break;
      }
    }
    let side: string;
    const role = label('role');
    const version = label('version');
    if (role !== undefined) {
      if (role !== 'canary' && role !== 'baseline')
        fail(`${at}.metric.role`, `expected canary or baseline, got "${role}"`);
      side = role;
      sides.push('role');
    } else if (options.role !== undefined) {
      side = options.role;
      sides.push('role');
    } else if (version !== undefined) {
      side = version;
      sides.push('version');
    } else {
      return fail(
        `${at}.metric`,
        'no role or version label; pass --role canary or --role baseline',
      );
    }
    const key = `${metric}\u0000${region}\u0000${group}\u0000${side}`;
    const other = seen.get(key);
    if (other !== undefined) {
      fail(
        at,
        `maps to the same row key as data.result[${other}] (metric ${metric}, region ${region}, group "${group}", ${side}): give the series a distinguishing group label or query them separately`,
      );
    }
    seen.set(key, i);
    const values = s.values;
    if (!Array.isArray(values))
      return fail(`${at}.values`, 'expected an array of [time, "value"] pairs');
    values.forEach((pair: Json, k) => {
      const p = `${at}.values[${k}]`;
      if (!Array.isArray(pair) || pair.length !== 2) fail(p, 'expected a [time, "value"] pair');
      const [ts, v] = pair as [Json, Json];
      if (typeof ts !== 'number' || !Number.isFinite(ts))
        fail(`${p}[0]`, `expected a time in epoch seconds, got ${JSON.stringify(ts)}`);
      if (typeof v !== 'string')
        fail(`${p}[1]`, `expected the value as a string, got ${JSON.stringify(v)}`);
      const x = Number(v);
      if (Number.isNaN(x) && v !== 'NaN')
        fail(`${p}[1]`, `expected a number, got ${JSON.stringify(v)}`);
      rows.push({
        timestamp: isoSeconds(ts as number),
        region,
        group,
        side,
        metric,
        value: Number.isFinite(x) ? (v as string) : '',
      });
    });
  });
  const uniqueSides = new Set(sides);
  if (uniqueSides.size > 1) {
    return fail(
      'data.result',
      'some series have a role and others only a version: give every series a role label or pass --role',
    );
  }
  return { sideColumn: sides[0] ?? 'role', rows };
}

/** Epoch seconds as ISO 8601 UTC (milliseconds kept only when present). */
function isoSeconds(seconds: number): string {
  return new Date(Math.round(seconds * 1000)).toISOString().replace('.000Z', 'Z');
}

/** The METRICS.csv text for converted rows. */
export function renderMetricsCsv(converted: {
  sideColumn: 'role' | 'version';
  rows: readonly ConvertedRow[];
}): string {
  let out = `timestamp,region,group,${converted.sideColumn},metric,value\n`;
  for (const r of converted.rows)
    out +=
      [r.timestamp, r.region, r.group, r.side, r.metric, r.value].map(csvCell).join(',') + '\n';
  return out;
}
