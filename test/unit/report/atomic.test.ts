import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatesimError } from '../../../src/errors.js';
import type { TrialOutcome } from '../../../src/pipeline/types.js';
import {
  openReportWriter,
  REPORT_FILES,
  REPORT_MARKER,
  writeReports,
} from '../../../src/report/index.js';
import { makeSummary } from '../../fixtures/report/summary.js';
import { generateTrials, makeTrial } from '../../fixtures/report/trials.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gatesim-atomic-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

function failingAfter(n: number): AsyncGenerator<TrialOutcome> {
  return (async function* () {
    for (let i = 0; i < n; i++) yield makeTrial(i);
    throw new Error('simulation crashed');
  })();
}

describe('writeReports', () => {
  it('publishes every file plus the marker, and leaves nothing beside the folder', async () => {
    const out = join(root, 'report');
    const written = await writeReports(out, makeSummary(), generateTrials(10));
    expect(written).toEqual({ dir: out, files: REPORT_FILES, trials: 10 });
    expect((await readdir(out)).sort()).toEqual([...REPORT_FILES, REPORT_MARKER].sort());
    expect(await readdir(root)).toEqual(['report']);
  });

  it('publishes nothing when the trials fail half way, into a fresh folder', async () => {
    const out = join(root, 'report');
    await expect(writeReports(out, makeSummary(), failingAfter(500))).rejects.toThrow(
      'simulation crashed',
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('keeps the previous report byte for byte when a new one fails half way', async () => {
    const out = join(root, 'report');
    await writeReports(out, makeSummary(), generateTrials(3));
    const before = await snapshotDir(out);
    const other = makeSummary();
    other.seed = 7;
    await expect(writeReports(out, other, failingAfter(1_000))).rejects.toThrow(
      'simulation crashed',
    );
    expect(await snapshotDir(out)).toEqual(before);
    expect(await readdir(root)).toEqual(['report']);
  });

  it('keeps the previous report when rendering the summary fails after trials.csv is done', async () => {
    const out = join(root, 'report');
    await writeReports(out, makeSummary(), generateTrials(3));
    const before = await snapshotDir(out);
    const broken = makeSummary();
    // A corrupt summary (a rate missing): summary.json and summary.csv render, report.md throws.
    (broken.results[0] as { shippedBad: unknown }).shippedBad = undefined;
    await expect(writeReports(out, broken, generateTrials(50))).rejects.toThrow(TypeError);
    expect(await snapshotDir(out)).toEqual(before);
    expect(await readdir(root)).toEqual(['report']);
  });

  it('while writing, only a hidden partial folder changes', async () => {
    const out = join(root, 'report');
    await writeReports(out, makeSummary(), []);
    const before = await snapshotDir(out);
    let seen: string[] = [];
    async function* rows(): AsyncGenerator<TrialOutcome> {
      for (let i = 0; i < 3_000; i++) {
        if (i === 2_500) {
          seen = (await readdir(root)).sort();
          expect(await snapshotDir(out)).toEqual(before);
        }
        yield makeTrial(i);
      }
    }
    const next = makeSummary();
    next.seed = 9;
    await writeReports(out, next, rows());
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(new RegExp(`^\\.report\\.partial-${process.pid}-`));
    expect(seen[1]).toBe('report');
    // Committed: the new report replaced the old one and the old one is gone.
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).seed).toBe(9);
    expect(await readdir(root)).toEqual(['report']);
  });

  it('refuses to replace a folder that is not a gatesim report, and leaves it alone', async () => {
    const out = join(root, 'mine');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep me');
    const err = await writeReports(out, makeSummary(), []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatesimError);
    expect((err as GatesimError).code).toBe('out-dir-not-report');
    expect(await readdir(out)).toEqual(['notes.txt']);
    expect(await readdir(root)).toEqual(['mine']);
    await writeFile(join(root, 'file'), 'x');
    await expect(writeReports(join(root, 'file'), makeSummary(), [])).rejects.toThrow(
      /not a folder/,
    );
  });

  it('writes into an existing empty folder', async () => {
    const out = join(root, 'empty');
    await mkdir(out);
    await writeReports(out, makeSummary(), []);
    expect(await readdir(out)).toContain('report.html');
  });
});

describe('openReportWriter', () => {
  it('takes rows one at a time, then commits', async () => {
    const w = await openReportWriter(join(root, 'r'));
    for (let i = 0; i < 5; i++) await w.writeTrial(makeTrial(i));
    expect(await w.writeTrials(generateTrials(3))).toBe(3);
    const written = await w.commit(makeSummary());
    expect(written.trials).toBe(8);
    const text = await readFile(join(root, 'r', 'trials.csv'), 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(9);
    await expect(w.writeTrial(makeTrial(9))).rejects.toThrow(/already committed/);
  });

  it('abort removes the partial folder and keeps nothing', async () => {
    const w = await openReportWriter(join(root, 'r'));
    await w.writeTrial(makeTrial(0));
    await w.abort();
    expect(await readdir(root)).toEqual([]);
    await expect(w.commit(makeSummary())).rejects.toThrow(/already aborted/);
  });
});

describe('a run killed mid-write', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = join(here, '../../fixtures/report/interrupted-writer.ts');

  it('leaves the previous report intact, and the next run clears the leftovers', async () => {
    const out = join(root, 'report');
    await writeReports(out, makeSummary(), generateTrials(3));
    const before = await snapshotDir(out);

    const proc = spawn(process.execPath, ['--import', 'tsx', child, out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((res) =>
      proc.on('exit', (_code, signal) => res(signal)),
    );
    await new Promise<void>((res, rej) => {
      proc.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('mid')) res();
      });
      proc.on('exit', () =>
        rej(new Error(`child exited before the middle of the write: ${stderr}`)),
      );
    });
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The killed run left its partial folder (hidden) and did not touch the report.
    const left = await readdir(root);
    expect(left).toHaveLength(2);
    expect(left).toContain('report');
    expect(left.some((e) => e.startsWith(`.report.partial-${proc.pid}-`))).toBe(true);
    expect(await snapshotDir(out)).toEqual(before);

    // The next run sees the dead pid and removes the leftovers.
    await writeReports(out, makeSummary(), generateTrials(4));
    expect(await readdir(root)).toEqual(['report']);
  });
});
