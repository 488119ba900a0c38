/**
 * report.html: one self-contained page (inline CSS and SVG; no scripts, fonts or network),
 * with a Content-Security-Policy that forbids scripts outright, so even a bug in escaping
 * could not make a crafted policy name run.
 *
 * The first screen is the answer: a scenario × policy table of shipped-bad and blocked-good
 * coloured against the budgets, the suite's trade-off chart and one verdict per policy. Below
 * it, the comparisons, what stopped the builds, the other figures and, folded, each scenario's
 * detail with its charts.
 */
import type { PairResult, Summary } from '../eval/types.js';
import { budgetsOf, STATUS_MARK } from './budgets.js';
import {
  paretoNeighbours,
  referenceComparisons,
  type FrontPoint,
  type ReferenceRow,
} from './comparisons.js';
import { FIGURES, figureApplies, figureNote, figureRows, type Figure } from './figures.js';
import {
  formatCount,
  formatMinutes,
  formatNumber,
  formatPercent,
  formatPercentTick,
  formatPp,
  formatPShort,
  formatQuantiles,
  formatIntervalCompact,
  formatRateInterval,
  formatTimeTick,
  NOT_AVAILABLE,
} from './format.js';
import {
  buildOverview,
  firstOf,
  verdictText,
  type JudgedRate,
  type Overview,
  type OverviewRow,
} from './overview.js';
import {
  descriptionOf,
  explainCommand,
  policyColor,
  policyOrder,
  rateLabel,
  resultsFor,
  scenarioOrder,
  SIGNIFICANCE,
  type PairedDiff,
  type RateMetric,
} from './model.js';
import { BLOCKED_NOTE, SHIPPED_NOTE, stoppersOf, stopperText } from './stoppers.js';
import { outcomeKeys } from './summary-csv.js';
import { renderBarChart } from './svg/bar-chart.js';
import { renderHistogram } from './svg/histogram.js';
import { el, fragment, trusted, type Child, type Markup } from './svg/markup.js';
import { renderScatter } from './svg/scatter.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root { color-scheme: light; }
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #fafafa; }
header, main, footer { max-width: 1370px; margin: 0 auto; padding: 0 12px; }
header { padding-top: 8px; }
h1 { font-size: 20px; margin: 0; display: inline; }
header .meta { display: inline; margin-left: 12px; }
h2 { font-size: 18px; margin: 28px 0 6px; padding-top: 10px; border-top: 1px solid #ddd; }
h3 { font-size: 14px; margin: 16px 0 4px; }
.meta, .note { color: #555; margin: 4px 0; }
.overview { display: grid; grid-template-columns: minmax(0, 1fr) 390px; gap: 12px; align-items: start; }
.overview h2 { border-top: 0; margin: 6px 0 2px; padding-top: 0; font-size: 15px; }
.legend { margin: 2px 0 4px; color: #444; font-size: 12px; }
.legend .rate { display: inline; }
table { border-collapse: collapse; background: #fff; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: right; vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; }
td { white-space: nowrap; }
/* Cells that say several things (the Friday and lead-time-split figures, a difference with its
   p-value) wrap rather than widen the page. */
table.figure.friday td, table.figure.lead-time-split td, table.grid.reference td { white-space: normal; }
td.name, th.name { text-align: left; white-space: normal; overflow-wrap: anywhere; min-width: 7em; max-width: 260px; }
td.text { text-align: left; white-space: normal; max-width: 520px; }
table.grid { font-size: 12px; }
table.grid th { font-size: 11.5px; }
table.grid th:not(.name) { white-space: normal; }
table.overview-table { font-size: 11px; margin: 2px 0; }
table.overview-table th { font-size: 11px; padding: 2px 3px; vertical-align: bottom; }
table.overview-table td { padding: 1px 2px; }
table.overview-table .rate { padding: 0 2px; }
table.overview-table td.name { min-width: 0; max-width: 170px; padding: 2px 4px; vertical-align: middle; }
.rate { display: block; padding: 0 3px; border-radius: 3px; margin: 1px 0; }
.rate .iv { font-size: 10px; color: #444; }
.meets { background: #d9efdc; }
.undecided { background: #fbeec4; }
.misses { background: #f6d2d2; }
.none { color: #999; }
.mark { font-size: 10px; margin-left: 2px; color: #333; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
ul.verdicts { list-style: none; padding: 0; margin: 4px 0 0; font-size: 11.5px; line-height: 1.35; }
ul.verdicts li { margin: 0 0 4px; }
.side svg { display: block; border: 1px solid #e3e3e3; border-radius: 4px; }
.sig { font-weight: 600; }
.ns { color: #777; }
.alarm { color: #b00020; font-weight: 600; }
.stops span { display: block; }
.charts { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 12px; margin: 10px 0; }
.charts svg { border: 1px solid #e3e3e3; border-radius: 4px; }
details.scenario { margin: 6px 0; background: #fff; border: 1px solid #e3e3e3; border-radius: 4px; padding: 4px 10px; }
details.scenario > summary { font-size: 13px; }
details.scenario > summary strong { font-size: 14px; }
details { margin: 6px 0; }
summary { cursor: pointer; color: #333; }
footer { color: #555; padding: 8px 12px 32px; }
`;

function swatchName(summary: Summary, policy: string): Markup {
  return fragment(
    el('span', { class: 'swatch', style: `background:${policyColor(summary, policy)}` }),
    policy,
  );
}

function rateText(r: PairResult['shippedBad']): string {
  return r.of === 0 ? NOT_AVAILABLE : `${formatRateInterval(r)} · ${r.count}/${r.of}`;
}

function tableOf(
  header: readonly Child[],
  rows: ReadonlyArray<readonly Child[]>,
  className: string,
  cellClass: (col: number) => string | undefined = (i) => (i === 0 ? 'name' : undefined),
): Markup {
  return el(
    'table',
    { class: className },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        header.map((h, i) => el('th', i === 0 ? { class: 'name' } : {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          {},
          r.map((c, i) => el('td', { class: cellClass(i) }, c)),
        ),
      ),
    ),
  );
}

/** A rate coloured by its budget status, with a mark for readers who cannot tell the colours. */
function judgedSpan(metric: RateMetric, j: JudgedRate): Markup {
  return el(
    'span',
    {
      class: `rate ${metric} ${j.status}`,
      title:
        j.status === 'none'
          ? `${rateLabel(metric)}: no such builds`
          : `${rateLabel(metric)}: ${rateText(j.rate)} (${j.status})`,
    },
    j.status === 'none' ? NOT_AVAILABLE : formatPercent(j.rate.rate),
    j.status === 'none'
      ? undefined
      : el('span', { class: 'iv' }, ` ${formatIntervalCompact(j.rate)}`),
    j.status === 'none' ? undefined : el('span', { class: 'mark' }, STATUS_MARK[j.status]),
  );
}

function overviewTable(summary: Summary, o: Overview, anchors: Map<string, string>): Markup {
  const policies = o.suite.map((s) => s.policy);
  const cellFor = (row: OverviewRow, policy: string): Child => {
    const c = row.cells.find((x) => x.policy === policy);
    return c === undefined
      ? NOT_AVAILABLE
      : fragment(judgedSpan('shippedBad', c.shippedBad), judgedSpan('blockedGood', c.blockedGood));
  };
  return el(
    'table',
    { class: 'grid overview-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { class: 'name' }, 'scenario'),
        policies.map((p) =>
          el('th', { title: descriptionOf(summary, 'policy', p) }, swatchName(summary, p)),
        ),
      ),
    ),
    el(
      'tbody',
      {},
      o.rows.map((row) =>
        el(
          'tr',
          {},
          el(
            'td',
            { class: 'name' },
            el(
              'a',
              {
                href: `#${anchors.get(row.scenario) ?? ''}`,
                title: `${row.description === '' ? '' : `${row.description} `}(${row.badBuilds} bad, ${row.goodBuilds} good builds)`,
              },
              row.scenario,
            ),
          ),
          policies.map((p) => el('td', {}, cellFor(row, p))),
        ),
      ),
    ),
  );
}

function suiteChart(summary: Summary, o: Overview): Markup {
  return renderScatter({
    title: 'The suite: shipped bad vs blocked good',
    xLabel: 'blocked good (all good builds pooled)',
    yLabel: 'shipped bad (all bad builds pooled)',
    formatX: formatPercentTick,
    formatY: formatPercentTick,
    pareto: true,
    width: 390,
    height: 270,
    className: 'suite-chart',
    target: { x: o.budgets.blockedGood, y: o.budgets.shippedBad, label: 'within budgets' },
    points: o.suite.map((s) => ({
      label: s.policy,
      x: s.blockedGood.rate.of > 0 ? s.blockedGood.rate.rate : Number.NaN,
      y: s.shippedBad.rate.of > 0 ? s.shippedBad.rate.rate : Number.NaN,
      xLo: s.blockedGood.rate.lo,
      xHi: s.blockedGood.rate.hi,
      yLo: s.shippedBad.rate.lo,
      yHi: s.shippedBad.rate.hi,
      color: policyColor(summary, s.policy),
      tooltip: `${s.policy}: shipped bad ${rateText(s.shippedBad.rate)}; blocked good ${rateText(s.blockedGood.rate)}`,
    })),
  });
}

function overviewSection(summary: Summary, o: Overview, anchors: Map<string, string>): Markup {
  const b = o.budgets;
  return el(
    'section',
    { class: 'overview', id: 'overview' },
    el(
      'div',
      { class: 'main-table' },
      el('h2', {}, 'Shipped bad (top) and blocked good (bottom) by scenario and policy'),
      el(
        'p',
        { class: 'legend' },
        `Share with its 95% interval, against the budgets shipped bad ≤ ${formatPercent(b.shippedBad)} and blocked good ≤ ${formatPercent(b.blockedGood)}: `,
        el('span', { class: 'rate meets', style: 'display:inline' }, '✓ whole interval within'),
        ' ',
        el('span', { class: 'rate undecided', style: 'display:inline' }, '? straddles'),
        ' ',
        el('span', { class: 'rate misses', style: 'display:inline' }, '✗ whole interval over'),
        ' · – no such builds.',
      ),
      overviewTable(summary, o, anchors),
    ),
    el(
      'div',
      { class: 'side' },
      suiteChart(summary, o),
      el(
        'ul',
        { class: 'verdicts' },
        o.verdicts.map((v) =>
          el(
            'li',
            {},
            el('strong', {}, swatchName(summary, v.policy)),
            ': ',
            verdictText(v, { name: (s) => s, maxItems: 2, suite: false, short: true }),
          ),
        ),
      ),
    ),
  );
}

function suiteTable(summary: Summary, o: Overview): Markup {
  return fragment(
    el('h2', { id: 'suite' }, 'Across the suite'),
    el(
      'p',
      { class: 'note' },
      'Every scenario’s bad (good) builds pooled. Pareto front: no other policy is lower on both.',
    ),
    tableOf(
      ['policy', 'shipped bad', 'blocked good', 'Pareto front', 'description'],
      o.suite.map((s) => [
        swatchName(summary, s.policy),
        judgedSpan('shippedBad', s.shippedBad),
        judgedSpan('blockedGood', s.blockedGood),
        s.pareto ? 'yes' : s.dominatedBy !== undefined ? `no (beaten by ${s.dominatedBy})` : 'no',
        s.description,
      ]),
      'suite',
      (i) => (i === 0 ? 'name' : i === 4 ? 'text' : undefined),
    ),
  );
}

function diffCell(d: PairedDiff | undefined): Child {
  if (d === undefined) return NOT_AVAILABLE;
  if (d.xOnly === 0 && d.yOnly === 0)
    return el('span', { class: 'ns', title: 'no trial where only one of the two did' }, 'same');
  return el(
    'span',
    {
      class: d.pValue < SIGNIFICANCE ? 'sig' : 'ns',
      title: `discordant trials ${d.xOnly} vs ${d.yOnly}`,
    },
    `${formatPp(d.diff)} (${formatPShort(d.pValue)})`,
  );
}

function referenceTable(
  reference: string,
  rows: readonly ReferenceRow[],
  metric: RateMetric,
): Markup | undefined {
  const kept = rows.filter((r) => (metric === 'shippedBad' ? r.badBuilds : r.goodBuilds) > 0);
  if (kept.length === 0 || kept[0]!.cells.length === 0) return undefined;
  const label = rateLabel(metric);
  return fragment(
    el('h3', {}, `${label[0]!.toUpperCase()}${label.slice(1)}: difference from ${reference}`),
    tableOf(
      ['scenario', ...kept[0]!.cells.map((c) => c.policy)],
      kept.map((r) => [r.scenario, ...r.cells.map((c) => diffCell(c[metric]))]),
      `grid reference ${metric}`,
    ),
  );
}

function pointName(p: FrontPoint): string {
  return p.policies.join(' = ');
}

function comparisonsSection(summary: Summary): Markup {
  const { reference, rows } = referenceComparisons(summary);
  const steps = paretoNeighbours(summary);
  return el(
    'section',
    { id: 'comparisons' },
    el('h2', {}, 'Paired comparisons'),
    el(
      'p',
      { class: 'note' },
      'Differences in percentage points over the same trials, with McNemar’s exact p; bold: p < 0.05; ' +
        'same: the two shipped (blocked) exactly the same builds. Hover for the discordant trials. ' +
        'Every pair of policies is in summary.json.',
    ),
    reference === undefined ? undefined : referenceTable(reference, rows, 'shippedBad'),
    reference === undefined ? undefined : referenceTable(reference, rows, 'blockedGood'),
    steps.length === 0
      ? undefined
      : fragment(
          el('h3', {}, 'Pareto neighbours'),
          el(
            'p',
            { class: 'note' },
            'Each step goes along a scenario’s Pareto front from a policy to the next one that blocks more good builds and ships fewer bad ones: what the stricter policy buys and what it costs.',
          ),
          tableOf(
            ['scenario', 'from → to', 'shipped bad', 'blocked good'],
            steps.map((st) => [
              st.scenario,
              `${pointName(st.from)} → ${pointName(st.to)}`,
              fragment(
                `${formatPercent(st.from.result.shippedBad.rate)} → ${formatPercent(st.to.result.shippedBad.rate)}: `,
                diffCell(st.shippedBad),
              ),
              fragment(
                `${formatPercent(st.from.result.blockedGood.rate)} → ${formatPercent(st.to.result.blockedGood.rate)}: `,
                diffCell(st.blockedGood),
              ),
            ]),
            'neighbours',
            (i) => (i <= 1 ? 'name' : undefined),
          ),
        ),
  );
}

function stoppersList(
  summary: Summary,
  r: PairResult,
  which: 'caught' | 'blocked' | 'shipped',
): Child {
  const list = stoppersOf(r, which);
  if (list.length === 0) return el('span', { class: 'ns' }, 'none');
  return el(
    'span',
    { class: 'stops' },
    list.map((t) =>
      el(
        'span',
        {
          title: `e.g. trial ${t.exampleTrial}: ${explainCommand(summary, r.scenario, r.policy, t.exampleTrial)}`,
        },
        stopperText(t),
      ),
    ),
  );
}

function matrix(
  summary: Summary,
  scenarios: readonly string[],
  cell: (r: PairResult) => Child,
  className: string,
  textCells = false,
): Markup {
  const policies = policyOrder(summary);
  return tableOf(
    ['scenario', ...policies.map((p) => swatchName(summary, p))],
    scenarios.map((s) => {
      const results = resultsFor(summary, s);
      return [
        s,
        ...policies.map((p) => {
          const r = results.find((x) => x.policy === p);
          return r === undefined ? NOT_AVAILABLE : cell(r);
        }),
      ];
    }),
    `grid ${className}`,
    (i) => (i === 0 ? 'name' : textCells ? 'text' : undefined),
  );
}

function stoppersSection(summary: Summary, o: Overview): Markup {
  const withBad = o.rows.filter((r) => r.badBuilds > 0).map((r) => r.scenario);
  const blocked = scenarioOrder(summary).filter((s) =>
    resultsFor(summary, s).some((r) => r.blockedGood.count > 0),
  );
  const shipped = scenarioOrder(summary).filter((s) =>
    resultsFor(summary, s).some((r) => stoppersOf(r, 'shipped').length > 0),
  );
  return el(
    'section',
    { id: 'stoppers' },
    el('h2', {}, 'What stopped the builds'),
    el(
      'p',
      { class: 'note' },
      `Each check with how many builds it stopped and an example trial #k, which \`gatesim explain --scenario scenarios/SCENARIO.yaml --policy policies/POLICY.yaml --seed ${summary.seed} --trial k\` replays (hover for the command).`,
    ),
    withBad.length === 0
      ? undefined
      : fragment(
          el('h3', {}, 'Bad builds caught'),
          matrix(summary, withBad, (r) => stoppersList(summary, r, 'caught'), 'caught', true),
        ),
    blocked.length === 0
      ? undefined
      : fragment(
          el('h3', {}, 'Good builds blocked'),
          el('p', { class: 'note' }, BLOCKED_NOTE),
          matrix(summary, blocked, (r) => stoppersList(summary, r, 'blocked'), 'blocked', true),
        ),
    shipped.length === 0
      ? undefined
      : fragment(
          el('h3', {}, 'Bad builds shipped'),
          el('p', { class: 'note' }, SHIPPED_NOTE),
          matrix(summary, shipped, (r) => stoppersList(summary, r, 'shipped'), 'shipped', true),
        ),
  );
}

function figureText(f: Figure, r: PairResult): Child {
  const t = f.text(r);
  if (t === undefined) return NOT_AVAILABLE;
  return f.alarm?.(r) === true ? el('span', { class: 'alarm' }, t) : t;
}

function figuresSection(summary: Summary): Markup {
  const scenarios = scenarioOrder(summary);
  return el(
    'section',
    { id: 'figures' },
    el('h2', {}, 'More figures'),
    FIGURES.map((f) => {
      const rows = figureRows(f, scenarios, (s) => resultsFor(summary, s));
      if (rows.shown.length === 0) return undefined;
      return fragment(
        el('h3', {}, f.title),
        el(
          'p',
          { class: 'note' },
          figureNote(f, rows, (names) => firstOf(names, 4)),
        ),
        matrix(summary, rows.shown, (r) => figureText(f, r), `figure ${f.id}`),
      );
    }),
  );
}

// ---- one scenario's detail ---------------------------------------------------------------

function detailTable(summary: Summary, results: readonly PairResult[]): Markup {
  const first = results[0]!;
  const figures = FIGURES.filter(
    (f) => f.over === 'all' || (f.over === 'bad' ? first.badBuilds > 0 : first.goodBuilds > 0),
  );
  const measured = new Set(figures.filter((f) => figureApplies(f, results)).map((f) => f.id));
  return tableOf(
    ['policy', 'shipped bad', 'blocked good', ...figures.map((f) => f.title)],
    results.map((r) => [
      swatchName(summary, r.policy),
      rateText(r.shippedBad),
      rateText(r.blockedGood),
      ...figures.map((f) => (measured.has(f.id) ? figureText(f, r) : NOT_AVAILABLE)),
    ]),
    'figures',
  );
}

function stoppersTable(summary: Summary, results: readonly PairResult[]): Markup {
  return tableOf(
    ['policy', 'bad builds caught by', 'good builds blocked by'],
    results.map((r) => [
      swatchName(summary, r.policy),
      r.badBuilds === 0 ? NOT_AVAILABLE : stoppersList(summary, r, 'caught'),
      r.goodBuilds === 0 ? NOT_AVAILABLE : stoppersList(summary, r, 'blocked'),
    ]),
    'stoppers',
    (i) => (i === 0 ? 'name' : 'text'),
  );
}

function moreTable(summary: Summary, results: readonly PairResult[]): Markup {
  const outcomes = outcomeKeys(summary);
  return tableOf(
    [
      'policy',
      'deploys / day',
      'change failure rate',
      'time to restore p50 / p90',
      'failed requests',
      'slow requests',
      'lost checkouts',
      'escaped failed requests',
      'escaped lost checkouts',
      ...outcomes,
    ],
    results.map((r) => [
      swatchName(summary, r.policy),
      formatNumber(r.deploysPerDay, 1),
      formatPercent(r.dora.changeFailureRate),
      formatQuantiles(r.dora.timeToRestoreMin),
      formatCount(r.impact.failedRequests),
      formatCount(r.impact.slowRequests),
      formatCount(r.impact.lostCheckouts),
      formatCount(r.escapeImpact.failedRequests),
      formatCount(r.escapeImpact.lostCheckouts),
      ...outcomes.map((k) => formatCount(r.outcomes[k] ?? 0)),
    ]),
    'more',
  );
}

function rateBars(summary: Summary, results: readonly PairResult[], which: RateMetric): Markup {
  return renderBarChart({
    title: which === 'shippedBad' ? 'Shipped bad builds' : 'Blocked good builds',
    note: 'Bars: share; whiskers: Wilson 95% interval.',
    xLabel: which === 'shippedBad' ? 'share of bad builds shipped' : 'share of good builds blocked',
    format: formatPercent,
    tickFormat: formatPercentTick,
    className: `bar-chart rate-${which}`,
    data: results.map((r) => ({
      label: r.policy,
      value: r[which].rate,
      lo: r[which].lo,
      hi: r[which].hi,
      color: policyColor(summary, r.policy),
      valueLabel: formatPercent(r[which].rate),
      tooltip: `${r.policy}: ${rateText(r[which])}`,
    })),
  });
}

function tradeoffScatter(summary: Summary, results: readonly PairResult[]): Markup {
  const b = budgetsOf(summary);
  return renderScatter({
    title: 'Trade-off: blocked good vs shipped bad',
    xLabel: 'blocked good (share of good builds)',
    yLabel: 'shipped bad (share of bad builds)',
    formatX: formatPercentTick,
    formatY: formatPercentTick,
    pareto: true,
    target: { x: b.blockedGood, y: b.shippedBad, label: 'within budgets' },
    points: results.map((r) => ({
      label: r.policy,
      x: r.blockedGood.rate,
      y: r.shippedBad.rate,
      xLo: r.blockedGood.lo,
      xHi: r.blockedGood.hi,
      yLo: r.shippedBad.lo,
      yHi: r.shippedBad.hi,
      color: policyColor(summary, r.policy),
      tooltip: `${r.policy}: blocked good ${rateText(r.blockedGood)}; shipped bad ${rateText(r.shippedBad)}`,
    })),
  });
}

function leadTimeBars(summary: Summary, results: readonly PairResult[]): Markup | undefined {
  if (results.every((r) => r.leadTimeMin.n === 0)) return undefined;
  return renderBarChart({
    title: 'Lead time: the price of the gates',
    note: 'Dark bar: median; light bar: 90th percentile (good builds).',
    xLabel: 'start to 100% for good builds',
    format: formatMinutes,
    tickFormat: formatTimeTick,
    scale: 'time',
    className: 'bar-chart lead-time',
    data: results.map((r) => ({
      label: r.policy,
      value: r.leadTimeMin.n > 0 ? r.leadTimeMin.p50 : Number.NaN,
      extent: r.leadTimeMin.n > 0 ? r.leadTimeMin.p90 : Number.NaN,
      color: policyColor(summary, r.policy),
      valueLabel: formatQuantiles(r.leadTimeMin),
      tooltip: `${r.policy}: lead time p50 / p90 ${formatQuantiles(r.leadTimeMin)}`,
    })),
  });
}

/** The charts a scenario has data for; a chart with nothing to draw is left out. */
function scenarioCharts(summary: Summary, results: readonly PairResult[]): Markup[] {
  const first = results[0]!;
  const charts: Array<Markup | undefined> = [];
  if (first.badBuilds > 0 && first.goodBuilds > 0) charts.push(tradeoffScatter(summary, results));
  else if (first.badBuilds > 0) charts.push(rateBars(summary, results, 'shippedBad'));
  else if (first.goodBuilds > 0) charts.push(rateBars(summary, results, 'blockedGood'));
  charts.push(leadTimeBars(summary, results));
  const detected = results.filter((r) => r.timeToDetectMin.n > 0);
  const yMax = Math.max(0, ...detected.flatMap((r) => r.ttdHistogram.counts));
  for (const r of detected)
    charts.push(
      renderHistogram({
        title: `${r.policy} · time to detect, ${r.timeToDetectMin.n} bad builds`,
        // −1 marks the open last bucket (JSON has no Infinity).
        edges: r.ttdHistogram.edges.map((e) => (e < 0 ? Infinity : e)),
        counts: r.ttdHistogram.counts,
        xLabel: `time to detect (p50 / p90 ${formatQuantiles(r.timeToDetectMin)})`,
        yLabel: 'bad builds',
        color: policyColor(summary, r.policy),
        formatX: formatTimeTick,
        yMax,
      }),
    );
  return charts.filter((c): c is Markup => c !== undefined);
}

function scenarioDetail(summary: Summary, scenario: string, id: string): Markup {
  const results = resultsFor(summary, scenario);
  const first = results[0];
  const description = descriptionOf(summary, 'scenario', scenario);
  return el(
    'details',
    { class: 'scenario', id },
    el(
      'summary',
      {},
      el('strong', {}, scenario),
      description === '' ? undefined : ` — ${description}`,
    ),
    first === undefined
      ? el('p', { class: 'note' }, 'No results for this scenario.')
      : fragment(
          el(
            'p',
            { class: 'note' },
            `${first.trials} trials per policy: ${first.badBuilds} bad builds, ${first.goodBuilds} good builds (the same builds for every policy).`,
          ),
          detailTable(summary, results),
          el('h3', {}, 'What stopped the builds'),
          stoppersTable(summary, results),
          el('div', { class: 'charts' }, scenarioCharts(summary, results)),
          el('details', {}, el('summary', {}, 'More figures'), moreTable(summary, results)),
        ),
  );
}

/** The text of report.html. */
export function renderHtmlReport(summary: Summary): string {
  const o = buildOverview(summary);
  const scenarios = scenarioOrder(summary);
  const anchors = new Map(scenarios.map((s, i) => [s, `scenario-${i + 1}`]));
  const { reference } = referenceComparisons(summary);
  const meta =
    `Seed ${summary.seed} · ${summary.trialsPerPair} trials per scenario × policy` +
    (summary.shard === undefined ? '' : ` · shard ${summary.shard}`) +
    ` · ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}, ` +
    `${summary.policies.length} polic${summary.policies.length === 1 ? 'y' : 'ies'}` +
    (reference === undefined ? '' : ` · reference ${reference}`);
  const page = el(
    'html',
    { lang: 'en' },
    el(
      'head',
      {},
      el('meta', { charset: 'utf-8' }),
      el('meta', { 'http-equiv': 'Content-Security-Policy', content: CSP }),
      el('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      el('title', {}, 'gatesim report'),
      el('style', {}, trusted(STYLE)),
    ),
    el(
      'body',
      {},
      el('header', {}, el('h1', {}, 'gatesim report'), el('p', { class: 'meta' }, meta)),
      el(
        'main',
        {},
        overviewSection(summary, o, anchors),
        suiteTable(summary, o),
        comparisonsSection(summary),
        stoppersSection(summary, o),
        figuresSection(summary),
        el(
          'section',
          { id: 'scenarios' },
          el('h2', {}, 'Scenarios'),
          el(
            'p',
            { class: 'note' },
            'Each scenario’s figures, what stopped its builds and its charts.',
          ),
          scenarios.map((s) => scenarioDetail(summary, s, anchors.get(s)!)),
        ),
      ),
      el(
        'footer',
        {},
        el(
          'p',
          {},
          'Shipped bad: bad builds that reached 100% and stayed. Blocked good: good builds stopped or rolled back. ' +
            'Every rate carries a Wilson 95% interval. Time to detect: first customer exposure to the rollback decision, over bad builds detected in production. ' +
            'Lead time: start to 100% for good builds. Policies are compared on the same trials (common random numbers).',
        ),
      ),
    ),
  );
  return `<!doctype html>\n${page.value}\n`;
}
