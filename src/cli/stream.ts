/**
 * `gatesim stream`: a team's weeks of changes under every policy (src/stream/), its report
 * folder, a shard of it (`--shard I/N`) or the merge of shards (`--merge DIR...`), which
 * writes exactly what one unsharded run writes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { GatesimError } from '../errors.js';
import { parseShard } from '../eval/study.js';
import {
  isSystemError,
  openOutputFolder,
  systemErrorReason,
  type OutputFolder,
} from '../report/index.js';
import {
  assembleStreamStudy,
  runStreamTasks,
  studyShape,
  openStreamReport,
  writeStreamReport,
  type KeyedResult,
  type StreamStudyResult,
  type StudyShape,
} from '../stream/index.js';
import { formatNumber } from '../report/format.js';
import { defaultPolicyPaths, loadInputs, packageRoot } from './inputs.js';
import { mergeTarget } from './shard-files.js';

/** Streams per scenario by default: the built-in study's size (docs/stream.md). */
export const DEFAULT_STREAMS = 100;
/** Weeks per stream by default: a quarter. */
export const DEFAULT_WEEKS = 13;

export interface StreamCliOptions {
  scenarios?: string[];
  policies?: string[];
  weeks?: string;
  streams?: string;
  seed?: string;
  workers?: string;
  out?: string;
  shard?: string;
  crossover?: string;
  sweepStreams?: string;
  merge?: string[];
  quiet?: boolean;
}

const SHARD_META = 'stream-shard.json';
const SHARD_RESULTS = 'streams.jsonl';
const SHARD_FORMAT = 1;

function whole(option: string, text: string, min: number, max: number): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new GatesimError(
      'bad-option',
      `${option}: expected a whole number in [${min}, ${max}], got "${text}"`,
    );
  return n;
}

/** The built-in stream study's scenario: the realistic mix of every fault family and confounder. */
export function defaultStreamScenario(): string {
  return join(packageRoot(), 'scenarios', 'mixed-realistic.yaml');
}

export async function runStreamCommand(o: StreamCliOptions): Promise<void> {
  if (o.merge !== undefined) return mergeStreamShards(o.merge, o.out ?? 'reports/stream');
  const weeks = o.weeks === undefined ? DEFAULT_WEEKS : whole('--weeks', o.weeks, 1, 52);
  const streams =
    o.streams === undefined ? DEFAULT_STREAMS : whole('--streams', o.streams, 1, 100_000);
  const seed = o.seed === undefined ? 1 : whole('--seed', o.seed, 0, Number.MAX_SAFE_INTEGER);
  const workers =
    o.workers === undefined
      ? (await import('node:os')).availableParallelism()
      : whole('--workers', o.workers, 1, 1024);
  const sweepStreams =
    o.sweepStreams === undefined ? undefined : whole('--sweep-streams', o.sweepStreams, 1, 100_000);
  const shard = o.shard === undefined ? undefined : parseShard(o.shard);
  const inputs = loadInputs(
    o.scenarios ?? [defaultStreamScenario()],
    o.policies ?? defaultPolicyPaths(),
  );
  const names = inputs.policies.map((p) => p.name);
  if (o.crossover !== undefined && o.crossover !== 'none' && !names.includes(o.crossover))
    throw new GatesimError(
      'bad-option',
      `--crossover: expected one of the policies (${names.join(', ')}) or none, got "${o.crossover}"`,
    );
  const options = {
    scenarios: inputs.scenarios,
    policies: inputs.policies,
    weeks,
    streams,
    seed,
    workers,
    crossover: o.crossover,
    sweepStreams,
  };
  const shape = studyShape(options);
  const out = o.out ?? 'reports/stream';
  // A folder gatesim did not write is refused before any work is done.
  const report = shard === undefined ? await openStreamReport(resolve(out)) : undefined;
  const shardFolder =
    shard === undefined
      ? undefined
      : await openOutputFolder(resolve(out), {
          what: `shard ${shard.index + 1}/${shard.count} of a stream study`,
        });
  const bar = progressBar(o.quiet === true);
  const started = process.hrtime.bigint();
  let results: KeyedResult[];
  try {
    results = await runStreamTasks(
      { ...options, onProgress: (done, total) => bar?.update(done, total) },
      shard,
    );
  } catch (e) {
    await report?.abort();
    await shardFolder?.abort();
    throw e;
  } finally {
    bar?.stop();
  }
  if (shard !== undefined && shardFolder !== undefined) {
    await writeShard(shardFolder, `${shard.index + 1}/${shard.count}`, shape, results);
  } else if (report !== undefined) {
    const result = assembleStreamStudy(shape, results);
    await report.write(result);
    if (o.quiet !== true) process.stdout.write(summaryText(result));
  }
  if (o.quiet !== true) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write(
      `${results.length} stream runs of ${weeks} weeks in ${seconds.toFixed(1)} s → ${shown(out)}\n`,
    );
  }
}

function shown(path: string): string {
  const r = relative(process.cwd(), resolve(path));
  return r === '' || r.startsWith('..') ? path : r;
}

