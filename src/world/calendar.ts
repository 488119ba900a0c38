import { WEEKDAYS, type Minutes, type Weekday } from './types.js';

/**
 * Simulated time is minutes since Monday 00:00 UTC of week 0. Trials start in week 1 so
 * "the same time last week" is always a valid time.
 */
export const WEEK = 10080;
export const DAY = 1440;

/** Local weekday and hour (fractional) at UTC time t in a zone at `utcOffsetHours`. */
export function localTime(
  t: Minutes,
  utcOffsetHours: number,
): { day: Weekday; dayIndex: number; hour: number } {
  const local = t + utcOffsetHours * 60;
  const dayIndex = ((Math.floor(local / DAY) % 7) + 7) % 7;
  const hour = (((local % DAY) + DAY) % DAY) / 60;
  return { day: WEEKDAYS[dayIndex]!, dayIndex, hour };
}

export interface HourWindow {
  days: readonly Weekday[];
  fromHour: number;
  toHour: number;
}

/** Whether t falls inside any window (local time). An empty list allows any time. */
export function inWindows(
  t: Minutes,
  windows: readonly HourWindow[],
  utcOffsetHours: number,
): boolean {
  if (windows.length === 0) return true;
  const { day, hour } = localTime(t, utcOffsetHours);
  return windows.some((w) => w.days.includes(day) && hour >= w.fromHour && hour < w.toHour);
}

/** The first time ≥ t inside a window, or Infinity if the windows never open. */
export function nextWindowStart(
  t: Minutes,
  windows: readonly HourWindow[],
  utcOffsetHours: number,
): Minutes {
  if (inWindows(t, windows, utcOffsetHours)) return t;
  let best = Infinity;
  const offset = utcOffsetHours * 60;
  const localNow = t + offset;
  const dayStart = Math.floor(localNow / DAY) * DAY;
  for (let d = 0; d <= 7; d++) {
    const base = dayStart + d * DAY;
    const dayIndex = ((Math.floor(base / DAY) % 7) + 7) % 7;
    for (const w of windows) {
      if (!w.days.includes(WEEKDAYS[dayIndex]!) || w.toHour <= w.fromHour) continue;
      const open = base + w.fromHour * 60;
      const close = base + w.toHour * 60;
      const candidate = Math.max(open, localNow);
      if (candidate < close && candidate < best) best = candidate;
    }
    if (best < Infinity) break;
  }
  return best === Infinity ? Infinity : best - offset;
}

/** UTC time in week 1 of a local weekday and hour. */
export function atLocal(dayIndex: number, hour: number, utcOffsetHours: number): Minutes {
  return WEEK + dayIndex * DAY + hour * 60 - utcOffsetHours * 60;
}
