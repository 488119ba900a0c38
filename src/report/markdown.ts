/**
 * report.md: the answer first (every policy against the budgets, per scenario and across the
 * suite, one verdict line per policy), then the comparisons a choice rests on, what stopped the
 * builds, and the other figures as scenario × policy tables.
 */
import type { Summary } from '../eval/types.js';
import { STATUS_MARK } from './budgets.js';
import {
  paretoNeighbours,
  referenceComparisons,
  type FrontPoint,
  type ReferenceRow,
} from './comparisons.js';
import { escapeMarkdown } from './escape.js';
import { FIGURES, figureNote, figureRows, type Figure } from './figures.js';
import {
  formatPercent,
  formatPp,
  formatPShort,
  formatRateCompact,
  formatRateInterval,
  NOT_AVAILABLE,
} from './format.js';
import {
  buildOverview,
  firstOf,
  verdictText,
  type JudgedRate,
  type OverviewRow,
  type Verdict,
} from './overview.js';
import {
  policyOrder,
  rateLabel,
  resultsFor,
  scenarioOrder,
  SIGNIFICANCE,
  type PairedDiff,
  type RateMetric,
} from './model.js';
import { BLOCKED_NOTE, SHIPPED_NOTE, stoppersOf, stopperText } from './stoppers.js';

/** A Markdown table; the first column and those in `left` are left-aligned, the rest right. */
function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  left: readonly number[] = [],
): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 || left.includes(i) ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function judgedCell(j: JudgedRate): string {
  return j.status === 'none'
    ? NOT_AVAILABLE
    : `${formatRateCompact(j.rate)} ${STATUS_MARK[j.status]}`;
}

function cellOf(row: OverviewRow, policy: string, metric: RateMetric): string {
  const c = row.cells.find((x) => x.policy === policy);
  return c === undefined ? NOT_AVAILABLE : judgedCell(c[metric]);
}

function verdictLine(v: Verdict): string {
  return `- **${escapeMarkdown(v.policy)}**: ${verdictText(v, { name: escapeMarkdown, maxItems: 3, suite: true })}`;
}

function diffCell(d: PairedDiff | undefined): string {
  if (d === undefined) return NOT_AVAILABLE;
  if (d.xOnly === 0 && d.yOnly === 0) return 'same';
  const pp = formatPp(d.diff);
  return `${d.pValue < SIGNIFICANCE ? `**${pp}**` : pp} (${formatPShort(d.pValue)})`;
}

function pointName(p: FrontPoint): string {
  return p.policies.map(escapeMarkdown).join(' = ');
}

function referenceTable(
  reference: string,
  rows: readonly ReferenceRow[],
  metric: RateMetric,
): string[] {
  const kept = rows.filter((r) => (metric === 'shippedBad' ? r.badBuilds : r.goodBuilds) > 0);
  if (kept.length === 0) return [];
  const others = kept[0]!.cells.map((c) => escapeMarkdown(c.policy));
  return [
    `### ${rateLabel(metric)[0]!.toUpperCase()}${rateLabel(metric).slice(1)}: difference from ${escapeMarkdown(reference)}`,
    '',
    ...table(
      ['scenario', ...others],
      kept.map((r) => [escapeMarkdown(r.scenario), ...r.cells.map((c) => diffCell(c[metric]))]),
    ),
    '',
  ];
}

function matrix(
  summary: Summary,
  scenarios: readonly string[],
  cell: (scenario: string, policy: string) => string,
  leftAligned = false,
): string[] {
  const policies = policyOrder(summary);
  return table(
    ['scenario', ...policies.map(escapeMarkdown)],
    sameRowsTogether(scenarios.map((s) => [escapeMarkdown(s), ...policies.map((p) => cell(s, p))])),
    leftAligned ? policies.map((_, i) => i + 1) : [],
  );
}

/**
 * Scenarios whose rows read the same, cell for cell, share one row that names them all, where
 * the first of them stands: the table then shows what differs between scenarios, not fifteen
 * copies of a policy's fixed lead time.
 */