/** The lines the command prints: per scenario, each policy's headline figures. */
export function summaryText(r: StreamStudyResult): string {
  const lines: string[] = [];
  for (const s of r.scenarios) {
    lines.push(`${s.scenario}: ${r.streams} streams × ${r.weeks} weeks (seed ${r.seed})`);
    for (const p of s.policies) {
      const m = (x: number | null, d = 2) => (x === null ? '–' : formatNumber(x, d));
      lines.push(
        `  ${p.policy}: ${m(p.deploymentsPerDay.mean)} deploys/day, lead p50 ${m(p.leadTimeForChangesMin.p50.mean, 0)} min, CFR ${m(p.changeFailureRate.mean, 3)}, failed requests/week ${m(p.customerImpactPerWeek.failedRequests.mean, 0)}, overrides ${m(p.overrideRate.mean, 3)}, batch ${m(p.meanBatchSize.mean)}`,
      );
    }
    const c = s.crossover;
    if (c !== undefined)
      for (const k of c.curves)
        lines.push(
          `  crossover of ${c.policy} against ${c.reference}, ${k.label}: ${k.crossoverFlaky === null ? 'none in the sweep' : `at ${formatNumber(k.crossoverFlaky * 100, 1)}% flaky stops`}`,
        );
  }
  return lines.join('\n') + '\n';
}

function progressBar(
  quiet: boolean,
): { update(done: number, total: number): void; stop(): void } | undefined {
  if (quiet || process.stderr.isTTY !== true) return undefined;
  const bar = new SingleBar(
    {
      format: 'streams {bar} {value}/{total} | eta {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface StreamShardMeta {
  gatesimStreamShard: typeof SHARD_FORMAT;
  shard: string;
  shape: StudyShape;
  results: number;
  sha256: string;
}

/** A shard's folder: its stream results, one JSON line each, and what study and slice they are. */
async function writeShard(
  out: OutputFolder,
  shard: string,
  shape: StudyShape,
  results: readonly KeyedResult[],
): Promise<void> {
  const text = results.map((r) => JSON.stringify(r) + '\n').join('');
  const meta: StreamShardMeta = {
    gatesimStreamShard: SHARD_FORMAT,
    shard,
    shape,
    results: results.length,
    sha256: sha256(text),
  };
  try {
    await out.writeFile(SHARD_RESULTS, text);
    await out.writeFile(SHARD_META, JSON.stringify(meta, null, 2) + '\n');
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if (isSystemError(e))
      throw new GatesimError('bad-shard', `${file}: cannot read it (${systemErrorReason(e)})`);
    throw e;
  }
}

/** Reads a shard folder, checking its metadata and the checksum of its results. */
async function readShard(dir: string): Promise<{ meta: StreamShardMeta; results: KeyedResult[] }> {
  const metaFile = join(dir, SHARD_META);
  let meta: StreamShardMeta;
  try {
    meta = JSON.parse(await readText(metaFile)) as StreamShardMeta;
  } catch (e) {
    if (e instanceof GatesimError) throw e;
    throw new GatesimError(
      'bad-shard',
      `${metaFile}: not a stream shard's metadata (invalid JSON)`,
    );
  }
  if (meta === null || typeof meta !== 'object' || meta.gatesimStreamShard !== SHARD_FORMAT)
    throw new GatesimError(
      'bad-shard',
      `${metaFile}: gatesimStreamShard: expected ${SHARD_FORMAT} (a \`gatesim stream --shard\` output)`,
    );
  const resultsFile = join(dir, SHARD_RESULTS);
  const text = await readText(resultsFile);
  if (sha256(text) !== meta.sha256)
    throw new GatesimError(
      'bad-shard',
      `${resultsFile}: its checksum does not match ${SHARD_META}: the file is incomplete or changed`,
    );
  const results = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as KeyedResult);
  if (results.length !== meta.results)
    throw new GatesimError(
      'bad-shard',
      `${resultsFile}: holds ${results.length} results, ${SHARD_META} says ${meta.results}`,
    );
  return { meta, results };
}

/** `gatesim stream --merge`: the shards of one study into exactly the unsharded run's folder. */
export async function mergeStreamShards(dirs: readonly string[], out: string): Promise<void> {
  if (dirs.length === 0) throw new GatesimError('bad-option', '--merge: give the shard folders');
  const target = mergeTarget(dirs, out);
  const shards = await Promise.all(dirs.map(readShard));
  const first = shards[0]!.meta;
  const count = Number(first.shard.split('/')[1]);
  const seen = new Set<string>();
  shards.forEach(({ meta }, i) => {
    if (
      JSON.stringify(meta.shape) !== JSON.stringify(first.shape) ||
      Number(meta.shard.split('/')[1]) !== count
    )
      throw new GatesimError(
        'merge-mismatch',
        `${dirs[i]}: a shard of a different study (scenarios, policies, weeks, streams, seed, crossover or shard count) from ${dirs[0]}`,
      );
    if (seen.has(meta.shard))
      throw new GatesimError('merge-mismatch', `${dirs[i]}: shard ${meta.shard} given twice`);
    seen.add(meta.shard);
  });
  if (seen.size !== count)
    throw new GatesimError(
      'merge-mismatch',
      `only ${seen.size} of ${count} shards given: merge every shard of the study`,
    );
  const result = assembleStreamStudy(
    first.shape,
    shards.flatMap((s) => s.results),
  );
  await writeStreamReport(result, target);
}
