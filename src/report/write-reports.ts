/**
 * Writing a report folder atomically. Every file goes into a hidden sibling folder
 * (`.<name>.partial-<pid>-XXXXXX`); only when all of them are complete and synced is that folder
 * renamed to `<name>`. An interrupted run therefore leaves either the previous report, untouched,
 * or nothing at `<name>`: never a half-written report that looks complete.
 */
import { mkdir, mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Summary } from '../eval/types.js';
import { GatesimError } from '../errors.js';
import { renderHtmlReport } from './html.js';
import { renderMarkdownReport } from './markdown.js';
import { renderSummaryCsv } from './summary-csv.js';
import { renderSummaryJson } from './summary-json.js';
import { TrialsCsvWriter, type TrialRows } from './trials-csv.js';
import type { TrialOutcome } from '../pipeline/types.js';

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

/**
 * Marks a folder as a gatesim report, written last. A folder without it is never replaced, so a
 * mistyped `--out .` cannot delete someone's files.
 */
export const REPORT_MARKER = '.gatesim-report';

const MARKER_TEXT =
  'This folder is a gatesim report. The next run writing here replaces the whole folder.\n';

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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Throws unless `dir` is absent, empty, or a previous gatesim report. */
async function checkReplaceable(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!info.isDirectory())
    throw new GatesimError(
      'out-dir-not-report',
      `${dir} exists and is not a folder; choose another --out`,
    );
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes(REPORT_MARKER))
    throw new GatesimError(
      'out-dir-not-report',
      `${dir} is not empty and is not a gatesim report (no ${REPORT_MARKER}); the report replaces the whole folder, so choose an empty or new folder`,
    );
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes partial or displaced folders left by runs of this report that were killed. */
async function removeStale(parent: string, name: string): Promise<void> {
  const prefix = `.${name}.`;
  const re = /^(?:partial|old)-(\d+)-/;
  for (const entry of await readdir(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const m = re.exec(entry.slice(prefix.length));
    if (m !== null && !isAlive(Number(m[1])))
      await rm(join(parent, entry), { recursive: true, force: true });
  }
}

/** Writes a file and flushes it to disk before closing, so a rename never publishes an empty file. */
async function writeDurable(path: string, text: string): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the renames durable; some file systems refuse to fsync a folder, which is harmless here.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
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
  const target = resolve(outDir);
  const parent = dirname(target);
  const name = basename(target);
  await checkReplaceable(target);
  await mkdir(parent, { recursive: true });
  await removeStale(parent, name);
  const partialDir = await mkdtemp(join(parent, `.${name}.partial-${process.pid}-`));
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
    await rm(partialDir, { recursive: true, force: true });
  };

  const commit = async (summary: Summary): Promise<WrittenReport> => {
    ensureOpen();
    try {
      await trials.close();
      const texts: Array<[ReportFile, () => string]> = [
        ['summary.json', () => renderSummaryJson(summary)],
        ['summary.csv', () => renderSummaryCsv(summary)],
        ['report.md', () => renderMarkdownReport(summary)],
        ['report.html', () => renderHtmlReport(summary)],
      ];
      for (const [file, render] of texts) await writeDurable(join(partialDir, file), render());
      await writeDurable(join(partialDir, REPORT_MARKER), MARKER_TEXT);
      await syncDir(partialDir);

      // Checked again: another program may have put files there while we simulated.
      await checkReplaceable(target);
      // rename() cannot replace a non-empty folder, so the old report steps aside first; a crash
      // between the two renames leaves no report at `target` (never a partial one).
      let displaced: string | undefined;
      if (await exists(target)) {
        displaced = join(parent, `.${name}.old-${process.pid}-${basename(partialDir).slice(-6)}`);
        await rename(target, displaced);
      }
      try {
        await rename(partialDir, target);
      } catch (e) {
        if (displaced !== undefined) await rename(displaced, target).catch(() => undefined);
        throw e;
      }
      state = 'committed';
      await syncDir(parent);
      if (displaced !== undefined) await rm(displaced, { recursive: true, force: true });
      return { dir: target, files: REPORT_FILES, trials: trials.count };
    } catch (e) {
      await abort();
      throw e;
    }
  };

  return {
    outDir: target,
    partialDir,
    writeTrial: async (row) => {
      ensureOpen();
      await trials.write(row);
    },
    writeTrials: async (rows) => {
      ensureOpen();
      return trials.writeAll(rows);
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
