import type { Command } from 'commander';
import type { ExplainOptions } from '../explain.js';
import { handleErrors } from '../errors.js';
import { numberAtLeast, wholeNumber } from '../options.js';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      "print one trial's story and chart its key metrics (canary vs baseline) with decisions marked",
    )
    .requiredOption('--scenario <file>', 'scenario file')
    .requiredOption('--policy <file>', 'policy file')
    .requiredOption('--trial <k>', 'trial index', wholeNumber('--trial', 0))
    .option('--seed <n>', 'root seed', wholeNumber('--seed', 0), 1)
    .option(
      '--start-at <minutes>',
      "pin the start (minutes since Monday 00:00 UTC, as trials.csv's startAt), as the Friday test's replays do",
      numberAtLeast('--start-at', 0),
    )
    .option(
      '--svg <file>',
      'where to write the chart (default reports/explain-<scenario>-<policy>-<trial>.svg)',
    )
    .action(
      handleErrors(async (opts: ExplainOptions) =>
        (await import('../explain.js')).explainCommand(opts),
      ),
    );
}
