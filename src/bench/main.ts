#!/usr/bin/env node
/**
 * `npm run bench`: speed and memory figures, each next to a naive baseline measured in the
 * same run, printed and written to reports/bench.json. Wall-clock time is allowed here only.
 * Takes a few minutes on two cores.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_TRIALS } from '../cli/options.js';
import { loadPolicy, loadScenario } from '../config/index.js';
import { holdModelBareHeap, holdModelEngine, holdModelNaive } from './engine.js';
import { evaluateDetectorsOnRealData, summarizeDetectors } from './real-data.js';
import { intervalDraws, trialsPerSecond } from './trials.js';
import { timeTuneStudy, TUNE_STUDY } from './tune.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const figures: Record<string, number> = {};

function add(key: string, value: number, unit: string, goal?: string): void {
  figures[key] = value;
  const shown = value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  process.stdout.write(
    `${key.padEnd(34)} ${shown.padStart(14)} ${unit}${goal !== undefined ? `   (goal: ${goal})` : ''}\n`,
  );
}

function section(title: string): void {
  process.stdout.write(`\n## ${title}\n`);
}

function rssChild(
  scenario: string,
  policy: string,
  trials: number,
  hold: boolean,
  workers = 1,
): { peakRssMb: number; seconds: number } {
  const out = execFileSync(
    process.execPath,
    [
      join(ROOT, 'dist/bench/rss-child.js'),
      join(ROOT, scenario),
      join(ROOT, policy),
      String(trials),
      hold ? '--hold' : '--stream',
      String(workers),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out) as { peakRssMb: number; seconds: number };
}

/** How long each trial-rate figure warms up and then measures, in CPU seconds. */
const STEADY = { warmupSeconds: 2, seconds: 4 };

/** The bench's sections, in the order they run; naming some runs only those. */
const SECTIONS = ['startup', 'engine', 'trials', 'memory', 'suite', 'tune', 'real-data'] as const;
type Section = (typeof SECTIONS)[number];

function isSection(k: string): k is Section {
  return (SECTIONS as readonly string[]).includes(k);
}

