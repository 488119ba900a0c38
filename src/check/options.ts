/**
 * Parsing the figures `check` and `tune` take on the command line, with messages naming the
 * option: rates as `0.02` or `2%`, minutes as a number or a duration such as `45m`.
 */
import { GatesimError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import type { Bound } from './bounds.js';

/** A rate in [0, 1], written `0.02` or `2%`. */
export function parseRate(option: string, text: string): number {
  const t = text.trim();
  const pct = t.endsWith('%');
  const body = pct ? t.slice(0, -1).trim() : t;
  const v = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(body) ? Number(body) : NaN;
  const rate = pct ? v / 100 : v;
  if (!(rate >= 0 && rate <= 1))
    throw new GatesimError(
      'bad-option',
      `${option}: expected a rate in [0, 1] such as 0.02 or 2%, got "${text}"`,
    );
  return rate;
}

/** Minutes, written as a number or a duration (`45m`, `2h`). */
export function parseMinutes(option: string, text: string): number {
  const t = text.trim();
  const v = /^\d+(\.\d+)?$/.test(t) ? Number(t) : parseDuration(t);
  if (v === undefined || !Number.isFinite(v))
    throw new GatesimError(
      'bad-option',
      `${option}: expected minutes or a duration such as 45m or 2h, got "${text}"`,
    );
  return v;
}

/** `upper` or `point`. */
export function parseBound(option: string, text: string): Bound {
  if (text === 'upper' || text === 'point') return text;
  throw new GatesimError('bad-option', `${option}: expected upper or point, got "${text}"`);
}

/** A whole number ≥ min. */
export function parseWhole(option: string, text: string, min: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min)
    throw new GatesimError(
      'bad-option',
      `${option}: expected a whole number ≥ ${min}, got "${text}"`,
    );
  return n;
}
