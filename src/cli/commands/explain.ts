import type { Command } from 'commander';
import type { ExplainOptions } from '../explain.js';
import { handleErrors } from '../errors.js';
import { numberAtLeast, wholeNumber } from '../options.js';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      "print one trial's story (or one deploy's of a stream study) and chart its key metrics (canary vs baseline) with decisions marked",
    )
    .requiredOption('--scenario <file>', 'scenario file')
    .requiredOption('--policy <file>', 'policy file')
    .option('--trial <k>', 'trial index (or --stream and --deploy)', wholeNumber('--trial', 0))
    .option(
      '--stream <s>',
      "a stream of `gatesim stream` (deploys.csv's stream), with --deploy",
      wholeNumber('--stream', 0),
    )
    .option(
      '--deploy <d>',
      "that stream's deploy under the policy (deploys.csv's deploy)",
      wholeNumber('--deploy', 0),
    )
    .option(
      '--weeks <n>',
      'weeks per stream, as the stream study ran (default 13)',
      // The same bounds as `gatesim stream --weeks`.
      wholeNumber('--weeks', 1, 52),
    )
    .option('--seed <n>', 'root seed', wholeNumber('--seed', 0), 1)
    .option(
      '--start-at <minutes>',
      "pin the start (minutes since Monday 00:00 UTC, as trials.csv's startAt), as the Friday test's replays do",
      numberAtLeast('--start-at', 0),
    )
    .option(
      '--svg <file>',
      'where to write the chart (default reports/explain-<scenario>-<policy>-<trial>.svg, or …-stream<s>-deploy<d>.svg)',
    )
    .action(
      handleErrors(async (opts: ExplainOptions) =>
        (await import('../explain.js')).explainCommand(opts),
      ),
    );
}