function sameRowsTogether(rows: readonly string[][]): string[][] {
  const byCells = new Map<string, string[]>();
  const out: string[][] = [];
  for (const [scenario, ...cells] of rows) {
    const key = cells.join('\u0000');
    const same = byCells.get(key);
    if (same !== undefined) {
      same[0] = `${same[0]!}, ${scenario!}`;
      continue;
    }
    const row = [scenario!, ...cells];
    byCells.set(key, row);
    out.push(row);
  }
  return out;
}

function figureSection(summary: Summary, f: Figure): string[] {
  const rows = figureRows(f, scenarioOrder(summary), (s) => resultsFor(summary, s));
  if (rows.shown.length === 0) return [];
  const text = (s: string, p: string): string => {
    const r = resultsFor(summary, s).find((x) => x.policy === p);
    const t = r === undefined ? undefined : f.text(r);
    if (t === undefined) return NOT_AVAILABLE;
    return r !== undefined && f.alarm?.(r) === true ? `**${t}**` : t;
  };
  return [
    `### ${f.title}`,
    '',
    figureNote(f, rows, (names) => firstOf(names.map(escapeMarkdown), 4)),
    '',
    ...matrix(summary, rows.shown, text),
    '',
  ];
}

function stopperCell(summary: Summary, which: 'caught' | 'blocked' | 'shipped') {
  return (s: string, p: string): string => {
    const r = resultsFor(summary, s).find((x) => x.policy === p);
    if (r === undefined) return NOT_AVAILABLE;
    const list = stoppersOf(r, which);
    if (list.length === 0) return 'none';
    return list.map((t) => stopperText(t, escapeMarkdown)).join(' · ');
  };
}

