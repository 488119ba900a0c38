/**
 * Runs a list of chunk tasks on worker threads (or in this thread when workers ≤ 1) and hands
 * each result back in task order, so whoever folds them gets the same result for any worker
 * count. Used by the searches (tune, recommend), which run ranges of trials that need not
 * start at trial 0.
 */
import { Piscina } from 'piscina';
import { CHUNK_SIZE, runChunk, type ChunkResult, type ChunkTask } from './chunk.js';
import { workerPath } from './study.js';

/** Trial ranges [from, to) cut at multiples of CHUNK_SIZE, the boundaries every study uses. */
export function chunkRanges(from: number, to: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let a = from;
  while (a < to) {
    const b = Math.min(to, (Math.floor(a / CHUNK_SIZE) + 1) * CHUNK_SIZE);
    out.push({ from: a, to: b });
    a = b;
  }
  return out;
}

export class ChunkPool {
  private constructor(
    private readonly pool: Piscina<ChunkTask, ChunkResult> | undefined,
    private readonly workers: number,
  ) {}

  /** A pool of `workers` threads, or this thread when workers ≤ 1. */
  static open(workers: number): ChunkPool {
    if (workers <= 1) return new ChunkPool(undefined, 1);
    const pool = new Piscina<ChunkTask, ChunkResult>({
      filename: workerPath(),
      minThreads: workers,
      maxThreads: workers,
    });
    return new ChunkPool(pool, workers);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }

  /**
   * Runs tasks 0…count−1 (`task(k)` makes the k-th) and calls `fold(k, result)` in order of k.
   * On threads, at most three tasks per worker are in flight.
   */
  async runInOrder(
    count: number,
    task: (k: number) => ChunkTask,
    fold: (k: number, result: ChunkResult) => void,
  ): Promise<void> {
    const pool = this.pool;
    if (pool === undefined) {
      for (let k = 0; k < count; k++) fold(k, runChunk(task(k)));
      return;
    }
    const window = this.workers * 3;
    const inflight = new Map<number, Promise<ChunkResult>>();
    let next = 0;
    const submit = (): void => {
      while (next < count && inflight.size < window) {
        inflight.set(next, pool.run(task(next)));
        next++;
      }
    };
    submit();
    try {
      for (let k = 0; k < count; k++) {
        const r = await inflight.get(k)!;
        inflight.delete(k);
        submit();
        fold(k, r);
      }
    } finally {
      // Let chunks still running settle so none rejects unobserved.
      await Promise.allSettled(inflight.values());
    }
  }
}
