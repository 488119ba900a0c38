import { resolve } from 'node:path';
import type { RandomStream, TrialStreams } from '../random/index.js';
import { loadTrace, traceCurve } from './trace.js';
import type { LoadCurve } from './traffic.js';
import type { Minutes, RegionRuntime, ScenarioConfig, TraceConfig } from './types.js';

/**
 * Per-region curves from a recorded series: each trial starts at a seeded whole week of the
 * recording (weekdays stay aligned), and every region sees it in its own local time.
 */
function recordedCurves(
  spec: TraceConfig,
  scenario: ScenarioConfig,
  regions: readonly RegionRuntime[],
  rng: RandomStream,
): { curves: LoadCurve[]; meanShare: number } {
  const trace = loadTrace(
    resolve(scenario.baseDir, spec.file),
    spec.stepMinutes === undefined ? {} : { stepMinutes: spec.stepMinutes },
  );
  const u = rng.next();
  let offset: Minutes;
  if (trace.mondayOffset !== undefined && trace.period - trace.mondayOffset >= 10080) {
    const weeks = Math.floor((trace.period - trace.mondayOffset) / 10080);
    offset = trace.mondayOffset + Math.floor(u * weeks) * 10080;
  } else {
    offset = u * trace.period;
  }
  const reference = regions.find((r) => r.name === scenario.schedule.region)?.utcOffsetHours ?? 0;
  const curves = regions.map((r) =>
    traceCurve(trace, offset + (r.utcOffsetHours - reference) * 60),
  );
  const whole = traceCurve(trace, 0);
  return { curves, meanShare: whole.integral(0, trace.period) / trace.period };
}

/** Traffic from a recorded trace, when the scenario has one. */
export function traceCurves(
  scenario: ScenarioConfig,
  regions: readonly RegionRuntime[],
  streams: TrialStreams,
): LoadCurve[] | undefined {
  const spec = scenario.traffic.trace;
  return spec === undefined
    ? undefined
    : recordedCurves(spec, scenario, regions, streams.get('trace')).curves;
}

/**
 * The business cycle from a recorded series, when the scenario has one: the series' level
 * relative to its mean, scaled so its typical peak (share 1) is +1, clamped to [−1, 1].
 */
export function conversionCycles(
  scenario: ScenarioConfig,
  regions: readonly RegionRuntime[],
  streams: TrialStreams,
): ((t: Minutes) => number)[] | undefined {
  const spec = scenario.service.business.trace;
  if (spec === undefined) return undefined;
  const { curves, meanShare } = recordedCurves(
    spec,
    scenario,
    regions,
    streams.get('trace:business'),
  );
  const span = Math.max(1e-9, 1 - meanShare);
  return curves.map(
    (c) => (t: Minutes) => Math.max(-1, Math.min(1, (c.share(t) - meanShare) / span)),
  );
}
