/**
 * Field schemas shared by the scenario and policy formats. Each one states what it expects in
 * words, so an issue reads `expected a whole number ≥ -1, got "two"` rather than zod's default.
 */
import { z } from 'zod';
import { formatDuration, parseDuration } from '../util/duration.js';
import { LIMIT_NOTE, MAX_LIST_ITEMS, MAX_TRIAL_MINUTES } from '../util/limits.js';
import { WEEKDAYS } from '../world/types.js';
import { expectMessage, showValue } from './issues.js';
import { didYouMean, listNames } from './suggest.js';

/**
 * An object that rejects unknown keys, each with a "did you mean" against the known keys.
 * The message has one line per unknown key; `toValidationIssues` splits them.
 */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        return iss.keys.map((k) => unknownKeyMessage(k, known)).join('\n');
      }
      if (iss.code === 'invalid_type') return expectMessage('a mapping', iss.input);
      return undefined;
    },
  });
}

/** `unknown key \`x\`; did you mean \`y\`?`, or the list of known keys when none is close. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const hint = didYouMean(key, known);
  if (hint !== '') return `unknown key \`${key}\`${hint}`;
  return known.length === 0
    ? `unknown key \`${key}\`: no keys are allowed here`
    : `unknown key \`${key}\` (known keys: ${listNames(known)})`;
}

export interface NumberOptions {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  gt?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  lt?: number;
  int?: boolean;
  /** Overrides the generated description, e.g. "a probability in [0, 1]". */
  desc?: string;
  /**
   * Which bound is one of gatesim's limits (src/util/limits.ts) rather than what the value
   * means: crossing it says so, and where the limits are explained.
   */
  limit?: 'min' | 'max';
}

function describeNumber(o: NumberOptions): string {
  if (o.desc !== undefined) return o.desc;
  const noun = o.int === true ? 'a whole number' : 'a number';
  const lo = o.min !== undefined ? `[${o.min}` : o.gt !== undefined ? `(${o.gt}` : undefined;
  const hi = o.max !== undefined ? `${o.max}]` : o.lt !== undefined ? `${o.lt})` : undefined;
  if (lo !== undefined && hi !== undefined) return `${noun} in ${lo}, ${hi}`;
  if (o.min !== undefined) return `${noun} ≥ ${o.min}`;
  if (o.gt !== undefined) return `${noun} > ${o.gt}`;
  if (o.max !== undefined) return `${noun} ≤ ${o.max}`;
  if (o.lt !== undefined) return `${noun} < ${o.lt}`;
  return noun;
}

/** A finite number with bounds; every failure says the whole expectation. */
export function num(o: NumberOptions = {}) {
  const desc = describeNumber(o);
  const error = (iss: { input?: unknown }) => expectMessage(desc, iss.input);
  const limitError = (iss: { input?: unknown }) =>
    expectMessage(`${desc} (${LIMIT_NOTE})`, iss.input);
  let s = z.number({ error });
  if (o.int === true) s = s.int({ error });
  if (o.min !== undefined) s = s.min(o.min, { error: o.limit === 'min' ? limitError : error });
  if (o.gt !== undefined) s = s.gt(o.gt, { error });
  if (o.max !== undefined) s = s.max(o.max, { error: o.limit === 'max' ? limitError : error });
  if (o.lt !== undefined) s = s.lt(o.lt, { error });
  return s;
}

/** A number in [min, max] whose upper end is one of gatesim's limits. */
export const upTo = (max: number, min = 0) => num({ min, max, limit: 'max' });
/** A number in (0, max] whose upper end is one of gatesim's limits. */
export const positiveUpTo = (max: number) => num({ gt: 0, max, limit: 'max' });

/** A probability in [0, 1]. */
export const probability = () => num({ min: 0, max: 1, desc: 'a probability in [0, 1]' });
/** A share in (0, 1]: part of something, never nothing. */
export const share = () => num({ gt: 0, max: 1, desc: 'a share in (0, 1]' });
/** A number ≥ 0. */
export const nonNegative = () => num({ min: 0 });
/** A number > 0. */
export const positive = () => num({ gt: 0 });
/** A whole number ≥ min. */
export const whole = (min: number) => num({ int: true, min });
/** An hour of the day in [0, 24]. */
export const hour = () => num({ min: 0, max: 24, desc: 'an hour in [0, 24]' });

/**
 * A deploy window's hour, read to the minute (`9.0167` is 09:01): the calendar compares
 * window bounds with times in whole minutes, and a bound between two minutes could sit a
 * rounding error away from its own opening, which a rollout then waited for forever.
 */
export const windowHour = () => hour().transform((h) => Math.round(h * 60) / 60);

