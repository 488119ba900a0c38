import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerValidate } from '../../../src/cli/commands/validate.js';
import { runValidate } from '../../../src/cli/validate.js';

const root = resolve(import.meta.dirname, '../../..');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatesim-validate-'));
  writeFileSync(
    join(dir, 'bad-policy.yaml'),
    'stages:\n  - { name: a, target: { kind: fleet, share: 1 }, bake: soon }\n',
  );
  writeFileSync(
    join(dir, 'other-region.yaml'),
    'stages:\n  - { name: a, target: { kind: region, region: mars } }\n',
  );
  writeFileSync(join(dir, 'syntax.yaml'), 'stages: [\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runValidate', () => {
  it('prints ok for every valid file and exits 0', () => {
    const c = capture();
    const code = runValidate(
      [join(root, 'scenarios', 'crash-loop.yaml'), join(root, 'policies', 'green-ci-only.yaml')],
      {},
      c.io,
    );
    expect(c.err).toEqual([]);
    expect(c.out).toEqual([
      `ok ${join(root, 'scenarios', 'crash-loop.yaml')} (scenario)`,
      `ok ${join(root, 'policies', 'green-ci-only.yaml')} (policy)`,
    ]);
    expect(code).toBe(0);
  });

  it('prints the issues and exits 2, going on past bad files', () => {
    const c = capture();
    const bad = join(dir, 'bad-policy.yaml');
    const missing = join(dir, 'missing.yaml');
    const code = runValidate(
      [bad, missing, join(dir, 'syntax.yaml'), join(root, 'policies', 'green-ci-only.yaml')],
      {},
      c.io,
    );
    expect(code).toBe(2);
    expect(c.err[0]).toBe(
      `${bad}: stages[0].bake: expected a duration such as 30s, 10m, 2h or a number of minutes ≥ 0, got "soon"`,
    );
    expect(c.err[1]).toBe(`gatesim: ${missing}: no such file or folder`);
    expect(c.err[2]).toMatch(/syntax\.yaml: \d+:\d+: YAML syntax error/);
    expect(c.out).toEqual([`ok ${join(root, 'policies', 'green-ci-only.yaml')} (policy)`]);
    // Messages, never stack traces.
    expect(c.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('checks policies against the scenarios given', () => {
    const c = capture();
    const policy = join(dir, 'other-region.yaml');
    const code = runValidate(
      [policy],
      { scenario: [join(root, 'scenarios', 'baseline-healthy.yaml')] },
      c.io,
    );
    expect(code).toBe(2);
    expect(c.err.join('\n')).toContain(`${policy}: stages[0].target.region: unknown region "mars"`);
    // Alone the policy is valid: whether `mars` exists, and whether whole regions cover the
    // fleet, only a fleet can tell.
    const alone = capture();
    expect(runValidate([policy], {}, alone.io)).toBe(0);
  });

  it('expands folders', () => {
    const c = capture();
    const code = runValidate([join(root, 'policies')], {}, c.io);
    expect(c.out.length).toBe(8);
    expect(code).toBe(c.err.length === 0 ? 0 : 2);
  });
});

describe('registerValidate', () => {
  const saved = process.exitCode;
  afterEach(() => {
    process.exitCode = saved;
    vi.restoreAllMocks();
  });

  it('sets the exit code instead of throwing', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (writes.push(String(s)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const program = new Command().exitOverride();
    registerValidate(program);
    await program.parseAsync(['node', 'gatesim', 'validate', join(dir, 'bad-policy.yaml')]);
    expect(process.exitCode).toBe(2);
    expect(writes.join('')).toContain('stages[0].bake');
  });
});
