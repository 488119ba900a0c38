import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../src/eval/types.js';
import {
  renderHtmlReport,
  renderMarkdownReport,
  renderSummaryCsv,
  renderSummaryJson,
  sortKeysDeep,
} from '../../../src/report/index.js';
import { makeSummary } from '../../fixtures/report/summary.js';
import { parseCsv, parseCsvObjects } from './csv-parse.js';
import { ALLOWED_TAGS, assertBalanced, countTags, tagNames } from './markup-check.js';

const summary = makeSummary();

/** Object keys, depth first, of a parsed JSON value, as [path, keys] pairs. */
function keyLists(v: unknown, path = '$'): Array<[string, string[]]> {
  if (Array.isArray(v)) return v.flatMap((x, i) => keyLists(x, `${path}[${i}]`));
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    return [
      [path, keys],
      ...keys.flatMap((k) => keyLists((v as Record<string, unknown>)[k], `${path}.${k}`)),
    ];
  }
  return [];
}

describe('summary.json', () => {
  const text = renderSummaryJson(summary);

  it('holds exactly the Summary (NaN as null, absent fields left out)', () => {
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(text.endsWith('}\n')).toBe(true);
    const conv = (JSON.parse(text) as Summary).results[5]!;
    expect(conv.timeToDetectMin).toEqual({ mean: null, n: 0, p50: null, p90: null });
    expect('friday' in conv).toBe(false);
  });

  it('sorts keys at every depth', () => {
    for (const [path, keys] of keyLists(JSON.parse(text))) {
      expect(keys, path).toEqual([...keys].sort());
    }
  });

  it('does not depend on the order the object was built in', () => {
    const reversed = JSON.parse(JSON.stringify(summary), function (this: unknown, _k, v: unknown) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      return Object.fromEntries(Object.entries(v).reverse());
    }) as Summary;
    expect(Object.keys(reversed)[0]).toBe('comparisons');
    expect(renderSummaryJson(reversed)).toBe(
      renderSummaryJson(JSON.parse(JSON.stringify(summary)) as Summary),
    );
    expect(sortKeysDeep({ b: [{ d: 1, c: 2 }], a: 1 })).toEqual({ a: 1, b: [{ c: 2, d: 1 }] });
  });
});

describe('summary.csv', () => {
  const text = renderSummaryCsv(summary);

  it('matches the reviewed file', async () => {
    await expect(text).toMatchFileSnapshot('../../fixtures/report/expected/summary.csv');
  });

  it('has one row per scenario × policy, all the same width', () => {
    const rows = parseCsv(text);
    expect(rows).toHaveLength(1 + 6);
    for (const r of rows) expect(r).toHaveLength(rows[0]!.length);
  });

  it('keeps intervals and figures at full precision', () => {
    const rows = parseCsvObjects(text);
    summary.results.forEach((r, i) => {
      const row = rows[i]!;
      expect([row.scenario, row.policy]).toEqual([r.scenario, r.policy]);
      expect(Number(row.shippedBadLo)).toBe(r.shippedBad.lo);
      expect(Number(row.shippedBadHi)).toBe(r.shippedBad.hi);
      expect(Number(row.blockedGoodRate)).toBe(r.blockedGood.rate);
      expect(Number(row.leadTimeMinP90)).toBe(r.leadTimeMin.p90);
      expect(Number(row.failedRequestsPerBadBuild)).toBe(r.impact.failedRequestsPerBadBuild);
    });
  });

  it('leaves cells empty for no value and counts every final state', () => {
    const rows = parseCsvObjects(text);
    const oneBoxConv = rows[5]!;
    expect(oneBoxConv.ttdMinP50).toBe('');
    expect(oneBoxConv.fridayPValue).toBe('');
    expect(oneBoxConv.outcomeShipped).toBe('1000');
    expect(oneBoxConv.outcomeRolledBack).toBe('0');
    expect(rows[0]!.fridayPasses).toBe('true');
    expect(rows[1]!.fridayPasses).toBe('false');
    expect(rows[0]!.outcomeStalled).toBe('2');
  });
});

