/**
 * Matchers for vitest (and Jest, which shares the protocol) that judge a simulation the way
 * `gatesim check` does: on the upper bound of the 95% interval, so a test passes only when
 * the trials show the requirement holds, not when a small sample happens to look good.
 *
 * This module never loads vitest: types come from `import type`, and the caller hands over
 * its own `expect`, so the runtime package does not depend on a test runner.
 *
 * @example
 * import { expect } from 'vitest';
 * import { installMatchers, simulate } from 'gatesim/vitest';
 * installMatchers(expect);
 * expect(await simulate({ policy, scenario, trials: 500 })).toShipBadAtMost(0.02);
 */
import type { QuantileWithInterval } from '../check/bounds.js';
import type { RateWithInterval } from '../eval/types.js';
import type { Simulation } from './simulate.js';
// Types only: puts vitest's declarations in the program so the augmentation below has a target.
import type {} from 'vitest';

export { simulate, type Simulation, type SimulateOptions } from './simulate.js';

/** What a matcher returns: vitest's and Jest's ExpectationResult. */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** The assertions the matchers add. */
export interface GatesimMatchers<R = unknown> {
  /** Shipped-bad rate at most `rate`, judged on the Wilson 95% upper bound. */
  toShipBadAtMost(rate: number): R;
  /** Blocked-good rate at most `rate`, judged on the Wilson 95% upper bound. */
  toBlockGoodAtMost(rate: number): R;
  /** p90 time to detect at most `minutes`, judged on the 95% upper bound of the p90. */
  toDetectWithin(minutes: number): R;
}

declare module 'vitest' {
  // The declaration merges with vitest's own `Matchers<T = any>`; merged declarations must
  // repeat its type parameter exactly, default included.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends GatesimMatchers<T> {}
}

function isSimulation(v: unknown): v is Simulation {
  return (
    typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'gatesim-simulation'
  );
}

const pct = (p: number): string => `${Number((p * 100).toPrecision(3))}%`;
const mins = (m: number): string => (Number.isFinite(m) ? `${Number(m.toPrecision(3))} min` : '∞');

function notASimulation(name: string, received: unknown): MatcherResult {
  return {
    pass: false,
    message: () =>
      `${name}: expected the result of gatesim's simulate(), got ${received === null ? 'null' : typeof received}`,
  };
}

function checkLimit(name: string, v: number, what: string): void {
  if (!Number.isFinite(v) || v < 0)
    throw new TypeError(`${name}: ${what} must be a number ≥ 0, got ${v}`);
}

function rateMatcher(
  name: string,
  figure: 'shipped-bad' | 'blocked-good',
  builds: 'bad' | 'good',
  get: (s: Simulation) => RateWithInterval,
) {
  return function (this: unknown, received: unknown, rate: number): MatcherResult {
    checkLimit(name, rate, 'the rate');
    if (!isSimulation(received)) return notASimulation(name, received);
    const r = get(received);
    const where = `${received.policy} on ${received.scenario} (seed ${received.seed}, ${received.trials} trials)`;
    if (r.of === 0) {
      return {
        pass: false,
        message: () =>
          `${name}: ${where} drew no ${builds} builds, so its ${figure} rate says nothing; use a scenario with ${builds} builds or more trials`,
      };
    }
    const pass = r.hi <= rate;
    const seen = `${figure} ${pct(r.rate)} (${r.count}/${r.of}), 95% interval ${pct(r.lo)}–${pct(r.hi)}`;
    return {
      pass,
      message: () =>
        pass
          ? `${name}: expected ${where} not to keep ${figure} ≤ ${pct(rate)} on the 95% upper bound, but ${seen}`
          : `${name}: expected ${where} to keep ${figure} ≤ ${pct(rate)} on the 95% upper bound; ${seen}` +
            (r.rate <= rate
              ? ' (the estimate is within the limit: more trials may narrow the interval)'
              : ''),
    };
  };
}

function describeQuantile(q: QuantileWithInterval): string {
  return `p90 ${mins(q.value)}, 95% interval ${mins(q.lo)}–${mins(q.hi)} over ${q.n} bad builds detected in production`;
}

/** The matchers, for `expect.extend`. */
export const gatesimMatchers = {
  toShipBadAtMost: rateMatcher('toShipBadAtMost', 'shipped-bad', 'bad', (s) => s.shippedBad),
  toBlockGoodAtMost: rateMatcher('toBlockGoodAtMost', 'blocked-good', 'good', (s) => s.blockedGood),
  toDetectWithin(this: unknown, received: unknown, minutes: number): MatcherResult {
    const name = 'toDetectWithin';
    checkLimit(name, minutes, 'minutes');
    if (!isSimulation(received)) return notASimulation(name, received);
    const q = received.timeToDetectP90;
    const where = `${received.policy} on ${received.scenario} (seed ${received.seed}, ${received.trials} trials)`;
    if (q.n === 0) {
      return {
        pass: false,
        message: () =>
          `${name}: ${where} detected no bad build in production (after customers saw it), so there is no time to detect to judge`,
      };
    }
    const pass = q.hi <= minutes;
    return {
      pass,
      message: () =>
        pass
          ? `${name}: expected ${where} not to detect within ${mins(minutes)} (p90, 95% upper bound), but ${describeQuantile(q)}`
          : `${name}: expected ${where} to detect within ${mins(minutes)} (p90, 95% upper bound); ${describeQuantile(q)}` +
            (q.hi === Infinity ? ' (too few detections to bound a p90: run more trials)' : ''),
    };
  },
};

/** Registers the matchers on a test runner's `expect` (vitest or Jest). */
export function installMatchers(expect: {
  extend: (matchers: typeof gatesimMatchers) => void;
}): void {
  expect.extend(gatesimMatchers);
}
