/**
 * The tables `gatesim check` prints, and writes as Markdown: one line per scenario and
 * budget, then the paired comparisons of the rates, then those of the times and impact.
 */
import { escapeMarkdown } from '../report/escape.js';
import {
  formatCount,
  formatMinutes,
  formatPercent,
  formatPp,
  formatPValue,
  formatRateInterval,
  NOT_AVAILABLE,
} from '../report/format.js';
import type { Regression } from './baseline.js';
import type { Bound, QuantileWithInterval } from './bounds.js';
import { describeBudget, type BudgetRow } from './budgets.js';
import type { Allowance } from './options.js';
import type { MetricComparison, PairedMetric } from './paired-metrics.js';

/** A table as cells: the header row first. */
export type Cells = readonly (readonly string[])[];

function minutes(v: number): string {
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '0';
  return formatMinutes(v);
}

/** `42 min (38–51 min)`: the low end drops its unit when the high end has the same one. */
export function formatQuantileInterval(q: QuantileWithInterval): string {
  if (q.n === 0) return NOT_AVAILABLE;
  const lo = minutes(q.lo);
  const hi = minutes(q.hi);
  const unit = / [a-z]+$/.exec(hi)?.[0];
  const loShort = unit !== undefined && lo.endsWith(unit) ? lo.slice(0, -unit.length) : lo;
  return `${formatMinutes(q.value)} (${loShort}–${hi})`;
}

function quantileText(q: QuantileWithInterval): string {
  return q.n === 0 ? NOT_AVAILABLE : `${formatQuantileInterval(q)} · n=${q.n}`;
}

function measuredText(r: BudgetRow): string {
  const m = r.measured;
  const text =
    m.kind === 'rate'
      ? m.rate.of === 0
        ? NOT_AVAILABLE
        : `${formatRateInterval(m.rate)} · ${m.rate.count}/${m.rate.of}`
      : quantileText(m.quantile);
  return text;
}

function judgedText(r: BudgetRow): string {
  if (r.judged === undefined) return '';
  return r.measured.kind === 'rate' ? formatPercent(r.judged) : minutes(r.judged);
}

/** Pads columns to their widest cell; the last column is left ragged. */
export function columns(rows: Cells): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A GitHub-flavoured Markdown table; every cell escaped. */
export function markdownTable(rows: Cells): string {
  const [head, ...body] = rows;
  if (head === undefined) return '';
  const line = (r: readonly string[]): string =>
    `| ${r.map((c) => (c === '' ? ' ' : escapeMarkdown(c))).join(' | ')} |`;
  return (
    [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...body.map(line)].join('\n') + '\n'
  );
}

/** What more trials would do, for a failed budget: `≈ 73 bad builds (146 trials)`. */
export function moreTrialsText(r: BudgetRow): string {
  const m = r.moreTrials;
  if (m === undefined) return '';
  if (m.kind === 'no-help') return 'the estimate itself misses the budget';
  return `bound meets it at ≈ ${formatCount(m.count)} ${m.of} (${formatCount(m.trials)} trials) if the estimate holds`;
}

/** The budget table as cells. */
export function checkTableCells(rows: readonly BudgetRow[], bound: Bound): Cells {
  const judged = bound === 'upper' ? 'judged (95% upper)' : 'judged (estimate)';
  return [
    ['scenario', 'budget', 'measured (95% interval)', judged, 'result', ''],
    ...rows.map((r) => [
      r.scenario,
      describeBudget(r.budget),
      measuredText(r),
      judgedText(r),
      r.status === 'n/a' ? 'n/a' : r.status.toUpperCase(),
      [r.note, r.status === 'fail' ? moreTrialsText(r) : '']
        .filter((x) => x !== undefined && x !== '')
        .join('; '),
    ]),
  ];
}

/** The budget table. */
export function renderCheckTable(rows: readonly BudgetRow[], bound: Bound): string {
  if (rows.length === 0) return '';
  return columns(checkTableCells(rows, bound)) + '\n';
}

function rateOf(count: number, of: number): string {
  return of === 0 ? NOT_AVAILABLE : formatPercent(count / of);
}

