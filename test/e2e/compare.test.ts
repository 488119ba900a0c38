/**
 * The main command end to end, through the built CLI: results are byte-identical for any
 * worker count, and sharded runs merged give exactly what one run writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const FILES = ['summary.json', 'summary.csv', 'trials.csv', 'report.md', 'report.html'];

function gatesim(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STUDY = [
  '--scenarios',
  'scenarios/slow-memory-leak.yaml',
  'scenarios/error-spike-under-peak.yaml',
  '--policies',
  'policies/green-ci-only.yaml',
  'policies/fixed-bake.yaml',
  'policies/truthful.yaml',
  '--trials',
  '60',
  '--seed',
  '5',
  '--quiet',
];

function read(dir: string): Record<string, string> {
  return Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('gatesim compare', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gatesim-compare-'));

  it('writes the five outputs, byte-identical for 1 and 2 workers', () => {
    const one = gatesim(['compare', ...STUDY, '--workers', '1', '--out', join(tmp, 'w1')]);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    const two = gatesim(['compare', ...STUDY, '--workers', '2', '--out', join(tmp, 'w2')]);
    expect(two.status).toBe(0);
    const a = read(join(tmp, 'w1'));
    const b = read(join(tmp, 'w2'));
    for (const f of FILES) expect(b[f], f).toBe(a[f]);
    const summary = JSON.parse(a['summary.json']!);
    expect(summary.trialsPerPair).toBe(60);
    expect(summary.results).toHaveLength(6);
    expect(a['trials.csv']!.trim().split('\n')).toHaveLength(1 + 6 * 60);
  });

  it('a pool that fills every core restarts under single-threaded V8 with the same results and exit codes', () => {
    // As many workers as cores (at least 2), so the CLI restarts itself (cli/v8-threads.ts).
    const full = String(Math.max(2, availableParallelism()));
    const restarted = gatesim(['compare', ...STUDY, '--workers', full, '--out', join(tmp, 'wf')]);
    expect(restarted.stderr).toBe('');
    expect(restarted.status).toBe(0);
    const kept = gatesim(['compare', ...STUDY, '--workers', full, '--out', join(tmp, 'wk')], {
      GATESIM_KEEP_V8_THREADS: '1',
    });
    expect(kept.status).toBe(0);
    const a = read(join(tmp, 'wf'));
    const b = read(join(tmp, 'wk'));
    for (const f of FILES) expect(b[f], f).toBe(a[f]);
    // Bad input: the restarted run's exit code and one message, not two.
    const bad = gatesim(['compare', '--scenarios', 'no-such.yaml', '--workers', full, '--quiet']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'gatesim: no-such.yaml: no such file or folder',
    ]);
  });

  it('shards merged give exactly the unsharded result', () => {
    for (const shard of ['1/3', '2/3', '3/3']) {
      const r = gatesim([
        'compare',
        ...STUDY,
        '--workers',
        '1',
        '--shard',
        shard,
        '--out',
        join(tmp, `s${shard[0]}`),
      ]);
      expect(r.status).toBe(0);
      // A shard alone writes no report that could pass for a complete one.
      expect(existsSync(join(tmp, `s${shard[0]}`, 'summary.json'))).toBe(false);
    }
    const m = gatesim([
      'merge',
      join(tmp, 's3'),
      join(tmp, 's1'),
      join(tmp, 's2'),
      '--out',
      join(tmp, 'merged'),
    ]);
    expect(m.stderr).toBe('');
    expect(m.status).toBe(0);
    const whole = read(join(tmp, 'w1'));
    const merged = read(join(tmp, 'merged'));
    for (const f of FILES) expect(merged[f], f).toBe(whole[f]);
  });

  it('refuses an incomplete set of shards and bad input with exit 2 and no stack trace', () => {
    const m = gatesim(['merge', join(tmp, 's1'), join(tmp, 's2'), '--out', join(tmp, 'bad')]);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/missing shards: 3\/3/);
    const bad = gatesim(['compare', '--scenarios', 'no-such-folder', '--out', join(tmp, 'x')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no-such-folder: no such file or folder/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
    const shard = gatesim(['compare', ...STUDY, '--shard', '4/3', '--out', join(tmp, 'x')]);
    expect(shard.status).toBe(2);
    expect(shard.stderr).toMatch(/--shard: expected I\/N/);
    expect(readdirSync(tmp)).not.toContain('x');
  });

  it("explain tells one trial's story and writes its chart", () => {
    const svg = join(tmp, 'trial.svg');
    const out = execFileSync(
      process.execPath,
      [
        CLI,
        'explain',
        '--scenario',
        'scenarios/slow-memory-leak.yaml',
        '--policy',
        'policies/truthful.yaml',
        '--trial',
        '0',
        '--svg',
        svg,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(out).toMatch(
      /^gatesim explain — scenario slow-memory-leak, policy truthful, seed 1, trial 0/,
    );
    expect(out).toMatch(/outcome: /);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
  });
});
