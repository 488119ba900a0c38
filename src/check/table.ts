/** The compact tables `gatesim check` prints: one line per scenario and budget, then the paired comparisons. */
import {
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
function columns(rows: readonly (readonly string[])[]): string {
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

/** The budget table. */
export function renderCheckTable(rows: readonly BudgetRow[], bound: Bound): string {
  if (rows.length === 0) return '';
  const judged = bound === 'upper' ? 'judged (95% upper)' : 'judged (estimate)';
  return (
    columns([
      ['scenario', 'budget', 'measured (95% interval)', judged, 'result', ''],
      ...rows.map((r) => [
        r.scenario,
        describeBudget(r.budget),
        measuredText(r),
        judgedText(r),
        r.status === 'n/a' ? 'n/a' : r.status.toUpperCase(),
        r.note ?? '',
      ]),
    ]) + '\n'
  );
}

function rateOf(count: number, of: number): string {
  return of === 0 ? NOT_AVAILABLE : formatPercent(count / of);
}

/** The paired comparison table. */
export function renderRegressionTable(all: readonly Regression[]): string {
  // A rate with no builds of its kind (shipped-bad on an all-good scenario) has nothing to compare.
  const regs = all.filter((r) => r.of > 0);
  if (regs.length === 0) return '';
  return (
    columns([
      [
        'scenario',
        'metric',
        'baseline',
        'now',
        'change',
        'discordant trials',
        'p (McNemar)',
        'result',
      ],
      ...regs.map((r) => [
        r.scenario,
        r.metric,
        rateOf(r.baselineCount, r.of),
        rateOf(r.currentCount, r.of),
        formatPp(r.diff),
        `${r.worseOnly} worse, ${r.betterOnly} better`,
        formatPValue(r.pValue),
        r.verdict === 'worse' ? 'WORSE' : r.verdict === 'better' ? 'better' : 'same',
      ]),
    ]) + '\n'
  );
}