/** A paired difference's interval: `+1.0 to +6.1 pp`. */
export function formatPpInterval(lo: number, hi: number): string {
  return `${formatPp(lo).replace(/ pp$/, '')} to ${formatPp(hi)}`;
}

function rateResult(r: Regression): string {
  if (r.margin !== undefined)
    return r.verdict === 'worse'
      ? `WORSE (upper > ${formatPp(r.margin)})`
      : `non-inferior (upper ≤ ${formatPp(r.margin)})`;
  return r.verdict === 'worse' ? 'WORSE' : r.verdict === 'better' ? 'better' : 'same';
}

/** The paired rate comparisons as cells. */
export function regressionCells(all: readonly Regression[]): Cells {
  // A rate with no builds of its kind (shipped-bad on an all-good scenario) has nothing to compare.
  const regs = all.filter((r) => r.of > 0);
  return [
    [
      'scenario',
      'metric',
      'baseline',
      'now',
      'change (95% paired interval)',
      'discordant trials',
      'p (McNemar)',
      'result',
    ],
    ...regs.map((r) => [
      r.scenario,
      r.metric,
      rateOf(r.baselineCount, r.of),
      rateOf(r.currentCount, r.of),
      `${formatPp(r.diff)} (${formatPpInterval(r.interval.lo, r.interval.hi)})`,
      `${r.worseOnly} worse, ${r.betterOnly} better`,
      formatPValue(r.pValue),
      rateResult(r),
    ]),
  ];
}

/** The paired comparison table. */
export function renderRegressionTable(all: readonly Regression[]): string {
  const cells = regressionCells(all);
  return cells.length <= 1 ? '' : columns(cells) + '\n';
}

const METRIC_NAMES: Record<PairedMetric, string> = {
  ttd: 'time to detect',
  'lead-time': 'lead time',
  'failed-requests': 'failed requests',
  'lost-checkouts': 'lost checkouts',
};

/** The name of a paired figure for people. */
export function metricName(m: PairedMetric): string {
  return METRIC_NAMES[m];
}

function isTime(m: PairedMetric): boolean {
  return m === 'ttd' || m === 'lead-time';
}

/** A value of a paired figure: minutes for times, counts for impact. */
export function metricValue(m: PairedMetric, v: number): string {
  if (!Number.isFinite(v)) return NOT_AVAILABLE;
  return isTime(m) ? formatMinutes(v) : formatCount(v);
}

/** A signed change: `+4 min`, `−120`, `±0`. */
export function metricChange(m: PairedMetric, v: number): string {
  if (!Number.isFinite(v)) return NOT_AVAILABLE;
  if (v === 0) return isTime(m) ? '±0 min' : '±0';
  const text = metricValue(m, Math.abs(v));
  return `${v > 0 ? '+' : '−'}${text}`;
}

/** An allowance: `+10%`, `+5 min`, `none`. */
export function allowanceText(m: PairedMetric, a: Allowance): string {
  if (a.kind === 'relative') return `+${trimNumber(a.share * 100)}%`;
  return a.amount === 0 ? 'none' : `+${metricValue(m, a.amount)}`;
}

function trimNumber(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** The paired comparisons of times and impact as cells; rows with nothing to compare say why. */
export function metricCells(all: readonly MetricComparison[]): Cells {
  return [
    [
      'scenario',
      'figure',
      'pairs',
      'baseline (median)',
      'now (median)',
      'mean change',
      'pairs worse, better',
      'allowed',
      'p (signed-rank)',
      'result',
      '',
    ],
    ...all.map((c) => [
      c.scenario,
      metricName(c.metric),
      String(c.pairs),
      metricValue(c.metric, c.baselineMedian),
      metricValue(c.metric, c.currentMedian),
      metricChange(c.metric, c.meanChange),
      c.verdict === 'n/a' ? '' : `${c.worsePairs}, ${c.betterPairs}`,
      allowanceText(c.metric, c.allowance),
      c.verdict === 'n/a' ? '' : formatPValue(c.pValue),
      c.verdict === 'worse' ? 'WORSE' : c.verdict,
      c.note ?? '',
    ]),
  ];
}

/** The table of paired times and impact. */
export function renderMetricTable(all: readonly MetricComparison[]): string {
  const cells = metricCells(all);
  return cells.length <= 1 ? '' : columns(cells) + '\n';
}