describe('report.md', () => {
  const text = renderMarkdownReport(summary);

  it('matches the reviewed file', async () => {
    await expect(text).toMatchFileSnapshot('../../fixtures/report/expected/report.md.txt');
  });

  it('states only the comparisons with p < 0.05, as sentences', () => {
    expect(text).toContain(
      '**truthful** ships fewer bad builds than **fixed-bake** here, p = 4.63e-7 (−9.0 pp; discordant trials 2 vs 29).',
    );
    expect(text).toContain(
      '**truthful** blocks more good builds than **fixed-bake** here, p = 0.00131',
    );
    expect(text).toContain(
      '**fixed-bake** blocks more good builds than **one-box-10m** here, p = 0.0313',
    );
    // p = 0.453 in the first scenario is not a finding.
    expect(text).not.toContain('0.453');
    expect(text).toContain('5 of 6 paired comparisons reached p < 0.05');
  });

  it('puts the threshold strictly at 0.05', () => {
    const s = makeSummary();
    s.comparisons = [
      { ...s.comparisons[0]!, pValue: 0.05 },
      { ...s.comparisons[1]!, pValue: 0.0499 },
    ];
    const md = renderMarkdownReport(s);
    expect(md).not.toContain('ships fewer bad builds');
    expect(md).toContain('blocks more good builds than **fixed-bake** here, p = 0.0499');
  });

  it('shows the Friday test where there is one', () => {
    const [leak, conv] = text.split('## conversion-drop');
    expect(leak).toContain('### Friday test');
    expect(leak).toMatch(
      /\| fixed-bake \| 15\.5% \(11\.1–21\.2%\) · 31\/200 \| .* \| \*\*fails\*\* \|/,
    );
    expect(conv).not.toContain('Friday');
  });
});

describe('report.html', () => {
  const html = renderHtmlReport(summary);

  it('is one well-formed page with only the expected elements', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    assertBalanced(html);
    for (const t of tagNames(html)) expect(ALLOWED_TAGS.has(t), t).toBe(true);
  });

  it('is self-contained: no scripts, links, external resources, and a CSP that forbids them', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|srcset)=/i);
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#scenario-\d+$/);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">`,
    );
  });

  it('draws per scenario two rate charts, a trade-off scatter, a lead-time chart and a histogram per policy', () => {
    const sections = html.split('<section').slice(1);
    expect(sections).toHaveLength(2);
    for (const s of sections) {
      expect(countTags(s, 'svg')).toBe(4 + 3);
      expect(s.match(/class="chart bar-chart rate-shippedBad"/g)).toHaveLength(1);
      expect(s.match(/class="chart bar-chart rate-blockedGood"/g)).toHaveLength(1);
      expect(s.match(/class="chart scatter"/g)).toHaveLength(1);
      expect(s.match(/class="chart bar-chart lead-time"/g)).toHaveLength(1);
      expect(s.match(/class="chart histogram"/g)).toHaveLength(3);
      expect(s).toContain('class="pareto-front"');
      // Shipped-bad and blocked-good bars each carry an interval whisker.
      expect(s.match(/class="whisker"/g)).toHaveLength(6);
    }
    expect(countTags(html, 'svg')).toBe(14);
  });

  it('has the figures tables, the comparisons and the Friday verdicts', () => {
    expect(html.match(/<table class="figures">/g)).toHaveLength(2);
    expect(html).toContain('3.0% (1.6–5.6%) · 9/300');
    expect(html).toContain(
      '<strong>truthful</strong> ships fewer bad builds than <strong>fixed-bake</strong> here, p = 4.63e-7',
    );
    expect(html).not.toContain('p = 0.453');
    expect(html.match(/<table class="friday">/g)).toHaveLength(1);
    expect(html).toContain('<span class="fail">fails</span>');
  });

  it('is deterministic', () => {
    expect(renderHtmlReport(makeSummary())).toBe(html);
  });
});
