import { join } from 'node:path';
import { GatesimError } from '../errors.js';
import { CHUNK_SIZE } from '../eval/chunk.js';
import { plannedChunks, StudyFold } from '../eval/study.js';
import type { TrialOutcome } from '../pipeline/types.js';
import { openReportWriter } from '../report/index.js';
import {
  mergeTarget,
  readShardChunks,
  readShardMeta,
  SHARD_CHUNKS,
  SHARD_META,
  type ShardChunk,
} from './shard-files.js';

function shardOf(text: string): { index: number; count: number } {
  const [i, n] = text.split('/').map(Number);
  return { index: i! - 1, count: n! };
}

/**
 * `gatesim merge`: combines the outputs of `compare --shard i/n` into exactly what one unsharded
 * run writes. Every shard must be of the same study, each slice present once, and every line of
 * every chunks.jsonl whole and unchanged; anything else is refused, naming the file and line.
 */
export async function mergeShards(dirs: readonly string[], out: string): Promise<void> {
  const target = mergeTarget(dirs, out);
  const metas = await Promise.all(dirs.map(readShardMeta));
  const first = metas[0]!;
  const count = shardOf(first.shard).count;
  const seen = new Set<string>();
  metas.forEach((m, i) => {
    const same =
      m.seed === first.seed &&
      m.trials === first.trials &&
      JSON.stringify(m.scenarios) === JSON.stringify(first.scenarios) &&
      JSON.stringify(m.policies) === JSON.stringify(first.policies) &&
      m.reference === first.reference &&
      JSON.stringify(m.budgets) === JSON.stringify(first.budgets) &&
      shardOf(m.shard).count === count;
    if (!same)
      throw new GatesimError(
        'merge-mismatch',
        `${dirs[i]}: a different study (seed, trials, scenarios, policies, reference, budgets or shard count) from ${dirs[0]}`,
      );
    if (seen.has(m.shard))
      throw new GatesimError('merge-mismatch', `${dirs[i]}: shard ${m.shard} given twice`);
    seen.add(m.shard);
    const expected = plannedChunks(m.scenarios.length, m.trials, shardOf(m.shard));
    if (m.chunks !== expected)
      throw new GatesimError(
        'merge-corrupt',
        `${join(dirs[i]!, SHARD_META)}: records ${m.chunks} chunks, but shard ${m.shard} of this study has ${expected}`,
      );
  });
  if (seen.size !== count) {
    const missing = Array.from({ length: count }, (_, i) => `${i + 1}/${count}`).filter(
      (s) => !seen.has(s),
    );
    throw new GatesimError('merge-incomplete', `missing shards: ${missing.join(', ')}`);
  }
  const { seed, trials, scenarios, policies, descriptions, reference, budgets } = first;
  const fold = new StudyFold({
    seed,
    trials,
    scenarios,
    policies,
    ...(descriptions !== undefined ? { descriptions } : {}),
    ...(reference !== undefined ? { reference } : {}),
    ...(budgets !== undefined ? { budgets } : {}),
  });
  const perScenario = Math.ceil(first.trials / CHUNK_SIZE);
  const total = first.scenarios.length * perScenario;
  const writer = await openReportWriter(target);
  // Shards hold every count-th chunk, so taking them round-robin restores the global order.
  const shards = dirs.map((dir, i) => ({
    dir,
    meta: metas[i]!,
    chunks: readShardChunks(dir)[Symbol.asyncIterator](),
    read: 0,
  }));
  const bySlice = new Map(shards.map((s) => [shardOf(s.meta.shard).index, s]));
  try {
    for (let index = 0; index < total; index++) {
      const shard = bySlice.get(index % count)!;
      const next = await shard.chunks.next();
      if (next.done === true)
        throw new GatesimError(
          'merge-corrupt',
          `${join(shard.dir, SHARD_CHUNKS)}: ends after ${shard.read} chunk${shard.read === 1 ? '' : 's'}, but ${join(shard.dir, SHARD_META)} records ${shard.meta.chunks}; the shard is truncated`,
        );
      shard.read++;
      const { chunk, where }: ShardChunk = next.value;
      const scenario = first.scenarios[Math.floor(index / perScenario)]!;
      if (chunk.index !== index || chunk.scenario !== scenario)
        throw new GatesimError(
          'merge-corrupt',
          `${where}: chunk ${chunk.index} of scenario ${chunk.scenario} where chunk ${index} of scenario ${scenario} belongs`,
        );
      for (const row of chunk.rows) await writer.writeTrial(row as TrialOutcome);
      fold.add(chunk);
    }
    for (const shard of shards) {
      const extra = await shard.chunks.next();
      if (extra.done !== true)
        throw new GatesimError(
          'merge-corrupt',
          `${extra.value.where}: more chunks than ${join(shard.dir, SHARD_META)} records (${shard.meta.chunks})`,
        );
    }
    await writer.commit(fold.summary());
  } catch (e) {
    await writer.abort();
    throw e;
  } finally {
    await Promise.all(shards.map((s) => s.chunks.return?.(undefined)));
  }
}
