import type { Command } from 'commander';
import type { BacktestCliOptions } from '../backtest.js';
import { handleErrors } from '../errors.js';

/** Registers `gatesim backtest`: replay a policy's checks on recorded metrics and deploys. */
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description(
      "replay a policy's checks on recorded metrics and deploys: what it would have decided, when, on which numbers",
    )
    .requiredOption(
      '--metrics <file>',
      'METRICS.csv: timestamp, region, group, role or version, metric, value[, n, events]',
    )
    .requiredOption(
      '--deploys <file>',
      'DEPLOYS.csv: deploy, start, version[, region, group, deployed_at]',
    )
    .requiredOption('--policy <file>', 'the policy YAML to replay')
    .option(
      '--incidents <file>',
      'INCIDENTS.csv: the deploys that caused incidents (scores shipped-bad and blocked-good)',
    )
    .option('--out <dir>', 'output folder', 'reports/backtest')
    .option(
      '--utc-offset <region=hours...>',
      'local time of a region for deploy windows, e.g. us-east=-5 (default UTC)',
    )
    .option('--quiet', 'no summary on stderr')
    .action(
      handleErrors(async (opts: BacktestCliOptions) => {
        await (await import('../backtest.js')).runBacktestCommand(opts);
      }),
    );
}
