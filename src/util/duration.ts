import { z } from 'zod';
import { LIMIT_NOTE, MAX_TRIAL_MINUTES } from './limits.js';

/**
 * Durations in files are minutes as a number, or a string with a unit: `30s`, `10m`, `2h`,
 * `1d`, or combinations such as `1h30m`. Internally every duration is minutes.
 */
const UNIT_MINUTES: Record<string, number> = {
  ms: 1 / 60000,
  s: 1 / 60,
  m: 1,
  h: 60,
  d: 1440,
  w: 10080,
};
const DURATION_RE = /^(\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/** Parses a duration to minutes; returns undefined when the text is not a duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PART_RE)) total += Number(m[1]) * UNIT_MINUTES[m[2]!]!;
  return total;
}

/** Formats minutes compactly (`90` → `1h30m`), for YAML written by importers and tuners. */
export function formatDuration(minutes: number): string {
  if (minutes === 0) return '0m';
  const parts: string[] = [];
  let rest = minutes;
  for (const [unit, size] of [
    ['d', 1440],
    ['h', 60],
    ['m', 1],
  ] as const) {
    const n = Math.floor(rest / size + 1e-9);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      rest -= n * size;
    }
  }
  const seconds = Math.round(rest * 60 * 1000) / 1000;
  if (seconds > 0) parts.push(`${seconds}s`);
  return parts.join('');
}

/** A value as a YAML reader wrote it: `.nan` and `.inf` as YAML spells them (JSON would say null). */
function shown(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v))
    return Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  return JSON.stringify(v) ?? String(v);
}

/** Bounds of a `boundedDuration`, in minutes. */
export interface DurationBounds {
  /** Shortest allowed (a floor that is one of gatesim's limits); 0 by default. */
  min?: number;
  /** Longest allowed; the 14 days a trial may run by default. */
  max?: number;
}

/**
 * A zod schema for a duration field of a plugin (a fault's or confounder's parameters): a
 * number of minutes or a string like `10m`, between `min` and `max` (by default 0 and the
 * 14 days a trial may run, since nothing longer can happen inside one).
 */
export function boundedDuration(bounds: DurationBounds = {}) {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? MAX_TRIAL_MINUTES;
  return z.unknown().transform((v, ctx): number => {
    const minutes = parseDuration(v);
    const problem =
      minutes === undefined
        ? 'a duration such as 30s, 10m, 2h or a number of minutes ≥ 0'
        : minutes < min
          ? `a duration ≥ ${formatDuration(min)} (${LIMIT_NOTE})`
          : minutes > max
            ? `a duration ≤ ${formatDuration(max)} (${LIMIT_NOTE})`
            : undefined;
    if (minutes === undefined || problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${problem ?? ''}, got ${shown(v)}` });
      return z.NEVER;
    }
    return minutes;
  });
}

/** A zod schema for a duration field: a number of minutes or a string like `10m`, at most 14 days. */
export const durationSchema = boundedDuration();
