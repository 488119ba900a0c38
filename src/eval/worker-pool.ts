/**
 * The worker threads every parallel run uses (compare's chunks, the searches', the deploy
 * stream's), made in one place so they share one memory setting and one error for running
 * out of it.
 */
import { Piscina } from 'piscina';
import { GatesimError } from '../errors.js';

/**
 * Each worker's V8 old-generation cap, in MB. Without one a worker takes the process's
 * default (4 GB on a large machine), and V8 lets a heap grow with room to spare in proportion
 * to its cap: two workers of a 100,000-trial compare held 305–314 MB of resident memory, with
 * this cap 257–266 MB, for about 4% more CPU (collections come sooner). A worker's live data is
 * one chunk's trials (or one stream) and the points they draw, which the limits on a trial's
 * cost keep to tens of MB, so the cap is many times what any valid input needs.
 */
export const WORKER_HEAP_MB = 512;

/** A pool of `workers` threads running `filename`, each heap capped at `heapMb`. */
export function openWorkerPool<T, R>(
  filename: string,
  workers: number,
  heapMb = WORKER_HEAP_MB,
): Piscina<T, R> {
  return new Piscina<T, R>({
    filename,
    minThreads: workers,
    maxThreads: workers,
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
}

/**
 * A worker stopped for running out of its heap, as a clear error (exit 2) instead of Node's;
 * any other error unchanged.
 */
export function explainWorkerError(e: unknown, heapMb = WORKER_HEAP_MB): unknown {
  if ((e as { code?: unknown } | null)?.code !== 'ERR_WORKER_OUT_OF_MEMORY') return e;
  return new GatesimError(
    'worker-out-of-memory',
    `a worker thread ran out of its ${heapMb} MB heap; run with --workers 1, which has no such cap`,
  );
}
