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

/**
 * A non-inferiority margin on a difference of rates: `1pp`, `1%` and `0.01` all mean one
 * percentage point (an absolute difference, never a relative one).
 */
export function parseMargin(option: string, text: string): number {
  const t = text.trim().toLowerCase();
  const m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(pp|%)?$/.exec(t);
  const v = m === null ? NaN : Number(m[1]) / (m[2] === undefined ? 1 : 100);
  if (!(v >= 0 && v <= 1))
    throw new GatesimError(
      'bad-option',
      `${option}: expected a margin in percentage points such as 1pp, 1% or 0.01 (0 to 100 pp), got "${text}"`,
    );
  return v;
}

/** How much worse a paired figure may get: a share of the baseline's value, or an amount. */
export type Allowance = { kind: 'relative'; share: number } | { kind: 'absolute'; amount: number };

/** No worsening allowed: any significant worsening fails. */
export const NO_ALLOWANCE: Allowance = { kind: 'absolute', amount: 0 };

/**
 * An allowed worsening: `10%` of the baseline's value, or an absolute amount in the figure's
 * unit: minutes (`5`, `5m`, `1h`) or a count (`100`).
 */
export function parseAllowance(option: string, text: string, unit: 'minutes' | 'count'): Allowance {
  const t = text.trim();
  if (t.endsWith('%')) {
    const body = t.slice(0, -1).trim();
    const v = /^(\d+\.?\d*|\.\d+)$/.test(body) ? Number(body) / 100 : NaN;
    if (!(v >= 0))
      throw new GatesimError(
        'bad-option',
        `${option}: expected a share such as 10% or an amount such as ${unit === 'minutes' ? '5m' : '100'}, got "${text}"`,
      );
    return { kind: 'relative', share: v };
  }
  if (unit === 'minutes') {
    const v = /^\d+(\.\d+)?$/.test(t) ? Number(t) : parseDuration(t);
    if (v === undefined || !(v >= 0) || !Number.isFinite(v))
      throw new GatesimError(
        'bad-option',
        `${option}: expected a share such as 10% or minutes such as 5m or 1h, got "${text}"`,
      );
    return { kind: 'absolute', amount: v };
  }
  const v = /^(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : NaN;
  if (!(v >= 0))
    throw new GatesimError(
      'bad-option',
      `${option}: expected a share such as 10% or a count such as 100, got "${text}"`,
    );
  return { kind: 'absolute', amount: v };
}
