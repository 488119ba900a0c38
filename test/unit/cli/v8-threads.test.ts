import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARENT_PID_ENV, wantsSingleThreadedV8 } from '../../../src/cli/v8-threads.js';
import { PARENT_PID_ENV as WRITER_PARENT_PID_ENV } from '../../../src/report/output-folder.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/cli/main.js');

describe('wantsSingleThreadedV8', () => {
  it('turns V8 background threads off only when the pool fills every core', () => {
    expect(wantsSingleThreadedV8(2, 2, [], {})).toBe(true);
    expect(wantsSingleThreadedV8(8, 4, [], {})).toBe(true);
    // A core to spare: V8's compiler and collector use it for free.
    expect(wantsSingleThreadedV8(2, 4, [], {})).toBe(false);
    // One worker runs in the main thread; there is no pool to compete with.
    expect(wantsSingleThreadedV8(1, 1, [], {})).toBe(false);
  });

  it('never restarts twice, and can be switched off', () => {
    expect(wantsSingleThreadedV8(2, 2, ['--single-threaded'], {})).toBe(false);
    expect(wantsSingleThreadedV8(2, 2, [], { GATESIM_KEEP_V8_THREADS: '1' })).toBe(false);
  });
});

/** A process's parent pid and state from /proc, or undefined once it is gone (or a zombie). */
function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (2nd field) may hold spaces; the fields after it are fixed.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' ? undefined : { ppid: Number(ppid), state: state! };
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((p) => procStat(p)?.ppid === pid);
}

async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(process.platform === 'linux')('the single-threaded restart', () => {
  it('shares one variable with the writer: outputs publish only while the parent lives', () => {
    expect(PARENT_PID_ENV).toBe(WRITER_PARENT_PID_ENV);
  });

  it('kill -9 of the parent: the child stops within seconds and publishes nothing', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gatesim-orphan-'));
    const out = join(tmp, 'out');
    // As many workers as cores (at least 2): the command restarts itself in a child.
    const workers = String(Math.max(2, availableParallelism()));
    const parent = spawn(
      process.execPath,
      [
        CLI,
        'compare',
        '--scenarios',
        'scenarios/slow-memory-leak.yaml',
        '--policies',
        'policies/truthful.yaml',
        '--trials',
        '200000',
        '--workers',
        workers,
        '--quiet',
        '--out',
        out,
      ],
      { cwd: ROOT, stdio: 'ignore', env: { ...process.env, GATESIM_KEEP_V8_THREADS: '' } },
    );
    let child: number | undefined;
    try {
      // Mid-run: the child exists and has opened its hidden output folder.
      child = await waitFor(() => {
        const [c] = childrenOf(parent.pid!);
        return c !== undefined && readdirSync(tmp).some((e) => e.includes(`partial-${c}-`))
          ? c
          : undefined;
      }, 30_000);
      expect(child, 'the restarted child and its partial folder').toBeDefined();
      const exited = new Promise<NodeJS.Signals | null>((r) => parent.on('exit', (_c, s) => r(s)));
      process.kill(parent.pid!, 'SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const gone = await waitFor(() => (procStat(child!) === undefined ? true : undefined), 5_000);
      expect(gone, `child ${child} still running 5 s after its parent was killed`).toBe(true);
      // Nothing was published, and the child removed its partial folder on the way out.
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      if (procStat(parent.pid!) !== undefined) process.kill(parent.pid!, 'SIGKILL');
      if (child !== undefined && procStat(child) !== undefined) process.kill(child, 'SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
