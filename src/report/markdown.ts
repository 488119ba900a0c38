/** report.md: the figures a pull-request reviewer needs, as Markdown tables and sentences. */
import type { Comparison, PairResult, Summary } from '../eval/types.js';
import { escapeMarkdown } from './escape.js';
import {
  formatCount,
  formatPercent,
  formatPp,
  formatPValue,
  formatQuantiles,
  formatRateInterval,
  NOT_AVAILABLE,
} from './format.js';
import { comparisonClaim, resultsFor, scenarioOrder, significantComparisons } from './model.js';

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function rateCell(r: PairResult['shippedBad']): string {
  return r.of === 0 ? NOT_AVAILABLE : `${formatRateInterval(r)} · ${r.count}/${r.of}`;
}

function rollbackCell(r: PairResult): string {
  const { attempts, successes, successRate } = r.rollback;
  return attempts === 0
    ? NOT_AVAILABLE
    : `${formatPercent(successRate)} (${successes}/${attempts})`;
}

/** The sentence for one significant comparison, names escaped and in bold. */
export function comparisonSentence(c: Comparison): string {
  const claim = comparisonClaim(c);
  return (
    `**${escapeMarkdown(claim.a)}** ${claim.verb} **${escapeMarkdown(claim.b)}** here, ` +
    `p = ${formatPValue(c.pValue)} (${formatPp(c.diff)}; discordant trials ${c.aOnly} vs ${c.bOnly}).`
  );
}

function scenarioSection(summary: Summary, scenario: string): string[] {
  const results = resultsFor(summary, scenario);
  const lines: string[] = [`## ${escapeMarkdown(scenario)}`, ''];
  if (results.length === 0) return [...lines, 'No results for this scenario.', ''];

  const first = results[0]!;
  lines.push(
    `${first.trials} trials per policy: ${first.badBuilds} bad builds, ${first.goodBuilds} good builds ` +
      '(the same builds for every policy).',
    '',
  );
  lines.push(
    ...table(
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
        escapeMarkdown(r.policy),
        rateCell(r.shippedBad),
        rateCell(r.blockedGood),
        formatQuantiles(r.timeToDetectMin),
        formatQuantiles(r.leadTimeMin),
        rollbackCell(r),
        r.badBuilds === 0 ? NOT_AVAILABLE : formatCount(r.impact.failedRequestsPerBadBuild),
        r.badBuilds === 0 ? NOT_AVAILABLE : formatCount(r.impact.lostCheckoutsPerBadBuild),
        formatCount(r.impact.lostRevenue),
      ]),
    ),
    '',
  );

  const tested = summary.comparisons.filter((c) => c.scenario === scenario).length;
  const significant = significantComparisons(summary, scenario);
  lines.push('### Paired comparisons', '');
  if (tested === 0) lines.push('No paired comparisons were run.');
  else if (significant.length === 0)
    lines.push(`None of the ${tested} paired comparisons reached p < 0.05.`);
  else {
    lines.push(...significant.map((c) => `- ${comparisonSentence(c)}`), '');
    lines.push(
      `${significant.length} of ${tested} paired comparisons reached p < 0.05 (paired over the same trials).`,
    );
  }
  lines.push('');

  const friday = results.filter((r) => r.friday !== undefined);
  if (friday.length > 0) {
    lines.push(
      '### Friday test',
      '',
      'A bad build started Friday 16:00: is it still hurting customers two hours later, compared with Tuesday morning?',
      '',
      ...table(
        ['policy', 'Friday 16:00', 'Tuesday morning', 'p', 'verdict'],
        friday.map((r) => {
          const f = r.friday!;
          return [
            escapeMarkdown(r.policy),
            rateCell(f.friday),
            rateCell(f.tuesday),
            formatPValue(f.pValue),
            f.passes ? 'passes' : '**fails**',
          ];
        }),
      ),
      '',
    );
  }
  return lines;
}

/** The text of report.md. */
export function renderMarkdownReport(summary: Summary): string {
  const head = [
    '# gatesim report',
    '',
    `Seed ${summary.seed} · ${summary.trialsPerPair} trials per scenario × policy` +
      (summary.shard === undefined ? '' : ` · shard ${escapeMarkdown(summary.shard)}`) +
      ` · ${summary.scenarios.length} scenario${summary.scenarios.length === 1 ? '' : 's'}, ` +
      `${summary.policies.length} polic${summary.policies.length === 1 ? 'y' : 'ies'}.`,
    '',
    'Rates show the share with a Wilson 95% interval and the count. Shipped bad: bad builds that reached ' +
      '100% and stayed. Blocked good: good builds stopped or rolled back. Time to detect: fault onset ' +
      'to the rollback decision. Lead time: start to 100% for good builds.',
    '',
  ];
  const body = scenarioOrder(summary).flatMap((s) => scenarioSection(summary, s));
  return `${[...head, ...body]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
