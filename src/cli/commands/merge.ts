import type { Command } from 'commander';
import { handleErrors } from '../errors.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description(
      'combine the outputs of `compare --shard i/n` runs into exactly what one run writes',
    )
    .argument('<dirs...>', 'shard output folders')
    .option('--out <dir>', 'output folder', 'reports/latest')
    .action(
      handleErrors(async (dirs: string[], opts: { out: string }) =>
        (await import('../merge.js')).mergeShards(dirs, opts.out),
      ),
    );
}