/**
 * A UTC offset in hours, in quarter hours as every time zone is (+5:30, +5:45, −3:30): other
 * offsets put deploy windows a fraction of a minute off the calendar's whole minutes.
 */
export function utcOffset() {
  const desc = 'a UTC offset in [-12, 14] in quarter hours (every time zone is)';
  const error = (iss: { input?: unknown }) => expectMessage(desc, iss.input);
  return z
    .number({ error })
    .min(-12, { error })
    .max(14, { error })
    .refine((h) => Number.isInteger(h * 4), { error })
    .transform((h) => Math.round(h * 4) / 4);
}

export interface DurationOptions {
  /** Reject 0 (intervals, batch times). */
  positive?: boolean;
  /** A floor that is one of gatesim's limits (the shortest interval), in minutes. */
  min?: number;
  /** The longest allowed, in minutes: gatesim's limit, 14 days unless said otherwise. */
  max?: number;
}

/**
 * A duration: minutes as a number, or `30s`, `10m`, `2h`, `1d`, `1h30m` (the shared
 * `parseDuration`); the output is minutes. No duration may exceed the 14 days a trial may
 * run (MAX_TRIAL_MINUTES), so every one the loaders accept can happen inside a trial.
 */
export function duration(o: DurationOptions = {}) {
  const desc =
    o.positive === true
      ? 'a duration > 0 such as 30s, 10m, 2h or a number of minutes'
      : 'a duration such as 30s, 10m, 2h or a number of minutes ≥ 0';
  const max = o.max ?? MAX_TRIAL_MINUTES;
  return z.unknown().transform((v, ctx): number => {
    const minutes = parseDuration(v);
    if (minutes === undefined || (o.positive === true && minutes <= 0)) {
      ctx.addIssue({ code: 'custom', message: expectMessage(desc, v) });
      return z.NEVER;
    }
    if (o.min !== undefined && minutes < o.min) {
      const bound = `a duration ≥ ${formatDuration(o.min)} (${LIMIT_NOTE})`;
      ctx.addIssue({ code: 'custom', message: expectMessage(bound, v) });
      return z.NEVER;
    }
    if (minutes > max) {
      const bound = `a duration ≤ ${formatDuration(max)} (${LIMIT_NOTE})`;
      ctx.addIssue({ code: 'custom', message: expectMessage(bound, v) });
      return z.NEVER;
    }
    return minutes;
  });
}

/** One of a fixed list of strings, with a "did you mean" for near misses. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (iss) => {
      const hint = typeof iss.input === 'string' ? didYouMean(iss.input, values) : '';
      return `${expectMessage(`one of ${listNames(values)}`, iss.input)}${hint}`;
    },
  });
}

/** A non-empty name: letters, digits, `-`, `_`, `.` (names show up in CSVs and commands). */
export function name() {
  const desc = 'a name of letters, digits, `-`, `_` or `.`';
  const error = (iss: { input?: unknown }) => expectMessage(desc, iss.input);
  return z.string({ error }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error });
}

/** A list of weekdays (`mon` … `sun`), at least one, no repeats. */
export function weekdays() {
  return z
    .array(oneOf(WEEKDAYS), {
      error: (iss) => expectMessage('a list of days such as [mon, tue]', iss.input),
    })
    .min(1, { error: 'expected at least one day' })
    .superRefine((days, ctx) => {
      const seen = new Set<string>();
      days.forEach((d, i) => {
        if (seen.has(d))
          ctx.addIssue({ code: 'custom', path: [i], message: `\`${d}\` is listed twice` });
        seen.add(d);
      });
    });
}

/**
 * A list with its own message when the value is not a list at all, and at most
 * MAX_LIST_ITEMS items (gatesim's limit on every list a file may hold).
 */
export function list<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(item, { error: (iss) => expectMessage(`a list of ${what}`, iss.input) })
    .max(MAX_LIST_ITEMS, {
      error: (iss) =>
        `expected at most ${MAX_LIST_ITEMS} ${what} (${LIMIT_NOTE}), got ${Array.isArray(iss.input) ? iss.input.length : showValue(iss.input)}`,
    });
}

/** A boolean with an `expected true or false` message. */
export function bool() {
  return z.boolean({ error: (iss) => expectMessage('true or false', iss.input) });
}

/** Free text (descriptions). */
export function text() {
  return z.string({ error: (iss) => expectMessage('text', iss.input) });
}

/** Reports names used twice in a list of named things. */
export function checkUnique(
  items: readonly { name: string }[],
  ctx: z.RefinementCtx,
  pathOf: (index: number) => PropertyKey[],
  what: string,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.name);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: pathOf(i),
        message: `${what} \`${item.name}\` is already used by entry ${first}`,
      });
    } else seen.set(item.name, i);
  });
}
