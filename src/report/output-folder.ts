/**
 * The one way gatesim writes an output folder (a compare report, a shard, a merge, a backtest):
 * every file goes into a hidden sibling folder (`.<name>.partial-<pid>-XXXXXX`); only when all
 * of them are complete and synced is that folder renamed to `<name>`. So an interrupted or
 * failed run leaves either the previous output, untouched, or nothing at `<name>`: never a
 * half-written folder that looks complete.
 *
 * The folder is replaced as a whole, so it must be one gatesim wrote (it holds the marker file
 * `.gatesim-report`), an empty folder or absent: a mistyped `--out .` cannot delete anyone's
 * files. A file-system failure (permission denied, read-only, a file in the path, a full disk)
 * is a GatesimError naming the file, not a stack trace.
 */
import { lstatSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { GatesimError } from '../errors.js';

/**
 * Marks a folder as written by gatesim; written last. A folder without it is never replaced.
 * (The name says "report" for history: every gatesim output folder carries it.)
 */
export const REPORT_MARKER = '.gatesim-report';

/**
 * Set by a gatesim process that re-ran itself in a child (cli/v8-threads.ts) to its own pid. The
 * child then publishes an output only while that process is still its parent: a caller that
 * killed the parent (a CI timeout) never sees an output appear afterwards.
 */
export const PARENT_PID_ENV = 'GATESIM_PARENT_PID';

/** A file being written piece by piece into an output folder. */
export interface OutputFile {
  /** Appends text (buffered; waits while the disk is behind). */
  write(text: string): Promise<void>;
  /** Writes what is buffered, flushes the file to disk and closes it. */
  close(): Promise<void>;
}

/** An output folder being written: files go to `partialDir` until `commit` publishes it. */
export interface OutputFolder {
  /** The final folder. */
  readonly dir: string;
  /** The hidden folder being filled; renamed to `dir` by `commit`. */
  readonly partialDir: string;
  /** Writes a whole file, flushed to disk. */
  writeFile(name: string, text: string): Promise<void>;
  /** Opens a file to write in pieces; `close` it before `commit`. */
  openFile(name: string): Promise<OutputFile>;
  /**
   * The error to throw for a failure while writing `name` (or the folder): a file-system error
   * becomes a GatesimError naming the file as it will be published; anything else is returned
   * as it is. For writers that manage their own files inside `partialDir`.
   */
  failure(e: unknown, name?: string): unknown;
  /** Adds the marker, then moves the folder into place, replacing a previous output whole. */
  commit(): Promise<void>;
  /** Deletes the partial folder; a previous output at `dir` stays as it was. */
  abort(): Promise<void>;
}

/** Options of `openOutputFolder`. */
export interface OutputFolderOptions {
  /** What the folder holds, for the marker file ("a compare report", "a backtest"). */
  what: string;
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  EISDIR: 'is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'busy',
  EXDEV: 'on another device',
};

/** A Node.js system error (from the file system), as opposed to a bug. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!) &&
    typeof (e as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** `permission denied (EACCES)`: what a system error means, in words, with its code. */
export function systemErrorReason(e: NodeJS.ErrnoException & { code: string }): string {
  const reason = REASONS[e.code];
  return reason === undefined ? e.code : `${reason} (${e.code})`;
}

/** The deepest part of `path` that exists (a failed mkdir or mkdtemp names a path that does not). */
function deepestExisting(path: string): { path: string; isDir: boolean } | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      return { path: p, isDir: lstatSync(p).isDirectory() };
    } catch {
      if (dirname(p) === p) return undefined;
    }
  }
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

/** Throws unless `dir` is absent, empty, or a folder gatesim wrote. */
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
      `${dir} is not empty and is not a gatesim output (no ${REPORT_MARKER}); the output replaces the whole folder, so choose an empty or new folder`,
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

/** Removes partial or displaced folders left by runs into the same folder that were killed. */
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

/** True when this process was started by a gatesim parent (see PARENT_PID_ENV) that has ended. */
export function parentGone(env: NodeJS.ProcessEnv = process.env): boolean {
  const parent = env[PARENT_PID_ENV];
  return parent !== undefined && parent !== '' && process.ppid !== Number(parent);
}

/** Throws when this process may no longer publish: the gatesim process that started it ended. */
export function assertMayPublish(what: string): void {
  if (parentGone())
    throw new GatesimError(
      'parent-gone',
      `${what}: not published, because the gatesim process that started this one has ended`,
    );
}

/** Partial folders of this process not yet committed or aborted: removed if the process exits. */
const unfinished = new Set<string>();
let exitHook = false;

function track(dir: string): void {
  if (!exitHook) {
    exitHook = true;
    // A process that exits (an error, or its parent's death) takes its partial folders along;
    // one killed outright leaves them to the next run into the same folder (removeStale).
    process.on('exit', () => {
      for (const d of unfinished) rmSync(d, { recursive: true, force: true });
    });
  }
  unfinished.add(dir);
}

/**
 * Creates the hidden folder `.<name>.partial-<pid>-XXXXXX` beside the target. Not mkdtemp: its
 * folder is private (mode 700) and would be published so; mkdir gives the usual permissions.
 */
