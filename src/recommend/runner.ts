/**
 * Runs candidates on more of the same seeded trials. Work is cut into eval's chunks (at
 * multiples of CHUNK_SIZE, scenario by scenario) and handed to eval's worker script, so
 * `--workers` spreads it and changes nothing in the results: every trial's outcome depends
 * on (seed, scenario, trial, policy) alone, and results are stored by trial index.
 */
import type { ChunkResult, ChunkTask } from '../eval/chunk.js';
import { chunkRanges, openChunkPool, type ChunkPool } from '../eval/chunk-pool.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import type { Records } from './records.js';

/** A candidate to extend: its policy and where its trials go. */
export interface Job {
  policy: PolicyConfig;
  records: Records;
}

export class CandidateRunner {
  /** Trial runs (trial × policy) done so far, for the closing note. */
  trialRuns = 0;

  private constructor(private readonly chunks: ChunkPool) {}

  /** A pool of `workers` threads, or this thread when workers ≤ 1. */
  static open(workers: number): CandidateRunner {
    return new CandidateRunner(openChunkPool(workers));
  }

  async close(): Promise<void> {
    await this.chunks.close();
  }

  /**
   * Runs every job's trials from where it stands up to `to` on every scenario. Jobs that
   * stand at the same trial run together, one task per chunk, so a trial's world is set up
   * once for all of them.
   */
  async extend(
    scenarios: readonly ScenarioConfig[],
    jobs: readonly Job[],
    seed: number,
    to: number,
    onChunk?: (trialRuns: number) => void,
  ): Promise<void> {
    const groups = new Map<number, Job[]>();
    for (const j of jobs) {
      if (j.records.trials >= to) continue;
      const g = groups.get(j.records.trials) ?? [];
      g.push(j);
      groups.set(j.records.trials, g);
    }
    const tasks: { task: ChunkTask; jobs: Job[]; scenario: number }[] = [];
    for (const from of [...groups.keys()].sort((a, b) => a - b)) {
      const g = groups.get(from)!;
      scenarios.forEach((scenario, s) => {
        for (const r of chunkRanges(from, to)) {
          tasks.push({
            task: {
              index: tasks.length,
              scenario,
              policies: g.map((j) => j.policy),
              seed,
              from: r.from,
              to: r.to,
              fridayTest: false,
            },
            jobs: g,
            scenario: s,
          });
        }
      });
    }
    const fold = (k: number, result: ChunkResult): void => {
      const t = tasks[k]!;
      const byName = new Map(t.jobs.map((j) => [j.policy.name, j]));
      for (const row of result.rows) byName.get(row.policy)!.records.add(t.scenario, row);
      const runs = (t.task.to - t.task.from) * t.jobs.length;
      this.trialRuns += runs;
      onChunk?.(runs);
    };
    await this.chunks.runInOrder(tasks.length, (k) => tasks[k]!.task, fold);
    for (const j of jobs) if (j.records.trials < to) j.records.trials = to;
  }
}
