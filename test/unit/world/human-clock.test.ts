import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atLocal, DAY } from '../../../src/world/calendar.js';
import {
  ALWAYS_AT_WORK,
  deskWorkDone,
  nextWorkingMorning,
  pageResponseTime,
  pageShift,
  type HumanClock,
} from '../../../src/world/human-clock.js';

// Working hours Monday–Friday 9–17 in New York (UTC−5).
const NY: HumanClock = {
  workingHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], fromHour: 9, toHour: 17 }],
  utcOffsetHours: -5,
  pageResponse: { working: 5, night: 20, weekend: 30 },
};
const MON = 0;
const TUE = 1;
const FRI = 4;
const SAT = 5;

describe('desk work on the human clock', () => {
  it('inside working hours takes just its effort', () => {
    const t = atLocal(TUE, 10, -5);
    expect(deskWorkDone(NY, t, 30)).toBeCloseTo(t + 30, 9);
  });

  it('a Friday 16:50 task of 30 minutes finishes Monday 09:20 local', () => {
    const t = atLocal(FRI, 16 + 50 / 60, -5);
    expect(deskWorkDone(NY, t, 30)).toBeCloseTo(atLocal(MON, 9 + 20 / 60, -5) + 7 * DAY, 6);
  });

  it('a task raised at night waits for the morning', () => {
    const t = atLocal(TUE, 22, -5);
    expect(deskWorkDone(NY, t, 15)).toBeCloseTo(atLocal(TUE + 1, 9.25, -5), 6);
  });

  it('effort longer than a day spans working days only', () => {
    const t = atLocal(MON, 9, -5);
    // 20 working hours: Monday 8 h, Tuesday 8 h, Wednesday 4 h → Wednesday 13:00.
    expect(deskWorkDone(NY, t, 20 * 60)).toBeCloseTo(atLocal(2, 13, -5), 6);
  });

  it('adjacent windows continue without a gap', () => {
    const split: HumanClock = {
      ...NY,
      workingHours: [
        { days: ['tue'], fromHour: 9, toHour: 12 },
        { days: ['tue'], fromHour: 12, toHour: 17 },
      ],
    };
    const t = atLocal(TUE, 11, -5);
    expect(deskWorkDone(split, t, 120)).toBeCloseTo(t + 120, 6);
  });

  it('never finishes when working hours never open', () => {
    const never: HumanClock = { ...NY, workingHours: [{ days: [], fromHour: 9, toHour: 17 }] };
    expect(deskWorkDone(never, atLocal(TUE, 10, -5), 5)).toBe(Infinity);
  });

  it('without working hours it is plain elapsed time', () => {
    expect(deskWorkDone(ALWAYS_AT_WORK, 12_345, 30)).toBe(12_375);
  });

  it('working minutes between start and finish equal the effort (any start, any effort)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10080, max: 2 * 10080 }),
        fc.integer({ min: 1, max: 3000 }),
        (t, effort) => {
          const done = deskWorkDone(NY, t, effort);
          // Count working minutes on a one-minute grid from t to done.
          let worked = 0;
          for (let m = t; m < done - 1e-9; m += 1) {
            const local = m + NY.utcOffsetHours * 60;
            const day = Math.floor(local / DAY) % 7;
            const hour = (local % DAY) / 60;
            if (day < 5 && hour >= 9 && hour < 17) worked += Math.min(1, done - m);
          }
          expect(worked).toBeCloseTo(effort, 6);
        },
      ),
      { seed: 17, numRuns: 60 },
    );
  });
});

describe('pages on the human clock', () => {
  it('are answered by the response of their shift', () => {
    expect(pageShift(NY, atLocal(TUE, 10, -5))).toBe('working');
    expect(pageResponseTime(NY, atLocal(TUE, 10, -5))).toBe(5);
    expect(pageShift(NY, atLocal(TUE, 23, -5))).toBe('night');
    expect(pageResponseTime(NY, atLocal(TUE, 3, -5))).toBe(20);
    expect(pageShift(NY, atLocal(SAT, 12, -5))).toBe('weekend');
    expect(pageResponseTime(NY, atLocal(SAT, 12, -5))).toBe(30);
  });
});

describe('the next working morning', () => {
  it('after Friday afternoon is Monday 09:00, after Tuesday morning is Wednesday 09:00', () => {
    expect(nextWorkingMorning(NY, atLocal(FRI, 16, -5))).toBeCloseTo(
      atLocal(MON, 9, -5) + 7 * DAY,
      6,
    );
    expect(nextWorkingMorning(NY, atLocal(TUE, 10, -5))).toBeCloseTo(atLocal(2, 9, -5), 6);
  });
});
