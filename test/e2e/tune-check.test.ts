/**
 * `gatesim check` and `gatesim tune` end to end on the small closed-form world: check's exit
 * codes (0 pass, 1 fail, 2 bad input) including a baseline regression, and tune's outputs.
 * The commands run in-process (the command functions the CLI calls, with their error
 * handling); once main.ts registers them, the same cases also run through the built CLI
 * (`npx tsc -p tsconfig.build.json` first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
      /closed-form\s+shipped-bad\s+\S+%\s+\S+%\s+\+\d+\.\d pp \(\+\d+\.\d to \+\d+\.\d pp\)\s+\d+ worse, 0 better\s+\S+\s+WORSE/,
    );
    expect(out).toMatch(
      /FAIL: \d regressions? against one-measurement\n {2}closed-form: shipped-bad worse by \+\d+\.\d pp \(/,
    );
    // Looser is better for good builds: fewer blocked, reported but not a failure.
    expect(out).toMatch(/closed-form\s+blocked-good\s+.*\s(better|same)\n/);

    // A baseline of another seed cannot pair.
    expect(await check({ policy: LOOSE, scenarios: [WORLD], baseline: saved, seed: '5' })).toBe(2);
    expect(err).toContain('a paired comparison needs the same seed and trials');
  });

  it('--margin: shipped-bad judged on the paired interval; --quiet says why it failed', async () => {
    const looser = { ...base, scenarios: [WORLD], policy: LOOSE, baselinePolicy: TIGHT };
    // The looser threshold ships more bad builds (+44 pp, paired interval up to about +53 pp:
    // it misses faults under about 1.2 pp, the tight one those under about 0.5 pp, of faults
    // uniform on 0.2–2 pp) and so more failed requests: within a 60 pp margin and a generous
    // impact allowance.
    expect(await check({ ...looser, margin: '60pp', allowImpactWorse: '1000000' })).toBe(0);
    expect(out).toMatch(/closed-form\s+shipped-bad\s+.*non-inferior \(upper ≤ \+60\.0 pp\)/);
    expect(out).toContain(
      "shipped-bad: non-inferior when the 95% paired interval's upper end ≤ +60.0 pp",
    );
    out = '';
    expect(
      await check({ ...looser, margin: '10pp', allowImpactWorse: '1000000', quiet: true }),
    ).toBe(1);
    expect(out).toMatch(
      /^FAIL: 1 regression against one-measurement \(baseline\)\n {2}closed-form: shipped-bad \+\d+\.\d pp \(\S+% -> \S+% of \d+\); 95% paired interval \+\d+\.\d to \+\d+\.\d pp: its upper end is above the margin \+10\.0 pp\n$/,
    );
  });

  it('times and impact are compared trial by trial; a worsening beyond the allowance fails', async () => {
    const looser = { ...base, scenarios: [WORLD], policy: LOOSE, baselinePolicy: TIGHT };
    expect(await check({ ...looser, margin: '30pp' })).toBe(1);
    expect(out).toMatch(/closed-form\s+failed requests\s+\d+\s+.*WORSE/);
    expect(out).toMatch(
      /closed-form: failed requests worse: mean change \+\S+ over \d+ paired trials/,
    );
    expect(out).toMatch(/closed-form\s+time to detect\s+\d+\s+/);
    expect(out).toMatch(/closed-form\s+lead time\s+\d+\s+/);
  });

  it('--quiet on a failed budget names the scenario, the figure, the bound and the trials it needs', async () => {
    expect(await check({ ...base, maxShippedBad: '10%', maxBlockedGood: '2%', quiet: true })).toBe(
      1,
    );
    expect(out).toMatch(/^FAIL: 3 of 4 budget checks failed\n/);
    expect(out).toMatch(
      /\n {2}closed-form: shipped-bad ≤ 10\.0% missed: 20\.0% \(13\.3–28\.9%\), 20 of 100; 95% upper bound 28\.9% > 10\.0%; the estimate itself misses the budget\n/,
    );
    // 1 of 100 good builds blocked: z²·b(1 − b)/(b − p)² = 3.8415 × 0.0196 / 0.0001 = 752.9,
    // so 753 good builds, 1,506 trials at this scenario's half good builds.
    expect(out).toContain(
      '  closed-form: blocked-good ≤ 2.0% missed: 1.0% (0.2–5.4%), 1 of 100; 95% upper bound 5.4% > 2.0%; bound meets it at ≈ 753 good builds (1,506 trials) if the estimate holds\n',
    );
    // 3 of 200: 3.8415 × 0.0196 / 0.005² = 3,011.7 → 3,012.
    expect(out).toContain(
      '  good-only: blocked-good ≤ 2.0% missed: 1.5% (0.5–4.3%), 3 of 200; 95% upper bound 4.3% > 2.0%; bound meets it at ≈ 3,012 good builds (3,012 trials) if the estimate holds\n',
    );
  });

  it('--out writes check.md and report.html', async () => {
    const dir = join(tmp, 'check-out');
    expect(await check({ ...base, maxBlockedGood: '0.08', out: dir })).toBe(0);
    const md = readFileSync(join(dir, 'check.md'), 'utf8');
    expect(md).toMatch(/^## gatesim check one-measurement: PASS\n/);
    expect(md).toContain('| scenario | budget | measured \\(95% interval\\) |');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('margins and allowances need a baseline, and say what they expect', async () => {
    expect(await check({ ...base, maxShippedBad: '0.5', margin: '1pp' })).toBe(2);
    expect(err).toContain('--margin and --allow-*-worse compare with a baseline');
    expect(await check({ ...base, baselinePolicy: TIGHT, margin: 'lots' })).toBe(2);
    expect(err).toContain('--margin: expected a margin in percentage points such as 1pp');
    expect(await check({ ...base, baselinePolicy: TIGHT, allowTtdWorse: 'later' })).toBe(2);
    expect(err).toContain('--allow-ttd-worse: expected a share such as 10% or minutes');
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

  it('--per-scenario: the pooled recommendation misses on each scenario, so none is made', async () => {
    const dir = join(tmp, 'tune-per-scenario');
    const o = {
      policy: TIGHT,
      scenarios: [WORLD, GOOD],
      param: ['stages[0].checks[0].judge.max=0.012..0.02:5'],
      maxBlockedGood: '2.5%',
      trials: '200',
      seed: '2',
      out: dir,
    };
    expect(await tuneCmd(o)).toBe(0);
    expect(out).toContain('(misses the constraint here)');
    out = '';
    expect(await tuneCmd({ ...o, perScenario: true })).toBe(1);
    expect(out).toContain('no setting meets blocked-good ≤ 2.5% on every scenario');
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('## Every setting by scenario');
    expect(md).toMatch(/\| 1 \| closed-form \| .* \| \S+% (meets|misses) \|/);
    const json = JSON.parse(readFileSync(join(dir, 'tune.json'), 'utf8'));
    expect(json.perScenario).toBe(true);
    expect(json.candidates[0].scenarioFigures.map((f: { scenario: string }) => f.scenario)).toEqual(
      ['closed-form', 'good-only'],
    );
  });

  it('warns on stderr, even with --quiet, when a tuned value is shared through an anchor', async () => {
    const code = await tuneCmd({
      policy: join(FIX, 'commented.yaml'),
      scenarios: [WORLD],
      param: ['stages[0].checks[0].judge.max=0.012..0.02:3'],
      maxBlockedGood: '0.3',
      trials: '25',
      out: join(tmp, 'tune-anchor'),
    });
    expect(code).toBe(0);
    expect(err).toContain(
      'warning: --param stages[0].checks[0].judge.max=0.012..0.02:3: stages[0].checks[0].judge.max is inside stages[0].checks[0], which is the anchor &errors, shared by the alias at stages[1].checks[0] (line 21, column 14)',
    );
    expect(readFileSync(join(tmp, 'tune-anchor', 'report.md'), 'utf8')).toContain('## Warnings');
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
  interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }
  const wf = parse(readFileSync(file, 'utf8')) as {
    name: string;
    on: Record<string, { paths?: string[]; branches?: string[] }>;
    jobs: Record<string, { 'runs-on': string; env: Record<string, string>; steps: Step[] }>;
  };
  const job = wf.jobs.check!;
  const checkStep = job.steps.find((s) => s.run?.includes('gatesim check') === true)!;
  const script = checkStep.run!;

  it('runs on changes under policies/ or scenarios/ for pull requests and pushes to main', () => {
    expect(wf.name).toBe('gate-policy-check');
    expect(wf.on.pull_request!.paths).toEqual(['policies/**', 'scenarios/**']);
    expect(wf.on.push!.paths).toEqual(['policies/**', 'scenarios/**']);
    expect(wf.on.push!.branches).toEqual(['main']);
  });

  it('checks out, sets up node 20, runs npm ci, then the installed gatesim (npx --no-install), then uploads report.html', () => {
    expect(job['runs-on']).toBe('ubuntu-latest');
    const uses = job.steps.map((s) => s.uses).filter((u) => u !== undefined);
    expect(uses).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'actions/upload-artifact@v4',
    ]);
    expect(job.steps.find((s) => s.uses === 'actions/setup-node@v4')!.with!['node-version']).toBe(
      20,
    );
    const runs = job.steps.map((s) => s.run ?? '');
    const ci = runs.findIndex((r) => r.trim() === 'npm ci');
    const check = job.steps.indexOf(checkStep);
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(check).toBeGreaterThan(ci);
    expect(script).toContain('npx --no-install gatesim check --policy');
    expect(script).not.toMatch(/npx gatesim/);
    expect(script).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const upload = job.steps.find((s) => s.uses === 'actions/upload-artifact@v4')!;
    expect(job.steps.indexOf(upload)).toBeGreaterThan(check);
    // Uploaded when the check fails too: that is when the report is wanted.
    expect(upload.if).toBe('always()');
    expect(String(upload.with!.path)).toMatch(/report\.html$/);
  });

  it('its script is valid bash', () => {
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  describe.skipIf(spawnSync('git', ['--version']).status !== 0)(
    'its script, run in a repository with a stand-in npx',
    () => {
      const repo = mkdtempSync(join(tmpdir(), 'gatesim-workflow-'));
      const bin = join(repo, '.bin');
      const log = join(repo, '.npx.log');
      const git = (...args: string[]): string => {
        const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
        return r.stdout.trim();
      };
      const write = (path: string, text: string): void => {
        mkdirSync(dirname(join(repo, path)), { recursive: true });
        writeFileSync(join(repo, path), text);
      };
      // Records its arguments, writes the files `check --out` writes, and fails for policy b.
      mkdirSync(bin, { recursive: true });
      writeFileSync(
        join(bin, 'npx'),
        [
          '#!/usr/bin/env bash',
          `echo "$*" >> ${JSON.stringify(log)}`,
          'out=""; policy=""',
          'while [ $# -gt 0 ]; do case "$1" in --out) out="$2"; shift;; --policy) policy="$2"; shift;; esac; shift; done',
          'mkdir -p "$out"; echo "## check $policy" > "$out/check.md"; echo "<!doctype html>" > "$out/report.html"',
          'case "$policy" in *b.yaml) exit 1;; esac',
          'exit 0',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      git('init', '-q', '-b', 'main');
      git('config', 'user.email', 'ci@example.com');
      git('config', 'user.name', 'ci');
      write('policies/a.yaml', 'a: 1\n');
      write('policies/b.yaml', 'b: 1\n');
      write('scenarios/s.yaml', 's: 1\n');
      git('add', '.');
      git('commit', '-qm', 'base');
      const first = git('rev-parse', 'HEAD');

      const runScript = (before: string, budgets: string) => {
        writeFileSync(log, '');
        const temp = mkdtempSync(join(tmpdir(), 'gatesim-runner-'));
        const summary = join(temp, 'summary.md');
        const r = spawnSync('bash', ['-c', script], {
          cwd: repo,
          encoding: 'utf8',
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH ?? ''}`,
            EVENT: 'push',
            BEFORE: before,
            BASE_REF: '',
            OUT: join(temp, 'gatesim-check'),
            RUNNER_TEMP: temp,
            GITHUB_STEP_SUMMARY: summary,
            BUDGETS: budgets,
            AGAINST_BASE: job.env.AGAINST_BASE ?? '',
            RUN: job.env.RUN ?? '',
          },
        });
        return {
          status: r.status,
          calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean),
          summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '',
          reports: ['a', 'b'].filter((p) =>
            existsSync(join(temp, 'gatesim-check', p, 'report.html')),
          ),
          temp,
        };
      };

      it('a changed policy is checked against its base version; the Markdown goes to the summary', () => {
        write('policies/a.yaml', 'a: 2\n');
        git('commit', '-qam', 'change a');
        const r = runScript(first, '');
        expect(r.status).toBe(0);
        expect(r.calls).toHaveLength(1);
        expect(r.calls[0]).toBe(
          `--no-install gatesim check --policy policies/a.yaml --trials 200 --seed 1 --baseline-policy ${join(r.temp, 'base', 'a.yaml')} --out ${join(r.temp, 'gatesim-check', 'a')}`,
        );
        expect(readFileSync(join(r.temp, 'base', 'a.yaml'), 'utf8')).toBe('a: 1\n');
        expect(r.summary).toBe('## check policies/a.yaml\n');
        expect(r.reports).toEqual(['a']);
      });

      it('a changed scenario checks every policy, each against its base version only if it changed; a failure fails the job', () => {
        const before = git('rev-parse', 'HEAD');
        write('scenarios/s.yaml', 's: 2\n');
        write('policies/b.yaml', 'b: 2\n');
        git('commit', '-qam', 'change s and b');
        const r = runScript(before, '--max-shipped-bad 0.05');
        expect(r.status).toBe(1);
        expect(r.calls).toHaveLength(2);
        expect(r.calls[0]).toMatch(
          /--policy policies\/a\.yaml --max-shipped-bad 0\.05 --trials 200 --seed 1 --out /,
        );
        expect(r.calls[0]).not.toContain('--baseline-policy');
        expect(r.calls[1]).toMatch(
          /--policy policies\/b\.yaml .* --baseline-policy .*b\.yaml --out /,
        );
        expect(r.summary).toBe('## check policies/a.yaml\n## check policies/b.yaml\n');
        expect(r.reports).toEqual(['a', 'b']);
        // Without budgets an unchanged policy has nothing to be checked against.
        expect(runScript(before, '').calls).toHaveLength(1);
      });
    },
  );
});
