/**
 * State one import run shares across its parts: the `--map` rules, the list of source fields
 * that could not be modelled, the metric mappings made, and the finishing step that writes
 * them into the policy's header comment.
 */
import { SCENARIO_DEFAULTS, scrapeWarnings } from '../config/index.js';
import { ValidationError } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import type { MetricName } from '../world/types.js';
import type { DraftCheck, DraftJudge, DraftPolicy } from './draft.js';
import { writePolicy } from './draft.js';
import { sourceOf, validateImported } from './validate.js';
import type { MapRule, MetricSource, Unit, ValueRange } from './metric-map.js';
import {
  convertRange,
  decideMetric,
  describeBounds,
  parseMapRules,
  unitTransform,
} from './metric-map.js';
import type { SourceNode } from './source.js';
import { joinPath, show } from './source.js';
import type { CommonImportOptions, Gap, GapKind, ImportResult, MappingNote } from './types.js';
import { METRIC_NAMES } from '../world/types.js';

/** Why a source field is not read: a reason (ignored), or a gap kind and reason. */
export type KnownField = string | { kind: GapKind; why: string };

/** Where something is: a source node, or a file and path. */
export type Where = SourceNode | { file: string; path: string };

/** A source metric mapped onto a gatesim metric, with its threshold judge. */
export interface MappedMetric {
  metric: MetricName;
  unit: Unit;
  judge: DraftJudge;
  /** The comment for the check's `metric` field. */
  metricNote: string;
  /** The comment for the check's `judge` field (source bounds → gatesim bounds). */
  judgeNote: string;
}

export class ImportContext {
  readonly gaps: Gap[] = [];
  readonly mappings: MappingNote[] = [];
  readonly warnings: string[] = [];
  readonly rules: MapRule[];
  private readonly used = new Set<MapRule>();

  constructor(options: CommonImportOptions) {
    this.rules = parseMapRules(options.map ?? []);
  }

  /** Records a source field that could not be modelled exactly. */
  gap(at: Where, kind: GapKind, message: string): void {
    this.gaps.push({ file: at.file, path: at.path, kind, message });
  }

  /**
   * Records every key of `node` the importer does not read: keys listed in `known` with their
   * reason (a plain string means `ignored`: no bearing on gating), any other as not modelled.
   */
  unread(
    node: SourceNode,
    read: readonly string[],
    known: Readonly<Record<string, KnownField>> = {},
  ): void {
    for (const key of node.keys()) {
      if (read.includes(key)) continue;
      const at = { file: node.file, path: joinPath(node.path, key) };
      // Own keys only: a source key such as `constructor` is not a known field.
      const k = Object.hasOwn(known, key) ? known[key] : undefined;
      if (k === undefined) this.gap(at, 'not-modelled', 'not read by the importer');
      else if (typeof k === 'string') this.gap(at, 'ignored', k);
      else this.gap(at, k.kind, k.why);
    }
  }

  /**
   * Maps a source metric with a passing range (source units) to a gatesim metric and a
   * threshold judge; returns undefined when `--map NAME=none` drops it. Throws a
   * ValidationError at `at` when neither --map nor the heuristic can place it.
   */
  mapMetric(
    src: MetricSource,
    at: SourceNode,
    label: string,
    rangeText: string,
  ): MappedMetric | undefined {
    const d = decideMetric(src, this.rules);
    const name = src.names[0] ?? label;
    if (d === undefined) {
      throw new ValidationError(at.file, [
        {
          path: at.path,
          message: `cannot tell which gatesim metric ${JSON.stringify(name)} measures${src.text === '' ? '' : ` from ${show(src.text)}`}; pass --map '${name}=error_rate' (metrics: ${METRIC_NAMES.join(', ')}; or none to drop it)`,
        },
      ]);
    }
    if (d.rule !== undefined) this.used.add(d.rule);
    if (d.kind === 'dropped') {
      this.mappings.push({ source: label, metric: 'none', how: d.how });
      this.gap(at, 'not-modelled', `dropped by ${d.how}`);
      return undefined;
    }
    const bounds = convertRange(src.range, d.unit);
    const band = inconclusiveBand(bounds, src.successRange, d.unit);
    if (bounds.min === undefined && bounds.max === undefined && band === undefined) {
      this.mappings.push({ source: label, metric: 'none', how: `${d.how}; no bound to hold` });
      this.gap(
        at,
        'not-modelled',
        `${rangeText} sets no bound on the value, and a threshold needs one; the metric is dropped`,
      );
      return undefined;
    }
    this.mappings.push({ source: label, metric: d.metric, how: d.how });
    for (const w of d.warnings) this.warnings.push(`${label}: ${w}`);
    const t = unitTransform(d.unit);
    const judge: DraftJudge = { kind: 'threshold', ...bounds, ...band };
    const bandText =
      band === undefined
        ? ''
        : `; Inconclusive ${[
            band.inconclusiveBelow !== undefined ? `below ${band.inconclusiveBelow}` : '',
            band.inconclusiveAbove !== undefined ? `above ${band.inconclusiveAbove}` : '',
          ]
            .filter((x) => x !== '')
            .join(' and ')}`;
    const judgeNote = `${rangeText} → ${describeBounds(d.metric, bounds)}${bandText}${t.text === '' ? '' : ` (${d.metric} = ${t.text})`}`;
    return { metric: d.metric, unit: d.unit, judge, metricNote: d.how, judgeNote };
  }

