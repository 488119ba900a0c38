import { resolve } from 'node:path';
import { runBacktest, writeBacktestReport, type BacktestResult } from '../backtest/index.js';
import { GatesimError } from '../errors.js';
import { formatRateInterval } from '../report/index.js';

/** Options of `gatesim backtest` as commander hands them over. */
export interface BacktestCliOptions {
  metrics: string;
  deploys: string;
  policy: string;
  incidents?: string;
  out: string;
  utcOffset?: string[];
  quiet?: boolean;
}

/** Parses `region=hours` pairs. */
export function parseUtcOffsets(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) {
    const m = /^([^=]+)=([+-]?\d+(?:\.\d+)?)$/.exec(p.trim());
    const hours = m === null ? NaN : Number(m[2]);
    if (m === null || !(hours >= -14 && hours <= 14)) {
      throw new GatesimError(
        'bad-option',
        `--utc-offset: expected region=hours with hours between -14 and 14, got "${p}"`,
      );
    }
    out[m[1]!.trim()] = hours;
  }
  return out;
}

export async function runBacktestCommand(opts: BacktestCliOptions): Promise<BacktestResult> {
  const result = await runBacktest({
    metrics: opts.metrics,
    deploys: opts.deploys,
    policy: opts.policy,
    ...(opts.incidents !== undefined ? { incidents: opts.incidents } : {}),
    ...(opts.utcOffset !== undefined ? { utcOffsets: parseUtcOffsets(opts.utcOffset) } : {}),
  });
  const dir = resolve(opts.out);
  await writeBacktestReport(result, dir);
  if (opts.quiet !== true) {
    const o = result.outcomes;
    const f = result.figures;
    process.stderr.write(
      `${result.decisions.length} deploys: ${o.shipped} shipped, ${o['rolled-back']} rolled back, ` +
        `${o.blocked} blocked, ${o.stalled} unfinished` +
        (f === undefined
          ? ''
          : `; shipped bad ${formatRateInterval(f.shippedBad)} (${f.shippedBad.count}/${f.shippedBad.of}), ` +
            `blocked good ${formatRateInterval(f.blockedGood)} (${f.blockedGood.count}/${f.blockedGood.of})`) +
        ` → ${opts.out}\n`,
    );
  }
  return result;
}
