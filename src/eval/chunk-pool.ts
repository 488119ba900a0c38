/**
 * Runs tasks on worker threads in a bounded window and hands each result back in task order.
 * The searches (tune, recommend) run chunks of trials on it, ranges that need not start at
 * trial 0; the deploy stream runs its streams on it.
 */
import type { Piscina } from 'piscina';
import { CHUNK_SIZE, runChunk, type ChunkResult, type ChunkTask } from './chunk.js';
import { workerPath } from './study.js';
import { explainWorkerError, openWorkerPool } from './worker-pool.js';

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

/**
 * Runs tasks on worker threads running `script` (or in this thread with `runHere` when
 * workers ≤ 1) and hands each result back in task order, so whoever folds them gets the same
 * result for any worker count.
 */
export class OrderedPool<T, R> {
  private constructor(
    private readonly pool: Piscina<T, R> | undefined,
    private readonly workers: number,
    private readonly runHere: (task: T) => R,
  ) {}

  /** A pool of `workers` threads running `script()`, or this thread when workers ≤ 1. */
  static open<T, R>(
    workers: number,
    script: () => string,
    runHere: (task: T) => R,
  ): OrderedPool<T, R> {
    if (workers <= 1) return new OrderedPool<T, R>(undefined, 1, runHere);
    const pool = openWorkerPool<T, R>(script(), workers);
    return new OrderedPool(pool, workers, runHere);
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
    task: (k: number) => T,
    fold: (k: number, result: R) => void,
  ): Promise<void> {
    const pool = this.pool;
    if (pool === undefined) {
      for (let k = 0; k < count; k++) fold(k, this.runHere(task(k)));
      return;
    }
    const window = this.workers * 3;
    const inflight = new Map<number, Promise<R>>();
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
        const r = await inflight.get(k)!.catch((e: unknown) => {
          throw explainWorkerError(e);
        });
        inflight.delete(k);
        submit();
        fold(k, r);
      }
    } finally {
      // Let tasks still running settle so none rejects unobserved.
      await Promise.allSettled(inflight.values());
    }
  }
}

/** The pool the searches (tune, recommend) run chunks of trials on. */
export type ChunkPool = OrderedPool<ChunkTask, ChunkResult>;

/** A chunk pool of `workers` threads, or this thread when workers ≤ 1. */
export function openChunkPool(workers: number): ChunkPool {
  return OrderedPool.open(workers, workerPath, runChunk);
}