/** The text of report.md. */
export function renderMarkdownReport(summary: Summary): string {
  const o = buildOverview(summary);
  const scenarios = scenarioOrder(summary);
  const { reference, rows: refRows } = referenceComparisons(summary);
  const steps = paretoNeighbours(summary);
  const withBad = o.rows.filter((r) => r.badBuilds > 0);
  const withGood = o.rows.filter((r) => r.goodBuilds > 0);
  const anyBlocked = scenarios.filter((s) =>
    resultsFor(summary, s).some((r) => r.blockedGood.count > 0),
  );

  const lines = [
    '# gatesim report',
    '',
    `Seed ${summary.seed} · ${summary.trialsPerPair} trials per scenario × policy` +
      (summary.shard === undefined ? '' : ` · shard ${escapeMarkdown(summary.shard)}`) +
      ` · ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}, ` +
      `${summary.policies.length} polic${summary.policies.length === 1 ? 'y' : 'ies'}` +
      ` · budgets: shipped bad ≤ ${formatPercent(o.budgets.shippedBad)}, blocked good ≤ ${formatPercent(o.budgets.blockedGood)}` +
      (reference === undefined ? '' : ` · reference: ${escapeMarkdown(reference)}`) +
      '.',
    '',
    'Shipped bad: bad builds that reached 100% and stayed. Blocked good: good builds stopped or rolled back. ' +
      'Rates show the share and its Wilson 95% interval: ✓ the whole interval is within the budget, ' +
      '✗ it is all over, ? it straddles the budget; – no such builds.',
    '',
    '## The answer',
    '',
    ...o.verdicts.map(verdictLine),
    '',
    '### Across the suite',
    '',
    'Every scenario’s bad (good) builds pooled. Pareto front: no other policy is lower on both.',
    '',
    ...table(
      ['policy', 'shipped bad', 'blocked good', 'Pareto front', 'description'],
      o.suite.map((s) => [
        escapeMarkdown(s.policy),
        `${formatRateInterval(s.shippedBad.rate)} ${STATUS_MARK[s.shippedBad.status]}`.trim(),
        `${formatRateInterval(s.blockedGood.rate)} ${STATUS_MARK[s.blockedGood.status]}`.trim(),
        s.pareto ? 'yes' : 'no',
        escapeMarkdown(s.description),
      ]),
      [3, 4],
    ),
    '',
  ];
  if (withBad.length > 0)
    lines.push(
      '### Shipped bad by scenario',
      '',
      ...table(
        ['scenario', 'bad builds', ...o.suite.map((s) => escapeMarkdown(s.policy))],
        withBad.map((r) => [
          escapeMarkdown(r.scenario),
          String(r.badBuilds),
          ...o.suite.map((s) => cellOf(r, s.policy, 'shippedBad')),
        ]),
      ),
      '',
    );
  if (withGood.length > 0)
    lines.push(
      '### Blocked good by scenario',
      '',
      ...table(
        ['scenario', 'good builds', ...o.suite.map((s) => escapeMarkdown(s.policy))],
        withGood.map((r) => [
          escapeMarkdown(r.scenario),
          String(r.goodBuilds),
          ...o.suite.map((s) => cellOf(r, s.policy, 'blockedGood')),
        ]),
      ),
      '',
    );
  lines.push(
    '### Scenarios',
    '',
    ...table(
      ['scenario', 'bad / good builds', 'description'],
      o.rows.map((r) => [
        escapeMarkdown(r.scenario),
        `${r.badBuilds} / ${r.goodBuilds}`,
        escapeMarkdown(r.description),
      ]),
      [2],
    ),
    '',
    '## Paired comparisons',
    '',
    'Differences in percentage points over the same trials, with McNemar’s exact p; **bold**: p < 0.05; ' +
      'same: the two shipped (blocked) exactly the same builds. Every pair of policies is in summary.json.',
    '',
  );
  if (reference !== undefined && refRows.some((r) => r.cells.length > 0))
    lines.push(
      ...referenceTable(reference, refRows, 'shippedBad'),
      ...referenceTable(reference, refRows, 'blockedGood'),
    );
  if (steps.length > 0)
    lines.push(
      '### Pareto neighbours',
      '',
      'Each step goes along a scenario’s Pareto front from a policy to the next one that blocks more ' +
        'good builds and ships fewer bad ones: what the stricter policy buys and what it costs.',
      '',
      ...table(
        ['scenario', 'from → to', 'shipped bad', 'blocked good'],
        steps.map((st) => [
          escapeMarkdown(st.scenario),
          `${pointName(st.from)} → ${pointName(st.to)}`,
          `${formatPercent(st.from.result.shippedBad.rate)} → ${formatPercent(st.to.result.shippedBad.rate)}: ${diffCell(st.shippedBad)}`,
          `${formatPercent(st.from.result.blockedGood.rate)} → ${formatPercent(st.to.result.blockedGood.rate)}: ${diffCell(st.blockedGood)}`,
        ]),
        [1],
      ),
      '',
    );
  lines.push(
    '## What stopped the builds',
    '',
    'Each check with how many builds it stopped and an example trial #k, which ' +
      `\`gatesim explain --scenario scenarios/SCENARIO.yaml --policy policies/POLICY.yaml --seed ${summary.seed} --trial k\` replays.`,
    '',
  );
  if (withBad.length > 0)
    lines.push(
      '### Bad builds caught',
      '',
      ...matrix(
        summary,
        withBad.map((r) => r.scenario),
        stopperCell(summary, 'caught'),
        true,
      ),
      '',
    );
  if (anyBlocked.length > 0)
    lines.push(
      '### Good builds blocked',
      '',
      BLOCKED_NOTE,
      '',
      ...matrix(summary, anyBlocked, stopperCell(summary, 'blocked'), true),
      '',
    );
  const anyShipped = scenarios.filter((s) =>
    resultsFor(summary, s).some((r) => stoppersOf(r, 'shipped').length > 0),
  );
  if (anyShipped.length > 0)
    lines.push(
      '### Bad builds shipped',
      '',
      SHIPPED_NOTE,
      '',
      ...matrix(summary, anyShipped, stopperCell(summary, 'shipped'), true),
      '',
    );
  lines.push('## More figures', '', ...FIGURES.flatMap((f) => figureSection(summary, f)));
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
