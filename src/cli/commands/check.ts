import type { Command } from 'commander';
import type { CheckCliOptions } from '../check.js';
import { handleErrors } from '../errors.js';
import { DEFAULT_CHECK_TRIALS } from '../options.js';

/** Registers `gatesim check`. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'fail (exit 1) when a policy misses a budget on any scenario or regresses against a baseline (McNemar, the --margin, paired times); exit 2 on bad input',
    )
    .option('--policy <file>', 'the policy file to check')
    .option(
      '--scenarios <paths...>',
      'scenario files or folders (default: the built-in scenarios/)',
    )
    .option('--max-shipped-bad <rate>', 'budget: shipped-bad at most this, e.g. 0.05 or 5%')
    .option('--max-blocked-good <rate>', 'budget: blocked-good at most this')
    .option('--max-ttd-p90 <minutes>', 'budget: p90 time to detect at most this, e.g. 30m')
    .option(
      '--max-lead-time-p90 <minutes>',
      'budget: p90 lead time of good builds at most this, e.g. 4h',
    )
    .option(
      '--baseline <file>',
      'a baseline saved by --save-baseline: fail when significantly worse (McNemar)',
    )
    .option(
      '--baseline-policy <file>',
      'a policy file to compare with on the same trials (e.g. the version on main)',
    )
    .option(
      '--save-baseline <file>',
      'save this run as a baseline (per-trial outcomes) for a later --baseline',
    )
    .option(
      '--trials <n>',
      `trials per scenario (default ${DEFAULT_CHECK_TRIALS}, or the baseline's)`,
    )
    .option('--seed <n>', "root seed (default 1, or the baseline's)")
    .option(
      '--bound <which>',
      'judge budgets on the 95% upper bound or the point estimate: upper | point',
      'upper',
    )
    .option('--workers <n>', 'worker threads (results do not depend on it; default: all cores)')
    .option('--quiet', 'print only the verdict and, on failure, why')
    // Against a baseline: non-inferiority and allowed worsening (see docs/tune-check.md).
    .option(
      '--margin <pp>',
      'shipped-bad may rise by at most this on the 95% paired interval, e.g. 1pp',
    )
    .option('--allow-ttd-worse <x>', 'allowed worsening of time to detect: 10% or 5m')
    .option('--allow-lead-time-worse <x>', 'allowed worsening of lead time: 10% or 30m')
    .option(
      '--allow-impact-worse <x>',
      'allowed worsening of failed requests and lost checkouts: 10% or a count',
    )
    .option('--out <dir>', 'also write check.md and report.html into this folder')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(
      handleErrors(async (opts: CheckCliOptions) => {
        await (await import('../check.js')).runCheckCommand(opts);
      }),
    );
}
