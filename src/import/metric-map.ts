/**
 * Provider queries (PromQL, Datadog, CloudWatch...) cannot run inside a simulation, so each
 * source metric is mapped onto a gatesim metric and its threshold converted into that metric's
 * unit. The user decides with `--map 'NAME=METRIC[:UNIT]'`; without one, a documented
 * heuristic reads the metric's name and query text (docs/import.md lists its rules).
 */
import { GatesimError } from '../errors.js';
import { METRIC_NAMES } from '../world/types.js';
import type { MetricName } from '../world/types.js';

/**
 * The unit a source value is in, and so how it becomes the gatesim metric's value:
 * `ratio` (a probability, as is), `percent` (÷100), `success` (error = 1 − value),
 * `success-percent` (error = 1 − value/100), `seconds` (×1000 → ms), `ms`, `bytes` (÷2²⁰ → MB),
 * `mb`, `count`.
 */
export const UNITS = [
  'ratio',
  'percent',
  'success',
  'success-percent',
  'seconds',
  'ms',
  'bytes',
  'mb',
  'count',
] as const;
export type Unit = (typeof UNITS)[number];

const RATE_METRICS: readonly MetricName[] = ['error_rate', 'slow_rate', 'conversion_rate'];
const LATENCY_METRICS: readonly MetricName[] = ['latency_p50', 'latency_p90', 'latency_p99'];

/** The units that make sense for a metric. */
export function unitsFor(metric: MetricName): readonly Unit[] {
  if (metric === 'conversion_rate') return ['ratio', 'percent'];
  if (RATE_METRICS.includes(metric)) return ['ratio', 'percent', 'success', 'success-percent'];
  if (LATENCY_METRICS.includes(metric)) return ['ms', 'seconds'];
  if (metric === 'memory') return ['mb', 'bytes'];
  return ['count'];
}

/** A `--map` option: which source metric, to which gatesim metric (or `none` to drop it), in which unit. */
export interface MapRule {
  name: string;
  metric: MetricName | 'none';
  unit: Unit | undefined;
  /** The option as given, for messages. */
  spec: string;
}

/** Parses `--map 'NAME=METRIC[:UNIT]'` options; a bad one is a GatesimError saying what is accepted. */
export function parseMapRules(specs: readonly string[]): MapRule[] {
  return specs.map((spec) => {
    const eq = spec.lastIndexOf('=');
    if (eq <= 0 || eq === spec.length - 1) {
      throw new GatesimError(
        'invalid-option',
        `--map ${JSON.stringify(spec)}: expected NAME=METRIC or NAME=METRIC:UNIT`,
      );
    }
    const name = spec.slice(0, eq).trim();
    const [metricText = '', unitText, ...extra] = spec
      .slice(eq + 1)
      .trim()
      .split(':');
    if (extra.length > 0)
      throw new GatesimError(
        'invalid-option',
        `--map ${JSON.stringify(spec)}: expected one ":" at most`,
      );
    if (metricText === 'none') {
      if (unitText !== undefined)
        throw new GatesimError(
          'invalid-option',
          `--map ${JSON.stringify(spec)}: "none" takes no unit`,
        );
      return { name, metric: 'none', unit: undefined, spec };
    }
    const metric = METRIC_NAMES.find((m) => m === metricText);
    if (metric === undefined) {
      throw new GatesimError(
        'invalid-option',
        `--map ${JSON.stringify(spec)}: unknown metric "${metricText}" (known: ${METRIC_NAMES.join(', ')}, or none to drop it)`,
      );
    }
    if (unitText === undefined) return { name, metric, unit: undefined, spec };
    const unit = UNITS.find((u) => u === unitText);
    if (unit === undefined || !unitsFor(metric).includes(unit)) {
      throw new GatesimError(
        'invalid-option',
        `--map ${JSON.stringify(spec)}: unit "${unitText}" does not fit ${metric} (use ${unitsFor(metric).join(', ')})`,
      );
    }
    return { name, metric, unit, spec };
  });
}

