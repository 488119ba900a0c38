/**
 * `gatesim check` and `gatesim tune` end to end on the small closed-form world: check's exit
 * codes (0 pass, 1 fail, 2 bad input) including a baseline regression, and tune's outputs.
 * The commands run in-process (the command functions the CLI calls, with their error
 * handling); once main.ts registers them, the same cases also run through the built CLI
 * (`npx tsc -p tsconfig.build.json` first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { runCheckCommand, type CheckCliOptions } from '../../src/cli/check.js';
import { handleErrors } from '../../src/cli/errors.js';
import { runTuneCommand, type TuneCliOptions } from '../../src/cli/tune.js';
import { parsePolicy } from '../../src/config/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const FIX = join(ROOT, 'test/fixtures/tune');
const WORLD = join(FIX, 'closed-form.yaml');
const GOOD = join(FIX, 'good-only.yaml');
const TIGHT = join(FIX, 'one-measurement.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'gatesim-tune-check-'));
// The same policy with a looser threshold, under the same file name in another folder.
const LOOSE = join(tmp, 'loose', 'one-measurement.yaml');
{
  const text = readFileSync(TIGHT, 'utf8').replace('max: 0.015', 'max: 0.022');
  spawnSync('mkdir', ['-p', join(tmp, 'loose')]);
  writeFileSync(LOOSE, text);
}

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function check(o: CheckCliOptions): Promise<number> {
  process.exitCode = undefined;
  await handleErrors(async (x: CheckCliOptions) => {
    await runCheckCommand(x);
  })({ workers: '1', quiet: false, ...o });
  return Number(process.exitCode ?? 0);
}

async function tuneCmd(o: TuneCliOptions): Promise<number> {
  process.exitCode = undefined;
  await handleErrors(async (x: TuneCliOptions) => {
    await runTuneCommand(x);
  })({ workers: '1', quiet: true, ...o });
  return Number(process.exitCode ?? 0);
}

describe('gatesim check (in-process)', () => {
  const base = { policy: TIGHT, scenarios: [WORLD, GOOD], trials: '200', seed: '4' };

  it('exits 0 when every budget is met on every scenario, and prints the table', async () => {
    expect(await check({ ...base, maxBlockedGood: '0.08', maxLeadTimeP90: '10m' })).toBe(0);
    expect(out).toMatch(
      /^check one-measurement: 2 scenarios × 200 trials \(seed 4\); budgets judged on the 95% upper bound/,
    );
    expect(out).toMatch(
      /closed-form\s+blocked-good ≤ 8\.0%\s+\S+ \(\S+\) · \d+\/\d+\s+\S+%\s+PASS/,
    );
    expect(out).toMatch(
      /good-only\s+lead time p90 ≤ 10 min\s+4 min \(4–4 min\) · n=\d+\s+4 min\s+PASS/,
    );
    expect(out).toContain('PASS: every budget met on every scenario (4 checks)');
  });

  it('exits 1 when a budget is missed on one scenario; a figure with nothing to count is n/a', async () => {
    expect(await check({ ...base, maxShippedBad: '10%' })).toBe(1);
    expect(out).toMatch(/closed-form\s+shipped-bad ≤ 10\.0%.*FAIL/);
    expect(out).toMatch(/good-only\s+shipped-bad ≤ 10\.0%\s+–\s+n\/a\s+no bad builds/);
    expect(out).toContain('FAIL: 1 of 2 budget checks failed');
  });

  it('on the point estimate a budget between the estimate and the upper bound passes', async () => {
    // Blocked-good is about 1.7% on closed-form (one reading above 1.5%, see the closed-form test).
    expect(await check({ ...base, scenarios: [WORLD], maxBlockedGood: '0.03' })).toBe(1);
    expect(
      await check({ ...base, scenarios: [WORLD], maxBlockedGood: '0.03', bound: 'point' }),
    ).toBe(0);
  });

  it('exits 2 on bad input, before running anything', async () => {
    expect(await check({ ...base, maxShippedBad: '1.5' })).toBe(2);
    expect(err).toContain('--max-shipped-bad: expected a rate in [0, 1]');
    expect(await check({ ...base, policy: join(FIX, 'nope.yaml'), maxShippedBad: '0.1' })).toBe(2);
    expect(err).toContain('nope.yaml: no such file');
    expect(await check({ ...base })).toBe(2);
    expect(err).toContain('nothing to check');
    expect(await check({ ...base, trials: '0', maxShippedBad: '0.1' })).toBe(2);
    expect(out).toBe('');
  });

  it('a saved baseline: the same policy passes, a looser one fails as significantly worse and says by how much', async () => {
    const saved = join(tmp, 'baseline.json');
    expect(await check({ ...base, maxBlockedGood: '0.5', saveBaseline: saved })).toBe(0);
    const file = JSON.parse(readFileSync(saved, 'utf8'));
    expect(file).toMatchObject({
      gatesimBaseline: 1,
      policy: 'one-measurement',
      seed: 4,
      trials: 200,
    });
    expect(file.scenarios['closed-form'].outcomes).toMatch(/^[SCBP]{200}$/);

    // Seed and trials come from the baseline when not given.
    expect(await check({ policy: TIGHT, scenarios: [WORLD, GOOD], baseline: saved })).toBe(0);
    expect(out).toContain('no significant regression against one-measurement');

    expect(await check({ policy: LOOSE, scenarios: [WORLD, GOOD], baseline: saved })).toBe(1);
    expect(out).toMatch(
      /closed-form\s+shipped-bad\s+\S+%\s+\S+%\s+\+\d+\.\d pp\s+\d+ worse, 0 better\s+\S+\s+WORSE/,
    );
    expect(out).toMatch(
      /FAIL: 1 significant regression against one-measurement\n {2}closed-form: shipped-bad worse by \+\d+\.\d pp \(/,
    );
    // Looser is better for good builds: fewer blocked, reported but not a failure.
    expect(out).toMatch(/closed-form\s+blocked-good\s+.*\s(better|same)\n/);

    // A baseline of another seed cannot pair.
    expect(await check({ policy: LOOSE, scenarios: [WORLD], baseline: saved, seed: '5' })).toBe(2);
    expect(err).toContain('a paired comparison needs the same seed and trials');
  });

  it('--baseline-policy runs both versions on the same trials', async () => {
    expect(await check({ ...base, scenarios: [WORLD], policy: LOOSE, baselinePolicy: TIGHT })).toBe(
      1,
    );
    expect(out).toContain('paired with baseline one-measurement (baseline) on the same trials');
    expect(await check({ ...base, scenarios: [WORLD], policy: TIGHT, baselinePolicy: TIGHT })).toBe(
      0,
    );
  });
});

describe('gatesim tune (in-process)', () => {
  it('writes the report, the JSON and the tuned policy with its comments', async () => {
    const dir = join(tmp, 'tune');
    const code = await tuneCmd({
      policy: TIGHT,
      scenarios: [WORLD],
      param: ['stages[0].checks[0].judge.max=0.012..0.02:5'],
      maxBlockedGood: '0.05',
      trials: '300',
      seed: '2',
      out: dir,
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^tune one-measurement: grid of 5 settings; 300 trials × 1 scenario per setting \(seed 2\)\n/,
    );
    expect(out).toMatch(
      /recommended \(blocked-good ≤ 5\.0% on the 95% upper bound, the lowest shipped-bad\):\n {2}stages\[0\]\.checks\[0\]\.judge\.max: 0\.015 -> 0\.0\d+\n/,
    );
    const tuned = readFileSync(join(dir, 'one-measurement.tuned.yaml'), 'utf8');
    expect(tuned).toMatch(
      /^# Tuned by `gatesim tune` \(seed 2, 300 trials on each of: closed-form\),\n/,
    );
    expect(tuned).toContain('# one-measurement: a single absolute error-rate reading');
    const json = JSON.parse(readFileSync(join(dir, 'tune.json'), 'utf8'));
    const rec = json.candidates[json.recommended];
    expect(parsePolicy(tuned, 'x.yaml').stages[0]!.checks[0]!.judge.params.max).toBe(rec.values[0]);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('class="point recommended"');
    expect(html).toContain('class="constraint"');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('## Recommendation');
  });

  it('exits 1 and writes no tuned policy when nothing meets the constraint; 2 on a bad path', async () => {
    const dir = join(tmp, 'tune-none');
    const code = await tuneCmd({
      policy: TIGHT,
      scenarios: [WORLD],
      param: ['stages[0].checks[0].judge.max=0.01..0.012:3'],
      maxBlockedGood: '0.01',
      trials: '50',
      out: dir,
    });
    expect(code).toBe(1);
    expect(out).toContain('no setting meets blocked-good ≤ 1.0%');
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(existsSync(join(dir, 'one-measurement.tuned.yaml'))).toBe(false);
    expect(
      await tuneCmd({
        policy: TIGHT,
        scenarios: [WORLD],
        param: ['stages[3].bake=1..2'],
        out: dir,
      }),
    ).toBe(2);
    expect(err).toContain('stages has 1 item');
    expect(
      await tuneCmd({
        policy: TIGHT,
        scenarios: [WORLD],
        param: ['stages[0].bake=1..2'],
        maxBlockedGood: '0.1',
        maxShippedBad: '0.1',
        out: dir,
      }),
    ).toBe(2);
    expect(err).toContain('give one constraint');
  });
});

/** Whether the built CLI has the commands (main.ts registers them). */
function registered(command: string): boolean {
  if (!existsSync(CLI)) return false;
  const r = spawnSync(process.execPath, [CLI, command, '--help'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes(`gatesim ${command}`);
}

function gatesim(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!registered('check'))('gatesim check (built CLI)', () => {
  const base = [
    'check',
    '--policy',
    TIGHT,
    '--scenarios',
    WORLD,
    '--trials',
    '100',
    '--seed',
    '4',
    '--workers',
    '1',
  ];

  it('exit codes: 0 pass, 1 fail, 2 bad input, 1 on a baseline regression', () => {
    expect(gatesim([...base, '--max-blocked-good', '0.2']).status).toBe(0);
    expect(gatesim([...base, '--max-shipped-bad', '0.1']).status).toBe(1);
    const bad = gatesim([...base, '--max-shipped-bad', 'lots']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--max-shipped-bad: expected a rate');
    expect(gatesim([...base, '--no-such-option']).status).toBe(2);
    const saved = join(tmp, 'cli-baseline.json');
    expect(gatesim([...base, '--max-blocked-good', '0.5', '--save-baseline', saved]).status).toBe(
      0,
    );
    const worse = gatesim([
      'check',
      '--policy',
      LOOSE,
      '--scenarios',
      WORLD,
      '--baseline',
      saved,
      '--workers',
      '1',
    ]);
    expect(worse.status).toBe(1);
    expect(worse.stdout).toContain('WORSE');
  });
});

describe.skipIf(!registered('tune'))('gatesim tune (built CLI)', () => {
  it('runs and writes its outputs', () => {
    const dir = join(tmp, 'cli-tune');
    const r = gatesim([
      'tune',
      '--policy',
      TIGHT,
      '--scenarios',
      WORLD,
      '--param',
      'stages[0].checks[0].judge.max=0.012..0.02:3',
      '--max-blocked-good',
      '0.3',
      '--trials',
      '50',
      '--workers',
      '1',
      '--out',
      dir,
      '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });
});

describe('the GitHub Actions workflow', () => {
  const file = join(ROOT, '.github/workflows/gate-policy-check.yml');
  const wf = parse(readFileSync(file, 'utf8')) as {
    name: string;
    on: Record<string, { paths?: string[]; branches?: string[] }>;
    jobs: Record<
      string,
      {
        'runs-on': string;
        steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
      }
    >;
  };

  it('runs on changes under policies/ for pull requests and pushes to main', () => {
    expect(wf.name).toBe('gate-policy-check');
    expect(wf.on.pull_request!.paths).toEqual(['policies/**']);
    expect(wf.on.push!.paths).toEqual(['policies/**']);
    expect(wf.on.push!.branches).toEqual(['main']);
  });

  it('checks out, sets up node 20, runs npm ci and then gatesim check', () => {
    const job = wf.jobs.check!;
    expect(job['runs-on']).toBe('ubuntu-latest');
    const uses = job.steps.map((s) => s.uses).filter((u) => u !== undefined);
    expect(uses).toEqual(['actions/checkout@v4', 'actions/setup-node@v4']);
    expect(job.steps.find((s) => s.uses === 'actions/setup-node@v4')!.with!['node-version']).toBe(
      20,
    );
    const runs = job.steps.map((s) => s.run ?? '');
    const ci = runs.findIndex((r) => r.trim() === 'npm ci');
    const check = runs.findIndex((r) => r.includes('npx gatesim check --policy'));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(check).toBeGreaterThan(ci);
  });

  it('its script is valid bash', () => {
    const script = wf.jobs.check!.steps.at(-1)!.run!;
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
