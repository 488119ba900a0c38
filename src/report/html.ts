/**
 * report.html: one self-contained page (inline CSS and SVG; no scripts, fonts or network),
 * with a Content-Security-Policy that forbids scripts outright, so even a bug in escaping
 * could not make a crafted policy name run.
 */
import type { PairResult, Summary } from '../eval/types.js';
import {
  formatCount,
  formatMinutes,
  formatNumber,
  formatPercent,
  formatPercentTick,
  formatPp,
  formatPValue,
  formatQuantiles,
  formatRateInterval,
  formatTimeTick,
  NOT_AVAILABLE,
} from './format.js';
import {
  comparisonClaim,
  policyColor,
  resultsFor,
  scenarioOrder,
  significantComparisons,
} from './model.js';
import { outcomeKeys } from './summary-csv.js';
import { renderBarChart } from './svg/bar-chart.js';
import { renderHistogram } from './svg/histogram.js';
import { el, fragment, trusted, type Child, type Markup } from './svg/markup.js';
import { renderScatter } from './svg/scatter.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #fafafa; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 6px; padding-top: 12px; border-top: 1px solid #ddd; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .note { color: #555; }
nav ul { padding-left: 18px; margin: 6px 0; }
table { border-collapse: collapse; background: #fff; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; }
td { white-space: nowrap; }
td.name, th.name { text-align: left; white-space: normal; overflow-wrap: anywhere; min-width: 7em; max-width: 260px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
.charts { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 12px; margin: 10px 0; }
.charts > svg { border: 1px solid #e3e3e3; border-radius: 4px; }
.fail { color: #b00020; font-weight: 600; }
.pass { color: #1b7a33; }
details { margin: 8px 0; }
summary { cursor: pointer; color: #333; }
footer { color: #555; padding-bottom: 32px; }
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
  header: readonly string[],
  rows: ReadonlyArray<readonly Child[]>,
  className: string,
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
          r.map((c, i) => el('td', i === 0 ? { class: 'name' } : {}, c)),
        ),
      ),
    ),
  );
}

function figuresTable(summary: Summary, results: readonly PairResult[]): Markup {
  return tableOf(
    [
      'policy',
      'shipped bad',
      'blocked good',
      'time to detect p50 / p90',
      'lead time p50 / p90',
      'rollback success',
      'failed requests / bad build',
      'lost checkouts / bad build',
      'lost revenue',
    ],
    results.map((r) => [
      swatchName(summary, r.policy),
      rateText(r.shippedBad),
      rateText(r.blockedGood),
      formatQuantiles(r.timeToDetectMin),
      formatQuantiles(r.leadTimeMin),
      r.rollback.attempts === 0
        ? NOT_AVAILABLE
        : `${formatPercent(r.rollback.successRate)} (${r.rollback.successes}/${r.rollback.attempts})`,
      r.badBuilds === 0 ? NOT_AVAILABLE : formatCount(r.impact.failedRequestsPerBadBuild),
      r.badBuilds === 0 ? NOT_AVAILABLE : formatCount(r.impact.lostCheckoutsPerBadBuild),
      formatCount(r.impact.lostRevenue),
    ]),
    'figures',
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

function rateBars(
  summary: Summary,
  results: readonly PairResult[],
  which: 'shippedBad' | 'blockedGood',
): Markup {
  const title = which === 'shippedBad' ? 'Shipped bad builds' : 'Blocked good builds';
  return renderBarChart({
    title,
    note: 'Bars: share; whiskers: Wilson 95% interval.',
    xLabel: which === 'shippedBad' ? 'share of bad builds shipped' : 'share of good builds blocked',
    format: formatPercent,
    tickFormat: formatPercentTick,
    className: `bar-chart rate-${which}`,
    data: results.map((r) => {
      const rate = r[which];
      const ok = rate.of > 0;
      return {
        label: r.policy,
        value: ok ? rate.rate : Number.NaN,
        lo: ok ? rate.lo : Number.NaN,
        hi: ok ? rate.hi : Number.NaN,
        color: policyColor(summary, r.policy),
        valueLabel: formatPercent(rate.rate),
        tooltip: `${r.policy}: ${rateText(rate)}`,
      };
    }),
  });
}

function tradeoffScatter(summary: Summary, results: readonly PairResult[]): Markup {
  return renderScatter({
    title: 'Trade-off: blocked good vs shipped bad',
    xLabel: 'blocked good (share of good builds)',
    yLabel: 'shipped bad (share of bad builds)',
    formatX: formatPercentTick,
    formatY: formatPercentTick,
    pareto: true,
    points: results.map((r) => ({
      label: r.policy,
      x: r.blockedGood.of > 0 ? r.blockedGood.rate : Number.NaN,
      y: r.shippedBad.of > 0 ? r.shippedBad.rate : Number.NaN,
      xLo: r.blockedGood.lo,
      xHi: r.blockedGood.hi,
      yLo: r.shippedBad.lo,
      yHi: r.shippedBad.hi,
      color: policyColor(summary, r.policy),
      tooltip: `${r.policy}: blocked good ${rateText(r.blockedGood)}; shipped bad ${rateText(r.shippedBad)}`,
    })),
  });
}

function leadTimeBars(summary: Summary, results: readonly PairResult[]): Markup {
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

function ttdHistograms(summary: Summary, results: readonly PairResult[]): Markup {
  const yMax = Math.max(0, ...results.flatMap((r) => r.ttdHistogram.counts));
  return el(
    'div',
    { class: 'charts histograms' },
    results.map((r) =>
      renderHistogram({
        title: `${r.policy} · ${r.timeToDetectMin.n} detected`,
        // −1 marks the open last bucket (JSON has no Infinity).
        edges: r.ttdHistogram.edges.map((e) => (e < 0 ? Infinity : e)),
        counts: r.ttdHistogram.counts,
        xLabel: `time to detect (p50 / p90 ${formatQuantiles(r.timeToDetectMin)})`,
        yLabel: 'bad builds',
        color: policyColor(summary, r.policy),
        formatX: formatTimeTick,
        yMax,
      }),
    ),
  );
}

function comparisonsBlock(summary: Summary, scenario: string): Markup {
  const tested = summary.comparisons.filter((c) => c.scenario === scenario).length;
  const significant = significantComparisons(summary, scenario);
  if (tested === 0) return el('p', { class: 'note' }, 'No paired comparisons were run.');
  if (significant.length === 0)
    return el('p', { class: 'note' }, `None of the ${tested} paired comparisons reached p < 0.05.`);
  return fragment(
    el(
      'ul',
      { class: 'comparisons' },
      significant.map((c) => {
        const claim = comparisonClaim(c);
        return el(
          'li',
          {},
          el('strong', {}, claim.a),
          ` ${claim.verb} `,
          el('strong', {}, claim.b),
          ` here, p = ${formatPValue(c.pValue)} (${formatPp(c.diff)}; discordant trials ${c.aOnly} vs ${c.bOnly}).`,
        );
      }),
    ),
    el(
      'p',
      { class: 'note' },
      `${significant.length} of ${tested} paired comparisons reached p < 0.05 (paired over the same trials).`,
    ),
  );
}

function fridayBlock(summary: Summary, results: readonly PairResult[]): Markup | undefined {
  const rows = results.filter((r) => r.friday !== undefined);
  if (rows.length === 0) return undefined;
  return fragment(
    el('h3', {}, 'Friday test'),
    el(
      'p',
      { class: 'note' },
      'A bad build started Friday 16:00: is it still hurting customers two hours later, compared with Tuesday morning?',
    ),
    tableOf(
      ['policy', 'Friday 16:00', 'Tuesday morning', 'p', 'verdict'],
      rows.map((r) => {
        const f = r.friday!;
        return [
          swatchName(summary, r.policy),
          rateText(f.friday),
          rateText(f.tuesday),
          formatPValue(f.pValue),
          f.passes
            ? el('span', { class: 'pass' }, 'passes')
            : el('span', { class: 'fail' }, 'fails'),
        ];
      }),
      'friday',
    ),
  );
}

function scenarioSection(summary: Summary, scenario: string, index: number): Markup {
  const results = resultsFor(summary, scenario);
  const first = results[0];
  return el(
    'section',
    { class: 'scenario', id: `scenario-${index + 1}` },
    el('h2', {}, scenario),
    first === undefined
      ? el('p', { class: 'note' }, 'No results for this scenario.')
      : fragment(
          el(
            'p',
            { class: 'note' },
            `${first.trials} trials per policy: ${first.badBuilds} bad builds, ${first.goodBuilds} good builds (the same builds for every policy).`,
          ),
          figuresTable(summary, results),
          el('details', {}, el('summary', {}, 'More figures'), moreTable(summary, results)),
          el(
            'div',
            { class: 'charts' },
            rateBars(summary, results, 'shippedBad'),
            rateBars(summary, results, 'blockedGood'),
            tradeoffScatter(summary, results),
            leadTimeBars(summary, results),
          ),
          el('h3', {}, 'Time to detect'),
          ttdHistograms(summary, results),
          el('h3', {}, 'Paired comparisons'),
          comparisonsBlock(summary, scenario),
          fridayBlock(summary, results),
        ),
  );
}

/** The text of report.html. */
export function renderHtmlReport(summary: Summary): string {
  const scenarios = scenarioOrder(summary);
  const meta =
    `Seed ${summary.seed} · ${summary.trialsPerPair} trials per scenario × policy` +
    (summary.shard === undefined ? '' : ` · shard ${summary.shard}`) +
    ` · ${summary.scenarios.length} scenario${summary.scenarios.length === 1 ? '' : 's'}, ` +
    `${summary.policies.length} polic${summary.policies.length === 1 ? 'y' : 'ies'}`;
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
      el(
        'header',
        {},
        el('h1', {}, 'gatesim report'),
        el('p', { class: 'meta' }, meta),
        el(
          'nav',
          {},
          el(
            'ul',
            {},
            scenarios.map((s, i) => el('li', {}, el('a', { href: `#scenario-${i + 1}` }, s))),
          ),
        ),
      ),
      el(
        'main',
        {},
        scenarios.map((s, i) => scenarioSection(summary, s, i)),
      ),
      el(
        'footer',
        {},
        el(
          'p',
          {},
          'Shipped bad: bad builds that reached 100% and stayed. Blocked good: good builds stopped or rolled back. ' +
            'Every rate carries a Wilson 95% interval. Time to detect: fault onset to the rollback decision. ' +
            'Lead time: start to 100% for good builds. Policies are compared on the same trials (common random numbers); ' +
            'only differences with p < 0.05 are listed.',
        ),
      ),
    ),
  );
  return `<!doctype html>\n${page.value}\n`;
}
