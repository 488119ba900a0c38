/**
 * The human clock: people work in working hours and answer pages at any hour, slower at night
 * and at weekends. Whatever a person does in a simulation (approving a promotion, resuming a
 * paused rollout, triaging a blocked deploy, answering a page) takes time on this clock, so a
 * Friday 16:00 pause costs a weekend and a Tuesday 10:00 one costs half an hour.
 *
 * Two kinds of work:
 * - Desk work (approvals, resuming a pause, triage) is effort measured in working minutes: it
 *   starts at the next working minute and advances only inside working hours.
 * - A page (an incident, a failed rollback) is answered after the on-call response time of
 *   the moment it fires: within working hours, at night on a working day, or at a weekend.
 *   The Google SRE book ("Being On-Call", Site Reliability Engineering, 2016) gives 5 minutes
 *   for user-facing services and 30 minutes for less time-critical ones as typical targets;
 *   the defaults in the scenario format start from those.
 * Pure functions of simulated time (minutes since Monday 00:00 UTC).
 */
import { DAY, inWindows, localTime, nextWindowStart, type HourWindow } from './calendar.js';
import type { Minutes } from './types.js';

export interface HumanClock {
  /** Working hours, local to `utcOffsetHours`; an empty list means people work at every hour. */
  workingHours: readonly HourWindow[];
  /** The team's time zone. */
  utcOffsetHours: number;
  /** Minutes until a page is answered, by when it fires. */
  pageResponse: { working: Minutes; night: Minutes; weekend: Minutes };
}

/** A clock on which people are always at their desks and answer pages at once (no human clock). */
export const ALWAYS_AT_WORK: HumanClock = {
  workingHours: [],
  utcOffsetHours: 0,
  pageResponse: { working: 0, night: 0, weekend: 0 },
};

/** Whether people are at work at t. */
export function atWork(clock: HumanClock, t: Minutes): boolean {
  return inWindows(t, clock.workingHours, clock.utcOffsetHours);
}

/** When a window that holds t closes (local hours), or t when none holds it. */
function windowClose(clock: HumanClock, t: Minutes): Minutes {
  const { day, hour } = localTime(t, clock.utcOffsetHours);
  let close = t;
  for (const w of clock.workingHours) {
    if (w.days.includes(day) && hour >= w.fromHour && hour < w.toHour)
      close = Math.max(close, t + (w.toHour - hour) * 60);
  }
  return close;
}

/**
 * The time at which `effort` minutes of desk work started at t are done: the work waits for
 * working hours and stops outside them. Infinity when working hours never come.
 * @example deskWorkDone(clock, fridayAt16_50, 30) // Monday 09:20 with 9–17 working hours
 */
export function deskWorkDone(clock: HumanClock, t: Minutes, effort: Minutes): Minutes {
  if (clock.workingHours.length === 0) return t + effort;
  let now = t;
  let left = effort;
  // Each turn consumes one stretch of working time; a week has at most a few per day.
  for (let turn = 0; turn < 10_000; turn++) {
    const open = nextWindowStart(now, clock.workingHours, clock.utcOffsetHours);
    if (open === Infinity) return Infinity;
    const close = windowClose(clock, open);
    // Adjacent windows (e.g. 9–12 and 12–17) continue without a gap.
    const stretch = close - open;
    if (stretch <= 0) return Infinity;
    if (left <= stretch) return open + left;
    left -= stretch;
    now = close;
  }
  return Infinity;
}

/** How a page that fires at t finds people: at work, at night on a working day, or at a weekend. */
export function pageShift(clock: HumanClock, t: Minutes): 'working' | 'night' | 'weekend' {
  if (clock.workingHours.length === 0 || atWork(clock, t)) return 'working';
  const { day } = localTime(t, clock.utcOffsetHours);
  return clock.workingHours.some((w) => w.days.includes(day)) ? 'night' : 'weekend';
}

/** Minutes until a page that fires at t is answered. */
export function pageResponseTime(clock: HumanClock, t: Minutes): Minutes {
  return clock.pageResponse[pageShift(clock, t)];
}

/**
 * The next working-day morning after t: the first opening of working hours on a later local
 * day than t's (Monday 09:00 after a Friday, Wednesday 09:00 after a Tuesday). Infinity when
 * working hours never open.
 */
export function nextWorkingMorning(clock: HumanClock, t: Minutes): Minutes {
  if (clock.workingHours.length === 0) return t + DAY;
  const local = t + clock.utcOffsetHours * 60;
  const tomorrow = Math.floor(local / DAY) * DAY + DAY - clock.utcOffsetHours * 60;
  return nextWindowStart(tomorrow, clock.workingHours, clock.utcOffsetHours);
}
