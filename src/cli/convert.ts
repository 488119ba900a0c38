import { readFile, writeFile } from 'node:fs/promises';
import { convertPrometheus, renderMetricsCsv } from '../backtest/index.js';
import { GatesimError } from '../errors.js';
import { METRIC_NAMES, type MetricName } from '../world/types.js';

/** Options of `gatesim convert prometheus`. */
export interface ConvertPrometheusCliOptions {
  metric?: string;
  role?: string;
  region?: string;
  output?: string;
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
