/**
 * Number formatting shared by the Markdown and HTML reports, so both show the same figure the
 * same way. The CSV and JSON files keep full precision and never go through these.
 */
import type { Distribution, RateWithInterval } from '../eval/types.js';

/** Shown where a figure has no value (no builds of that kind, no data). */
export const NOT_AVAILABLE = '–';

/** A probability as a percentage with one decimal: `0.0213` → `2.1%`. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return NOT_AVAILABLE;
  const pct = p * 100;
  // Keep tiny non-zero rates visible instead of rounding them to a misleading 0.0%.
  if (pct > 0 && pct < 0.05) return '<0.1%';
  if (pct < 100 && pct > 99.95) return '>99.9%';
  return `${pct.toFixed(1)}%`;
}

/** A rate with its 95% interval: `2.1% (1.2–3.5%)`; `–` when the denominator is 0. */
export function formatRateInterval(r: RateWithInterval): string {
  if (r.of === 0) return NOT_AVAILABLE;
  return `${formatPercent(r.rate)} (${stripPercent(formatPercent(r.lo))}–${formatPercent(r.hi)})`;
}

function stripPercent(s: string): string {
  return s.endsWith('%') ? s.slice(0, -1) : s;
}

/** A p-value to three significant digits without trailing zeros: `0.0213`, `0.002`, `1.23e-7`. */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return NOT_AVAILABLE;
  if (p === 0) return '0';
  // Below 0.001 leading zeros stop being readable, so switch to exponent form there.
  const s = p < 1e-3 ? p.toExponential(2) : p.toPrecision(3);
  const [mantissa, exponent] = s.split('e');
  const trimmed = mantissa!.includes('.') ? mantissa!.replace(/\.?0+$/, '') : mantissa!;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent.replace(/^\+/, '')}`;
}

/** Minutes for people: `45s`, `7.5 min`, `42 min`, `3.2 h`, `2.1 d`. */
export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes)) return NOT_AVAILABLE;
  const m = Math.abs(minutes);
  const sign = minutes < 0 ? '−' : '';
  if (m === 0) return '0 min';
  if (m < 1) return `${sign}${Math.round(m * 60)} s`;
  if (m < 10) return `${sign}${trimZero(m.toFixed(1))} min`;
  if (m < 120) return `${sign}${Math.round(m)} min`;
  if (m < 2880) return `${sign}${trimZero((m / 60).toFixed(1))} h`;
  return `${sign}${trimZero((m / 1440).toFixed(1))} d`;
}

function trimZero(s: string): string {
  return s.replace(/\.0$/, '');
}

/** The p50 / p90 pair of a distribution: `12 min / 41 min`; `–` when it summarises nothing. */
export function formatQuantiles(d: Distribution): string {
  if (d.n === 0) return NOT_AVAILABLE;
  return `${formatMinutes(d.p50)} / ${formatMinutes(d.p90)}`;
}

/** A count, grouped below ten thousand and abbreviated above: `9,876`, `12.3k`, `1.23M`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return NOT_AVAILABLE;
  const a = Math.abs(n);
  const sign = n < 0 ? '−' : '';
  if (a < 10_000) {
    // Fractional counts (per-build averages) keep one decimal when small.
    const digits = a < 100 && !Number.isInteger(a) ? 1 : 0;
    return sign + groupThousands(a.toFixed(digits));
  }
  for (const [size, unit] of [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (a >= size) return `${sign}${threeSignificant(a / size)}${unit}`;
  }
  return sign + String(a);
}

function threeSignificant(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function groupThousands(s: string): string {
  const [int, frac] = s.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** A signed difference of two rates in percentage points: `−4.2 pp`, `+0.8 pp`. */
export function formatPp(diff: number): string {
  if (!Number.isFinite(diff)) return NOT_AVAILABLE;
  const pp = diff * 100;
  const sign = pp < 0 ? '−' : pp > 0 ? '+' : '±';
  return `${sign}${Math.abs(pp).toFixed(1)} pp`;
}

/** A plain number with up to `digits` decimals and no trailing zeros, for axis ticks. */
export function formatNumber(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return NOT_AVAILABLE;
  const s = x.toFixed(digits);
  const t = s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  return t === '-0' ? '0' : t.replace(/^-/, '−');
}

/** A time-axis tick: minutes below two hours unless the step is whole hours, then hours or days. */
export function formatTimeTick(minutes: number): string {
  if (!Number.isFinite(minutes)) return NOT_AVAILABLE;
  const m = Math.abs(minutes);
  const sign = minutes < 0 ? '−' : '';
  if (m === 0) return '0';
  if (m < 1) return `${sign}${trimZero((m * 60).toFixed(0))}s`;
  if (m % 1440 === 0) return `${sign}${m / 1440}d`;
  if (m % 60 === 0) return `${sign}${m / 60}h`;
  if (m < 60) return `${sign}${trimZero(m.toFixed(1))}m`;
  if (m % 30 === 0 || m % 15 === 0) return `${sign}${Math.floor(m / 60)}h${m % 60}m`;
  return `${sign}${trimZero((m / 60).toFixed(1))}h`;
}

/** A percentage axis tick without needless decimals: `0%`, `2.5%`, `40%`. */
export function formatPercentTick(p: number): string {
  if (!Number.isFinite(p)) return NOT_AVAILABLE;
  return `${formatNumber(p * 100, 2)}%`;
}

/**
 * One end of an interval in percent, without the sign: whole percents from 10% up, one decimal
 * below, and one decimal again just under 100% so a bound short of certainty never reads 100.
 */
function compactPercent(p: number): string {
  const pct = p * 100;
  if (pct > 0 && pct < 0.05) return '<0.1';
  if (pct < 100 && pct >= 99.5) return pct >= 99.95 ? '>99.9' : pct.toFixed(1);
  return pct >= 9.95 ? String(Math.round(pct)) : pct.toFixed(1);
}

/**
 * A rate with a compact interval for dense tables: `84.4% 79–89`, `0.2% <0.1–1.4`; `–` when
 * the denominator is 0. The interval ends drop the decimal from 10% up, where it carries
 * nothing a reader of a 95% interval needs.
 */
export function formatRateCompact(r: RateWithInterval): string {
  if (r.of === 0) return NOT_AVAILABLE;
  return `${formatPercent(r.rate)} ${formatIntervalCompact(r)}`;
}

/** Only the compact interval of a rate, `79–89`; `–` when the denominator is 0. */
export function formatIntervalCompact(r: RateWithInterval): string {
  if (r.of === 0) return NOT_AVAILABLE;
  return `${compactPercent(r.lo)}–${compactPercent(r.hi)}`;
}

/** A p-value for tables: `p = 0.0313`; below 0.001 just `p < 0.001`, as smaller adds nothing. */
export function formatPShort(p: number): string {
  if (!Number.isFinite(p)) return NOT_AVAILABLE;
  return p < 1e-3 ? 'p < 0.001' : `p = ${formatPValue(p)}`;
}
