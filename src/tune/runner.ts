/**
 * Runs a range of trials for many policy variants and folds them into per-(scenario, variant)
 * partials. Unlike `runStudyChunks`, a range may start past trial 0, so successive halving
 * adds trials to the candidates that survive without re-running the ones they already have.
 *
 * Chunks are cut at the same fixed boundaries as a study (multiples of CHUNK_SIZE) and
 * folded in chunk order, so the partials are bit-for-bit those of a compare run of the same
 * variants, and identical for any worker count.
 */
import { Piscina } from 'piscina';
import { emptyPartial, mergePartial, type PairPartial } from '../eval/aggregate.js';
import { CHUNK_SIZE, runChunk, type ChunkResult, type ChunkTask } from '../eval/chunk.js';
import { workerPath } from '../eval/study.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';

/** Trial-range plans: [from, to) cut at multiples of CHUNK_SIZE, scenario by scenario. */
export function planRange(
  scenarioCount: number,
  from: number,
  to: number,
): { scenario: number; from: number; to: number }[] {
  const plans: { scenario: number; from: number; to: number }[] = [];
  for (let s = 0; s < scenarioCount; s++) {
    let a = from;
    while (a < to) {
      const b = Math.min(to, (Math.floor(a / CHUNK_SIZE) + 1) * CHUNK_SIZE);
      plans.push({ scenario: s, from: a, to: b });
      a = b;
    }
  }
  return plans;
}

/** A pool of trial runners: worker threads, or this thread when workers ≤ 1. */
export class TrialRunner {
  private constructor(
    private readonly pool: Piscina<ChunkTask, ChunkResult> | undefined,
    private readonly workers: number,
  ) {}

  static open(workers: number): TrialRunner {
    if (workers <= 1) return new TrialRunner(undefined, 1);
    const pool = new Piscina<ChunkTask, ChunkResult>({
      filename: workerPath(),
      minThreads: workers,
      maxThreads: workers,
    });
    return new TrialRunner(pool, workers);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }

  /**
   * Runs trials [from, to) of every scenario under every policy and returns the partials,
   * indexed [scenario][policy]. Given `into` (the partials of trials before `from`), chunks
   * fold into those in order, exactly as one longer run would. `onChunk` reports progress.
   */
  async run(
    scenarios: readonly ScenarioConfig[],
    policies: readonly PolicyConfig[],
    seed: number,
    from: number,
    to: number,
    onChunk?: (trials: number) => void,
    into?: PairPartial[][],
  ): Promise<PairPartial[][]> {
    const out = into ?? scenarios.map(() => policies.map(() => emptyPartial()));
    if (policies.length === 0 || to <= from) return out;
    const plans = planRange(scenarios.length, from, to);
    const task = (k: number): ChunkTask => {
      const p = plans[k]!;
      return {
        index: k,
        scenario: scenarios[p.scenario]!,
        policies: [...policies],
        seed,
        from: p.from,
        to: p.to,
      };
    };
    const fold = (k: number, r: ChunkResult): void => {
      const s = plans[k]!.scenario;
      r.partials.forEach((p, i) => mergePartial(out[s]![i]!, p));
      onChunk?.(plans[k]!.to - plans[k]!.from);
    };
    const pool = this.pool;
    if (pool === undefined) {
      for (let k = 0; k < plans.length; k++) fold(k, runChunk(task(k)));
      return out;
    }
    const window = this.workers * 3;
    const inflight = new Map<number, Promise<ChunkResult>>();
    let next = 0;
    const submit = (): void => {
      while (next < plans.length && inflight.size < window) {
        inflight.set(next, pool.run(task(next)));
        next++;
      }
    };
    submit();
    try {
      for (let k = 0; k < plans.length; k++) {
        const r = await inflight.get(k)!;
        inflight.delete(k);
        submit();
        fold(k, r);
      }
    } finally {
      // Let chunks still running settle so none rejects unobserved.
      await Promise.allSettled(inflight.values());
    }
    return out;
  }
}
