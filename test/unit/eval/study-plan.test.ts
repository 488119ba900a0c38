/**
 * A study's chunks are planned lazily: `--trials 1e9` starts its first trial at once and in
 * bounded memory, and the lazy plan is exactly the eager one (same chunks, same order, same
 * shard slices), so results cannot move.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE } from '../../../src/eval/chunk.js';
import {
  planChunks,
  plannedChunks,
  plannedTrials,
  type ChunkPlan,
} from '../../../src/eval/study.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The plan as it was defined: every chunk of every scenario, then a shard's every count-th. */
function eagerPlan(scenarios: number, trials: number, shard?: { index: number; count: number }) {
  const plans: ChunkPlan[] = [];
  let index = 0;
  for (let s = 0; s < scenarios; s++)
    for (let from = 0; from < trials; from += CHUNK_SIZE)
      plans.push({ index: index++, scenario: s, from, to: Math.min(trials, from + CHUNK_SIZE) });
  return shard === undefined ? plans : plans.filter((p) => p.index % shard.count === shard.index);
}

describe('planChunks', () => {
  it('gives the same chunks in the same order as planning everything up front, for whole runs and shards', () => {
    for (const scenarios of [1, 2, 3])
      for (const trials of [1, 24, 25, 26, 60, 75, 101]) {
        expect([...planChunks(scenarios, trials)]).toEqual(eagerPlan(scenarios, trials));
        expect(plannedTrials(scenarios, trials)).toBe(scenarios * trials);
        for (const count of [1, 2, 3, 7])
          for (let index = 0; index < count; index++) {
            const shard = { index, count };
            const eager = eagerPlan(scenarios, trials, shard);
            expect([...planChunks(scenarios, trials, shard)], `${index + 1}/${count}`).toEqual(
              eager,
            );
            expect(plannedChunks(scenarios, trials, shard)).toBe(eager.length);
            expect(plannedTrials(scenarios, trials, shard)).toBe(
              eager.reduce((s, p) => s + p.to - p.from, 0),
            );
          }
      }
  });

  it('hands out the first chunks of a huge study without materialising the rest', () => {
    // 1.5·10^6 chunks: about 100 MB if planned up front (10^9 trials run in a child below).
    const heapBefore = process.memoryUsage().heapUsed;
    const plan = planChunks(15, 2.5e6, { index: 2, count: 8 })[Symbol.iterator]();
    const first = [plan.next().value, plan.next().value];
    expect(first).toEqual([
      { index: 2, scenario: 0, from: 50, to: 75 },
      { index: 10, scenario: 0, from: 250, to: 275 },
    ]);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(8 * 2 ** 20);
    expect(plannedTrials(15, 1e9)).toBe(15e9);
    expect(plannedTrials(15, 1e9, { index: 2, count: 8 })).toBe(15e9 / 8);
  });

  it('a study of 10^9 trials runs its first chunk in a 64 MB heap', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--max-old-space-size=64',
        '--import',
        'tsx',
        join(ROOT, 'test/fixtures/eval/first-chunk.ts'),
        '1000000000',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.stdout).toBe(`first chunk ${CHUNK_SIZE}\n`);
    expect(r.status).toBe(0);
  });
});
