/**
 * The one output-folder writer behind compare, compare --shard, merge and backtest, under a
 * full disk. ENOSPC cannot be provoked without privileges (a tiny tmpfs), so the file system
 * is wrapped: writes to a chosen file fail as a full disk makes them fail. Every failure must
 * be a GatesimError naming the file, leave the previous output byte for byte and leave no
 * hidden folder behind.
 */
import type * as Fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runBacktest, writeBacktestReport } from '../../../src/backtest/index.js';
import { GatesimError } from '../../../src/errors.js';
import { PARENT_PID_ENV, writeReports } from '../../../src/report/index.js';
import { makeSummary } from '../../fixtures/report/summary.js';
import { generateTrials } from '../../fixtures/report/trials.js';

/** Which file's writes fail (matched against the path written), and after how many bytes. */
const disk = vi.hoisted(() => ({
  full: undefined as RegExp | undefined,
  after: 0,
  /** Files whose open() is refused, as a file-system policy (SELinux, a quota) may refuse. */
  denied: undefined as RegExp | undefined,
}));

function enospc(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), {
    code: 'ENOSPC',
    errno: -28,
    syscall,
  });
}

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  const open: typeof fs.open = async (path, ...rest) => {
    if (disk.denied?.test(String(path)) === true)
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), {
        code: 'EACCES',
        errno: -13,
        syscall: 'open',
        path: String(path),
      });
    const fh = await fs.open(path, ...rest);
    if (disk.full === undefined || !disk.full.test(String(path))) return fh;
    let written = 0;
    const fill = (n: number): void => {
      written += n;
      if (written > disk.after) throw enospc('write');
    };
    return new Proxy(fh, {
      get(target, key) {
        if (key === 'write')
          return async (data: string | Uint8Array, ...args: unknown[]) => {
            fill(typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
            return (target.write as (...a: unknown[]) => unknown)(data, ...args);
          };
        if (key === 'writeFile')
          return async (data: string) => {
            fill(Buffer.byteLength(data));
            return target.writeFile(data);
          };
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  return { ...fs, default: { ...fs, open }, open };
});

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  const createWriteStream = ((path: string, options?: unknown) => {
    if (disk.full === undefined || !disk.full.test(String(path)))
      return fs.createWriteStream(path, options as never);
    const real = fs.createWriteStream(path, options as never);
    let written = 0;
    return new Writable({
      write(chunk: Buffer, _enc, done) {
        written += chunk.byteLength;
        if (written > disk.after) done(enospc('write'));
        else real.write(chunk, done);
      },
      final(done) {
        real.end(done);
      },
      destroy(err, done) {
        real.destroy();
        done(err);
      },
    });
  }) as typeof fs.createWriteStream;
  return { ...fs, default: { ...fs, createWriteStream }, createWriteStream };
});

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gatesim-full-disk-'));
  disk.full = undefined;
  disk.denied = undefined;
});
afterEach(async () => {
  disk.full = undefined;
  disk.denied = undefined;
  await rm(root, { recursive: true, force: true });
});

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

async function failure(p: Promise<unknown>): Promise<GatesimError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GatesimError);
  return e as GatesimError;
}

describe('a full disk (ENOSPC)', () => {
  for (const [file, after] of [
    ['trials.csv', 50_000],
    ['summary.json', 0],
    ['report.html', 1_000],
  ] as const) {
    it(`while writing ${file}: the report names the file, exits as bad input, keeps the previous one`, async () => {
      const out = join(root, 'report');
      await writeReports(out, makeSummary(), generateTrials(3));
      const before = await snapshot(out);
      disk.full = new RegExp(`[\\\\/]${file.replace('.', '\\.')}$`);
      disk.after = after;
      const e = await failure(writeReports(out, makeSummary(), generateTrials(2_000)));
      expect(e.code).toBe('output-error');
      expect(e.message).toBe(
        `cannot write ${out}: ${join(out, file)}: no space left on the device (ENOSPC)`,
      );
      disk.full = undefined;
      expect(await snapshot(out)).toEqual(before);
      expect(await readdir(root)).toEqual(['report']);
    });
  }
});

describe('a file the system refuses to create (EACCES on open)', () => {
  it('is named as it would be published, not by the hidden folder it was in', async () => {
    const out = join(root, 'report');
    disk.denied = /[\\/]report\.md$/;
    const e = await failure(writeReports(out, makeSummary(), generateTrials(3)));
    expect(e.message).toBe(
      `cannot write ${out}: ${join(out, 'report.md')}: permission denied (EACCES)`,
    );
    expect(await readdir(root)).toEqual([]);
  });
});

describe('backtest output', async () => {
  const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'backtest');
  const result = await runBacktest({
    metrics: join(FIXTURE, 'metrics.csv'),
    deploys: join(FIXTURE, 'deploys.csv'),
    policy: join(FIXTURE, 'one-box-then-fleet.yaml'),
    incidents: join(FIXTURE, 'incidents.csv'),
  });

  it('is written whole or not at all: a full disk half way leaves no folder', async () => {
    const out = join(root, 'backtest');
    disk.full = /measurements\.csv$/;
    disk.after = 500;
    const e = await failure(writeBacktestReport(result, out));
    expect(e.message).toBe(
      `cannot write ${out}: ${join(out, 'measurements.csv')}: no space left on the device (ENOSPC)`,
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('replaces a previous backtest as a whole, and keeps it when the new one fails', async () => {
    const out = join(root, 'backtest');
    await writeBacktestReport(result, out);
    await writeFile(join(out, 'stale.csv'), 'from an older run');
    await writeBacktestReport(result, out);
    expect((await readdir(out)).sort()).toEqual([
      '.gatesim-report',
      'backtest-summary.json',
      'backtest.md',
      'decisions.csv',
      'measurements.csv',
    ]);
    const before = await snapshot(out);
    disk.full = /backtest\.md$/;
    disk.after = 0;
    await failure(writeBacktestReport(result, out));
    disk.full = undefined;
    expect(await snapshot(out)).toEqual(before);
    expect(await readdir(root)).toEqual(['backtest']);
  });

  it('refuses to replace a folder it did not write', async () => {
    const out = join(root, 'mine');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'keep me');
    const e = await failure(writeBacktestReport(result, out));
    expect(e.code).toBe('out-dir-not-report');
    expect(await snapshot(out)).toEqual({ 'keep.txt': 'keep me' });
  });
});

describe('the published folder', () => {
  it('has the permissions of any new folder (the umask), not a private temporary folder’s', async () => {
    const out = join(root, 'report');
    await writeReports(out, makeSummary(), generateTrials(1));
    const probe = join(root, 'probe');
    await mkdir(probe);
    expect((await stat(out)).mode & 0o777).toBe((await stat(probe)).mode & 0o777);
  });
});

describe('a run restarted in a child (cli/v8-threads.ts)', () => {
  afterEach(() => {
    delete process.env[PARENT_PID_ENV];
  });

  it('publishes only while the parent that started it is alive', async () => {
    const out = join(root, 'report');
    process.env[PARENT_PID_ENV] = String(process.ppid);
    await writeReports(out, makeSummary(), generateTrials(2));
    const before = await snapshot(out);
    // The parent died: this process was handed to another (its ppid changed).
    process.env[PARENT_PID_ENV] = String(process.ppid === 1 ? 2 : 1);
    const e = await failure(writeReports(out, makeSummary(), generateTrials(5)));
    expect(e.code).toBe('parent-gone');
    expect(await snapshot(out)).toEqual(before);
    expect(await readdir(root)).toEqual(['report']);
  });
});
