/**
 * `gatesim backtest` and `gatesim convert prometheus` through the built CLI (build first:
 * `npx tsc -p tsconfig.build.json`). The decisions on the fixture are worked out by hand in
 * test/unit/backtest/run.test.ts; here the command must write the same into its files, and
 * report bad input as `file:line:column: message` with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../unit/report/csv-parse.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const FIXTURE = 'test/fixtures/backtest';

function gatesim(
  args: string[],
  as: { uid?: number; gid?: number } = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', ...as });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const REPLAY = [
  'backtest',
  '--metrics',
  `${FIXTURE}/metrics.csv`,
  '--deploys',
  `${FIXTURE}/deploys.csv`,
  '--policy',
  `${FIXTURE}/one-box-then-fleet.yaml`,
  '--quiet',
];

describe('gatesim backtest', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gatesim-e2e-backtest-'));

  it('replays the fixture and writes the four report files', () => {
    const out = join(tmp, 'report');
    const r = gatesim([
      'backtest',
      '--metrics',
      `${FIXTURE}/metrics.csv`,
      '--deploys',
      `${FIXTURE}/deploys.csv`,
      '--policy',
      `${FIXTURE}/one-box-then-fleet.yaml`,
      '--incidents',
      `${FIXTURE}/incidents.csv`,
      '--out',
      out,
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('5 deploys: 3 shipped, 2 rolled back, 0 blocked, 0 unfinished');
    expect(r.stderr).toContain('shipped bad 50.0% (9.5–90.5%) (1/2)');
    const decisions = parseCsvObjects(readFileSync(join(out, 'decisions.csv'), 'utf8'));
    expect(
      decisions.map((d) => [d.deploy, d.decision, d.decided_after_min, d.shipped_after_min]),
    ).toEqual([
      ['d1', 'shipped', '', '35'],
      ['d2', 'rolled-back', '20', ''],
      ['d3', 'rolled-back', '55', '35'],
      ['d4', 'shipped', '', '35'],
      ['d5', 'shipped', '', '65'],
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'backtest-summary.json'), 'utf8'));
    expect(summary.figures.blockedGood).toMatchObject({ count: 1, of: 3 });
    expect(readFileSync(join(out, 'backtest.md'), 'utf8')).toContain(
      '# Backtest of one-box-then-fleet',
    );
    expect(readFileSync(join(out, 'measurements.csv'), 'utf8').trim().split('\n')).toHaveLength(29);
  });

  it('reports a malformed metrics file with its line and column, and exits 2', () => {
    const lines = readFileSync(join(ROOT, FIXTURE, 'metrics.csv'), 'utf8').split('\n');
    lines[16] = lines[16]!.replace(/,0\.001,1000,/, ',abc,1000,');
    const bad = join(tmp, 'metrics.csv');
    writeFileSync(bad, lines.join('\n'));
    const r = gatesim([
      'backtest',
      '--metrics',
      bad,
      '--deploys',
      `${FIXTURE}/deploys.csv`,
      '--policy',
      `${FIXTURE}/one-box-then-fleet.yaml`,
      '--out',
      join(tmp, 'never'),
    ]);
    expect(r.status).toBe(2);
    // The value column of line 17 starts right after the comma before "abc".
    const column = lines[16]!.indexOf(',abc,') + 2;
    expect(r.stderr).toBe(
      `gatesim: ${bad}:17:${column}: expected a number in column "value", got "abc"\n`,
    );
  });

  it('names a policy region the recording lacks', () => {
    const policy = join(tmp, 'us-west-first.yaml');
    writeFileSync(
      policy,
      readFileSync(join(ROOT, FIXTURE, 'one-box-then-fleet.yaml'), 'utf8').replace(
        'region: eu,',
        'region: us-west,',
      ),
    );
    const r = gatesim([
      'backtest',
      '--metrics',
      `${FIXTURE}/metrics.csv`,
      '--deploys',
      `${FIXTURE}/deploys.csv`,
      '--policy',
      policy,
      '--out',
      join(tmp, 'never'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('stage one-box targets region us-west, but');
  });
});

describe('gatesim backtest output folder', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gatesim-e2e-backtest-out-'));

  it('refuses, with exit 2, to replace a folder gatesim did not write', () => {
    const mine = join(tmp, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'keep.txt'), 'keep me');
    const r = gatesim([...REPLAY, '--out', mine]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `gatesim: ${mine} is not empty and is not a gatesim output (no .gatesim-report); the output replaces the whole folder, so choose an empty or new folder\n`,
    );
    expect(readdirSync(mine)).toEqual(['keep.txt']);
  });

  it('names the path of an output error and exits 2: a file in the path, a read-only folder', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a folder');
    const a = gatesim([...REPLAY, '--out', join(file, 'out')]);
    expect(a.status).toBe(2);
    expect(a.stderr).toBe(
      `gatesim: cannot write ${join(file, 'out')}: ${file} is a file, not a folder (ENOTDIR)\n`,
    );
    // Root ignores permissions: run as nobody then.
    chmodSync(tmp, 0o755);
    const ro = join(tmp, 'read-only');
    mkdirSync(ro, { mode: 0o555 });
    chmodSync(ro, 0o555);
    const b = gatesim(
      [...REPLAY, '--out', join(ro, 'out')],
      process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {},
    );
    expect(b.status).toBe(2);
    expect(b.stderr).toBe(
      `gatesim: cannot write ${join(ro, 'out')}: ${ro}: permission denied (EACCES)\n`,
    );
    expect(readdirSync(ro)).toEqual([]);
  });
});

describe('gatesim convert prometheus', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gatesim-e2e-convert-'));

  it('turns a range query into METRICS.csv that backtest reads', () => {
    const out = join(tmp, 'metrics.csv');
    const r = gatesim(['convert', 'prometheus', `${FIXTURE}/prometheus-range.json`, '-o', out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(
      'timestamp,region,group,role,metric,value\n' +
        '2024-01-02T10:00:00Z,eu,h1,canary,error_rate,0.001\n' +
        '2024-01-02T10:05:00Z,eu,h1,canary,error_rate,0.05\n' +
        '2024-01-02T10:10:00Z,eu,h1,canary,error_rate,\n' +
        '2024-01-02T10:00:00Z,eu,h2,baseline,error_rate,0.001\n' +
        '2024-01-02T10:05:00Z,eu,h2,baseline,error_rate,0.002\n' +
        '2024-01-02T10:10:00Z,eu,h2,baseline,error_rate,0.001\n',
    );
  });

  it('reports bad JSON and a bad shape with exit code 2', () => {
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"status": "success", "data": ');
    const a = gatesim(['convert', 'prometheus', broken]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/^gatesim: .*broken\.json: not valid JSON: /);
    const vector = join(tmp, 'vector.json');
    writeFileSync(
      vector,
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
    );
    const b = gatesim(['convert', 'prometheus', vector]);
    expect(b.status).toBe(2);
    expect(b.stderr).toBe(
      `gatesim: ${vector}: data.resultType: expected "matrix" (a range query), got "vector"\n`,
    );
  });
});
