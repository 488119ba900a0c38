import type { Command } from 'commander';
import type { ValidateOptions } from '../validate.js';

/** `gatesim validate FILE...`: checks scenario and policy files without running anything. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check scenario and policy files (or folders of them); policies are also checked against every scenario given',
    )
    .argument('<files...>', 'scenario or policy files, or folders of .yaml files')
    .option('--scenario <files...>', 'also check every policy against these scenarios')
    .action(async (files: string[], opts: ValidateOptions) => {
      process.exitCode = (await import('../validate.js')).runValidate(files, opts);
    });
}
