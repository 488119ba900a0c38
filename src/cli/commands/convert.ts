import type { Command } from 'commander';
import type { ConvertPrometheusCliOptions } from '../convert.js';
import { handleErrors } from '../errors.js';
import { METRIC_NAMES } from '../../world/types.js';

/** Registers `gatesim convert`: recorded data from other tools into gatesim's METRICS.csv. */
export function registerConvert(program: Command): void {
  const convert = program
    .command('convert')
    .description("convert recorded metrics from other tools into gatesim's METRICS.csv");
  convert
    .command('prometheus')
    .description(
      'a Prometheus range query (query_range JSON) to METRICS.csv; labels region, group|instance|pod|host, role|version give the columns',
    )
    .argument('<range.json>', 'the saved JSON response of /api/v1/query_range')
    .option(
      '--metric <name>',
      `the gatesim metric (${METRIC_NAMES.join(', ')}); default: the __name__ label`,
    )
    .option('--role <role>', 'canary or baseline, for series without a role label')
    .option('--region <name>', 'the region of series without a region label')
    .option('-o, --output <file>', 'write METRICS.csv here (default: standard output)')
    .action(
      handleErrors(async (file: string, opts: ConvertPrometheusCliOptions) =>
        (await import('../convert.js')).runConvertPrometheus(file, opts),
      ),
    );
}
