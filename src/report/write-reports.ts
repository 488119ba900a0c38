/**
 * Writing a report folder atomically, through the one output-folder writer (output-folder.ts):
 * every file goes into a hidden sibling folder that is renamed to `<name>` only when all of them
 * are complete and synced. An interrupted run therefore leaves either the previous report,
 * untouched, or nothing at `<name>`: never a half-written report that looks complete.
 */
import { join } from 'node:path';
import type { Summary } from '../eval/types.js';
import { GatesimError } from '../errors.js';
import { renderHtmlReport } from './html.js';
import { renderMarkdownReport } from './markdown.js';
import { openOutputFolder, REPORT_MARKER } from './output-folder.js';
import { renderSummaryCsv } from './summary-csv.js';
import { renderSummaryJson } from './summary-json.js';
import { TrialsCsvWriter, type TrialRows } from './trials-csv.js';
import type { TrialOutcome } from '../pipeline/types.js';

export { REPORT_MARKER };

/** The files of a report folder, in the order they are written. */
export const REPORT_FILES = [
  'trials.csv',
  'summary.json',
  'summary.csv',
  'report.md',
  'report.html',
] as const;

/** A report file name. */
export type ReportFile = (typeof REPORT_FILES)[number];

/** Where a committed report is and what it holds. */
export interface WrittenReport {
  dir: string;
  files: readonly ReportFile[];
  trials: number;
}

/** A report being written: trials stream in first, then `commit` adds the summary files. */
export interface ReportWriter {
  /** The final folder. */
  readonly outDir: string;
  /** The hidden folder being filled; renamed to `outDir` by `commit`. */
  readonly partialDir: string;
  /** Appends one row to trials.csv (waits when the disk is behind). */
  writeTrial(row: TrialOutcome): Promise<void>;
  /** Appends every row of an iterable to trials.csv; returns how many. */
  writeTrials(rows: TrialRows): Promise<number>;
  /** Writes summary.json, summary.csv, report.md and report.html, then moves the folder into place. */
  commit(summary: Summary): Promise<WrittenReport>;
  /** Deletes the partial folder; a previous report at `outDir` stays as it was. */
  abort(): Promise<void>;
}

/**
 * Starts a report in `outDir`. Checks first that `outDir` may be replaced (absent, empty, or a
 * previous gatesim report) so a run fails before simulating rather than after.
 * @example
 * const w = await openReportWriter('reports/latest');
 * for await (const t of trials) await w.writeTrial(t);
 * await w.commit(summary);
 */
export async function openReportWriter(outDir: string): Promise<ReportWriter> {
  const folder = await openOutputFolder(outDir, { what: 'a report' });
  const { dir: target, partialDir } = folder;
  const trials = new TrialsCsvWriter(join(partialDir, 'trials.csv'));
  let state: 'open' | 'committed' | 'aborted' = 'open';

  const ensureOpen = (): void => {
    if (state !== 'open')
      throw new GatesimError('report-closed', `the report for ${target} is already ${state}`);
  };

  const abort = async (): Promise<void> => {
    if (state === 'committed') return;
    state = 'aborted';
    await trials.destroy();
    await folder.abort();
  };

  /** Runs a step; on failure discards the partial report and throws the error, with the file named. */
  const step = async <T>(file: ReportFile | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      // Named before the partial folder goes: the message names the file being written.
      const error = folder.failure(e, file);
      await abort();
      throw error;
    }
  };

  const commit = async (summary: Summary): Promise<WrittenReport> => {
    ensureOpen();
    await step('trials.csv', () => trials.close());
    const texts: Array<[ReportFile, () => string]> = [
      ['summary.json', () => renderSummaryJson(summary)],
      ['summary.csv', () => renderSummaryCsv(summary)],
      ['report.md', () => renderMarkdownReport(summary)],
      ['report.html', () => renderHtmlReport(summary)],
    ];
    for (const [file, render] of texts) await step(file, () => folder.writeFile(file, render()));
    await step(undefined, () => folder.commit());
    state = 'committed';
    return { dir: target, files: REPORT_FILES, trials: trials.count };
  };

  return {
    outDir: target,
    partialDir,
    writeTrial: async (row) => {
      ensureOpen();
      await step('trials.csv', () => trials.write(row));
    },
    writeTrials: async (rows) => {
      ensureOpen();
      // Only the file's own failures are output errors; an error from `rows` stays as it is.
      let n = 0;
      for await (const row of rows) {
        await step('trials.csv', () => trials.write(row));
        n++;
      }
      return n;
    },
    commit,
    abort,
  };
}

/**
 * Writes the whole report folder (summary.json, summary.csv, trials.csv, report.md,
 * report.html) atomically: on any error, including one thrown by `trialRows`, nothing is
 * published and a previous report in `outDir` stays intact.
 * @example await writeReports('reports/latest', summary, trialOutcomes)
 */
export async function writeReports(
  outDir: string,
  summary: Summary,
  trialRows: TrialRows,
): Promise<WrittenReport> {
  const writer = await openReportWriter(outDir);
  try {
    await writer.writeTrials(trialRows);
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return writer.commit(summary);
}
