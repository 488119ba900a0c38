/** trials.csv: one row per trial, streamed so memory stays flat however many trials there are. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { TrialOutcome } from '../pipeline/types.js';
import { cell, textCell } from './cells.js';

/** The columns of trials.csv, in order. */
export const TRIAL_COLUMNS = [
  'scenario',
  'policy',
  'seed',
  'trial',
  'bad',
  'template',
  'faultKinds',
  'final',
  'stageReached',
  'detectedBy',
  'onsetMin',
  'decidedMin',
  'shippedMin',
  'restoredMin',
  'rollbackAttempted',
  'rollbackSucceeded',
  'failedRequests',
  'slowRequests',
  'lostCheckouts',
  'lostRevenue',
  'escapeFailedRequests',
  'hurtingAfter2h',
  'startAt',
  'exposedMin',
  'rolloutMin',
  'windowWaitMin',
  'personWaitMin',
  'bakeMin',
] as const;

/** A column name of trials.csv. */
export type TrialColumn = (typeof TRIAL_COLUMNS)[number];

/** Rows for trials.csv: a plain or async iterable, so a generator can feed the file lazily. */
export type TrialRows = Iterable<TrialOutcome> | AsyncIterable<TrialOutcome>;

/**
 * One trial as trials.csv cells (fault kinds joined with `+`; absent times empty). Text that a
 * spreadsheet would run as a formula starts with `'` (see `textCell`).
 */
export function trialRecord(t: TrialOutcome): Record<TrialColumn, string> {
  return {
    scenario: textCell(t.scenario),
    policy: textCell(t.policy),
    seed: cell(t.seed),
    trial: cell(t.trial),
    bad: cell(t.build.bad),
    template: textCell(t.build.template),
    faultKinds: textCell(t.build.faultKinds.join('+')),
    final: textCell(t.final),
    stageReached: textCell(t.stageReached),
    detectedBy: cell(t.detectedBy),
    onsetMin: cell(t.onsetAt),
    decidedMin: cell(t.decidedAt),
    shippedMin: cell(t.shippedAt),
    restoredMin: cell(t.restoredAt),
    rollbackAttempted: cell(t.rollbackAttempted),
    rollbackSucceeded: cell(t.rollbackSucceeded),
    failedRequests: cell(t.impact.failedRequests),
    slowRequests: cell(t.impact.slowRequests),
    lostCheckouts: cell(t.impact.lostCheckouts),
    lostRevenue: cell(t.impact.lostRevenue),
    escapeFailedRequests: cell(t.escapeImpact.failedRequests),
    hurtingAfter2h: cell(t.hurtingAfter2h),
    startAt: cell(t.startAt),
    exposedMin: cell(t.exposedAt),
    rolloutMin: cell(t.rolloutMin),
    windowWaitMin: cell(t.waits.window),
    personWaitMin: cell(t.waits.person),
    bakeMin: cell(t.waits.bake),
  };
}

/**
 * An open trials.csv: rows are stringified and written as they come, waiting whenever the file
 * falls behind (backpressure), so at most a few buffers of rows are ever held in memory.
 */
export class TrialsCsvWriter {
  private readonly stringifier = stringify({ header: true, columns: [...TRIAL_COLUMNS] });
  private readonly done: Promise<void>;
  private failure: unknown = undefined;
  private rows = 0;

  constructor(readonly file: string) {
    // `flush` fsyncs before close, so a renamed-into-place report is on disk, not only in cache.
    const out = createWriteStream(file, { flags: 'wx', flush: true });
    this.done = pipeline(this.stringifier, out);
    // Remember the error; it is rethrown by the next write or by close().
    this.done.catch((e: unknown) => {
      this.failure ??= e;
    });
  }

  /** Rows written so far. */
  get count(): number {
    return this.rows;
  }

  /** Writes one row, resolving when the stream can take more. */
  async write(t: TrialOutcome): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.rows++;
    if (!this.stringifier.write(trialRecord(t))) {
      await Promise.race([once(this.stringifier, 'drain'), this.done.then(() => undefined)]);
      if (this.failure !== undefined) throw this.failure;
    }
  }

  /** Writes every row of an iterable, pulling the next only when the last was accepted. */
  async writeAll(rows: TrialRows): Promise<number> {
    let n = 0;
    for await (const t of rows) {
      await this.write(t);
      n++;
    }
    return n;
  }

  /** Ends the file and waits until it is flushed and closed. */
  async close(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.stringifier.end();
    await this.done;
  }

  /** Stops writing and closes the file without waiting for buffered rows. */
  async destroy(): Promise<void> {
    this.stringifier.destroy();
    await this.done.catch(() => undefined);
  }
}
