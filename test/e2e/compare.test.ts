/**
 * The main command end to end, through the built CLI: results are byte-identical for any
 * worker count, and sharded runs merged give exactly what one run writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const FILES = ['summary.json', 'summary.csv', 'trials.csv', 'report.md', 'report.html'];

function gatesim(
  args: string[],
  env: Record<string, string> = {},
  options: { uid?: number; gid?: number; nodeArgs?: string[] } = {},
): { status: number | null; stdout: string; stderr: string } {
  const { nodeArgs = [], ...ids } = options;
  const r = spawnSync(process.execPath, [...nodeArgs, CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    ...ids,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A folder this test may read but not write, and the identity to run gatesim as so that
 * writing there fails with EACCES: the test's own when it is not root (the folder is mode
 * 555), `nobody` when it is root (root ignores permissions).
 */
function readOnlyFolder(parent: string): { dir: string; as: { uid?: number; gid?: number } } {
  chmodSync(parent, 0o755);
  const dir = join(parent, 'read-only');
  mkdirSync(dir, { mode: 0o555 });
  chmodSync(dir, 0o555);
  return { dir, as: process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {} };
}

/** No JavaScript stack frame and no dumped JSON in what the command printed. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/\{"index"/);
  expect(stderr.length).toBeLessThan(1_000);
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

  it('compare --shard and merge refuse, with exit 2, to replace a folder gatesim did not write', () => {
    for (const [name, args] of [
      ['shard', ['compare', ...STUDY, '--workers', '1', '--shard', '1/3']],
      ['merge', ['merge', join(tmp, 's1'), join(tmp, 's2'), join(tmp, 's3')]],
      ['compare', ['compare', ...STUDY, '--workers', '1']],
    ] as const) {
      const mine = join(tmp, `mine-${name}`);
      mkdirSync(mine);
      writeFileSync(join(mine, 'keep.txt'), 'keep me');
      const r = gatesim([...args, '--out', mine]);
      expect(r.status, name).toBe(2);
      expect(r.stderr, name).toBe(
        `gatesim: ${mine} is not empty and is not a gatesim output (no .gatesim-report); the output replaces the whole folder, so choose an empty or new folder\n`,
      );
      expect(readdirSync(mine), name).toEqual(['keep.txt']);
      expect(readFileSync(join(mine, 'keep.txt'), 'utf8')).toBe('keep me');
    }
    // The folders gatesim wrote are replaced as a whole, a shard by a shard or a report.
    const again = gatesim([
      'compare',
      ...STUDY,
      '--workers',
      '1',
      '--shard',
      '1/3',
      '--out',
      join(tmp, 's1'),
    ]);
    expect(again.status).toBe(0);
    expect(readdirSync(join(tmp, 's1')).sort()).toEqual([
      '.gatesim-report',
      'chunks.jsonl',
      'shard.json',
    ]);
    // Merging into one of the shards being read would delete it.
    const into = gatesim([
      'merge',
      join(tmp, 's1'),
      join(tmp, 's2'),
      join(tmp, 's3'),
      '--out',
      join(tmp, 's2'),
    ]);
    expect(into.status).toBe(2);
    expect(into.stderr).toBe(
      `gatesim: --out ${join(tmp, 's2')} is one of the shard folders being merged; choose another folder\n`,
    );
  });

  it('output errors (a file in the path, a read-only folder) exit 2 and name the path', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a folder');
    const shards = [join(tmp, 's1'), join(tmp, 's2'), join(tmp, 's3')];
    const commands = {
      compare: ['compare', ...STUDY, '--workers', '1'],
      shard: ['compare', ...STUDY, '--workers', '1', '--shard', '2/3'],
      merge: ['merge', ...shards],
    };
    for (const [name, args] of Object.entries(commands)) {
      const out = join(file, 'out');
      const r = gatesim([...args, '--out', out]);
      expect(r.status, name).toBe(2);
      expect(r.stderr, name).toBe(
        `gatesim: cannot write ${out}: ${file} is a file, not a folder (ENOTDIR)\n`,
      );
    }
    const ro = readOnlyFolder(mkdtempSync(join(tmpdir(), 'gatesim-ro-')));
    // The shards must be readable by whoever runs the merge.
    const readable = mkdtempSync(join(tmpdir(), 'gatesim-shards-'));
    chmodSync(readable, 0o755);
    const copies = shards.map((s, i) => {
      const to = join(readable, `s${i + 1}`);
      cpSync(s, to, { recursive: true });
      return to;
    });
    for (const [name, args] of Object.entries({ ...commands, merge: ['merge', ...copies] })) {
      const out = join(ro.dir, 'out');
      const r = gatesim([...args, '--out', out], {}, ro.as);
      expect(r.status, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toBe(
        `gatesim: cannot write ${out}: ${ro.dir}: permission denied (EACCES)\n`,
      );
      expectNoStack(r.stderr);
      expect(readdirSync(ro.dir)).toEqual([]);
    }
  });

  it('merge names the file and line of a truncated or corrupted chunks.jsonl, and writes nothing', () => {
    const copy = (name: string): { dir: string; chunks: string; lines: string[] } => {
      const dir = join(tmp, name);
      cpSync(join(tmp, 's2'), dir, { recursive: true });
      const chunks = join(dir, 'chunks.jsonl');
      return { dir, chunks, lines: readFileSync(chunks, 'utf8').split('\n') };
    };
    const merge = (shard2: string, out: string) =>
      gatesim(['merge', join(tmp, 's1'), shard2, join(tmp, 's3'), '--out', out]);
    // Cut in the middle of the last line (a disk that filled, a copy that stopped).
    const cut = copy('cut');
    const text = readFileSync(cut.chunks, 'utf8');
    writeFileSync(cut.chunks, text.slice(0, text.length - 500));
    const a = merge(cut.dir, join(tmp, 'm-cut'));
    expect(a.status).toBe(2);
    expect(a.stderr).toBe(
      `gatesim: ${cut.chunks}:${cut.lines.length - 1}: not a complete JSON line (the file is truncated or corrupted)\n`,
    );
    // Whole lines missing at the end.
    const short = copy('short');
    writeFileSync(short.chunks, short.lines.slice(0, 1).join('\n') + '\n');
    const b = merge(short.dir, join(tmp, 'm-short'));
    expect(b.status).toBe(2);
    expect(b.stderr).toBe(
      `gatesim: ${short.chunks}: ends after 1 chunk, but ${join(short.dir, 'shard.json')} records ${short.lines.length - 1}; the shard is truncated\n`,
    );
    // A changed digit that still parses: caught by the line's checksum.
    const flipped = copy('flipped');
    flipped.lines[1] = flipped.lines[1]!.replace(
      /"trials":(\d)/,
      (_m, d: string) => `"trials":${(Number(d) + 1) % 10}`,
    );
    writeFileSync(flipped.chunks, flipped.lines.join('\n'));
    const c = merge(flipped.dir, join(tmp, 'm-flipped'));
    expect(c.status).toBe(2);
    expect(c.stderr).toBe(
      `gatesim: ${flipped.chunks}:2: the line does not match its checksum (the file is corrupted)\n`,
    );
    // Not a chunk at all.
    const junk = copy('junk');
    junk.lines[0] = '{"hello":"world"}';
    writeFileSync(junk.chunks, junk.lines.join('\n'));
    const d = merge(junk.dir, join(tmp, 'm-junk'));
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(new RegExp(`^gatesim: ${junk.chunks}:1: expected a chunk`));
    // A corrupted shard.json.
    const meta = copy('meta');
    writeFileSync(join(meta.dir, 'shard.json'), '{"gatesimShard": 2, "seed": ');
    const e = merge(meta.dir, join(tmp, 'm-meta'));
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(
      new RegExp(`^gatesim: ${join(meta.dir, 'shard.json')}: not valid JSON`),
    );
    for (const r of [a, b, c, d, e]) expectNoStack(r.stderr);
    for (const out of ['m-cut', 'm-short', 'm-flipped', 'm-junk', 'm-meta'])
      expect(existsSync(join(tmp, out)), out).toBe(false);
  });

  it('a trial that throws names scenario, policy, seed and trial, and the explain command replays it', () => {
    // A judge that throws where a threshold would fail (test/fixtures/cli/explodes-judge.mjs),
    // preloaded into the CLI, its restarted child and its worker threads.
    const preload = ['--import', './test/fixtures/cli/explodes-judge.mjs'];
    const out = join(tmp, 'explodes');
    const full = String(Math.max(2, availableParallelism()));
    const r = gatesim(
      [
        'compare',
        '--scenarios',
        'scenarios/error-spike-under-peak.yaml',
        '--policies',
        'policies/fixed-bake.yaml',
        'test/fixtures/cli/explodes.yaml',
        '--trials',
        '100',
        '--seed',
        '5',
        '--workers',
        full,
        '--quiet',
        '--out',
        out,
      ],
      {},
      { nodeArgs: preload },
    );
    // Still a bug, so exit 1; but the message says where, and how to replay it.
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(
      /^gatesim: trial (\d+)( \(replayed for the Friday test at \w+ \d+:\d+ local, minute [\d.]+ of the week\))? of scenario error-spike-under-peak under policy explodes \(seed 5\) threw RangeError: the explodes judge met a failing measurement$/,
    );
    const replay =
      /^replay it: gatesim (explain --scenario scenarios\/error-spike-under-peak\.yaml --policy test\/fixtures\/cli\/explodes\.yaml --seed 5 --trial (\d+)(?: --start-at [\d.]+)?)$/.exec(
        lines[1]!,
      );
    expect(replay, lines[1]).not.toBeNull();
    expect(replay![2]).toBe(/trial (\d+)/.exec(lines[0]!)![1]);
    // The original exception's stack follows; the worker pool's shutdown adds nothing.
    expect(r.stderr).toMatch(/\nRangeError: the explodes judge met a failing measurement\n\s+at /);
    expect(r.stderr).not.toMatch(/Terminating worker|Unhandled|triggerUncaughtException/);
    expect(existsSync(out)).toBe(false);
    // The printed command replays that very trial: it throws the same exception.
    const again = gatesim(
      [...replay![1]!.split(' '), '--svg', join(tmp, 'replay.svg')],
      {},
      { nodeArgs: preload },
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/RangeError: the explodes judge met a failing measurement/);
    // And the trial before it does not.
    const trial = Number(replay![2]);
    if (trial > 0 && !lines[0]!.includes('replayed for the Friday test')) {
      const before = gatesim(
        [
          ...replay![1]!.replace(/--trial \d+/, `--trial ${trial - 1}`).split(' '),
          '--svg',
          join(tmp, 'before.svg'),
        ],
        {},
        { nodeArgs: preload },
      );
      expect(before.stderr).not.toMatch(/RangeError/);
    }
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
    // A pinned start, as a failing Friday-test replay's command gives it.
    const pinnedRun = gatesim([
      'explain',
      '--scenario',
      'scenarios/slow-memory-leak.yaml',
      '--policy',
      'policies/truthful.yaml',
      '--trial',
      '4',
      '--start-at',
      '6720',
      '--svg',
      svg,
    ]);
    expect(pinnedRun.status).toBe(0);
    expect(pinnedRun.stdout.split('\n')[1]).toBe('started fri 16:00 UTC');
  });
});
