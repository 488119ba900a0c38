/**
 * compare's report options through the built CLI: --reference and the budgets are checked
 * before anything runs, recorded in summary.json, carried by shards and kept by merge, so a
 * merged report is still byte-identical to the unsharded one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS, formatPercent } from '../../src/report/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const FILES = ['summary.json', 'summary.csv', 'trials.csv', 'report.md', 'report.html'];

function gatesim(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STUDY = [
  '--scenarios',
  'scenarios/slow-memory-leak.yaml',
  '--policies',
  'policies/green-ci-only.yaml',
  'policies/truthful.yaml',
  '--trials',
  '50',
  '--seed',
  '3',
  '--workers',
  '1',
  '--quiet',
];
const OPTIONS = ['--reference', 'truthful', '--max-shipped-bad', '2%', '--max-blocked-good', '0.1'];

describe('compare --reference and budgets', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gatesim-report-options-'));

  it('documents the report’s default budgets in --help (registration cannot import the report)', () => {
    const help = gatesim(['compare', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      `--max-shipped-bad <rate> shipped-bad budget the report marks against (default ${formatPercent(DEFAULT_BUDGETS.shippedBad).replace('.0', '')})`,
    );
    expect(help).toContain(
      `--max-blocked-good <rate> blocked-good budget the report marks against (default ${formatPercent(DEFAULT_BUDGETS.blockedGood).replace('.0', '')})`,
    );
    expect(help).toContain('--reference <policy>');
  });

  it('refuses an unknown reference or a budget that is not a rate, before running anything', () => {
    const ref = gatesim(['compare', ...STUDY, '--reference', 'nope', '--out', join(tmp, 'x')]);
    expect(ref.status).toBe(2);
    expect(ref.stderr.trim()).toBe(
      'gatesim: --reference: expected one of the policies (green-ci-only, truthful), got "nope"',
    );
    const budget = gatesim([
      'compare',
      ...STUDY,
      '--max-blocked-good',
      '7',
      '--out',
      join(tmp, 'x'),
    ]);
    expect(budget.status).toBe(2);
    expect(budget.stderr.trim()).toBe(
      'gatesim: --max-blocked-good: expected a rate in [0, 1] such as 0.02 or 2%, got "7"',
    );
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });

  it('records them in summary.json and the reports; shards merged stay byte-identical', () => {
    expect(gatesim(['compare', ...STUDY, ...OPTIONS, '--out', join(tmp, 'whole')]).status).toBe(0);
    const summary = JSON.parse(readFileSync(join(tmp, 'whole', 'summary.json'), 'utf8'));
    expect(summary.reference).toBe('truthful');
    expect(summary.budgets).toEqual({ shippedBad: 0.02, blockedGood: 0.1 });
    expect(Object.keys(summary.descriptions.policies)).toEqual(['green-ci-only', 'truthful']);
    const md = readFileSync(join(tmp, 'whole', 'report.md'), 'utf8');
    expect(md).toContain(
      'budgets: shipped bad ≤ 2.0%, blocked good ≤ 10.0% · reference: truthful.',
    );
    expect(md).toContain('### Shipped bad: difference from truthful');

    for (const shard of ['1/2', '2/2'])
      expect(
        gatesim([
          'compare',
          ...STUDY,
          ...OPTIONS,
          '--shard',
          shard,
          '--out',
          join(tmp, `s${shard[0]}`),
        ]).status,
      ).toBe(0);
    const m = gatesim(['merge', join(tmp, 's2'), join(tmp, 's1'), '--out', join(tmp, 'merged')]);
    expect(m.stderr).toBe('');
    expect(m.status).toBe(0);
    for (const f of FILES)
      expect(readFileSync(join(tmp, 'merged', f), 'utf8'), f).toBe(
        readFileSync(join(tmp, 'whole', f), 'utf8'),
      );
  });

  it('compares with the policy that ships on CI alone by default, wherever it is given', () => {
    const args = [
      'compare',
      '--scenarios',
      'scenarios/slow-memory-leak.yaml',
      '--policies',
      'policies/truthful.yaml',
      'policies/green-ci-only.yaml',
      '--trials',
      '20',
      '--workers',
      '1',
      '--quiet',
    ];
    expect(gatesim([...args, '--out', join(tmp, 'default')]).status).toBe(0);
    const summary = JSON.parse(readFileSync(join(tmp, 'default', 'summary.json'), 'utf8'));
    expect(summary.reference).toBe('green-ci-only');
    // With every policy gating, the first given.
    const gated = args.filter((a) => a !== 'policies/green-ci-only.yaml');
    gated.splice(gated.indexOf('policies/truthful.yaml') + 1, 0, 'policies/argo-canary.yaml');
    expect(gatesim([...gated, '--out', join(tmp, 'gated')]).status).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp, 'gated', 'summary.json'), 'utf8')).reference).toBe(
      'truthful',
    );
  });

  it('refuses to merge shards run with different budgets', () => {
    expect(
      gatesim(['compare', ...STUDY, '--shard', '2/2', '--out', join(tmp, 'other')]).status,
    ).toBe(0);
    const m = gatesim(['merge', join(tmp, 's1'), join(tmp, 'other'), '--out', join(tmp, 'bad')]);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/a different study \(.*reference, budgets.*\)/);
  });
});
