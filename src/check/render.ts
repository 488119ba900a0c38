/**
 * What a check says beyond its tables: one line per failure saying why (the budget, the
 * scenario, the figure and the bound it was judged on), and the whole report as Markdown for
 * a CI job summary.
 */
import { escapeMarkdown } from '../report/escape.js';
import {
  formatMinutes,
  formatPercent,
  formatPp,
  formatPValue,
  formatRateInterval,
} from '../report/format.js';
import type { BudgetRow } from './budgets.js';
import { describeBudget } from './budgets.js';
import type { CheckResult } from './types.js';
import {
  allowanceText,
  checkTableCells,
  formatPpInterval,
  formatQuantileInterval,
  markdownTable,
  metricCells,
  metricChange,
  metricName,
  metricValue,
  moreTrialsText,
  regressionCells,
} from './table.js';

function judgedValue(r: BudgetRow): string {
  if (r.judged === undefined) return '';
  if (r.measured.kind === 'rate') return formatPercent(r.judged);
  return r.judged === Infinity ? '∞' : formatMinutes(r.judged);
}

function budgetWhy(r: BudgetRow, bound: CheckResult['bound']): string {
  const m = r.measured;
  const figure =
    m.kind === 'rate'
      ? `${formatRateInterval(m.rate)}, ${m.rate.count} of ${m.rate.of}`
      : m.quantile.n === 0
        ? 'no values'
        : `${formatQuantileInterval(m.quantile)}, n=${m.quantile.n}`;
  const max = describeBudget(r.budget).replace(/^.* ≤ /, '');
  const judged =
    r.judged === undefined
      ? ''
      : bound === 'upper'
        ? `; 95% upper bound ${judgedValue(r)} > ${max}`
        : `; estimate ${judgedValue(r)} > ${max}`;
  const extra = [r.note ?? '', moreTrialsText(r)].filter((x) => x !== '').join('; ');
  return `${r.scenario}: ${describeBudget(r.budget)} missed: ${figure}${judged}${extra === '' ? '' : `; ${extra}`}`;
}

/** One line per failed budget and per regression: which, where, the figure and the bound. */
export function whyLines(r: CheckResult): string[] {
  const lines: string[] = [];
  for (const row of r.rows) if (row.status === 'fail') lines.push(budgetWhy(row, r.bound));
  for (const w of r.regressions) {
    if (w.verdict !== 'worse') continue;
    const rates = `${formatPercent(w.baselineCount / w.of)} -> ${formatPercent(w.currentCount / w.of)} of ${w.of}`;
    const interval = `95% paired interval ${formatPpInterval(w.interval.lo, w.interval.hi)}`;
    lines.push(
      w.margin !== undefined
        ? `${w.scenario}: ${w.metric} ${formatPp(w.diff)} (${rates}); ${interval}: its upper end is above the margin ${formatPp(w.margin)}`
        : `${w.scenario}: ${w.metric} worse by ${formatPp(w.diff)} (${rates}; ${w.worseOnly} trials worse, ${w.betterOnly} better; p = ${formatPValue(w.pValue)}); ${interval}`,
    );
  }
  for (const c of r.metrics) {
    if (c.verdict !== 'worse') continue;
    lines.push(
      `${c.scenario}: ${metricName(c.metric)} worse: mean change ${metricChange(c.metric, c.meanChange)} over ${c.pairs} paired trials, ` +
        `${c.worsePairs} worse and ${c.betterPairs} better (median ${metricValue(c.metric, c.baselineMedian)} -> ${metricValue(c.metric, c.currentMedian)}; ` +
        `allowed ${allowanceText(c.metric, c.allowance)}; signed-rank p = ${formatPValue(c.pValue)})`,
    );
  }
  return lines;
}

/** The check as Markdown: verdict first (a job summary is read top down), then the tables. */
export function renderCheckMarkdown(r: CheckResult): string {
  const n = r.study.runs.length;
  const why = whyLines(r);
  const parts: string[] = [
    `## gatesim check ${escapeMarkdown(r.policy)}: ${r.passed ? 'PASS' : 'FAIL'}\n\n`,
    `${n} scenario${n === 1 ? '' : 's'} × ${r.trials} trials (seed ${r.seed}); budgets judged on the ` +
      `${r.bound === 'upper' ? '95% upper bound' : 'estimate'}` +
      (r.baselineName === undefined ? '' : `; baseline ${escapeMarkdown(r.baselineName)}`) +
      '.\n\n',
  ];
  if (why.length > 0) parts.push(why.map((l) => `- ${escapeMarkdown(l)}`).join('\n') + '\n\n');
  if (r.rows.length > 0)
    parts.push('### Budgets\n\n' + markdownTable(checkTableCells(r.rows, r.bound)) + '\n');
  if (r.baselineName !== undefined) {
    const regs = regressionCells(r.regressions);
    const rule =
      r.margin === undefined
        ? 'McNemar exact, two-sided, worse at p < 0.05'
        : `shipped-bad non-inferior when the 95% paired interval's upper end ≤ ${formatPp(r.margin)}; blocked-good by McNemar`;
    if (regs.length > 1)
      parts.push(
        `### Rates against the baseline (${escapeMarkdown(rule)})\n\n` + markdownTable(regs) + '\n',
      );
    parts.push(
      '### Times and impact against the baseline (Wilcoxon signed-rank on paired trials)\n\n' +
        markdownTable(metricCells(r.metrics)) +
        '\n',
    );
  }
  return parts.join('');
}
