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
    expect(Object.keys(reversed)[0]).toBe('budgets');
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

  it('leads with the answer: budgets, one verdict per policy, the suite, then the per-scenario rates', () => {
    const order = [
      'budgets: shipped bad ≤ 5.0%, blocked good ≤ 5.0% · reference: fixed-bake.',
      '## The answer',
      '- **truthful**: meets both budgets on 0 of 2 scenarios; misses on 1: shipped bad 8.0% on conversion-drop (16 of 24 first hurt after its checks ended); undecided on 1.',
      '### Across the suite',
      '### Shipped bad by scenario',
      '| leak-under-load | 300 | 3.0% 1.6–5.6 ? | 12.0% 8.8–16 ✗ | 27.0% 22–32 ✗ |',
      '### Blocked good by scenario',
      '| conversion-drop | 700 | 2.9% 1.9–4.4 ✓ | 0.9% 0.4–1.9 ✓ | 0.0% 0.0–0.5 ✓ |',
      '### Scenarios',
      '## Paired comparisons',
      '## What stopped the builds',
      '## More figures',
    ].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shows every description', () => {
    for (const d of [
      ...Object.values(summary.descriptions!.scenarios),
      ...Object.values(summary.descriptions!.policies),
    ])
      expect(text).toContain(d);
  });

  it('compares with the reference and along the Pareto front as tables, p-values floored at 0.001', () => {
    expect(text).toContain('### Shipped bad: difference from fixed-bake');
    expect(text).toContain(
      '| leak-under-load | **−9.0 pp** (p < 0.001) | **+15.0 pp** (p < 0.001) |',
    );
    // p = 0.453 is shown but not called a difference.
    expect(text).toContain('| leak-under-load | **+2.0 pp** (p = 0.00131) | −0.4 pp (p = 0.453) |');
    expect(text).toContain(
      '| conversion-drop | fixed-bake → truthful | 93.3% → 8.0%: **−85.3 pp** (p < 0.001) | 0.9% → 2.9%: **+2.0 pp** (p < 0.001) |',
    );
    expect(text).not.toMatch(/\de-\d/);
  });

  it('puts the significance threshold strictly at 0.05', () => {
    const s = makeSummary();
    s.comparisons[1] = { ...s.comparisons[1]!, pValue: 0.05 };
    s.comparisons[5] = { ...s.comparisons[5]!, pValue: 0.0499 };
    const md = renderMarkdownReport(s);
    expect(md).toContain('| leak-under-load | +2.0 pp (p = 0.05) | **−0.4 pp** (p = 0.0499) |');
  });

  it('says which check caught or blocked each build, with an example trial to replay', () => {
    expect(text).toContain(
      '| leak-under-load | canary-errors 180 #3 · leak-trend 100 #11 · ci 11 #0 | bake-errors 200 #5 · ci 64 #0 | one-box 219 #5 |',
    );
    expect(text).toContain('never finished 2 #88');
    expect(text).toContain(
      '`gatesim explain --scenario scenarios/SCENARIO.yaml --policy policies/POLICY.yaml --seed 42 --trial k`',
    );
  });

  it('shows the Friday test where there is one, a failure in bold', () => {
    expect(text).toContain(
      '| leak-under-load | 3.0% · 1.5% · 5,400 / 2.0% · 0.5% · 2,100 | **15.5% · 12.0% · 61.0k / 4.5% · 1.0% · 9,800 fails** | – |',
    );
    expect(text).toContain('No Friday replays (–) in conversion-drop.');
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

  it('opens on the overview: the coloured scenario × policy table, the suite chart and the verdicts', () => {
    const main = html.slice(html.indexOf('<main>'));
    expect(main.startsWith('<main><section class="overview" id="overview">')).toBe(true);
    const overview = main.slice(0, main.indexOf('</section>'));
    expect(overview.match(/<table class="grid overview-table">/g)).toHaveLength(1);
    expect(overview.match(/class="chart scatter suite-chart"/g)).toHaveLength(1);
    expect(overview).toContain('class="target"');
    expect(overview.match(/<ul class="verdicts"><li>/g)).toHaveLength(1);
    // Two rates per cell, 2 scenarios × 3 policies, each coloured by its status.
    const spans = [...overview.matchAll(/<span class="rate (shippedBad|blockedGood) (\w+)"/g)];
    expect(spans).toHaveLength(12);
    expect(spans.map((m) => m[2])).toEqual([
      'undecided',
      'meets',
      'misses',
      'meets',
      'misses',
      'meets',
      'misses',
      'meets',
      'misses',
      'meets',
      'misses',
      'meets',
    ]);
    expect(overview).toContain(
      'title="A memory leak that shows only under load. (300 bad, 700 good builds)"',
    );
  });

  it('draws only charts with something to draw', () => {
    // Leak: trade-off, lead time and three time-to-detect histograms; conversion-drop: one-box
    // detected nothing, so two histograms. Plus the suite chart.
    expect(countTags(html, 'svg')).toBe(1 + (2 + 3) + (2 + 2));
    const goodOnly = makeSummary();
    for (const r of goodOnly.results.filter((x) => x.scenario === 'conversion-drop')) {
      r.badBuilds = 0;
      r.shippedBad = { count: 0, of: 0, rate: 0, lo: 0, hi: 1 };
      r.timeToDetectMin = { n: 0, mean: Number.NaN, p50: Number.NaN, p90: Number.NaN };
    }
    const h = renderHtmlReport(goodOnly);
    const conv = h.slice(h.indexOf('id="scenario-2"'));
    expect(conv.match(/class="chart bar-chart rate-blockedGood"/g)).toHaveLength(1);
    expect(conv).not.toContain('class="chart scatter');
    expect(conv).not.toContain('class="chart histogram"');
    expect(conv).not.toContain('rate-shippedBad');
  });

  it('has the comparisons, what stopped the builds, the figures and each scenario folded', () => {
    expect(html).toContain('<h3>Shipped bad: difference from fixed-bake</h3>');
    expect(html).toContain(
      '<span class="sig" title="discordant trials 2 vs 29">−9.0 pp (p &lt; 0.001)</span>',
    );
    expect(html).toContain(
      '<span class="ns" title="discordant trials 2 vs 5">−0.4 pp (p = 0.453)</span>',
    );
    expect(html).toContain(
      '<span title="e.g. trial 3: gatesim explain --scenario scenarios/leak-under-load.yaml --policy policies/truthful.yaml --seed 42 --trial 3">canary-errors 180 #3</span>',
    );
    expect(html).toContain(
      '<span class="alarm">15.5% · 12.0% · 61.0k / 4.5% · 1.0% · 9,800 fails</span>',
    );
    expect(html.match(/<details class="scenario" id="scenario-\d">/g)).toHaveLength(2);
    expect(html).toContain(
      '<summary><strong>leak-under-load</strong> — A memory leak that shows only under load.</summary>',
    );
    expect(html.match(/<table class="figures">/g)).toHaveLength(2);
    expect(html).toContain('3.0% (1.6–5.6%) · 9/300');
  });

  it('is deterministic', () => {
    expect(renderHtmlReport(makeSummary())).toBe(html);
  });
});
