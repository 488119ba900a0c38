/**
 * The repository carries everything it needs: a user's clone, a fork's CI and a published
 * package have nothing beside them. No tracked file reads a path outside the repository or
 * names a folder of a development machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const THIS_FILE = 'test/unit/self-contained.test.ts';

/** Tracked text files where code, data paths or instructions live. */
function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\0')
    .filter((f) => f !== '' && f !== THIS_FILE)
    .filter((f) =>
      /^(src|test|scenarios|policies|scripts|docs|\.ci|\.github)\/|^README\.md$|^package\.json$/.test(
        f,
      ),
    )
    .filter((f) => /\.(ts|js|mjs|cjs|json|ya?ml|md|sh|py|txt)$|^\.ci\/run$/.test(f));
}

// Built from pieces, so this file does not match itself.
const SIBLING = ['\\.\\./', 'shared'].join('');
const FORBIDDEN: [RegExp, string][] = [
  [new RegExp(SIBLING), 'a folder beside the checkout'],
  [new RegExp(`'\\.\\.',\\s*'${'shared'}'`), 'a folder beside the checkout'],
  [new RegExp(['/', 'work/'].join('')), 'a development machine path'],
  [new RegExp(['/', 'home/[a-z]'].join('')), 'a home folder'],
  [new RegExp(['/', 'root/'].join('')), 'the root user’s home folder'],
  [new RegExp(['/', 'Users/[A-Za-z]'].join('')), 'a home folder'],
  // The development notes beside the checkout: a user has none of them.
  [new RegExp(['REFERENCE', 'SEMANTICS'].join('-')), 'a note that exists only beside the checkout'],
  [
    new RegExp(['\\b(DESIGN|STYLE)', '\\.md'].join('')),
    'a note that exists only beside the checkout',
  ],
];

describe('the repository is self-contained', () => {
  it('no tracked file names a path outside the repository or of a development machine', () => {
    const offenders: string[] = [];
    for (const f of trackedFiles()) {
      const lines = readFileSync(join(ROOT, f), 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const [re, what] of FORBIDDEN)
          if (re.test(line)) offenders.push(`${f}:${i + 1}: ${what}: ${line.trim().slice(0, 100)}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the recorded series the tests and the bench read are in the repository, with their licences', () => {
    const files = execFileSync('git', ['ls-files', 'data/real-metrics'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(files).toContain('data/real-metrics/microsoft-cloud-monitoring/LICENSE');
    expect(files).toContain('data/real-metrics/nab/LICENSE');
    expect(files).toContain('data/real-metrics/nab/combined_windows.json');
  });
});
