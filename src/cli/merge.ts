import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { GatesimError } from '../errors.js';
import type { ChunkResult } from '../eval/chunk.js';
import { StudyFold, type StudyMeta } from '../eval/study.js';
import type { TrialOutcome } from '../pipeline/types.js';
import { openReportWriter } from '../report/index.js';
import { SHARD_CHUNKS, SHARD_META } from './compare.js';

interface ShardMeta extends StudyMeta {
  gatesimShard: number;
  shard: string;
  chunks: number;
}

async function readMeta(dir: string): Promise<ShardMeta> {
  const file = join(dir, SHARD_META);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new GatesimError(
      'not-a-shard',
      `${file}: not found; is ${dir} the output of \`gatesim compare --shard\`?`,
    );
  }
  const meta = JSON.parse(text) as ShardMeta;
  if (meta.gatesimShard !== 1)
    throw new GatesimError('not-a-shard', `${file}: not a gatesim shard file`);
  return meta;
}

/** Reads a shard's chunks one line at a time (memory stays flat). */
async function* readChunks(dir: string): AsyncGenerator<ChunkResult> {
  const lines = createInterface({
    input: createReadStream(join(dir, SHARD_CHUNKS)),
    crlfDelay: Infinity,
  });
  for await (const line of lines) if (line.trim() !== '') yield JSON.parse(line) as ChunkResult;
}

export async function mergeShards(dirs: readonly string[], out: string): Promise<void> {
  const metas = await Promise.all(dirs.map(readMeta));
  const first = metas[0]!;
  const count = Number(first.shard.split('/')[1]);
  const seen = new Set<string>();
  metas.forEach((m, i) => {
    const same =
      m.seed === first.seed &&
      m.trials === first.trials &&
      JSON.stringify(m.scenarios) === JSON.stringify(first.scenarios) &&
      JSON.stringify(m.policies) === JSON.stringify(first.policies) &&
      m.reference === first.reference &&
      JSON.stringify(m.budgets) === JSON.stringify(first.budgets) &&
      Number(m.shard.split('/')[1]) === count;
    if (!same)
      throw new GatesimError(
        'merge-mismatch',
        `${dirs[i]}: a different study (seed, trials, scenarios, policies, reference, budgets or shard count) from ${dirs[0]}`,
      );
    if (seen.has(m.shard))
      throw new GatesimError('merge-mismatch', `${dirs[i]}: shard ${m.shard} given twice`);
    seen.add(m.shard);
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
  const writer = await openReportWriter(resolve(out));
  try {
    // Shards hold every count-th chunk, so taking them round-robin restores the global order.
    const iters = dirs.map((d) => readChunks(d)[Symbol.asyncIterator]());
    const order = metas.map((m) => Number(m.shard.split('/')[0]) - 1);
    const byShard = new Map(order.map((s, i) => [s, iters[i]!]));
    for (let index = 0; ; index++) {
      const it = byShard.get(index % count)!;
      const next = await it.next();
      if (next.done === true) break;
      const chunk = next.value;
      if (chunk.index !== index)
        throw new GatesimError(
          'merge-mismatch',
          `expected chunk ${index}, found ${chunk.index}: a shard is incomplete`,
        );
      for (const row of chunk.rows) await writer.writeTrial(row as TrialOutcome);
      fold.add(chunk);
    }
    await writer.commit(fold.summary());
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