  /** Warns, at the source field, of windows too short for the default scrape interval. */
  private scrapeWindows(draft: DraftPolicy): void {
    const policy = validateImported(draft, writePolicy(draft));
    const s = SCENARIO_DEFAULTS.scrapeInterval;
    for (const w of scrapeWarnings(policy, s)) {
      const src = sourceOf(draft, w.path);
      this.warnings.push(
        `${src.file}: ${src.path}: ${w.message} (${formatDuration(s)} is gatesim's default scrape interval, the Prometheus Operator's; a scenario whose Prometheus scrapes more often says so with scrapeInterval)`,
      );
    }
  }

  /** Marks any `--map` rule that matched nothing, so a typo does not pass silently. */
  private unusedRules(): void {
    for (const r of this.rules) {
      if (!this.used.has(r)) this.warnings.push(`--map ${r.spec} matched no metric`);
    }
  }

  /**
   * Writes the header sections (mappings, gaps, warnings) and the YAML text. With `prometheus`
   * (the source queries Prometheus), warns of every check whose query window cannot hold the
   * two scrapes a rate needs at gatesim's default scrape interval.
   */
  finish(draft: DraftPolicy, options: { prometheus?: boolean } = {}): ImportResult {
    this.unusedRules();
    for (const s of draft.stages) uniqueCheckNames(s.checks);
    if (draft.watch !== undefined) uniqueCheckNames(draft.watch.checks);
    if (options.prometheus === true) this.scrapeWindows(draft);
    const header = [...draft.header];
    if (this.mappings.length > 0) {
      header.push('', 'Metric mappings (queries cannot run in a simulation):');
      for (const m of this.mappings) header.push(`  ${m.source} → ${m.metric} (${m.how})`);
    }
    if (this.gaps.length > 0) {
      header.push('', 'Source fields not modelled exactly (also printed to stderr):');
      for (const g of this.gaps) header.push(`  ${formatGap(g)}`);
    }
    if (this.warnings.length > 0) {
      header.push('', 'Warnings:');
      for (const w of this.warnings) header.push(`  ${w}`);
    }
    const full: DraftPolicy = { ...draft, header };
    const text = writePolicy(full);
    validateImported(full, text);
    return {
      text,
      draft: full,
      gaps: this.gaps,
      mappings: this.mappings,
      warnings: this.warnings,
    };
  }
}

/**
 * The inconclusive band in the gatesim metric's unit: where the succeeding values stop short
 * of the non-failing bounds. Undefined when every non-failing value succeeds.
 */
function inconclusiveBand(
  bounds: { min?: number; max?: number },
  success: ValueRange | undefined,
  unit: Unit,
): { inconclusiveAbove?: number; inconclusiveBelow?: number } | undefined {
  if (success === undefined) return undefined;
  const ok = convertRange(success, unit);
  const band: { inconclusiveAbove?: number; inconclusiveBelow?: number } = {};
  if (ok.max !== undefined && (bounds.max === undefined || ok.max < bounds.max))
    band.inconclusiveAbove = ok.max;
  if (ok.min !== undefined && (bounds.min === undefined || ok.min > bounds.min))
    band.inconclusiveBelow = ok.min;
  return band.inconclusiveAbove === undefined && band.inconclusiveBelow === undefined
    ? undefined
    : band;
}

/**
 * A source name (an alarm called `Checkout 5xx > 1%`) as a check name, which is letters,
 * digits, `-`, `_` and `.`, starting with a letter or digit: other runs of characters become `-`.
 */
export function checkName(source: string): string {
  const name = source
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
  return name === '' ? 'check' : name;
}

/**
 * Check names must be valid names and unique within a stage: a source name with other
 * characters is rewritten (`checkName`), a template used twice gets `-2`, `-3`.
 */
function uniqueCheckNames(checks: readonly DraftCheck[]): void {
  const seen = new Set<string>();
  for (const c of checks) {
    const source = c.name.value;
    const base = checkName(source);
    let name = base;
    for (let k = 2; seen.has(name); k++) name = `${base}-${k}`;
    const why: string[] = [];
    if (base !== source)
      why.push(`from ${JSON.stringify(source)}: a check name is letters, digits, -, _ and .`);
    if (name !== base) why.push(`${base} is already a check on this stage`);
    if (why.length > 0)
      c.name = { ...c.name, value: name, note: `${c.name.note} (renamed: ${why.join('; ')})` };
    seen.add(name);
  }
}

/** `[approximated] rollout.yaml: spec.x: message` */
export function formatGap(g: Gap): string {
  return `[${g.kind}] ${g.file}: ${g.path === '' ? '(root)' : g.path}: ${g.message}`;
}

/** A passing range as a comment: `≥ 0.95`, `≤ 500`, `[1, 2]`. */
export function rangeText(r: ValueRange): string {
  const lo = Number.isFinite(r.lo);
  const hi = Number.isFinite(r.hi);
  if (lo && hi) return `[${r.lo}, ${r.hi}]`;
  if (lo) return `≥ ${r.lo}`;
  if (hi) return `≤ ${r.hi}`;
  return 'any value';
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st. */
export function ordinal(n: number): string {
  const v = n % 100;
  if (v >= 11 && v <= 13) return `${n}th`;
  const last = n % 10;
  return `${n}${last === 1 ? 'st' : last === 2 ? 'nd' : last === 3 ? 'rd' : 'th'}`;
}
