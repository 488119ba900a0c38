import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrialOutcome } from '../../../src/pipeline/types.js';
import { TRIAL_COLUMNS, trialRecord, writeReports } from '../../../src/report/index.js';
import { makeSummary } from '../../fixtures/report/summary.js';
import { generateTrials, makeTrial } from '../../fixtures/report/trials.js';
import { parseCsv, parseCsvObjects } from './csv-parse.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gatesim-trials-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function countLines(
  file: string,
): Promise<{ lines: number; minLength: number; last: string }> {
  let lines = 0;
  let minLength = Infinity;
  let last = '';
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  })) {
    lines++;
    if (lines > 1) minLength = Math.min(minLength, line.length + 1);
    last = line;
  }
  return { lines, minLength, last };
}

describe('trialRecord', () => {
  it('flattens one trial into the documented columns', () => {
    const t = makeTrial(35); // bad (35 % 5), two faults (35 % 7), final = FINALS[0] = blocked
    expect(Object.keys(trialRecord(t))).toEqual([...TRIAL_COLUMNS]);
    expect(trialRecord(t)).toEqual({
      scenario: 'leak-under-load',
      policy: 'fixed-bake',
      seed: '42',
      trial: '35',
      bad: 'true',
      template: 'leak',
      faultKinds: 'memory-leak+latency',
      final: 'blocked',
      stageReached: 'ci',
      detectedBy: 'ci',
      onsetMin: '12.5',
      decidedMin: '',
      shippedMin: '',
      restoredMin: '',
      rollbackAttempted: 'false',
      rollbackSucceeded: 'false',
      failedRequests: '35',
      slowRequests: '3',
      lostCheckouts: '0.5',
      lostRevenue: '30',
      escapeFailedRequests: '0',
      hurtingAfter2h: 'false',
      startAt: '575',
      exposedMin: '',
      rolloutMin: '0',
      windowWaitMin: '0',
      personWaitMin: '0',
      bakeMin: '60',
    });
  });
});

describe('trials.csv', () => {
  it('writes a header and quotes awkward values so they read back unchanged', async () => {
    const odd = makeTrial(1, {
      detectedBy: 'errors, "p99"\nline two',
      build: { ...makeTrial(1).build, template: 'a,b' },
    });
    const { dir } = await writeReports(join(root, 'r'), makeSummary(), [odd, makeTrial(2)]);
    const rows = parseCsv(await readFile(join(dir, 'trials.csv'), 'utf8'));
    expect(rows[0]).toEqual([...TRIAL_COLUMNS]);
    const objs = parseCsvObjects(await readFile(join(dir, 'trials.csv'), 'utf8'));
    expect(objs).toHaveLength(2);
    expect(objs[0]!.detectedBy).toBe('errors, "p99"\nline two');
    expect(objs[0]!.template).toBe('a,b');
    expect(objs[1]).toEqual(trialRecord(makeTrial(2)));
  });

  it('writes only the header for no trials', async () => {
    const { dir } = await writeReports(join(root, 'r'), makeSummary(), []);
    expect(await readFile(join(dir, 'trials.csv'), 'utf8')).toBe(`${TRIAL_COLUMNS.join(',')}\n`);
  });

  it('streams 100,000 rows from a generator to disk as they are produced', async () => {
    const count = 100_000;
    const checkpoints = new Map<number, number>();
    const parent = join(root, 'big');
    const out = join(parent, 'report');
    // Before yielding row i, look at the partial trials.csv on disk: had the rows been held in
    // memory until the end, it would be nearly empty here.
    async function* observed(): AsyncGenerator<TrialOutcome> {
      let i = 0;
      for (const t of generateTrials(count)) {
        if (i > 0 && i % 20_000 === 0) {
          const entries = await readdir(parent);
          const partial = entries.find((e) => e.startsWith('.report.partial-'));
          expect(partial).toBeDefined();
          checkpoints.set(i, (await stat(join(parent, partial!, 'trials.csv'))).size);
        }
        i++;
        yield t;
      }
    }

    const written = await writeReports(out, makeSummary(), observed());
    expect(written.trials).toBe(count);
    const { lines, minLength, last } = await countLines(join(out, 'trials.csv'));
    expect(lines).toBe(count + 1);
    expect(last.split(',')[3]).toBe(String(count - 1));
    // At each checkpoint all but a few buffers' worth of the rows already yielded are on disk.
    expect([...checkpoints.keys()]).toEqual([20_000, 40_000, 60_000, 80_000]);
    for (const [i, size] of checkpoints)
      expect(size).toBeGreaterThanOrEqual((i - 5_000) * minLength);
  });

  it('accepts a plain iterable of 100,000 rows', async () => {
    const out = join(root, 'plain');
    await writeReports(out, makeSummary(), generateTrials(100_000));
    const { lines } = await countLines(join(out, 'trials.csv'));
    expect(lines).toBe(100_001);
  });
});
