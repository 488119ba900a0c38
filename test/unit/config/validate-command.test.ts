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
  // Flagger's documented request-duration at `interval: 30s`, and a 1m success rate.
  writeFileSync(
    join(dir, 'short-window.yaml'),
    `stages:
  - name: canary
    target: { kind: fleet, share: 0.1 }
    checks:
      - { name: request-success-rate, metric: error_rate, judge: { kind: threshold, max: 0.01 }, interval: 1m, window: 1m, onMissingData: fail }
      - { name: request-duration, metric: latency_p99, judge: { kind: threshold, max: 500 }, interval: 1m, window: 30s, onMissingData: fail }
  - name: mid
    target: { kind: fleet, share: 0.5 }
    checks:
      - { name: request-duration, metric: latency_p99, judge: { kind: threshold, max: 500 }, interval: 1m, window: 30s, onMissingData: fail }
      - { name: p50-45s, metric: latency_p50, judge: { kind: threshold, max: 500 }, interval: 1m, window: 45s }
  - { name: all, target: { kind: fleet, share: 1 } }
`,
  );
  writeFileSync(
    join(dir, 'scrape-1m.yaml'),
    'fleet:\n  regions:\n    - { name: main, trafficShare: 1, hosts: 10, utcOffsetHours: 0 }\nscrapeInterval: 1m\n',
  );
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

  it('warns, naming the check, of windows that cannot hold the two scrapes a rate needs (Prometheus rate: two samples in the range)', () => {
    const c = capture();
    const file = join(dir, 'short-window.yaml');
    expect(runValidate([file], {}, c.io)).toBe(0);
    expect(c.out).toEqual([`ok ${file} (policy)`]);
    const note = ' (the default scrape interval; a scenario sets its own with scrapeInterval)';
    // Once per check, at its first place: the 30s window never holds two 30s scrapes; 45s does half the time.
    expect(c.err).toEqual([
      `warning: ${file}: stages[0].checks[1].window: check \`request-duration\`: at a 30s scrape interval, a rate (latency_p99) needs two scrapes in its window, and its 30s window holds at most one: every measurement reads no data (onMissingData: fail); a window of at least 1m always holds two${note}`,
      `warning: ${file}: stages[1].checks[1].window: check \`p50-45s\`: at a 30s scrape interval, a rate (latency_p50) needs two scrapes in its window, and its 45s window holds too few depending on where the scrapes fall: about 50% of measurements read no data (onMissingData: inconclusive); a window of at least 1m always holds two${note}`,
    ]);
    // Against a scenario that scrapes every minute, the 1m window is too short as well.
    const d = capture();
    const scen = join(dir, 'scrape-1m.yaml');
    expect(runValidate([file], { scenario: [scen] }, d.io)).toBe(0);
    expect(d.err.map((l) => l.split(': check ')[1]!.split(':')[0])).toEqual([
      '`request-success-rate`',
      '`request-duration`',
      '`p50-45s`',
    ]);
    expect(d.err[0]).toContain('at a 1m scrape interval');
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
    expect(c.out.length).toBe(9);
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
