import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GatesimError } from '../errors.js';
import { assertMayPublish, isSystemError, systemErrorReason } from '../report/output-folder.js';

function outputError(e: unknown, path: string, what: string): unknown {
  if (e instanceof GatesimError) return e;
  // mkdir -p says EEXIST when a part of the path is a file.
  const reason = !isSystemError(e)
    ? String(e)
    : e.code === 'EEXIST'
      ? 'a part of the path is a file, not a folder (EEXIST)'
      : systemErrorReason(e);
  return new GatesimError('output-error', `${path}: cannot write ${what}: ${reason}`);
}

/**
 * Writes a whole file through a temporary one in the same folder and a rename, so a reader
 * never sees half a file and an interrupted run leaves the previous one in place. The folder
 * must exist (see `ensureFolder`); `what` names the file in the error ("the policy"). A
 * file-system failure is a GatesimError naming the file.
 */
export function writeFileAtomic(file: string, text: string, what: string): string {
  const path = resolve(file);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, 'utf8');
    // A child restarted by cli/v8-threads.ts writes nothing once its parent is gone.
    assertMayPublish(path);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* nothing was written there */
    }
    throw outputError(e, path, what);
  }
  return path;
}

/**
 * Creates a folder (and its parents) for output; a file-system failure is a GatesimError naming
 * it, e.g. when a part of the path is a file. `what` names what goes there ("the check report").
 */
export function ensureFolder(dir: string, what: string): string {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw outputError(e, path, what);
  }
  return path;
}
