/**
 * Runs a range of trials for many policy variants and folds them into per-(scenario, variant)
 * partials. Unlike `runStudyChunks`, a range may start past trial 0, so successive halving
 * adds trials to the candidates that survive without re-running the ones they already have.
 *
 * Chunks are cut at the same fixed boundaries as a study (multiples of CHUNK_SIZE) and
 * folded in chunk order, so the partials are bit-for-bit those of a compare run of the same
 * variants (without the Friday test, rows and pairs, which a search never reads and so never
 * makes), and identical for any worker count.
 */
import { emptyPartial, mergePartial, type PairPartial } from '../eval/aggregate.js';
import type { ChunkResult, ChunkTask } from '../eval/chunk.js';
import { chunkRanges, openChunkPool, type ChunkPool } from '../eval/chunk-pool.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';

/** Trial-range plans: [from, to) cut at multiples of CHUNK_SIZE, scenario by scenario. */
export function planRange(
  scenarioCount: number,
  from: number,
  to: number,
): { scenario: number; from: number; to: number }[] {
  const ranges = chunkRanges(from, to);
  const plans: { scenario: number; from: number; to: number }[] = [];
  for (let s = 0; s < scenarioCount; s++) for (const r of ranges) plans.push({ scenario: s, ...r });
  return plans;
}

/** A pool of trial runners: worker threads, or this thread when workers ≤ 1. */
export class TrialRunner {
  private constructor(private readonly chunks: ChunkPool) {}

  static open(workers: number): TrialRunner {
    return new TrialRunner(openChunkPool(workers));
  }

  async close(): Promise<void> {
    await this.chunks.close();
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
        // The search reads only each setting's partials: no Friday/Tuesday replays of bad
        // builds, no rows, no pairs of settings.
        fridayTest: false,
        details: false,
      };
    };
    const fold = (k: number, r: ChunkResult): void => {
      const s = plans[k]!.scenario;
      r.partials.forEach((p, i) => mergePartial(out[s]![i]!, p));
      onChunk?.(plans[k]!.to - plans[k]!.from);
    };
    await this.chunks.runInOrder(plans.length, task, fold);
    return out;
  }
}
