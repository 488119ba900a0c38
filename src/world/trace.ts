/**
 * Recorded traffic shapes: a CSV of `timestamp,value` rows (the Numenta Anomaly Benchmark's
 * files) or `TimeStamp,Value,Label` rows (Microsoft's Cloud Monitoring Dataset) turned into a
 * `LoadCurve`, so a scenario can run on a real week of load instead of the analytic cosine.
 * The curve is the piecewise-linear interpolation of the rows, scaled so the trace's typical
 * daily peak (its 95th percentile) is 1, and it wraps from the last row back to the first.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { GatesimError } from '../errors.js';
import { LIMIT_NOTE, MAX_TRACE_BYTES } from '../util/limits.js';
import { quantile } from '../stats/quantiles.js';
import type { LoadCurve } from './traffic.js';
import type { Minutes } from './types.js';

/** A trace as read from its file. */
export interface Trace {
  /** The resolved path it was read from. */
  readonly file: string;
  /** Row times in minutes since the first row, strictly increasing (equal timestamps are merged). */
  readonly times: Float64Array;
  /** Row values as written (rows with an empty or NaN value are left out). */
  readonly values: Float64Array;
  /** Label column (1 = labelled anomaly) when the file has one. */
  readonly labels: Uint8Array | undefined;
  /** The usual spacing of rows (the median gap); also the gap from the last row back to the first. */
  readonly step: Minutes;
  /** One pass through the trace: last row time + step. */
  readonly period: Minutes;
  /** The value that becomes share 1: the 95th percentile of the values (a load curve needs it > 0). */
  readonly peak: number;
  /** Epoch seconds of the first row; undefined when rows are placed by `stepMinutes`. */
  readonly startEpochSeconds: number | undefined;
  /**
   * Minutes from the first row to the first Monday 00:00 UTC at or after it, so an offset of
   * `mondayOffset + k·10080` lines the trace's weekdays up with simulated time (which starts on
   * a Monday). Undefined without real timestamps.
   */
  readonly mondayOffset: Minutes | undefined;
}

/** Options of `loadTrace`. */
export interface TraceOptions {
  /** Place row i at i × stepMinutes and ignore the timestamps. */
  stepMinutes?: Minutes;
}

/** Share of the peak below which a point is raised, so the curve never reaches zero load. */
export const TRACE_FLOOR_SHARE = 0.01;
/** The quantile of the values that maps to share 1 (the "typical daily peak"). */
export const TRACE_PEAK_QUANTILE = 0.95;

const cache = new Map<string, Trace>();

/**
 * Reads a trace file once per resolved path (and step option) and caches it; later calls
 * return the same object.
 *
 * @example loadTrace('traces/api-01.csv').period // 371520 (minutes)
 */
