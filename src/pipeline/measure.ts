/**
 * What happens around a judge at every measurement, shared by the executor (simulated data)
 * and the backtester (recorded data) so both decide alike: which span of data a measurement
 * sees, when a baseline is read, how far back the `before` reference reaches, and how missing
 * data and small samples are settled before the judge is asked. Pure: no world, no clock.
 */
import { verdict } from '../judges/points.js';
import type { Judge, JudgeModel, JudgeResult, MetricData } from '../judges/types.js';
import type { CheckConfig } from '../policy/types.js';
import type { MetricName, MetricPoint, Minutes } from '../world/types.js';

/**
 * Start (exclusive) of the data a measurement taken at `now` sees: since the previous
 * measurement (`interval`), since the run's first data (`cumulative`: its start plus
 * initialDelay), or a fixed lookback.
 */
export function measurementWindowStart(
  check: Pick<CheckConfig, 'window' | 'initialDelay'>,
  run: { startedAt: Minutes; lastAt: Minutes },
  now: Minutes,
): Minutes {
  const w = check.window;
  if (w === 'interval') return run.lastAt;
  if (w === 'cumulative') return run.startedAt + check.initialDelay;
  return now - w;
}

/** Whether a check reads the old build's hosts: it compares against a baseline, or its judge needs one. */
export function readsBaseline(
  check: Pick<CheckConfig, 'compare'>,
  model: Pick<JudgeModel, 'needs'>,
): boolean {
  return check.compare === 'baseline' || model.needs.baseline === 'required';
}

/** How far before the deploy the `before` reference reaches: the window's length, at least an hour. */
export function beforeSpan(windowMinutes: Minutes): Minutes {
  return Math.max(60, windowMinutes);
}

/**
 * Points that carry data (a value and a positive sample), and the sum of their samples,
 * counted until there is data and the sum reaches `enough`: a growing window is screened at
 * every measurement, and beyond that its screening cannot change.
 */
function withData(
  points: readonly MetricPoint[] | undefined,
  enough: number,
): { points: number; sample: number } {
  let count = 0;
  let sample = 0;
  for (const p of points ?? []) {
    if (p.n > 0 && !Number.isNaN(p.value)) {
      count++;
      sample += p.n;
      if (sample >= enough) break;
    }
  }
  return { points: count, sample };
}

/**
 * Settles a measurement before its judge is asked: no data from the new hosts (or from a
 * required baseline) gives the check's onMissingData verdict; a sample below minSample is
 * inconclusive. Undefined when the judge should decide. `noData` says why the window came
 * back empty when the reason is known (too few scrapes in it).
 */
export function screenMeasurement(
  check: Pick<CheckConfig, 'onMissingData' | 'minSample'>,
  main: MetricData | undefined,
  baselineRequired: boolean,
  noData?: string,
): JudgeResult | undefined {
  const canary = withData(main?.canary, check.minSample);
  const baselineMissing = baselineRequired && withData(main?.baseline, 0).points === 0;
  if (canary.points === 0 || baselineMissing) {
    const whose = canary.points === 0 ? 'the new hosts' : 'the baseline';
    const why = noData === undefined ? '' : `: ${noData}`;
    return verdict(
      check.onMissingData,
      `no data for ${whose}${why} (onMissingData: ${check.onMissingData})`,
    );
  }
  const sample = canary.sample;
  if (sample < check.minSample) {
    const least = check.minSample;
    return verdict('inconclusive', () => `sample ${sample} below minSample ${least}`, {
      sample,
    });
  }
  return undefined;
}

/**
 * One measurement: screens the data (`screenMeasurement`) and, if it passes, asks the judge.
 * `data` holds every metric the judge reads; the check's own metric decides missing data.
 */
export function takeMeasurement(
  judge: Judge,
  check: Pick<CheckConfig, 'metric' | 'onMissingData' | 'minSample'>,
  data: Partial<Record<MetricName, MetricData>>,
  mainMetric: MetricName,
  baselineRequired: boolean,
  noData?: string,
): JudgeResult {
  const screened = screenMeasurement(check, data[mainMetric], baselineRequired, noData);
  if (screened !== undefined) return screened;
  return judge.evaluate({ metric: check.metric, data });
}
