import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import { GatesimError } from '../errors.js';
import {
  emptyPairwise,
  emptyPartial,
  finalizePair,
  finalizePairwise,
  mergePairwise,
  mergePartial,
  type PairPartial,
  type PairwisePartial,
} from './aggregate.js';
import { CHUNK_SIZE, runChunk, type ChunkResult, type ChunkTask } from './chunk.js';
import { restoreTrialError } from './trial-failure.js';
import { explainWorkerError, openWorkerPool } from './worker-pool.js';
import type { ReportBudgets, Summary } from './types.js';

/** What a study is and how its report reads: everything a Summary carries besides the figures. */
export interface StudyMeta {
  seed: number;
  trials: number;
  scenarios: string[];
  policies: string[];
  shard?: string;
  /** Each scenario's and policy's `description:` by name. */
  descriptions?: { scenarios: Record<string, string>; policies: Record<string, string> };
  /** The policy the report compares the others against. */
  reference?: string;
  /** The budgets the report colours against. */
  budgets?: ReportBudgets;
}

export interface ShardSpec {
  /** 0-based shard index. */
  index: number;
  count: number;
}

export interface StudyOptions {
  scenarios: readonly ScenarioConfig[];
  policies: readonly PolicyConfig[];
  trials: number;
  seed: number;
  /** Worker threads; 1 runs in this thread. Results are identical for any value. */
  workers: number;
  shard?: ShardSpec;
  /** Called after each chunk with trials done and the total for this run (or shard). */
  onProgress?: (done: number, total: number) => void;
}

/** A chunk of work: which scenario and which trials. Chunk indices are global across the study. */
export interface ChunkPlan {
  index: number;
  scenario: number;
  from: number;
  to: number;
}

/** Chunks per scenario: the last one holds the remainder. */
function chunksPerScenario(trials: number): number {
  return Math.ceil(trials / CHUNK_SIZE);
}

/**
 * Every chunk of a study, in order; a shard takes every count-th chunk from its index. Planned
 * lazily, one chunk at a time, so a study of any size starts at once and in bounded memory.
 */
export function* planChunks(
  scenarioCount: number,
  trials: number,
  shard?: ShardSpec,
): Generator<ChunkPlan, void, undefined> {
  const perScenario = chunksPerScenario(trials);
  const total = scenarioCount * perScenario;
  const step = shard?.count ?? 1;
  for (let index = shard?.index ?? 0; index < total; index += step) {
    const scenario = Math.floor(index / perScenario);
    const from = (index - scenario * perScenario) * CHUNK_SIZE;
    yield { index, scenario, from, to: Math.min(trials, from + CHUNK_SIZE) };
  }
}

/** How many chunks `planChunks` gives: a study's, or a shard's share of them. */
export function plannedChunks(scenarioCount: number, trials: number, shard?: ShardSpec): number {
  const total = scenarioCount * chunksPerScenario(trials);
  if (shard === undefined) return total;
  // Chunk indices ≡ shard.index (mod shard.count) below the total.
  return total <= shard.index ? 0 : Math.floor((total - 1 - shard.index) / shard.count) + 1;
}

/** Trials in the chunks `planChunks` gives (trials × scenarios for a whole run). */
export function plannedTrials(scenarioCount: number, trials: number, shard?: ShardSpec): number {
  if (shard === undefined) return scenarioCount * trials;
  const perScenario = chunksPerScenario(trials);
  let sum = plannedChunks(scenarioCount, trials, shard) * CHUNK_SIZE;
  // Each scenario's last chunk is short by what the trials leave over.
  const short = perScenario * CHUNK_SIZE - trials;
  if (short > 0)
    for (let s = 0; s < scenarioCount; s++) {
      const last = (s + 1) * perScenario - 1;
      if (last % shard.count === shard.index) sum -= short;
    }
  return sum;
}

export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null)
    throw new GatesimError(
      'bad-shard',
      `--shard: expected I/N with 1 ≤ I ≤ N (e.g. 2/8), got "${text}"`,
    );
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || i < 1 || i > n)
    throw new GatesimError(
      'bad-shard',
      `--shard: expected I/N with 1 ≤ I ≤ N (e.g. 2/8), got "${text}"`,
    );
  return { index: i - 1, count: n };
}

/** The built worker script (dist/eval/worker.js), also when this module runs as TypeScript source under the test runner. */
export function workerPath(): string {
  return builtScript(new URL('./worker.js', import.meta.url));
}

/**
 * The file of a worker script beside a module (`new URL('./worker.js', import.meta.url)`).
 * Under the test runner the module is TypeScript source in src/; the built script lives in
 * the same folder under dist/.
 */
export function builtScript(url: URL): string {
  const here = fileURLToPath(url);
  if (existsSync(here)) return here;
  const built = here.replace(/([\\/])src([\\/])([^\\/]+)([\\/][^\\/]+\.js)$/, '$1dist$2$3$4');
  if (existsSync(built)) return built;
  throw new GatesimError(
    'no-build',
    `worker script not found at ${here} or ${built}: run \`npm run build\``,
  );
}

