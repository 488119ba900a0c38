import { GatesimError } from '../errors.js';

/**
 * Wraps a command action: an expected failure (GatesimError, including validation errors)
 * prints its message and exits 2; anything else is a bug and keeps its stack.
 */
export function handleErrors<A extends unknown[]>(
  action: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (e) {
      if (e instanceof GatesimError) {
        process.stderr.write(`gatesim: ${e.message}\n`);
        process.exitCode = 2;
        return;
      }
      throw e;
    }
  };
}