export function loadTrace(file: string, options: TraceOptions = {}): Trace {
  const path = resolve(file);
  const key = `${path}\u0000${options.stepMinutes ?? ''}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_TRACE_BYTES) {
      const mib = (n: number) => `${Number((n / 2 ** 20).toPrecision(3))} MiB`;
      throw new GatesimError(
        'input-too-large',
        `${file}: the file is ${mib(size)} (${size} bytes), over the ${mib(MAX_TRACE_BYTES)} limit for traces (${LIMIT_NOTE})`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof GatesimError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GatesimError('file-not-found', `${file}: no such file`);
    if (code === 'EISDIR') throw new GatesimError('not-a-file', `${file}: is a directory`);
    throw e;
  }
  const trace = parseTrace(text, file, options, path);
  cache.set(key, trace);
  return trace;
}

/** Parses trace CSV text (see `loadTrace`); pure, for tests. */
export function parseTrace(
  text: string,
  file: string,
  options: TraceOptions = {},
  resolvedPath = file,
): Trace {
  const fail = (line: number, column: number, message: string): never => {
    throw new GatesimError('invalid-trace', `${file}:${line}:${column}: ${message}`);
  };
  const records = splitCsv(text, fail);
  const header = records[0];
  if (header === undefined) return fail(1, 1, 'empty file: expected a header `timestamp,value`');
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const tsCol = names.findIndex((n) => n === 'timestamp' || n === 'time' || n === 'ts');
  const valueCol = names.indexOf('value');
  const labelCol = names.indexOf('label');
  if (valueCol < 0 || (tsCol < 0 && options.stepMinutes === undefined)) {
    return fail(
      header.line,
      1,
      `expected a header with columns timestamp and value (and optionally label), got "${header.fields.join(',')}"`,
    );
  }
  const step = options.stepMinutes;
  if (step !== undefined && !(step > 0))
    throw new GatesimError('invalid-trace', `${file}: stepMinutes must be > 0, got ${step}`);

  const times: number[] = [];
  const values: number[] = [];
  const labels: number[] = [];
  const counts: number[] = [];
  let firstSeconds: number | undefined;
  let row = 0;
  /** Lines of the first and last rows with values, for a trace that collapses to one time. */
  const valueLines: number[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== header.fields.length) {
      fail(
        r.line,
        r.columns[r.columns.length - 1] ?? 1,
        `expected ${header.fields.length} fields as in the header, got ${r.fields.length}`,
      );
    }
    const valueText = r.fields[valueCol]!.trim();
    const value = valueText === '' || valueText === 'NaN' ? NaN : Number(valueText);
    if (valueText !== '' && valueText !== 'NaN' && !Number.isFinite(value))
      fail(r.line, r.columns[valueCol]!, `expected a number in column "value", got "${valueText}"`);
    let t: number;
    if (step !== undefined) {
      t = row * step;
    } else {
      const tsText = r.fields[tsCol]!;
      const seconds = parseTimestamp(tsText);
      if (seconds === undefined) {
        return fail(
          r.line,
          r.columns[tsCol]!,
          `expected an ISO 8601 time or epoch seconds in column "timestamp", got "${tsText}"`,
        );
      }
      firstSeconds ??= seconds;
      t = (seconds - firstSeconds) / 60;
    }
    row++;
    let label = 0;
    if (labelCol >= 0) {
      const l = r.fields[labelCol]!.trim();
      if (l !== '0' && l !== '1' && l !== '')
        fail(r.line, r.columns[labelCol]!, `expected 0 or 1 in column "label", got "${l}"`);
      label = l === '1' ? 1 : 0;
    }
    if (Number.isNaN(value)) continue;
    valueLines[valueLines.length === 0 ? 0 : 1] = r.line;
    const last = times.length - 1;
    if (last >= 0 && t < times[last]!) {
      fail(
        r.line,
        r.columns[tsCol] ?? 1,
        'timestamps must not go backwards (sort the file by time)',
      );
    }
    if (last >= 0 && t === times[last]) {
      // Some recorded files repeat a timestamp; the mean keeps the curve a function of time.
      const k = counts[last]! + 1;
      values[last] = values[last]! + (value - values[last]!) / k;
      counts[last] = k;
      labels[last] = Math.max(labels[last]!, label);
      continue;
    }
    times.push(t);
    values.push(value);
    labels.push(label);
    counts.push(1);
  }
  if (times.length === 1 && counts[0]! > 1) {
    fail(
      valueLines[0]!,
      1,
      `all ${counts[0]} rows with values (lines ${valueLines[0]} to ${valueLines[1]}) have the same timestamp; a trace needs at least two times`,
    );
  }
  if (times.length < 2)
    throw new GatesimError('invalid-trace', `${file}: a trace needs at least two rows with values`);

  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  const rowStep = step ?? quantile(gaps, 0.5);
  const peak = quantile(values, TRACE_PEAK_QUANTILE);
  let mondayOffset: Minutes | undefined;
  if (firstSeconds !== undefined) {
    // Epoch day 4 (1970-01-05) was a Monday.
    const firstMinute = firstSeconds / 60;
    const sinceMonday = (((firstMinute - 4 * 1440) % 10080) + 10080) % 10080;
    mondayOffset = sinceMonday === 0 ? 0 : 10080 - sinceMonday;
  }
  return {
    file: resolvedPath,
    times: Float64Array.from(times),
    values: Float64Array.from(values),
    labels: labelCol >= 0 ? Uint8Array.from(labels) : undefined,
    step: rowStep,
    period: times[times.length - 1]! + rowStep,
    peak,
    startEpochSeconds: firstSeconds,
    mondayOffset,
  };
}

/**
 * The trace as a load curve: share(t) is the piecewise-linear interpolation of the rows at
 * trace time (t + offsetMinutes) mod period, divided by the trace's peak (its 95th percentile)
 * and raised to at least TRACE_FLOOR_SHARE. After the last row the curve runs linearly back to
 * the first row's value over one step, so wrapping is continuous. `offsetMinutes` is where
 * simulated minute 0 falls in the trace (a trial draws it).
 *
 * @example traceCurve(loadTrace('api-01.csv'), 0).share(0) // first row / 95th percentile
 */
export function traceCurve(trace: Trace, offsetMinutes: Minutes): LoadCurve {
  return new TraceCurve(trace, offsetMinutes);
}

/** A trace's knots as shares, their running integral and extremes: the same at every offset. */
interface TraceKnots {
  x: Float64Array;
  s: Float64Array;
  cum: Float64Array;
  minShare: number;
  maxShare: number;
}

/** Knots by trace: every trial's curves are the same trace at another offset, so build them once. */
const KNOTS = new WeakMap<Trace, TraceKnots>();

function traceKnots(trace: Trace): TraceKnots {
  const m = trace.times.length;
  const x = new Float64Array(m + 1);
  const s = new Float64Array(m + 1);
  const cum = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    x[i] = trace.times[i]!;
    s[i] = Math.max(TRACE_FLOOR_SHARE, trace.values[i]! / trace.peak);
  }
  x[m] = trace.period;
  s[m] = s[0]!;
  for (let i = 1; i <= m; i++)
    cum[i] = cum[i - 1]! + ((x[i]! - x[i - 1]!) * (s[i]! + s[i - 1]!)) / 2;
  let lo = Infinity;
  let hi = 0;
  for (const v of s) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // A piecewise-linear curve takes its extremes at knots.
  return { x, s, cum, minShare: lo, maxShare: hi };
}

class TraceCurve implements LoadCurve {
  readonly minShare: number;
  readonly maxShare: number;
  /** Knot times, with the wrap point (period) appended. */
  private readonly x: Float64Array;
  /** Knot shares, with the first share repeated at the wrap point. */
  private readonly s: Float64Array;
  /** ∫ share from 0 to each knot. */
  private readonly cum: Float64Array;
  private readonly period: number;

  constructor(
    trace: Trace,
    private readonly offset: Minutes,
  ) {
    if (!Number.isFinite(offset))
      throw new RangeError(`traceCurve: offsetMinutes must be finite, got ${offset}`);
    if (!(trace.peak > 0)) {
      throw new GatesimError(
        'invalid-trace',
        `${trace.file}: the trace carries no load (its ${TRACE_PEAK_QUANTILE * 100}th percentile is ${trace.peak})`,
      );
    }
    let knots = KNOTS.get(trace);
    if (knots === undefined) KNOTS.set(trace, (knots = traceKnots(trace)));
    this.x = knots.x;
    this.s = knots.s;
    this.cum = knots.cum;
    this.minShare = knots.minShare;
    this.maxShare = knots.maxShare;
    this.period = trace.period;
  }

  /** Index i with x[i] ≤ r < x[i + 1], for r in [0, period). */
  private segment(r: number): number {
    let lo = 0;
    let hi = this.x.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.x[mid]! <= r) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  private at(r: number, i: number): number {
    const x0 = this.x[i]!;
    const x1 = this.x[i + 1]!;
    const w = x1 > x0 ? (r - x0) / (x1 - x0) : 0;
    return this.s[i]! + w * (this.s[i + 1]! - this.s[i]!);
  }

  share(t: Minutes): number {
    const { r } = this.wrap(t + this.offset);
    return this.at(r, this.segment(r));
  }

  integral(a: Minutes, b: Minutes): number {
    if (b <= a) return 0;
    return this.antiderivative(b + this.offset) - this.antiderivative(a + this.offset);
  }

  /** ∫ share from trace time 0 to u (u may be negative or beyond one period). */
  private antiderivative(u: number): number {
    const { laps, r } = this.wrap(u);
    const i = this.segment(r);
    const partial = ((r - this.x[i]!) * (this.s[i]! + this.at(r, i))) / 2;
    return laps * this.cum[this.cum.length - 1]! + this.cum[i]! + partial;
  }

  private wrap(u: number): { laps: number; r: number } {
    const laps = Math.floor(u / this.period);
    let r = u - laps * this.period;
    // Rounding can leave r a hair below 0 or at the period itself.
    if (r < 0) r = 0;
    if (r >= this.period) r = this.period - 1e-9;
    return { laps, r };
  }
}

/**
 * Parses a timestamp to epoch seconds: epoch seconds as a number, or ISO 8601
 * (`2018-03-15T00:00:00Z`, `2014-04-10 00:04:00`, with an optional fraction and zone offset).
 * A time without a zone is UTC. Undefined when the text is neither.
 *
 * @example parseTimestamp('1970-01-01T00:01:00Z') // 60
 */
export function parseTimestamp(text: string): number | undefined {
  const s = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  const m = ISO_RE.exec(s);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = sec === undefined ? 0 : Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 24 || minute > 59 || second > 60 || (hour === 24 && (minute > 0 || second > 0)))
    return undefined;
  let zoneMinutes = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    zoneMinutes = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3]));
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return ms / 1000 + (frac === undefined ? 0 : Number(frac)) - zoneMinutes * 60;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

interface TextRecord {
  line: number;
  fields: string[];
  columns: number[];
}

/**
 * RFC 4180 over a whole (small) file: quoted fields, doubled quotes, CRLF. Blank lines are
 * skipped. Trace files are read whole and once; the streaming reader the backtester uses lives
 * in a higher layer, so the world keeps its own few lines.
 */
function splitCsv(
  text: string,
  fail: (line: number, column: number, message: string) => never,
): TextRecord[] {
  const out: TextRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i;
  while (i < text.length) {
    const rec: TextRecord = { line, fields: [], columns: [] };
    for (;;) {
      rec.columns.push(i - lineStart + 1);
      let field = '';
      if (text[i] === '"') {
        const openLine = line;
        const openCol = i - lineStart + 1;
        i++;
        for (;;) {
          if (i >= text.length) fail(openLine, openCol, 'unterminated quoted field');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') {
            line++;
            lineStart = i + 1;
          }
          field += c;
          i++;
        }
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          fail(line, i - lineStart + 1, 'expected a comma or a line end after a closing quote');
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(start, i);
      }
      rec.fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    lineStart = i;
    if (!(rec.fields.length === 1 && rec.fields[0] === '')) out.push(rec);
  }
  return out;
}
