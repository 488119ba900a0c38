import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  escapeMarkdown,
  renderHtmlReport,
  renderMarkdownReport,
  renderSummaryCsv,
  renderSummaryJson,
  renderTimelineSvg,
  trialRecord,
} from '../../../src/report/index.js';
import { makeSummary } from '../../fixtures/report/summary.js';
import { makeTrial } from '../../fixtures/report/trials.js';
import { parseCsvObjects } from './csv-parse.js';
import { ALLOWED_TAGS, assertBalanced, tagNames } from './markup-check.js';

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT_SCENARIO = `"quoted" & <script>alert('s')</script> | *bold* [x](javascript:y)`;
const ATTR = `x" onmouseover="alert(2)`;
const hostile = makeSummary({
  truthful: IMG,
  'leak-under-load': SCRIPT_SCENARIO,
  'fixed-bake': ATTR,
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});

describe('escapeMarkdown', () => {
  it('neutralises HTML and Markdown syntax', () => {
    expect(escapeMarkdown(IMG)).toBe('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(escapeMarkdown('a|b*c_[d](e)`f`')).toBe('a\\|b\\*c\\_\\[d\\]\\(e\\)\\`f\\`');
    expect(escapeMarkdown('two\nlines')).toBe('two lines');
  });
});

describe('report.html with hostile names', () => {
  const html = renderHtmlReport(hostile);

  it('creates no element from input: every tag is one the writer emits', () => {
    assertBalanced(html);
    for (const t of tagNames(html)) expect(ALLOWED_TAGS.has(t), t).toBe(true);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain(' onmouseover="');
  });

  it('shows the names as text in cells, chart labels and tooltips', () => {
    const escapedImg = '&lt;img src=x onerror=alert(1)&gt;';
    expect(html).toContain(`</span>${escapedImg}</th>`);
    expect(html).toContain(`</span>${escapedImg}</td>`);
    expect(html).toContain(
      `<title>${escapedImg}: shipped bad 5.5% (3.9–7.6%) · 33/600; blocked good 2.9% (2.2–3.9%) · 41/1400</title>`,
    );
    expect(html).toContain(
      `<strong><span class="swatch" style="background:#0072B2"></span>${escapedImg}</strong>`,
    );
    expect(html).toContain(
      '<summary><strong>&quot;quoted&quot; &amp; &lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt; | *bold* [x](javascript:y)</strong>',
    );
    expect(html).toContain('x&quot; onmouseover=&quot;alert(2)');
    // The explain command in a tooltip quotes the names for a shell, then HTML-escapes them.
    expect(html).toContain(`--policy &#39;policies/&lt;img src=x onerror=alert(1)&gt;.yaml&#39;`);
  });
});

describe('report.md with hostile names', () => {
  const md = renderMarkdownReport(hostile);

  it('contains no raw HTML and no table-breaking pipes from names', () => {
    expect(md).not.toMatch(/<[a-z/]/i);
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(md).toContain(
      '| "quoted" &amp; &lt;script&gt;alert\\(\'s\'\\)&lt;/script&gt; \\| \\*bold\\* \\[x\\]\\(javascript:y\\) |',
    );
    // Every row of every table has as many cells as its header.
    const lines = md.split('\n');
    let width = 0;
    for (const line of lines) {
      if (!line.startsWith('|')) {
        width = 0;
        continue;
      }
      const cells = line.split(/(?<!\\)\|/).length;
      if (width === 0) width = cells;
      expect(cells, line).toBe(width);
    }
    expect(lines.filter((l) => l.startsWith('| &lt;img')).length).toBeGreaterThan(0);
  });
});

describe('data files keep names exactly', () => {
  it('summary.csv and summary.json round-trip hostile names', () => {
    const rows = parseCsvObjects(renderSummaryCsv(hostile));
    expect(rows.map((r) => r.policy).slice(0, 2)).toEqual([IMG, ATTR]);
    expect(rows[0]!.scenario).toBe(SCRIPT_SCENARIO);
    const json = JSON.parse(renderSummaryJson(hostile)) as {
      policies: string[];
      scenarios: string[];
    };
    expect(json.policies[0]).toBe(IMG);
    expect(json.scenarios[0]).toBe(SCRIPT_SCENARIO);
  });

  it('trials.csv records keep template and check names as given', () => {
    const r = trialRecord(makeTrial(5, { detectedBy: 'err,"ors"\n', policy: IMG }));
    expect(r.detectedBy).toBe('err,"ors"\n');
    expect(r.policy).toBe(IMG);
  });
});

describe('timeline SVG with hostile labels', () => {
  it('escapes the title, series names and marker labels', () => {
    const svg = renderTimelineSvg({
      title: IMG,
      series: [
        {
          name: '<script>s</script>',
          points: [
            [0, 1],
            [1, 2],
          ],
        },
      ],
      markers: [{ t: 0.5, label: ATTR, kind: 'decision' }],
      xLabel: '<x>',
      yLabel: '<y>',
    });
    assertBalanced(svg);
    expect(svg).not.toMatch(/<img|<script|<x>|<y>/);
    expect(svg).not.toContain(' onmouseover="');
    expect(svg).toContain('&lt;script&gt;s&lt;/script&gt;');
  });
});