/**
 * Runs the chunks of a study and yields their results in chunk order, whatever order the
 * workers finish in; at most a few chunks per worker are held in memory. An exception inside a
 * trial rejects with a TrialFailure naming the trial (or, for bad input found only while
 * simulating, a GatesimError), in this thread or from a worker.
 */
export async function* runStudyChunks(options: StudyOptions): AsyncGenerator<ChunkResult> {
  const plans = planChunks(options.scenarios.length, options.trials, options.shard);
  const total = plannedTrials(options.scenarios.length, options.trials, options.shard);
  let done = 0;
  const task = (p: ChunkPlan): ChunkTask => ({
    index: p.index,
    scenario: options.scenarios[p.scenario]!,
    policies: [...options.policies],
    seed: options.seed,
    from: p.from,
    to: p.to,
  });
  if (options.workers <= 1) {
    for (const p of plans) {
      let r: ChunkResult;
      try {
        r = runChunk(task(p));
      } catch (e) {
        throw restoreTrialError(e);
      }
      done += p.to - p.from;
      options.onProgress?.(done, total);
      yield r;
    }
    return;
  }
  const pool = openWorkerPool<ChunkTask, ChunkResult>(workerPath(), options.workers);
  // Chunks submitted and not yet yielded, oldest first: the plan is read only as far as this.
  const inflight: { plan: ChunkPlan; result: Promise<ChunkResult> }[] = [];
  try {
    const window = options.workers * 3;
    const submit = (): void => {
      while (inflight.length < window) {
        const next = plans.next();
        if (next.done === true) return;
        const result = pool.run(task(next.value)).catch((e: unknown) => {
          throw restoreTrialError(explainWorkerError(e));
        });
        // A chunk still running when another fails is cancelled by destroy(); its rejection
        // is expected, not unhandled.
        result.catch(() => undefined);
        inflight.push({ plan: next.value, result });
      }
    };
    submit();
    for (let head = inflight.shift(); head !== undefined; head = inflight.shift()) {
      const r = await head.result;
      submit();
      done += head.plan.to - head.plan.from;
      options.onProgress?.(done, total);
      yield r;
    }
  } finally {
    // After a failure, let the chunks still in flight settle before destroying the pool: a
    // worker terminated while Node is still instantiating its module graph (the handler
    // piscina require()s at start-up) aborts the whole process on Node 20 ("v8::Module::
    // IsGraphAsync must be used on an instantiated module") instead of rejecting. A worker
    // that finished a chunk has loaded it. The searches' pool (chunk-pool.ts) already waits.
    await Promise.allSettled(inflight.map((i) => i.result));
    await pool.destroy();
  }
}

/** Folds chunk results, in chunk order, into the study's summary. */
export class StudyFold {
  private readonly partials = new Map<string, PairPartial[]>();
  private readonly pairwise = new Map<string, PairwisePartial[]>();
  private lastIndex = -1;

  constructor(private readonly meta: StudyMeta) {
    for (const s of meta.scenarios) {
      this.partials.set(
        s,
        meta.policies.map(() => emptyPartial()),
      );
      const pw: PairwisePartial[] = [];
      for (let i = 0; i < meta.policies.length; i++) {
        for (let j = i + 1; j < meta.policies.length; j++)
          pw.push(emptyPairwise(meta.policies[i]!, meta.policies[j]!));
      }
      this.pairwise.set(s, pw);
    }
  }

  add(chunk: Pick<ChunkResult, 'index' | 'scenario' | 'partials' | 'pairwise'>): void {
    if (chunk.index <= this.lastIndex)
      throw new Error(`chunks folded out of order: ${chunk.index} after ${this.lastIndex}`);
    this.lastIndex = chunk.index;
    const ps = this.partials.get(chunk.scenario);
    const pw = this.pairwise.get(chunk.scenario);
    if (ps === undefined || pw === undefined)
      throw new GatesimError(
        'merge-mismatch',
        `chunk ${chunk.index} is for unknown scenario ${chunk.scenario}`,
      );
    chunk.partials.forEach((p, i) => mergePartial(ps[i]!, p));
    chunk.pairwise.forEach((p, i) => mergePairwise(pw[i]!, p));
  }

  summary(): Summary {
    const results = this.meta.scenarios.flatMap((s) =>
      this.meta.policies.map((p, i) => finalizePair(s, p, this.partials.get(s)![i]!)),
    );
    const comparisons = this.meta.scenarios.flatMap((s) =>
      this.pairwise.get(s)!.flatMap((p) => finalizePairwise(s, p)),
    );
    const summary: Summary = {
      seed: this.meta.seed,
      trialsPerPair: this.meta.trials,
      scenarios: [...this.meta.scenarios],
      policies: [...this.meta.policies],
      results,
      comparisons,
    };
    const { shard, descriptions, reference, budgets } = this.meta;
    if (shard !== undefined) summary.shard = shard;
    if (descriptions !== undefined)
      summary.descriptions = {
        scenarios: { ...descriptions.scenarios },
        policies: { ...descriptions.policies },
      };
    if (reference !== undefined) summary.reference = reference;
    if (budgets !== undefined) summary.budgets = { ...budgets };
    return summary;
  }
}
