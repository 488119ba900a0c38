/**
 * Runs candidates on more of the same seeded trials. Work is cut into eval's chunks (at
 * multiples of CHUNK_SIZE, scenario by scenario) and handed to eval's worker script, so
 * `--workers` spreads it and changes nothing in the results: every trial's outcome depends
 * on (seed, scenario, trial, policy) alone, and results are stored by trial index.
 */
import { Piscina } from 'piscina';
import { CHUNK_SIZE, runChunk, type ChunkResult, type ChunkTask } from '../eval/chunk.js';
import { workerPath } from '../eval/study.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import type { Records } from './records.js';

/** A candidate to extend: its policy and where its trials go. */
export interface Job {
  policy: PolicyConfig;
  records: Records;
}

/** Trial ranges [from, to) cut at multiples of CHUNK_SIZE. */
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

export class CandidateRunner {
  /** Trial runs (trial × policy) done so far, for the closing note. */
  trialRuns = 0;

  private constructor(
    private readonly pool: Piscina<ChunkTask, ChunkResult> | undefined,
    private readonly workers: number,
  ) {}

  /** A pool of `workers` threads, or this thread when workers ≤ 1. */
  static open(workers: number): CandidateRunner {
    if (workers <= 1) return new CandidateRunner(undefined, 1);
    const pool = new Piscina<ChunkTask, ChunkResult>({
      filename: workerPath(),
      minThreads: workers,
      maxThreads: workers,
    });
    return new CandidateRunner(pool, workers);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
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
    const pool = this.pool;
    if (pool === undefined) {
      tasks.forEach((t, k) => fold(k, runChunk(t.task)));
    } else {
      const window = this.workers * 3;
      const inflight = new Map<number, Promise<ChunkResult>>();
      let next = 0;
      const submit = (): void => {
        while (next < tasks.length && inflight.size < window) {
          inflight.set(next, pool.run(tasks[next]!.task));
          next++;
        }
      };
      submit();
      try {
        for (let k = 0; k < tasks.length; k++) {
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
    for (const j of jobs) if (j.records.trials < to) j.records.trials = to;
  }
}
