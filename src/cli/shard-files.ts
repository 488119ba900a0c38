/**
 * The files of a `compare --shard` output, written by compare and read back by merge:
 * `shard.json` (the study, the slice and how many chunks it holds) and `chunks.jsonl` (one chunk
 * result per line, each ending in the SHA-256 of the rest of the line). Reading checks every
 * line, so a truncated or corrupted shard is refused with its file and line, never merged.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChunkResult } from '../eval/chunk.js';
import type { StudyMeta } from '../eval/study.js';
import { GatesimError } from '../errors.js';
import { isSystemError, systemErrorReason } from '../report/index.js';

/**
 * The folder a merge writes: `out` resolved, refused when it is one of the shard folders being
 * read (writing it would destroy a shard before it is merged).
 */
export function mergeTarget(dirs: readonly string[], out: string): string {
  const target = resolve(out);
  if (dirs.some((d) => resolve(d) === target))
    throw new GatesimError(
      'bad-option',
      `--out ${out} is one of the shard folders being merged; choose another folder`,
    );
  return target;
}

export const SHARD_META = 'shard.json';
export const SHARD_CHUNKS = 'chunks.jsonl';

/** Format 2: every line of chunks.jsonl carries its checksum. */
export const SHARD_FORMAT = 2;

/** What shard.json records: the study (with its report's descriptions, reference, budgets), the slice, the chunks. */
export interface ShardMeta extends StudyMeta {
  gatesimShard: typeof SHARD_FORMAT;
  /** `I/N`, 1-based. */
  shard: string;
  chunks: number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One line of chunks.jsonl: the chunk's JSON with its checksum as the last field. */
export function chunkLine(chunk: ChunkResult): string {
  const json = JSON.stringify(chunk);
  return `${json.slice(0, -1)},"sha256":"${sha256(json)}"}\n`;
}

const CHECKSUM = /,"sha256":"([0-9a-f]{64})"\}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value, shown briefly in a message (never a whole chunk). */
function brief(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * Parses and checks one line of chunks.jsonl. `where` is `file:line`, for messages.
 * @throws GatesimError naming the file and line
 */
export function parseChunkLine(line: string, where: string): ChunkResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new GatesimError(
      'merge-corrupt',
      `${where}: not a complete JSON line (the file is truncated or corrupted)`,
    );
  }
  if (
    !isRecord(value) ||
    !Number.isInteger(value.index) ||
    typeof value.scenario !== 'string' ||
    !Array.isArray(value.rows) ||
    !Array.isArray(value.partials) ||
    !Array.isArray(value.pairwise) ||
    typeof value.sha256 !== 'string'
  )
    throw new GatesimError(
      'merge-corrupt',
      `${where}: expected a chunk (index, scenario, rows, partials, pairwise, sha256), got ${brief(value)}`,
    );
  const m = CHECKSUM.exec(line);
  if (m === null || sha256(`${line.slice(0, m.index)}}`) !== m[1])
    throw new GatesimError(
      'merge-corrupt',
      `${where}: the line does not match its checksum (the file is corrupted)`,
    );
  const { sha256: _sum, ...chunk } = value;
  return chunk as unknown as ChunkResult;
}

function readError(file: string, dir: string, e: unknown): unknown {
  if (!isSystemError(e)) return e;
  if (e.code === 'ENOENT')
    return new GatesimError(
      'not-a-shard',
      `${file}: not found; is ${dir} the output of \`gatesim compare --shard\`?`,
    );
  return new GatesimError('input-error', `${file}: cannot read: ${systemErrorReason(e)}`);
}

function field(
  file: string,
  meta: Record<string, unknown>,
  key: string,
  ok: (v: unknown) => boolean,
  expected: string,
): void {
  if (!ok(meta[key]))
    throw new GatesimError(
      'not-a-shard',
      `${file}: ${key}: expected ${expected}, got ${meta[key] === undefined ? 'nothing' : brief(meta[key])}`,
    );
}

const whole = (min: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min;
const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Reads and checks a shard's shard.json. */
export async function readShardMeta(dir: string): Promise<ShardMeta> {
  const file = join(dir, SHARD_META);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw readError(file, dir, e);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new GatesimError(
      'not-a-shard',
      `${file}: not valid JSON (${brief((e as Error).message)}); the shard is truncated or corrupted`,
    );
  }
  if (!isRecord(meta) || !('gatesimShard' in meta))
    throw new GatesimError('not-a-shard', `${file}: not a gatesim shard file`);
  if (meta.gatesimShard === 1)
    throw new GatesimError(
      'not-a-shard',
      `${file}: written by an older gatesim (shard format 1, without checksums); run the shard again`,
    );
  field(file, meta, 'gatesimShard', (v) => v === SHARD_FORMAT, `${SHARD_FORMAT}`);
  field(file, meta, 'seed', whole(0), 'a whole number ≥ 0');
  field(file, meta, 'trials', whole(1), 'a whole number ≥ 1');
  field(
    file,
    meta,
    'scenarios',
    (v) => strings(v) && (v as unknown[]).length > 0,
    'a list of scenario names',
  );
  field(file, meta, 'policies', strings, 'a list of policy names');
  field(
    file,
    meta,
    'shard',
    (v) => {
      const m = typeof v === 'string' ? /^(\d+)\/(\d+)$/.exec(v) : null;
      return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]);
    },
    'I/N with 1 ≤ I ≤ N',
  );
  field(file, meta, 'chunks', whole(0), 'a whole number ≥ 0');
  const optional = (ok: (v: unknown) => boolean) => (v: unknown) => v === undefined || ok(v);
  const names = (v: unknown) => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
  field(
    file,
    meta,
    'descriptions',
    optional((v) => isRecord(v) && names(v.scenarios) && names(v.policies)),
    'scenario and policy descriptions by name',
  );
  field(
    file,
    meta,
    'reference',
    optional((v) => typeof v === 'string'),
    'a policy name',
  );
  field(
    file,
    meta,
    'budgets',
    optional(
      (v) => isRecord(v) && typeof v.shippedBad === 'number' && typeof v.blockedGood === 'number',
    ),
    'shippedBad and blockedGood rates',
  );
  return meta as unknown as ShardMeta;
}

/** A chunk of a shard with the line it came from. */
export interface ShardChunk {
  chunk: ChunkResult;
  /** `file:line`, for messages. */
  where: string;
}

/** Reads a shard's chunks one line at a time (memory stays flat), checking each. */
export async function* readShardChunks(dir: string): AsyncGenerator<ShardChunk> {
  const file = join(dir, SHARD_CHUNKS);
  const input = createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const where = `${file}:${n}`;
      yield { chunk: parseChunkLine(line, where), where };
    }
  } catch (e) {
    throw readError(file, dir, e);
  } finally {
    lines.close();
    input.destroy();
  }
}
