/** The tuning report: names from input never become markup, and the charts mark what they say. */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../src/config/index.js';
import {
  renderTuneHtml,
  renderTuneMarkdown,
  tune,
  type TuneResult,
} from '../../../src/tune/index.js';
import { tradeoffPoints } from '../../../src/tune/report.js';

const FIXTURES = new URL('../../fixtures/tune/', import.meta.url).pathname;

async function small(): Promise<TuneResult> {
  return tune({
    policyFile: `${FIXTURES}one-measurement.yaml`,
    scenarios: [loadScenario(`${FIXTURES}closed-form.yaml`)],
    params: ['stages[0].checks[0].judge.max=0.012..0.02:3', 'stages[0].bake=1m..3m:2'],
    constraint: { kind: 'max-blocked-good', limit: 0.1 },
    trials: 100,
    seed: 9,
  });
}

describe('tune reports', () => {
  it('escape a hostile policy name in HTML and Markdown', async () => {
    const r = { ...(await small()), policy: '<img src=x onerror=alert(1)>`|' };
    const html = renderTuneHtml(r, 'x.tuned.yaml');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('content="default-src &#39;none&#39;;');
    const md = renderTuneMarkdown(r, 'x.tuned.yaml');
    expect(md).not.toContain('<img');
    expect(md.split('\n')[0]).toBe('# Tuning &lt;img src=x onerror=alert\\(1\\)&gt;\\`\\|');
  });

  it('draws one chart per parameter with the recommended point ringed and the constraint line', async () => {
    const r = await small();
    const html = renderTuneHtml(r, 'x.tuned.yaml');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/class="point recommended"/g)).toHaveLength(2);
    expect(html.match(/class="constraint"/g)).toHaveLength(2);
    // On a grid each curve is a slice through the recommended setting: 3 thresholds, 2 bakes.
    const rec = r.candidates[r.recommended!]!;
    const byMax = tradeoffPoints(r, 0);
    expect(byMax.line).toBe(true);
    expect(byMax.points.map((p) => p.label)).toEqual(['0.012', '0.016', '0.02']);
    expect(byMax.points.filter((p) => p.recommended)).toHaveLength(1);
    expect(tradeoffPoints(r, 1).points.map((p) => p.label)).toEqual(['1m', '3m']);
    const md = renderTuneMarkdown(r, 'x.tuned.yaml');
    expect(md).toContain(`| \`stages[0].checks[0].judge.max\` | 0.015 | **${rec.values[0]}** |`);
    expect(md).toContain('| `stages[0].bake` | 1m |');
  });
});