/** The passing range of a source metric in its own units (±Infinity when open). */
export interface ValueRange {
  lo: number;
  hi: number;
}

/** What a source metric offers for mapping. */
export interface MetricSource {
  /** The name `--map` matches (Argo metric name, Flagger metric name, CloudWatch alarm or metric name). */
  names: readonly string[];
  /** Query text and other words the heuristic reads ('' when there is none). */
  text: string;
  /** The passing range (values that do not fail), in source units. */
  range: ValueRange;
  /**
   * The values that succeed, inside `range` (Argo with both conditions): the rest of `range`
   * is inconclusive. Absent when every value in `range` succeeds.
   */
  successRange?: ValueRange;
  /** A mapping the source itself fixes (Flagger's built-in metrics); --map still wins. */
  known?: { metric: MetricName; unit: Unit; how: string };
  /** A unit the source states (a CloudWatch alarm's Unit), used when the heuristic picks the metric. */
  statedUnit?: Unit;
}

export type MetricDecision =
  | {
      kind: 'mapped';
      metric: MetricName;
      unit: Unit;
      how: string;
      warnings: string[];
      rule: MapRule | undefined;
    }
  | { kind: 'dropped'; how: string; rule: MapRule };

interface MetricRule {
  metric: MetricName | 'latency';
  re: RegExp;
}

/** Heuristic rules, first match wins; `latency` picks the percentile from the query. */
const METRIC_RULES: readonly MetricRule[] = [
  { metric: 'memory', re: /memory|heap|\brss\b|working_set/ },
  {
    metric: 'latency',
    re: /latency|duration|response_?time|quantile|_bucket\b|\bp(?:50|90|95|99)\b/,
  },
  { metric: 'error_rate', re: /success|error|5xx|5\.\.|5\.\*|fail|\b5\d\d\b/ },
  { metric: 'crash_count', re: /restart|crash|oomkill/ },
  { metric: 'conversion_rate', re: /conversion|checkout|purchase/ },
  { metric: 'connections', re: /connection|\bpool\b/ },
  { metric: 'requests', re: /requests?_total|request_?count|\brps\b|throughput/ },
];

