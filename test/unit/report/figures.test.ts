/**
 * The figure registry drives both reports: every entry appears in report.md and report.html,
 * and a scenario that does not measure a figure shows – (or no row), never a made-up 0.
 */
import { describe, expect, it } from 'vitest';
import { FIGURES, renderHtmlReport, renderMarkdownReport } from '../../../src/report/index.js';
import { figureRows } from '../../../src/report/figures.js';
import { resultsFor, scenarioOrder } from '../../../src/report/model.js';
import { makeSummary } from '../../fixtures/report/summary.js';

const figure = (id: string) => FIGURES.find((f) => f.id === id)!;

describe('FIGURES', () => {
  it('has unique ids and every entry shows in both reports', () => {
    expect(new Set(FIGURES.map((f) => f.id)).size).toBe(FIGURES.length);
    const s = makeSummary();
    const md = renderMarkdownReport(s);
    const html = renderHtmlReport(s);
    for (const f of FIGURES) {
      expect(md, f.id).toContain(`### ${f.title}`);
      expect(html, f.id).toContain(`<h3>${f.title}</h3>`);
      expect(html, f.id).toContain(`class="grid figure ${f.id}"`);
    }
  });

  it('gives a scenario without a conversion effect no lost-checkouts row and – in its detail table', () => {
    const s = makeSummary();
    for (const r of s.results.filter((x) => x.scenario === 'leak-under-load')) {
      r.impact.lostCheckouts = 0;
      r.impact.lostCheckoutsPerBadBuild = 0;
    }
    const rows = figureRows(figure('lost-checkouts'), scenarioOrder(s), (x) => resultsFor(s, x));
    expect(rows).toEqual({
      shown: ['conversion-drop'],
      noBuilds: [],
      omitted: ['leak-under-load'],
    });
    const md = renderMarkdownReport(s);
    expect(md).toContain('No build moves checkout conversion (–) in leak-under-load.');
    const html = renderHtmlReport(s);
    const leak = html.slice(html.indexOf('id="scenario-1"'), html.indexOf('id="scenario-2"'));
    const header = leak.match(/<table class="figures">.*?<\/thead>/)![0];
    const column = [...header.matchAll(/<th[^>]*>(.*?)<\/th>/g)].findIndex((m) =>
      m[1]!.startsWith('Lost checkouts'),
    );
    expect(column).toBeGreaterThan(0);
    const cells = [...leak.matchAll(/<tr>(.*?)<\/tr>/g)]
      .slice(1, 4)
      .map((m) => [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)][column]![1]);
    expect(cells).toEqual(['–', '–', '–']);
  });

  it('leaves scenarios without bad builds out of bad-build figures, and says so', () => {
    const s = makeSummary();
    for (const r of s.results.filter((x) => x.scenario === 'conversion-drop')) r.badBuilds = 0;
    const rows = figureRows(figure('time-to-detect'), scenarioOrder(s), (x) => resultsFor(s, x));
    expect(rows.noBuilds).toEqual(['conversion-drop']);
    expect(renderMarkdownReport(s)).toContain('No bad builds in conversion-drop.');
  });

  it('shows rollback success only where a rollback failed', () => {
    const s = makeSummary();
    const rows = figureRows(figure('rollback-success'), scenarioOrder(s), (x) => resultsFor(s, x));
    expect(rows.shown).toEqual(['leak-under-load']);
    expect(rows.omitted).toEqual(['conversion-drop']);
  });
});

describe('report.md figure tables', () => {
  const leadRows = (md: string): string[] => {
    const section = md.slice(md.indexOf('### Lead time p50 / p90'));
    return section
      .slice(0, section.indexOf('\n### ', 5))
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| scenario') && !l.startsWith('| ---'));
  };

  it('gives scenarios whose rows read the same one row naming them all, and keeps rows that differ apart', () => {
    const s = makeSummary();
    const [first, second] = scenarioOrder(s) as [string, string];
    // The second scenario's lead times made equal to the first's, policy by policy.
    for (const r of s.results.filter((x) => x.scenario === second))
      r.leadTimeMin = {
        ...s.results.find((x) => x.scenario === first && x.policy === r.policy)!.leadTimeMin,
      };
    const together = leadRows(renderMarkdownReport(s));
    expect(together).toHaveLength(1);
    expect(together[0]).toMatch(new RegExp(`^\\| ${first}, ${second} \\|`));
    // One figure differing in one cell keeps the two rows apart.
    const r = s.results.find((x) => x.scenario === second)!;
    r.leadTimeMin = { ...r.leadTimeMin, p50: r.leadTimeMin.p50 + 60 };
    const apart = leadRows(renderMarkdownReport(s));
    expect(apart.map((l) => l.split(' | ')[0])).toEqual([`| ${first}`, `| ${second}`]);
  });
});

describe('good builds blocked', () => {
  it('says how many of a check’s blocks found a fault under the impact bar, in both reports', () => {
    const s = makeSummary();
    const r = s.results.find((x) => Object.keys(x.blockedBy).length > 0)!;
    const [check, tally] = Object.entries(r.blockedBy)[0]!;
    r.blockedGoodWithFault = { [check]: { count: 1, exampleTrial: tally.exampleTrial + 1 } };
    const cell = `${check} ${tally.count} #${tally.exampleTrial} (1 with a fault under the bar #${tally.exampleTrial + 1})`;
    const md = renderMarkdownReport(s);
    expect(md).toContain(cell);
    expect(md).toContain('"With a fault under the bar"');
    expect(renderHtmlReport(s)).toContain(cell);
    // A summary written before the tally existed shows the plain count.
    delete r.blockedGoodWithFault;
    expect(renderMarkdownReport(s)).toContain(`${check} ${tally.count} #${tally.exampleTrial}`);
    expect(renderMarkdownReport(s)).not.toContain(cell);
  });
});
