import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureFolder, writeFileAtomic } from '../../../src/cli/write-file.js';
import { PARENT_PID_ENV } from '../../../src/report/output-folder.js';

describe('writeFileAtomic', () => {
  const root = mkdtempSync(join(tmpdir(), 'gatesim-write-file-'));
  afterEach(() => {
    delete process.env[PARENT_PID_ENV];
  });

  it('writes nothing once the gatesim process that restarted this one is gone', () => {
    const file = join(root, 'baseline.json');
    writeFileSync(file, 'old');
    process.env[PARENT_PID_ENV] = String(process.ppid === 1 ? 2 : 1);
    expect(() => writeFileAtomic(file, 'new', 'the baseline')).toThrow(
      `${file}: not published, because the gatesim process that started this one has ended`,
    );
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(root)).toEqual(['baseline.json']);
  });

  it('names the file and the reason of an output error', () => {
    const file = join(root, 'baseline.json', 'inside.json');
    expect(() => writeFileAtomic(file, 'x', 'the baseline')).toThrow(
      `${file}: cannot write the baseline: a part of the path is a file, not a folder (ENOTDIR)`,
    );
  });

  it('ensureFolder makes an output folder, or names it when a file is in the way', () => {
    const dir = join(root, 'reports', 'check');
    expect(ensureFolder(dir, 'the check report')).toBe(dir);
    writeFileAtomic(join(dir, 'check.md'), 'text', 'the check report');
    expect(readFileSync(join(dir, 'check.md'), 'utf8')).toBe('text');
    for (const [bad, code] of [
      [join(root, 'baseline.json'), 'EEXIST'],
      [join(root, 'baseline.json', 'out'), 'ENOTDIR'],
    ] as const)
      expect(() => ensureFolder(bad, 'the check report')).toThrow(
        `${bad}: cannot write the check report: a part of the path is a file, not a folder (${code})`,
      );
    rmSync(root, { recursive: true, force: true });
  });
});
