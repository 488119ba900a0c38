/**
 * `gatesim stream` end to end, through the built CLI: the same bytes for any worker count,
 * shards merged into exactly one run's folder, and bad input refused with exit 2 naming the
 * file and the path inside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const FILES = ['deploys.csv', 'report.html', 'report.md', 'stream.json'];

function gatesim(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const WORLD = `
description: a small world for the stream command
fleet:
  regions:
    - { name: main, trafficShare: 1, hosts: 20, utcOffsetHours: 0 }
traffic: { peakRequestsPerMin: 20000, diurnalAmplitude: 0.3, peakHourLocal: 14, weekendFactor: 0.8 }
schedule: { days: [mon, tue, wed, thu, fri], fromHour: 9, toHour: 17, region: main }
builds:
  badShare: 0.2
  bad:
    - { name: errors, weight: 1, faults: [{ kind: error-rate, add: { min: 0.005, max: 0.03 } }] }
confounders:
  - { kind: upstream-incident, ratePerDay: 0.5, errorAdd: 0.02, duration: 30m }
stream: { changesPerDay: 6 }
`;

const CANARY = `
description: a one-box canary
stages:
  - name: canary
    target: { kind: hosts, region: main, count: 2 }
    bake: 30m
    checks:
      - { name: errors, metric: error_rate, judge: { kind: threshold, max: 0.006 }, interval: 5m }
  - { name: all, target: { kind: fleet, share: 1 }, bake: 0m }
`;

function setup(): { dir: string; study: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'gatesim-stream-'));
  writeFileSync(join(dir, 'world.yaml'), WORLD);
  writeFileSync(join(dir, 'canary.yaml'), CANARY);
  const study = [
    'stream',
    '--scenarios',
    join(dir, 'world.yaml'),
    '--policies',
    join(ROOT, 'policies/green-ci-only.yaml'),
    join(dir, 'canary.yaml'),
    '--weeks',
    '1',
    '--streams',
    '3',
    '--sweep-streams',
    '2',
    '--crossover',
    'canary',
    '--seed',
    '5',
    '--quiet',
  ];
  return { dir, study };
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('gatesim stream', () => {
  it('writes the same bytes for 1 and 2 workers, and shards merged give the same', () => {
    const { dir, study } = setup();
    const one = gatesim([...study, '--workers', '1', '--out', join(dir, 'one')]);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    expect(readdirSync(join(dir, 'one')).sort()).toEqual([...FILES, '.gatesim-report'].sort());
    const two = gatesim([...study, '--workers', '2', '--out', join(dir, 'two')]);
    expect(two.status).toBe(0);
    expect(files(join(dir, 'two'))).toEqual(files(join(dir, 'one')));
    for (const s of ['1/3', '2/3', '3/3']) {
      const r = gatesim([...study, '--shard', s, '--out', join(dir, `shard-${s[0]}`)]);
      expect(r.status).toBe(0);
    }
    const merged = gatesim([
      'stream',
      '--merge',
      join(dir, 'shard-3'),
      join(dir, 'shard-1'),
      join(dir, 'shard-2'),
      '--out',
      join(dir, 'merged'),
    ]);
    expect(merged.stderr).toBe('');
    expect(merged.status).toBe(0);
    expect(files(join(dir, 'merged'))).toEqual(files(join(dir, 'one')));
    // A missing shard is refused, not merged into a smaller study.
    const partial = gatesim([
      'stream',
      '--merge',
      join(dir, 'shard-1'),
      join(dir, 'shard-2'),
      '--out',
      join(dir, 'partial'),
    ]);
    expect(partial.status).toBe(2);
    expect(partial.stderr).toMatch(/only 2 of 3 shards/);
    // stream.json has the fields docs/reports.md documents.
    const json = JSON.parse(files(join(dir, 'one'))['stream.json']!);
    const p = json.scenarios[0].policies[1];
    for (const key of [
      'deploymentsPerDay',
      'leadTimeForChangesMin',
      'changeFailureRate',
      'timeToRestoreMin',
      'overrideRate',
      'meanBatchSize',
    ])
      expect(p).toHaveProperty(key);
    expect(json.scenarios[0].crossover.curves).toHaveLength(3);
  });

  it('explains any row of deploys.csv: the deploy replays with the outcome the study recorded', () => {
    const { dir, study } = setup();
    const run = gatesim([
      ...study,
      '--crossover',
      'none',
      '--workers',
      '1',
      '--out',
      join(dir, 'x'),
    ]);
    expect(run.status).toBe(0);
    const [header, ...lines] = readFileSync(join(dir, 'x', 'deploys.csv'), 'utf8')
      .trim()
      .split('\n');
    const col = (name: string) => header!.split(',').indexOf(name);
    const rows = lines.map((l) => l.split(',')).filter((r) => r[col('policy')] === 'canary');
    // A shipped deploy and one the canary stopped, at least.
    const stopped = rows.find((r) => r[col('detectedBy')] === 'errors');
    const shipped = rows.find((r) => r[col('final')] === 'shipped' && r[col('deploy')] !== '0');
    expect(stopped).toBeDefined();
    expect(shipped).toBeDefined();
    for (const r of [stopped!, shipped!]) {
      const [stream, deploy, trial] = ['stream', 'deploy', 'trial'].map((c) => r[col(c)]!) as [
        string,
        string,
        string,
      ];
      const e = gatesim([
        'explain',
        '--scenario',
        join(dir, 'world.yaml'),
        '--policy',
        join(dir, 'canary.yaml'),
        '--stream',
        stream,
        '--deploy',
        deploy,
        '--weeks',
        '1',
        '--seed',
        '5',
        '--svg',
        join(dir, `d${deploy}.svg`),
      ]);
      expect(e.stderr).toBe('');
      expect(e.status).toBe(0);
      expect(e.stdout).toContain(`stream ${stream} (1 weeks), deploy ${deploy}: gated`);
      expect(e.stdout).toContain(`seed 5, trial ${trial}`);
      const final = r[col('final')]!;
      expect(e.stdout).toMatch(new RegExp(`outcome: ${final}`));
      if (r === stopped) expect(e.stdout).toContain('stopped by errors');
    }
    // What is not a deploy of the stream, or not one question, is refused with exit 2.
    const base = [
      'explain',
      '--scenario',
      join(dir, 'world.yaml'),
      '--policy',
      join(dir, 'canary.yaml'),
    ];
    const beyond = gatesim([
      ...base,
      '--stream',
      '0',
      '--deploy',
      '100000',
      '--weeks',
      '1',
      '--seed',
      '5',
    ]);
    expect(beyond.status).toBe(2);
    expect(beyond.stderr).toMatch(
      /--deploy 100000: stream 0 of .* under canary \(seed 5, 1 weeks\) made \d+ deploys/,
    );
    const both = gatesim([...base, '--trial', '3', '--stream', '0', '--deploy', '1']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give one or the other/);
    const long = gatesim([...base, '--stream', '0', '--deploy', '1', '--weeks', '53']);
    expect(long.status).toBe(2);
    expect(long.stderr.trim()).toBe(
      'gatesim: --weeks: expected a whole number in [1, 52], got "53"',
    );
    const half = gatesim([...base, '--stream', '0']);
    expect(half.status).toBe(2);
    expect(half.stderr).toMatch(/--deploy is missing/);
  });

  it('refuses bad input with exit 2, naming the file and the path inside it', () => {
    const { dir, study } = setup();
    writeFileSync(
      join(dir, 'world.yaml'),
      WORLD.replace(
        'stream: { changesPerDay: 6 }',
        'stream: { changesPerDay: -1, fatigue: { steepnes: 2 } }',
      ),
    );
    const r = gatesim([...study, '--out', join(dir, 'bad')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('world.yaml');
    expect(r.stderr).toContain('stream.changesPerDay');
    expect(r.stderr).toContain(
      'stream.fatigue.steepnes: unknown key `steepnes`; did you mean `steepness`?',
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const weeks = gatesim(['stream', '--weeks', 'two', '--quiet', '--out', join(dir, 'x')]);
    expect(weeks.status).toBe(2);
    expect(weeks.stderr).toMatch(/--weeks: expected a whole number in \[1, 52\], got "two"/);
    const shard = gatesim(['stream', '--shard', '1/2', '--quiet', '--out', join(dir, 'y')]);
    expect(shard.status).toBe(2);
    expect(shard.stderr).toMatch(/--shard: name the crossover policy/);
  });
});
