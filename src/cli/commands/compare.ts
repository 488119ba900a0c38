import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { CompareCliOptions } from '../compare.js';
import { handleErrors } from '../errors.js';
import { DEFAULT_TRIALS, wholeNumber } from '../options.js';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('run many seeded trials of every policy on every scenario and write the reports')
    .option(
      '--scenarios <paths...>',
      'scenario files or folders (default: the built-in scenarios/)',
    )
    .option('--policies <paths...>', 'policy files or folders (default: the built-in policies/)')
    .option(
      '--trials <n>',
      'trials per scenario and policy',
      wholeNumber('--trials', 1),
      DEFAULT_TRIALS,
    )
    .option('--seed <n>', 'root seed', wholeNumber('--seed', 0), 1)
    .option(
      '--workers <n>',
      'worker threads (results do not depend on it)',
      wholeNumber('--workers', 1),
      availableParallelism(),
    )
    .option('--out <dir>', 'output folder', 'reports/latest')
    .option('--shard <i/n>', 'run only slice i of n (merge the slices with `gatesim merge`)')
    .option('--quiet', 'no progress bar')
    .option(
      '--reference <policy>',
      'the policy the report compares the others with (default: the first with no check after CI, else the first)',
    )
    // The defaults are the report's DEFAULT_BUDGETS (report/budgets.ts; a test keeps them equal).
    .option('--max-shipped-bad <rate>', 'shipped-bad budget the report marks against (default 5%)')
    .option(
      '--max-blocked-good <rate>',
      'blocked-good budget the report marks against (default 5%)',
    )
    .action(
      handleErrors(async (opts: CompareCliOptions) =>
        (await import('../compare.js')).runCompareCommand(opts),
      ),
    );
}