/** Picks the latency percentile a query asks for: histogram_quantile(0.5, …) → latency_p50. */
function latencyMetric(text: string): { metric: MetricName; note: string } {
  const q =
    /histogram_quantile\s*\(\s*([0-9.]+)/.exec(text) ?? /quantile\s*\(\s*([0-9.]+)/.exec(text);
  const p = /\bp(50|90|95|99)\b/.exec(text);
  const pct = q !== null ? Number(q[1]) * 100 : p !== null ? Number(p[1]) : undefined;
  if (pct === undefined)
    return { metric: 'latency_p99', note: 'no percentile in the query; p99 assumed' };
  const rounded = Math.round(pct * 1000) / 1000;
  if (rounded === 50) return { metric: 'latency_p50', note: 'p50 in the query' };
  if (rounded === 90) return { metric: 'latency_p90', note: 'p90 in the query' };
  if (rounded === 99) return { metric: 'latency_p99', note: 'p99 in the query' };
  return { metric: 'latency_p99', note: `p${rounded} has no gatesim metric; p99 used` };
}

function matchedWord(re: RegExp, text: string): string {
  const m = re.exec(text);
  return m !== null ? m[0] : '';
}

/**
 * The unit of a source value when only the metric is known: rates read the passing range's
 * direction (a lower bound guards a success rate, an upper bound an error rate) and size
 * (a bound above 1 is a percentage); latencies and memory read unit words in the query.
 */
function inferUnit(
  metric: MetricName,
  text: string,
  range: ValueRange,
): { unit: Unit; note: string; warnings: string[] } {
  const warnings: string[] = [];
  const bounds = [range.lo, range.hi].filter((b) => Number.isFinite(b));
  const big = bounds.some((b) => Math.abs(b) > 1);
  if (RATE_METRICS.includes(metric)) {
    const percentWords = /\*\s*100\b|\b100\s*\*|percent/.test(text);
    const percent = big || percentWords;
    if (metric === 'conversion_rate') {
      return {
        unit: percent ? 'percent' : 'ratio',
        note: percent ? 'a percentage' : 'a ratio',
        warnings,
      };
    }
    const lowerOnly = Number.isFinite(range.lo) && !Number.isFinite(range.hi);
    const upperOnly = !Number.isFinite(range.lo) && Number.isFinite(range.hi);
    const successWords = /success|!~\s*"5|!=\s*"5|non[-_ ]?5xx/.test(text);
    let success: boolean;
    let why: string;
    if (lowerOnly) {
      success = true;
      why = 'the passing range has only a lower bound, so the value is a success rate';
      if (!successWords && /error|5xx|5\.\.|fail/.test(text)) {
        warnings.push(
          'the query reads like an error rate but only a lower bound is set; mapped as a success rate',
        );
      }
    } else if (upperOnly) {
      success = false;
      why = 'the passing range has only an upper bound, so the value is an error rate';
      if (successWords)
        warnings.push(
          'the query reads like a success rate but only an upper bound is set; mapped as an error rate',
        );
    } else {
      success = successWords;
      why = success ? 'the query speaks of success' : 'the query does not speak of success';
    }
    const unit: Unit = success
      ? percent
        ? 'success-percent'
        : 'success'
      : percent
        ? 'percent'
        : 'ratio';
    return { unit, note: `${why}${percent ? ', in percent' : ''}`, warnings };
  }
  if (LATENCY_METRICS.includes(metric)) {
    if (/millisecond|_ms(?![a-z])|\bms\b/.test(text))
      return { unit: 'ms', note: 'milliseconds in the query', warnings };
    if (/seconds|_bucket\b/.test(text)) {
      return {
        unit: 'seconds',
        note: 'seconds in the query (Prometheus base unit): ×1000 to ms',
        warnings,
      };
    }
    if (bounds.length > 0 && bounds.every((b) => Math.abs(b) < 5)) {
      warnings.push(
        "no unit in the query and the bound is under 5 ms; if it is seconds pass --map 'NAME=latency_p99:seconds'",
      );
    }
    return { unit: 'ms', note: 'no unit in the query; milliseconds assumed', warnings };
  }
  if (metric === 'memory') {
    if (/bytes/.test(text))
      return { unit: 'bytes', note: 'bytes in the query: ÷1048576 to MB', warnings };
    return { unit: 'mb', note: 'no unit in the query; MB assumed', warnings };
  }
  return { unit: 'count', note: 'a count', warnings };
}

/** Finds the `--map` rule for a metric by any of its names. */
export function findRule(rules: readonly MapRule[], names: readonly string[]): MapRule | undefined {
  return rules.find((r) => names.includes(r.name));
}

/**
 * Decides which gatesim metric (and unit) a source metric becomes: an explicit `--map` rule,
 * else what the source fixes, else the heuristic. Returns undefined when nothing fits; the
 * caller reports that with the source location.
 */
export function decideMetric(
  src: MetricSource,
  rules: readonly MapRule[],
): MetricDecision | undefined {
  const text = src.text.toLowerCase();
  const rule = findRule(rules, src.names);
  if (rule !== undefined) {
    if (rule.metric === 'none') return { kind: 'dropped', how: `--map ${rule.spec}`, rule };
    if (rule.unit !== undefined) {
      return {
        kind: 'mapped',
        metric: rule.metric,
        unit: rule.unit,
        how: `--map ${rule.spec}`,
        warnings: [],
        rule,
      };
    }
    const u =
      src.known?.metric === rule.metric
        ? { unit: src.known.unit, note: src.known.how, warnings: [] }
        : inferUnit(rule.metric, text, src.range);
    return {
      kind: 'mapped',
      metric: rule.metric,
      unit: u.unit,
      how: `--map ${rule.spec}; ${u.note}`,
      warnings: u.warnings,
      rule,
    };
  }
  if (src.known !== undefined) {
    return {
      kind: 'mapped',
      metric: src.known.metric,
      unit: src.known.unit,
      how: src.known.how,
      warnings: [],
      rule: undefined,
    };
  }
  for (const r of METRIC_RULES) {
    if (!r.re.test(text)) continue;
    // A ratio of request counts is a rate of something, not a request count.
    if (r.metric === 'requests' && text.includes('/')) continue;
    const word = matchedWord(r.re, text);
    let metric: MetricName;
    let extra = '';
    if (r.metric === 'latency') {
      const l = latencyMetric(text);
      metric = l.metric;
      extra = `; ${l.note}`;
    } else {
      metric = r.metric;
    }
    const u =
      src.statedUnit !== undefined && unitsFor(metric).includes(src.statedUnit)
        ? { unit: src.statedUnit, note: `stated unit ${src.statedUnit}`, warnings: [] }
        : inferUnit(metric, text, src.range);
    return {
      kind: 'mapped',
      metric,
      unit: u.unit,
      how: `heuristic: ${JSON.stringify(word)} → ${metric}${extra}; ${u.note}`,
      warnings: u.warnings,
      rule: undefined,
    };
  }
  return undefined;
}

/** Rounds away binary noise (1 − 0.95 = 0.050000000000000044 → 0.05). */
export function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** The affine map a unit applies: gatesim value = scale × source value + offset. */
export function unitTransform(unit: Unit): { scale: number; offset: number; text: string } {
  switch (unit) {
    case 'ratio':
    case 'ms':
    case 'mb':
    case 'count':
      return { scale: 1, offset: 0, text: '' };
    case 'percent':
      return { scale: 0.01, offset: 0, text: 'value / 100' };
    case 'success':
      return { scale: -1, offset: 1, text: '1 − value' };
    case 'success-percent':
      return { scale: -0.01, offset: 1, text: '1 − value/100' };
    case 'seconds':
      return { scale: 1000, offset: 0, text: 'value × 1000' };
    case 'bytes':
      return { scale: 1 / 1048576, offset: 0, text: 'value / 1048576' };
    default: {
      const never: never = unit;
      throw new Error(`unknown unit ${String(never)}`);
    }
  }
}

/**
 * Converts a passing range in source units into the threshold judge's min/max in the gatesim
 * metric's unit; a decreasing map (success → error) swaps the bounds.
 */
export function convertRange(range: ValueRange, unit: Unit): { min?: number; max?: number } {
  const t = unitTransform(unit);
  const f = (v: number): number => tidy(t.scale * v + t.offset);
  const a = Number.isFinite(range.lo) ? f(range.lo) : undefined;
  const b = Number.isFinite(range.hi) ? f(range.hi) : undefined;
  const [min, max] = t.scale > 0 ? [a, b] : [b, a];
  const out: { min?: number; max?: number } = {};
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  return out;
}

/** Describes a judge range for a comment: `error_rate ≤ 0.05`, `latency_p99 in [100, 500]`. */
export function describeBounds(metric: MetricName, b: { min?: number; max?: number }): string {
  if (b.min !== undefined && b.max !== undefined) return `${metric} in [${b.min}, ${b.max}]`;
  if (b.min !== undefined) return `${metric} ≥ ${b.min}`;
  if (b.max !== undefined) return `${metric} ≤ ${b.max}`;
  return `${metric}: any value`;
}

/**
 * The range a PromQL range selector covers (`rate(x[5m])` → 5 minutes), when the query has
 * exactly one distinct range; each measurement then looks back that far.
 */
export function promRange(query: string): number | undefined {
  const units: Record<string, number> = {
    ms: 1 / 60000,
    s: 1 / 60,
    m: 1,
    h: 60,
    d: 1440,
    w: 10080,
    y: 525600,
  };
  const found = new Set<number>();
  for (const m of query.matchAll(/\[\s*(\d+)(ms|s|m|h|d|w|y)\s*(?::[^\]]*)?\]/g))
    found.add(Number(m[1]) * units[m[2]!]!);
  return found.size === 1 ? [...found][0] : undefined;
}
