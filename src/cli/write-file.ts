import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GatesimError } from '../errors.js';
import { assertMayPublish, isSystemError, systemErrorReason } from '../report/output-folder.js';

/**
 * Writes a whole file through a temporary one in the same folder and a rename, so a reader
 * never sees half a file and an interrupted run leaves the previous one in place. The folder
 * must exist; `what` names the file in the error ("the policy").
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
    if (e instanceof GatesimError) throw e;
    const reason = isSystemError(e) ? systemErrorReason(e) : String(e);
    throw new GatesimError('output-error', `${path}: cannot write ${what}: ${reason}`);
  }
  return path;
}