async function main(): Promise<void> {
  const only = new Set(process.argv.slice(2));
  const unknown = [...only].filter((k) => !isSection(k));
  if (unknown.length > 0) {
    // A mistyped section would run nothing and leave an empty bench.json behind.
    process.stderr.write(
      `bench: unknown section ${unknown.map((k) => `\`${k}\``).join(', ')}; the sections are ${SECTIONS.join(', ')} (name none to run them all)\n`,
    );
    process.exit(2);
  }
  // Typed, so a section run here is always one the command line can name.
  const want = (k: Section): boolean => only.size === 0 || only.has(k);

  if (want('startup')) {
    section('start-up: gatesim --help against a bare node -e 0 (median of 7, interleaved)');
    const wall = (args: string[]): number => {
      const t = process.hrtime.bigint();
      execFileSync(process.execPath, args, { stdio: 'ignore' });
      return Number(process.hrtime.bigint() - t) / 1e9;
    };
    const help: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < 7; round++) {
      help.push(wall([join(ROOT, 'dist/cli/main.js'), '--help']));
      bare.push(wall(['-e', '0']));
    }
    const median7 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[3]!;
    add('helpStartupSeconds', median7(help), 's (gatesim --help)');
    add('bareNodeStartupSeconds', median7(bare), 's (node -e 0)');
    add('helpStartupRatio', median7(help) / median7(bare), '×', '≤ 2.5');
  }

  if (want('engine')) {
    section('engine: hold model, 10,000 pending events (median of 3 rounds)');
    // Median of three rounds each, interleaved, so a noisy moment on a shared machine does not decide.
    holdModelEngine(10_000, 200_000);
    holdModelBareHeap(10_000, 200_000);
    holdModelNaive(10_000, 20_000);
    const engines: number[] = [];
    const bares: number[] = [];
    const naives: number[] = [];
    for (let round = 0; round < 3; round++) {
      engines.push(holdModelEngine(10_000, 3_000_000));
      bares.push(holdModelBareHeap(10_000, 3_000_000));
      naives.push(holdModelNaive(10_000, 200_000));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1]!;
    const engine = median(engines);
    const bare = median(bares);
    const naive = median(naives);
    const bisect = holdModelNaive(10_000, 200_000, true);
    add('engineEventsPerSec', Math.round(engine), 'events/s', '≥ 2,000,000 on one core');
    add(
      'bareHeapEventsPerSec',
      Math.round(bare),
      'events/s (bare typed-array 4-ary heap: no ties, no cancel)',
    );
    add('engineVsBareHeap', engine / bare, '×', '≥ 0.9');
    add('naiveEventsPerSec', Math.round(naive), 'events/s (ordered list, linear insertion)');
    add('engineSpeedupVsNaive', engine / naive, '×', '≥ 20');
    add(
      'sortedArrayBisectEventsPerSec',
      Math.round(bisect),
      'events/s (sorted array, binary-search insertion)',
    );
  }

  if (want('trials')) {
    section(
      `trials: one worker, seed 1; each after ${STEADY.warmupSeconds} CPU-s of warm-up, over ${STEADY.seconds} CPU-s`,
    );
    const scenario = loadScenario(join(ROOT, 'scenarios/mixed-realistic.yaml'));
    // Every built-in policy, the flagship first (its figure is the goal).
    const names = readdirSync(join(ROOT, 'policies'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length))
      .sort((a, b) => Number(b === 'truthful') - Number(a === 'truthful') || a.localeCompare(b));
    for (const name of names) {
      const policy = loadPolicy(join(ROOT, `policies/${name}.yaml`));
      const rate = trialsPerSecond(scenario, policy, STEADY);
      if (name === 'truthful')
        add(
          'trialsPerSecPerCore',
          Math.round(rate),
          'trials per CPU-second (mixed-realistic × truthful)',
          '≥ 2,000; floor 1,000',
        );
      else
        add(
          `trialsPerSecPerCore.${name}`,
          Math.round(rate),
          `trials per CPU-second (mixed-realistic × ${name})`,
        );
    }
    // The largest fleet: setup grows with hosts, measurements with cohorts per group.
    const bigFleet = loadScenario(join(ROOT, 'scenarios/big-fleet.yaml'));
    const truthful = loadPolicy(join(ROOT, 'policies/truthful.yaml'));
    add(
      'trialsPerSecPerCore.bigFleet',
      Math.round(trialsPerSecond(bigFleet, truthful, STEADY)),
      'trials per CPU-second (big-fleet × truthful)',
    );
    const draws = intervalDraws(20_000, 200_000);
    add(
      'analyticIntervalDrawsPerSec',
      Math.round(draws.analytic),
      'intervals/s (20k requests each: Poisson + binomial)',
    );
    add(
      'perRequestIntervalDrawsPerSec',
      Math.round(draws.perRequest),
      'intervals/s (the naive loop over requests)',
    );
    add('analyticSpeedupVsPerRequest', draws.analytic / draws.perRequest, '×');
  }

  if (want('memory')) {
    section('memory: compare streamed, baseline-healthy × green-ci-only, one worker; then two');
    const small = rssChild(
      'scenarios/baseline-healthy.yaml',
      'policies/green-ci-only.yaml',
      10_000,
      false,
    );
    const big = rssChild(
      'scenarios/baseline-healthy.yaml',
      'policies/green-ci-only.yaml',
      100_000,
      false,
    );
    const held = rssChild(
      'scenarios/baseline-healthy.yaml',
      'policies/green-ci-only.yaml',
      100_000,
      true,
    );
    add('peakRssMbAt10kTrials', Math.round(small.peakRssMb), 'MB');
    add('peakRssMbAt100kTrials', Math.round(big.peakRssMb), 'MB', '< 300, not growing with trials');
    add(
      'naiveHeldRssMbAt100kTrials',
      Math.round(held.peakRssMb),
      'MB (every outcome kept in memory)',
    );
    // The issue's configuration: two worker threads, each with its own V8 heap, in one process.
    const twoWorkers = rssChild(
      'scenarios/mixed-realistic.yaml',
      'policies/green-ci-only.yaml',
      100_000,
      false,
      2,
    );
    add(
      'peakRssMbAt100kTrialsTwoWorkers',
      Math.round(twoWorkers.peakRssMb),
      'MB (mixed-realistic × green-ci-only, 2 workers)',
      '< 300',
    );
  }

  if (want('suite')) {
    const cores = availableParallelism();
    section(
      `the default suite (npm start): every scenario × every policy, ${DEFAULT_TRIALS} trials; 1 worker, then ${cores}`,
    );
    const cpuFile = join(ROOT, 'reports/bench-suite-cpu.json');
    /** Wall seconds of the default suite, and the CPU seconds of every thread of its processes. */
    const run = (
      workers: number,
      how: { v8Flags?: string[]; env?: Record<string, string> } = {},
    ): { seconds: number; cpu: number } => {
      rmSync(cpuFile, { force: true });
      const t0 = performance.now();
      execFileSync(
        process.execPath,
        [
          ...(how.v8Flags ?? []),
          '--import',
          pathToFileURL(join(ROOT, 'dist/bench/cpu-report.js')).href,
          join(ROOT, 'dist/cli/main.js'),
          'compare',
          '--quiet',
          '--workers',
          String(workers),
          '--out',
          join(ROOT, `reports/bench-suite-${workers}`),
        ],
        {
          cwd: ROOT,
          stdio: 'inherit',
          env: { ...process.env, ...how.env, GATESIM_BENCH_CPU_FILE: cpuFile },
        },
      );
      const seconds = (performance.now() - t0) / 1000;
      const cpu = readFileSync(cpuFile, 'utf8')
        .trim()
        .split('\n')
        .reduce((sum, line) => sum + (JSON.parse(line) as { cpuSeconds: number }).cpuSeconds, 0);
      return { seconds, cpu };
    };
    const one = run(1);
    const all = run(cores);
    add('oneWorkerSuiteSeconds', one.seconds, 's');
    add('defaultSuiteSeconds', all.seconds, `s (${cores} workers)`, '≤ 20 on 2 cores');
    add('oneWorkerCoresBusy', one.cpu / one.seconds, 'cores (CPU s / wall s of the 1-worker run)');
    if (cores >= 2) {
      // The pool fills every core, so the CLI ran it with V8's background threads off
      // (cli/v8-threads.ts); the baseline keeps them on.
      const kept = run(cores, { env: { GATESIM_KEEP_V8_THREADS: '1' } });
      add(
        'defaultSuiteSecondsV8Threads',
        kept.seconds,
        `s (${cores} workers, V8's background threads kept on)`,
      );
      add('defaultSuiteCpuSeconds', all.cpu, `CPU s (${kept.cpu.toFixed(1)} with them on)`);
      add('twoWorkerSpeedup', one.seconds / all.seconds, '×', '≥ 1.8 with 2 workers');
      // How the pool itself scales when one worker cannot borrow the second core for V8's work.
      const oneAlone = run(1, { v8Flags: ['--single-threaded'] });
      add(
        'twoWorkerSpeedupBothSingleThreaded',
        oneAlone.seconds / all.seconds,
        `× (1 worker under node --single-threaded: ${oneAlone.seconds.toFixed(1)} s)`,
      );
    }
  }

  if (want('tune')) {
    const cores = availableParallelism();
    const s = TUNE_STUDY;
    section(
      `tune: ${s.policy}, ${s.params.length} parameters, budget ${s.budget}, ${s.scenarios.length} scenarios, ${s.trials} trials, ${cores} workers; then every setting through its own compare run`,
    );
    const t = await timeTuneStudy(ROOT, cores);
    add(
      'tuneSeconds',
      t.seconds,
      `s (${t.settings} settings, ${t.trialRuns.toLocaleString('en-US')} trial runs)`,
    );
    add('naiveTuneSeconds', t.naiveSeconds, 's (each setting its own compare run, same trials)');
    add('tuneSpeedupVsNaive', t.naiveSeconds / t.seconds, '×');
    add(
      'tuneSameFiguresAsNaive',
      t.sameFigures ? 1 : 0,
      '(1: every figure equal, Friday test aside)',
    );
  }

  if (want('real-data')) {
    section('detectors on labelled real series (data/real-metrics), default parameters');
    const root = resolve(ROOT, 'data', 'real-metrics');
    for (const d of summarizeDetectors(evaluateDetectorsOnRealData(root))) {
      add(`realData.${d.detector}.caught`, d.caught, `of ${d.anomalies} labelled anomalies`);
      add(
        `realData.${d.detector}.outsidePer1000`,
        d.outsidePer1000Points,
        'alarms outside labels per 1000 points',
      );
      add(
        `realData.${d.detector}.cleanPer1000`,
        d.cleanAlarmsPer1000Points,
        'alarms per 1000 points on series without anomalies',
      );
    }
  }

  await mkdir(join(ROOT, 'reports'), { recursive: true });
  const out = join(ROOT, 'reports/bench.json');
  await writeFile(out, JSON.stringify(figures, null, 2) + '\n');
  process.stdout.write(`\nwritten to ${out}\n`);
}

await main();
