import { z } from 'zod';

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

/** A zod schema for a duration field: a number of minutes or a string like `10m`. */
export const durationSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const minutes = parseDuration(v);
  if (minutes === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration such as 30s, 10m, 2h or a number of minutes ≥ 0, got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return minutes;
});
