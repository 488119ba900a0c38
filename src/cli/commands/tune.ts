import type { Command } from 'commander';
import type { TuneCliOptions } from '../tune.js';
import { handleErrors } from '../errors.js';
import { DEFAULT_TUNE_TRIALS, collect } from '../options.js';

/** Registers `gatesim tune`. */
export function registerTune(program: Command): void {
  program
    .command('tune')
    .description(
      'tune policy values over ranges on the same seeded trials and recommend the best setting under a constraint',
    )
    .option('--policy <file>', 'the policy file to tune')
    .option(
      '--scenarios <paths...>',
      'scenario files or folders (default: the built-in scenarios/)',
    )
    .option(
      '--param <spec>',
      "a value to tune: 'PATH=LOW..HIGH[:STEPS|log]', e.g. 'stages[0].checks[0].judge.max=0.005..0.02:16' (repeatable)",
      collect,
      [],
    )
    .option(
      '--max-blocked-good <rate>',
      'constraint: blocked-good at most this (default 5%); minimises shipped-bad',
    )
    .option(
      '--max-shipped-bad <rate>',
      'constraint: shipped-bad at most this; minimises blocked-good',
    )
    .option(
      '--max-lead-time-p90 <minutes>',
      'constraint: lead time p90 at most this; minimises shipped-bad',
    )
    .option(
      '--bound <which>',
      'judge the constraint on the 95% upper bound or the point estimate: upper | point',
      'upper',
    )
    .option('--trials <n>', `trials per setting and scenario (default ${DEFAULT_TUNE_TRIALS})`)
    .option(
      '--budget <evals>',
      'settings to try with three or more parameters (default 32); caps a grid',
    )
    .option('--seed <n>', 'root seed (default 1)')
    .option('--workers <n>', 'worker threads (results do not depend on it; default: all cores)')
    .option('--out <dir>', 'output folder', 'reports/tune')
    .option('--quiet', 'no progress lines')
    .option(
      '--per-scenario',
      'a setting must meet the constraint on every scenario, not only pooled',
    )
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(
      handleErrors(async (opts: TuneCliOptions) => {
        await (await import('../tune.js')).runTuneCommand(opts);
      }),
    );
}
