import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes files into an existing folder so that none of them appears half-written: each goes to
 * a hidden temporary name first, and only when all are written are they renamed into place. On
 * a failure the temporaries are removed and the error is rethrown.
 */
export async function writeFilesTogether(
  dir: string,
  files: readonly (readonly [name: string, text: string])[],
): Promise<void> {
  const temps: string[] = [];
  try {
    for (const [name, text] of files) {
      const tmp = join(dir, `.${name}.tmp-${process.pid}`);
      temps.push(tmp);
      await writeFile(tmp, text);
    }
    for (let i = 0; i < files.length; i++) await rename(temps[i]!, join(dir, files[i]![0]));
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw e;
  }
}
