import { resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { ciOnlyReference } from '../policy/ci-only.js';
import { DEFAULT_BUDGETS, openOutputFolder, openReportWriter } from '../report/index.js';
import type { ChunkResult } from '../eval/chunk.js';
import { parseShard, runStudyChunks, StudyFold, type StudyMeta } from '../eval/study.js';
import { parseRate } from '../check/options.js';
import { GatesimError } from '../errors.js';
import type { TrialOutcome } from '../pipeline/types.js';
import {
  defaultPolicyPaths,
  defaultScenarioPaths,
  loadInputs,
  replayFiles,
  withReplayFiles,
} from './inputs.js';
import { chunkLine, SHARD_CHUNKS, SHARD_FORMAT, SHARD_META } from './shard-files.js';

export interface CompareCliOptions {
  scenarios?: string[];
  policies?: string[];
  trials: number;
  seed: number;
  workers: number;
  out: string;
  shard?: string;
  quiet?: boolean;
  reference?: string;
  maxShippedBad?: string;
  maxBlockedGood?: string;
}

export async function runCompareCommand(opts: CompareCliOptions): Promise<void> {
  const inputs = loadInputs(
    opts.scenarios ?? defaultScenarioPaths(),
    opts.policies ?? defaultPolicyPaths(),
  );
  const { scenarios, policies } = inputs;
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const names = policies.map((p) => p.name);
  if (opts.reference !== undefined && !names.includes(opts.reference))
    throw new GatesimError(
      'bad-option',
      `--reference: expected one of the policies (${names.join(', ')}), got "${opts.reference}"`,
    );
  const meta: StudyMeta = {
    seed: opts.seed,
    trials: opts.trials,
    scenarios: scenarios.map((s) => s.name),
    policies: names,
    descriptions: {
      scenarios: Object.fromEntries(scenarios.map((s) => [s.name, s.description])),
      policies: Object.fromEntries(policies.map((p) => [p.name, p.description])),
    },
    reference: opts.reference ?? ciOnlyReference(policies) ?? names[0]!,
    budgets: {
      shippedBad: optionalRate('--max-shipped-bad', opts.maxShippedBad, DEFAULT_BUDGETS.shippedBad),
      blockedGood: optionalRate(
        '--max-blocked-good',
        opts.maxBlockedGood,
        DEFAULT_BUDGETS.blockedGood,
      ),
    },
  };
  const bar = progressBar(opts.quiet === true);
  const study = runStudyChunks({
    scenarios,
    policies,
    trials: opts.trials,
    seed: opts.seed,
    workers: opts.workers,
    ...(shard !== undefined ? { shard } : {}),
    // The study counts trials per scenario; the bar counts runs (trial × policy), as the summary line does.
    onProgress: (done, total) => bar?.update(done * policies.length, total * policies.length),
  });
  const started = process.hrtime.bigint();
  try {
    if (shard !== undefined) {
      await writeShard(
        resolve(opts.out),
        { ...meta, shard: `${shard.index + 1}/${shard.count}` },
        study,
      );
    } else {
      const writer = await openReportWriter(resolve(opts.out));
      const fold = new StudyFold(meta);
      try {
        for await (const chunk of study) {
          for (const row of chunk.rows) await writer.writeTrial(row as TrialOutcome);
          fold.add(chunk);
        }
        await writer.commit(fold.summary());
      } catch (e) {
        await writer.abort();
        throw e;
      }
    }
  } catch (e) {
    throw withReplayFiles(e, replayFiles(inputs));
  } finally {
    bar?.stop();
  }
  if (opts.quiet !== true) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const trials = scenarios.length * policies.length * opts.trials;
    process.stderr.write(`${trials} trials in ${seconds.toFixed(1)} s → ${opts.out}\n`);
  }
}

function optionalRate(option: string, text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : parseRate(option, text);
}

function progressBar(
  quiet: boolean,
): { update(done: number, total: number): void; stop(): void } | undefined {
  if (quiet || process.stderr.isTTY !== true) return undefined;
  const bar = new SingleBar(
    {
      format: 'trials {bar} {value}/{total} | {rate} trials/s | eta {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  // The rate counts from the start of the run, not from the first finished chunk.
  const startedAt = performance.now();
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0, { rate: '0' });
        started = true;
      }
      const rate = done / Math.max(1e-3, (performance.now() - startedAt) / 1000);
      bar.update(done, { rate: rate.toFixed(0) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * A shard's output folder: its chunks, one checksummed JSON line each, and its metadata, for
 * `gatesim merge`. Written like a report (hidden folder, renamed when complete; a folder gatesim
 * did not write is refused before anything runs).
 */
async function writeShard(
  outDir: string,
  meta: StudyMeta & { shard: string },
  chunks: AsyncIterable<ChunkResult>,
): Promise<void> {
  const out = await openOutputFolder(outDir, { what: `shard ${meta.shard} of a compare run` });
  try {
    const file = await out.openFile(SHARD_CHUNKS);
    let count = 0;
    for await (const chunk of chunks) {
      await file.write(chunkLine(chunk));
      count++;
    }
    await file.close();
    await out.writeFile(
      SHARD_META,
      JSON.stringify({ gatesimShard: SHARD_FORMAT, ...meta, chunks: count }, null, 2) + '\n',
    );
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
}