async function makePartialDir(parent: string, name: string): Promise<string> {
  for (;;) {
    const dir = join(
      parent,
      `.${name}.partial-${process.pid}-${randomBytes(6).toString('base64url').slice(0, 6)}`,
    );
    try {
      await mkdir(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
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

/** Buffered appends: one write per 64 KiB keeps a streamed file fast without holding it. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Starts an output folder at `dir`. Checks first that `dir` may be replaced (absent, empty, or
 * written by gatesim) and creates the hidden partial folder, so a run fails before it simulates,
 * not after.
 * @example
 * const out = await openOutputFolder('reports/backtest', { what: 'a backtest' });
 * await out.writeFile('backtest.md', text);
 * await out.commit();
 */
export async function openOutputFolder(
  dir: string,
  options: OutputFolderOptions,
): Promise<OutputFolder> {
  const target = resolve(dir);
  const parent = dirname(target);
  const name = basename(target);
  let partialDir = '';

  const inPartial = (p: string): boolean =>
    partialDir !== '' && (p === partialDir || p.startsWith(partialDir + sep));

  /** Where a failing path is, as the person reading the message knows it. */
  const shown = (path: string | undefined, file: string | undefined): string => {
    if (path === undefined) return file === undefined ? target : join(target, file);
    const p = resolve(path);
    if (inPartial(p)) return join(target, relative(partialDir, p));
    // A hidden name beside the target (the partial or displaced folder): the folder it is in.
    if (dirname(p) === parent && basename(p).startsWith(`.${name}.`)) return parent;
    return p;
  };

  const failure = (e: unknown, file?: string): unknown => {
    if (e instanceof GatesimError || !isSystemError(e)) return e;
    const path = e.path === undefined ? undefined : resolve(e.path);
    // Outside the folder being written, the deepest part of the path that exists says more: a
    // folder that could not be created is named by the one it was to be created in.
    const found = path === undefined || inPartial(path) ? undefined : deepestExisting(path);
    let detail: string;
    if ((e.code === 'ENOTDIR' || e.code === 'EEXIST') && found !== undefined && !found.isDir) {
      // Something in the way: the first part of the path that is a file, not a folder.
      detail = `${found.path} is a file, not a folder (${e.code})`;
    } else {
      const where = shown(found?.path ?? path, file);
      detail = where === target ? systemErrorReason(e) : `${where}: ${systemErrorReason(e)}`;
    }
    return new GatesimError('output-error', `cannot write ${target}: ${detail}`);
  };

  try {
    await checkReplaceable(target);
    await mkdir(parent, { recursive: true });
    await removeStale(parent, name);
    partialDir = await makePartialDir(parent, name);
  } catch (e) {
    throw failure(e);
  }
  track(partialDir);
  let state: 'open' | 'committed' | 'aborted' = 'open';
  const openFiles = new Set<OutputFile>();

  const ensureOpen = (): void => {
    if (state !== 'open')
      throw new GatesimError('report-closed', `the output ${target} is already ${state}`);
  };

  const abort = async (): Promise<void> => {
    if (state === 'committed') return;
    state = 'aborted';
    for (const f of openFiles) await f.close().catch(() => undefined);
    await rm(partialDir, { recursive: true, force: true });
    unfinished.delete(partialDir);
  };

  const openFile = async (file: string): Promise<OutputFile> => {
    ensureOpen();
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(join(partialDir, file), 'wx');
    } catch (e) {
      throw failure(e, file);
    }
    let buffer = '';
    let closed = false;
    const flush = async (): Promise<void> => {
      if (buffer === '') return;
      const text = buffer;
      buffer = '';
      try {
        await fh.write(text);
      } catch (e) {
        throw failure(e, file);
      }
    };
    const handle: OutputFile = {
      write: async (text) => {
        if (closed) throw new GatesimError('report-closed', `${join(target, file)} is closed`);
        buffer += text;
        if (buffer.length >= FLUSH_BYTES) await flush();
      },
      close: async () => {
        if (closed) return;
        closed = true;
        openFiles.delete(handle);
        try {
          await flush();
          await fh.sync().catch((e: unknown) => {
            throw failure(e, file);
          });
        } finally {
          await fh.close();
        }
      },
    };
    openFiles.add(handle);
    return handle;
  };

  const writeFile = async (file: string, text: string): Promise<void> => {
    const f = await openFile(file);
    try {
      await f.write(text);
    } finally {
      await f.close();
    }
  };

  const commit = async (): Promise<void> => {
    ensureOpen();
    try {
      if (openFiles.size > 0) throw new Error(`output ${target}: commit with files still open`);
      await writeFile(REPORT_MARKER, markerText(options.what));
      await syncDir(partialDir);
      // Checked again: another program may have put files there while we worked.
      await checkReplaceable(target);
      const displaced = (await exists(target))
        ? join(parent, `.${name}.old-${process.pid}-${basename(partialDir).slice(-6)}`)
        : undefined;
      // From the check to the renames nothing yields to the event loop, so an output is never
      // published after a parent's death was seen (see PARENT_PID_ENV). rename() cannot replace
      // a non-empty folder, so the old output steps aside first; a crash between the two
      // renames leaves no output at `target` (never a partial one).
      assertMayPublish(target);
      if (displaced !== undefined) renameSync(target, displaced);
      try {
        renameSync(partialDir, target);
      } catch (e) {
        if (displaced !== undefined)
          try {
            renameSync(displaced, target);
          } catch {
            /* the first error is the one to report */
          }
        throw e;
      }
      state = 'committed';
      unfinished.delete(partialDir);
      await syncDir(parent);
      if (displaced !== undefined) await rm(displaced, { recursive: true, force: true });
    } catch (e) {
      const error = failure(e);
      await abort();
      throw error;
    }
  };

  return {
    dir: target,
    partialDir,
    writeFile: async (file, text) => {
      ensureOpen();
      await writeFile(file, text);
    },
    openFile,
    failure,
    commit,
    abort,
  };
}

function markerText(what: string): string {
  return `This folder is ${what} written by gatesim. The next run writing here replaces the whole folder.\n`;
}
