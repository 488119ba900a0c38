import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BENCH = join(ROOT, 'dist/bench/main.js');
const OUT = join(ROOT, 'reports/bench.json');

describe('npm run bench', () => {
  it('refuses a section it does not know, naming the sections, and writes nothing', () => {
    const before = existsSync(OUT) ? statSync(OUT).mtimeMs : undefined;
    const r = spawnSync(process.execPath, [BENCH, 'trails'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'bench: unknown section `trails`; the sections are startup, engine, trials, memory, suite, tune, real-data (name none to run them all)\n',
    );
    expect(existsSync(OUT) ? statSync(OUT).mtimeMs : undefined).toBe(before);
  });
});
