import type { RandomStream } from '../random/index.js';
import type { Recording } from './scenario-binding.js';
import { traceCurve } from './trace.js';
import type { LoadCurve } from './traffic.js';
import type { Minutes, RegionRuntime } from './types.js';

const WEEK = 10080;

/**
 * Per-region curves from a recorded series: each trial starts at a seeded whole week of the
 * recording (weekdays stay aligned), and every region sees it in its own local time, the
 * recording's clock being that of the schedule's region.
 */
export function recordedCurves(
  recording: Recording,
  scheduleRegion: string,
  regions: readonly RegionRuntime[],
  rng: RandomStream,
): LoadCurve[] {
  const { trace } = recording;
  const u = rng.next();
  let offset: Minutes;
  if (trace.mondayOffset !== undefined && trace.period - trace.mondayOffset >= WEEK) {
    const weeks = Math.floor((trace.period - trace.mondayOffset) / WEEK);
    offset = trace.mondayOffset + Math.floor(u * weeks) * WEEK;
  } else {
    offset = u * trace.period;
  }
  const reference = regions.find((r) => r.name === scheduleRegion)?.utcOffsetHours ?? 0;
  return regions.map((r) => traceCurve(trace, offset + (r.utcOffsetHours - reference) * 60));
}

/**
 * The business cycle from a recorded series: the series' level relative to its mean, scaled
 * so its typical peak (share 1) is +1, clamped to [−1, 1].
 */
export function recordedCycles(
  recording: Recording,
  scheduleRegion: string,
  regions: readonly RegionRuntime[],
  rng: RandomStream,
): ((t: Minutes) => number)[] {
  const { meanShare } = recording;
  const span = Math.max(1e-9, 1 - meanShare);
  return recordedCurves(recording, scheduleRegion, regions, rng).map(
    (c) => (t: Minutes) => Math.max(-1, Math.min(1, (c.share(t) - meanShare) / span)),
  );
}
