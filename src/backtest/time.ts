/**
 * The backtester's time axis: minutes since Monday 1970-01-05 00:00 UTC. Recorded times are
 * real UTC instants; putting minute 0 on a Monday lets the calendar functions the executor uses
 * for deploy windows (which read simulated minutes since a Monday) read them unchanged.
 */
import { parseTimestamp } from '../world/trace.js';
import type { Minutes } from '../world/types.js';

/** Epoch minutes of Monday 1970-01-05 00:00 UTC (the epoch itself was a Thursday). */
const MONDAY_EPOCH_MINUTES = 4 * 1440;

/**
 * A recorded timestamp (ISO 8601, zone optional and UTC when absent, or epoch seconds) as
 * backtest minutes; undefined when the text is neither.
 *
 * @example toMinutes('1970-01-05T00:10:00Z') // 10
 */
export function toMinutes(text: string): Minutes | undefined {
  const seconds = parseTimestamp(text);
  return seconds === undefined ? undefined : seconds / 60 - MONDAY_EPOCH_MINUTES;
}

/** Backtest minutes as an ISO 8601 UTC timestamp, to the second. */
export function formatTime(t: Minutes): string {
  const ms = Math.round((t + MONDAY_EPOCH_MINUTES) * 60) * 1000;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * Tolerance when comparing recorded times with times the walk computes: minutes derived from
 * whole seconds are not exact binary fractions, and a point at exactly the end of a window must
 * count as inside it whichever way the rounding fell.
 */
export const TIME_EPSILON = 1e-6;
