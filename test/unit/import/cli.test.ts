import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerImport } from '../../../src/cli/commands/import.js';
import { GatesimError } from '../../../src/errors.js';
import { importArgoRollouts } from '../../../src/import/index.js';
import { parse } from 'yaml';

const FIX = fileURLToPath(new URL('../../fixtures/import/', import.meta.url));

interface Run {
  stdout: string;
  stderr: string;
}

async function run(args: string[]): Promise<Run> {
  const out: Run = { stdout: '', stderr: '' };
  const program = new Command().name('gatesim').exitOverride();
  registerImport(program, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) });
  await program.parseAsync(['node', 'gatesim', ...args]);
  return out;
}

async function failure(args: string[]): Promise<string> {
  try {
    await run(args);
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  throw new Error('no error');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatesim-import-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('gatesim import', () => {
  it('argo-rollouts -o writes the policy, prints the mappings, and lists gaps on stderr', async () => {
    const rollout = join(FIX, 'argo-rollouts/rollout-canary.yaml');
    const templates = join(FIX, 'argo-rollouts/analysis-templates.yaml');
    const out = join(dir, 'checkout.yaml');
    const r = await run(['import', 'argo-rollouts', rollout, templates, '-o', out]);
    const written = readFileSync(out, 'utf8');
    expect(readdirSync(dir)).toEqual(['checkout.yaml']);
    const direct = importArgoRollouts(
      [rollout, templates].map((f) => ({ name: f, text: readFileSync(f, 'utf8') })),
      { command: `gatesim import argo-rollouts ${rollout} ${templates}` },
    );
    expect(written).toBe(direct.text);
    expect(r.stdout).toContain(`wrote ${out}: 5 stage(s), 2 check(s)`);
    expect(r.stdout).toContain(
      'AnalysisTemplate success-rate: success-rate → error_rate (heuristic:',
    );
    expect(r.stderr).toContain('not modelled exactly (');
    expect(r.stderr).toContain('[ignored]');
  });

  it('without -o the policy goes to stdout', async () => {
    const r = await run([
      'import',
      'codedeploy',
      'CodeDeployDefault.ECSCanary10Percent5Minutes',
      '--alarms',
      join(FIX, 'codedeploy/alarms-list.json'),
    ]);
    const p = parse(r.stdout) as { stages: { name: string }[] };
    expect(p.stages.map((s) => s.name)).toEqual(['canary-10pct', 'full']);
    expect(r.stderr).toBe('');
  });

  it('appconfig reads a strategy file; flagger takes --ab-share; --map repeats', async () => {
    const a = await run(['import', 'appconfig', join(FIX, 'appconfig/strategy.json')]);
    expect(a.stdout).toContain(
      'description: "AppConfig Exponential5Percent60Minutes: exponential 5% × 2^N over 1h, final bake 20m"',
    );
    expect(a.stderr).toContain('warning: no --alarms given');
    const f = await run([
      'import',
      'flagger',
      join(FIX, 'flagger/ab-testing.yaml'),
      '--ab-share',
      '0.2',
      '--approval-median',
      '2h',
    ]);
    const p = parse(f.stdout) as { stages: { target: { weight: number }; approval: unknown }[] };
    expect(p.stages[0]!.target.weight).toBe(0.2);
    expect(p.stages[0]!.approval).toEqual({
      kind: 'manual',
      delay: { kind: 'lognormal', median: '2h', sigma: 0.8 },
    });
    const m = await run([
      'import',
      'argo-rollouts',
      join(FIX, 'argo-rollouts/cpu-template.yaml'),
      '--map',
      'cpu-usage=none',
      '--map',
      'x=error_rate',
    ]);
    expect(m.stderr).toContain('warning: --map x=error_rate matched no metric');
  });

  it('bad input is a GatesimError with the file and path (main prints it and exits 2)', async () => {
    expect(
      await failure(['import', 'argo-rollouts', join(FIX, 'argo-rollouts/invalid-pause.yaml')]),
    ).toContain(
      'invalid-pause.yaml: spec.strategy.canary.steps[2].pause.duration: expected a whole number of seconds',
    );
    expect(await failure(['import', 'flagger', join(dir, 'nope.yaml')])).toMatch(
      /nope\.yaml: cannot read the file \(ENOENT\)$/,
    );
    expect(
      await failure(['import', 'flagger', join(FIX, 'flagger/ab-testing.yaml'), '--ab-share', '2']),
    ).toBe('--ab-share: expected a share in (0, 1], got "2"');
    expect(await failure(['import', 'codedeploy', 'OneAtATime', '--hosts', 'many'])).toBe(
      '--hosts: expected a whole number ≥ 1, got "many"',
    );
    expect(
      await failure(['import', 'appconfig', 'Canary10Percent20Minutes', '--map', 'broken']),
    ).toBe('--map "broken": expected NAME=METRIC or NAME=METRIC:UNIT');
    expect(
      await failure([
        'import',
        'codedeploy',
        'OneAtATime',
        '-o',
        join(dir, 'missing-dir', 'p.yaml'),
      ]),
    ).toMatch(/cannot write the policy/);
  });
});
