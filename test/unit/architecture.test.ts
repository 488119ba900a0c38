import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const all = files(SRC).map((f) => ({
  path: relative(SRC, f).replaceAll('\\', '/'),
  text: readFileSync(f, 'utf8'),
}));

/** Layers that the simulation runs in: results must depend on the seed alone. */
const SIMULATION = /^(engine|random|stats|world|policy|judges|pipeline|eval|config|util)\//;

describe('architecture', () => {
  it('the simulation never reads the wall clock or an unseeded random source', () => {
    const offenders = all
      .filter((f) => SIMULATION.test(f.path))
      .filter((f) =>
        /Math\.random|Date\.now\(|new Date\(\)|performance\.now/.test(
          f.text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''),
        ),
      )
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('libraries stay in their layer: commander in cli/, csv-stringify in report/, seedrandom in random/', () => {
    const rules: [RegExp, RegExp][] = [
      [/from 'commander'/, /^cli\//],
      [/from 'csv-stringify/, /^report\//],
      [/from 'seedrandom'/, /^random\//],
    ];
    const offenders = all.flatMap((f) =>
      rules.filter(([imp, where]) => imp.test(f.text) && !where.test(f.path)).map(() => f.path),
    );
    expect(offenders).toEqual([]);
  });

  it('dependencies point one way: the engine never imports the world, judges never import the pipeline', () => {
    const forbidden: Record<string, string[]> = {
      engine: ['world', 'policy', 'judges', 'pipeline', 'eval', 'report', 'cli'],
      random: ['world', 'policy', 'judges', 'pipeline', 'eval', 'report', 'cli'],
      stats: ['world', 'policy', 'judges', 'pipeline', 'eval', 'report', 'cli'],
      world: ['policy', 'judges', 'pipeline', 'eval', 'report', 'cli'],
      judges: ['pipeline', 'eval', 'report', 'cli', 'policy'],
      policy: ['pipeline', 'eval', 'report', 'cli'],
      pipeline: ['eval', 'report', 'cli'],
      eval: ['cli'],
      report: ['cli'],
    };
    const offenders: string[] = [];
    for (const f of all) {
      const layer = f.path.split('/')[0]!;
      for (const m of f.text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const target = join(f.path, '..', m[1]!).replaceAll('\\', '/').split('/')[0]!;
        if ((forbidden[layer] ?? []).includes(target)) offenders.push(`${f.path} → ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
