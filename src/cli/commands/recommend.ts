import type { Command } from 'commander';
import type { RecommendCliOptions } from '../recommend.js';
import { handleErrors } from '../errors.js';
import { DEFAULT_RECOMMEND_BUDGET, DEFAULT_RECOMMEND_TRIALS } from '../options.js';

/** Registers `gatesim recommend`. */
export function registerRecommend(program: Command): void {
  program
    .command('recommend')
    .description(
      'search policy structures and numbers for one that beats every given policy, judged on fresh trials',
    )
    .option('--space <file>', 'the search space (default: the built-in recommend/space.yaml)')
    .option(
      '--scenarios <paths...>',
      'scenario files or folders (default: the built-in scenarios/)',
    )
    .option('--policies <paths...>', 'policies to beat (files or folders; default: none)')
    .option('--max-blocked-good <rate>', 'constraint on every scenario: blocked-good at most this')
    .option('--max-shipped-bad <rate>', 'constraint on every scenario: shipped-bad at most this')
    .option(
      '--max-lead-time-p90 <minutes>',
      'constraint on every scenario: lead time p90 at most this',
    )
    .option(
      '--bound <which>',
      'judge constraints on the 95% upper bound or the estimate: upper | point',
      'upper',
    )
    .option(
      '--budget <evals>',
      `candidates the search may simulate (default ${DEFAULT_RECOMMEND_BUDGET})`,
    )
    .option(
      '--trials <n>',
      `trials per scenario for finalists and for the fresh comparison (default ${DEFAULT_RECOMMEND_TRIALS})`,
    )
    .option('--seed <n>', 'root seed (default 1); the fresh comparison runs at seed + 1')
    .option('--workers <n>', 'worker threads (results do not depend on it; default: all cores)')
    .option('--out <dir>', 'output folder', 'reports/recommend')
    .option('--quiet', 'no progress lines')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(
      handleErrors(async (opts: RecommendCliOptions) => {
        await (await import('../recommend.js')).runRecommendCommand(opts);
      }),
    );
}
