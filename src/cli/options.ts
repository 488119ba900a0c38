/**
 * Parsers for command-line values that registering a command needs. This module and
 * src/cli/commands/ load when the command line is read, so they import nothing heavy: a
 * command's own code is imported only when it runs (`gatesim --help` stays fast).
 */
import { GatesimError } from '../errors.js';

/**
 * Trials per (scenario, policy) for `compare` by default: the whole built-in suite (15 × 8
 * pairs) in well under a minute on two cores, leaving room for slower ones.
 */
export const DEFAULT_TRIALS = 600;
/** Trials per scenario for `check` by default. */
export const DEFAULT_CHECK_TRIALS = 200;
/** Trials per setting and scenario for `tune` by default. */
export const DEFAULT_TUNE_TRIALS = 200;
/** Trials per scenario for `recommend`'s finalists and fresh comparison by default. */
export const DEFAULT_RECOMMEND_TRIALS = 200;
/** Candidates `recommend` may simulate by default. */
export const DEFAULT_RECOMMEND_BUDGET = 160;

/** Parses a whole number option in [min, max], with a message naming the option. */
export function wholeNumber(name: string, min: number, max = Infinity): (v: string) => number {
  return (v: string) => {
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new GatesimError(
        'bad-option',
        max === Infinity
          ? `${name}: expected a whole number ≥ ${min}, got "${v}"`
          : `${name}: expected a whole number in [${min}, ${max}], got "${v}"`,
      );
    return n;
  };
}

/** Parses a number option ≥ `min` (fractions allowed), with a message naming the option. */
export function numberAtLeast(name: string, min: number): (v: string) => number {
  return (v: string) => {
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n) || n < min)
      throw new GatesimError('bad-option', `${name}: expected a number ≥ ${min}, got "${v}"`);
    return n;
  };
}

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
