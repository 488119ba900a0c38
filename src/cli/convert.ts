import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { convertPrometheus, renderMetricsCsv } from '../backtest/index.js';
import { GatesimError } from '../errors.js';
import { METRIC_NAMES, type MetricName } from '../world/types.js';
import { handleErrors } from './errors.js';

/** Options of `gatesim convert prometheus`. */
export interface ConvertPrometheusCliOptions {
  metric?: string;
  role?: string;
  region?: string;
  output?: string;
}

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
        runConvertPrometheus(file, opts),
      ),
    );
}

export async function runConvertPrometheus(
  file: string,
  opts: ConvertPrometheusCliOptions,
): Promise<void> {
  if (opts.metric !== undefined && !(METRIC_NAMES as readonly string[]).includes(opts.metric)) {
    throw new GatesimError(
      'bad-option',
      `--metric: expected one of ${METRIC_NAMES.join(', ')}, got "${opts.metric}"`,
    );
  }
  if (opts.role !== undefined && opts.role !== 'canary' && opts.role !== 'baseline')
    throw new GatesimError('bad-option', `--role: expected canary or baseline, got "${opts.role}"`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new GatesimError('file-not-found', `${file}: no such file`);
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new GatesimError(
      'invalid-prometheus',
      `${file}: not valid JSON: ${(e as Error).message}`,
    );
  }
  const converted = convertPrometheus(json, {
    file,
    ...(opts.metric !== undefined ? { metric: opts.metric as MetricName } : {}),
    ...(opts.role !== undefined ? { role: opts.role as 'canary' | 'baseline' } : {}),
    ...(opts.region !== undefined ? { region: opts.region } : {}),
  });
  const csv = renderMetricsCsv(converted);
  if (opts.output === undefined) process.stdout.write(csv);
  else await writeFile(opts.output, csv);
}
