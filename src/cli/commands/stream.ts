import type { Command } from 'commander';
import type { StreamCliOptions } from '../stream.js';
import { handleErrors } from '../errors.js';

/** Registers `gatesim stream`. */
export function registerStream(program: Command): void {
  program
    .command('stream')
    .description(
      "simulate a team's weeks of changes under every policy: batching, triage, gate fatigue and overrides; the DORA figures and customer impact",
    )
    .option(
      '--scenarios <paths...>',
      'scenario files or folders (default: the built-in mixed-realistic scenario)',
    )
    .option('--policies <paths...>', 'policy files or folders (default: the built-in policies/)')
    .option('--weeks <n>', 'weeks per stream (default 13, a quarter)')
    .option('--streams <n>', 'repeated streams per scenario (default 100)')
    .option('--seed <n>', 'root seed (default 1)')
    .option('--workers <n>', 'worker threads (results do not depend on it; default: all cores)')
    .option('--out <dir>', 'output folder', 'reports/stream')
    .option(
      '--crossover <policy>',
      'the gated policy the crossover sweep runs against the first policy with no check after CI (such as green-ci-only), or none (default: the one with the fewest failed requests per week)',
    )
    .option('--sweep-streams <n>', 'streams of the crossover sweep (default 10)')
    .option('--shard <i/n>', 'run only every n-th stream from the i-th (needs --crossover)')
    .option('--merge <dirs...>', 'merge the folders of `stream --shard` runs into --out')
    .option('--quiet', 'no progress bar and no summary')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(
      handleErrors(async (opts: StreamCliOptions) => {
        await (await import('../stream.js')).runStreamCommand(opts);
      }),
    );
}
