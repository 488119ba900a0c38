import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GatesimError } from '../../../src/errors.js';
import {
  explainWorkerError,
  openWorkerPool,
  WORKER_HEAP_MB,
} from '../../../src/eval/worker-pool.js';

const dir = mkdtempSync(join(tmpdir(), 'gatesim-worker-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A worker script in the temporary folder, its default export the task. */
function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `import { resourceLimits } from 'node:worker_threads';\n${body}\n`);
  return file;
}

describe('worker pool', () => {
  it('caps each worker heap at WORKER_HEAP_MB', async () => {
    const pool = openWorkerPool<null, number | undefined>(
      script('limits.mjs', 'export default () => resourceLimits.maxOldGenerationSizeMb;'),
      2,
    );
    try {
      expect(await pool.run(null)).toBe(WORKER_HEAP_MB);
    } finally {
      await pool.destroy();
    }
  });

  it('turns a worker that runs out of its heap into a clear error naming the cap and the way out', async () => {
    const pool = openWorkerPool<null, never>(
      script(
        'greedy.mjs',
        'export default () => { const held = []; for (;;) held.push(new Array(1e5).fill(1.5)); };',
      ),
      2,
      16,
    );
    try {
      const error = await pool.run(null).then(
        () => undefined,
        (e: unknown) => explainWorkerError(e, 16),
      );
      expect(error).toBeInstanceOf(GatesimError);
      expect((error as GatesimError).code).toBe('worker-out-of-memory');
      expect((error as GatesimError).message).toBe(
        'a worker thread ran out of its 16 MB heap; run with --workers 1, which has no such cap',
      );
    } finally {
      await pool.destroy();
    }
  });

  it('leaves every other error as it was', () => {
    const e = new Error('boom');
    expect(explainWorkerError(e)).toBe(e);
    expect(explainWorkerError(undefined)).toBeUndefined();
  });
});
