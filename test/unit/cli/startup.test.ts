/**
 * `gatesim --help` and every command's option parsing load only the light registration
 * modules: a command's own code (config loaders, the simulator, reports, zod, yaml, the worker
 * pool) is imported when the command runs. Checked on the import graph of the sources, so it
 * fails as soon as a registration module imports something heavy.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../../src');

/** The modules a file imports for their values (type-only imports are erased at build). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    if (m[1] !== undefined) continue;
    const clause = m[2]!;
    const names = /^\{([\s\S]*)\}$/.exec(clause.trim());
    if (
      names !== null &&
      names[1]!.split(',').every((n) => n.trim() === '' || /^type\s/.test(n.trim()))
    )
      continue;
    out.push(m[3]!);
  }
  return out;
}

/** Every source file and package loaded, transitively, by static value imports from `entry`. */
function closure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(SRC, f)).sort(), packages: [...packages].sort() };
}

describe('start-up', () => {
  it('the command line loads commander and the light registration modules only', () => {
    const { files, packages } = closure(join(SRC, 'cli/main.ts'));
    expect(packages).toEqual(['commander']);
    const heavy = files.filter(
      (f) =>
        !/^cli\/(main|commands\/[a-z-]+|options|errors|v8-threads)\.ts$/.test(f) &&
        !['errors.ts', 'world/types.ts', 'import/types.ts'].includes(f),
    );
    expect(heavy).toEqual([]);
  });

  it('the helper that reads imports sees a value import and skips a type-only one', () => {
    const { files } = closure(join(SRC, 'cli/commands/compare.ts'));
    expect(files).toContain('cli/options.ts');
    expect(files).not.toContain('cli/compare.ts');
  });
});
