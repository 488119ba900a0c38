/**
 * Parsers for command-line values that registering a command needs. This module and
 * src/cli/commands/ load when the command line is read, so they import nothing heavy: a
 * command's own code is imported only when it runs (`gatesim --help` stays fast).
 */
import { GatesimError } from '../errors.js';

/** Parses a whole number option, with a message naming the option. */
export function wholeNumber(name: string, min: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new GatesimError('bad-option', `${name}: expected a whole number ≥ ${min}, got "${v}"`);
    return n;
  };
}

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
