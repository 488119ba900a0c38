/** Scales: map data values to pixels, and pick round tick values. */

/** A linear map from a data domain to a pixel range. */
export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Round values inside the domain, about `count` of them. */
  ticks(count?: number): number[];
}

/** Makes a linear scale; a zero-width domain maps everything to the middle of the range. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const scale = (v: number): number =>
    span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0);
  return Object.assign(scale, {
    domain: [d0, d1] as const,
    range: [r0, r1] as const,
    ticks: (count = 5) => niceTicks(d0, d1, count),
  });
}

/** A step of 1, 2 or 5 × 10^k giving about `count` intervals over [min, max]. */
export function niceStep(min: number, max: number, count: number): number {
  const span = Math.abs(max - min);
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  const factor = m >= 7.5 ? 10 : m >= 3.5 ? 5 : m >= 1.5 ? 2 : 1;
  return factor * power;
}

/** Multiples of a nice step inside [min, max], computed by index so they do not drift. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  const step = niceStep(lo, hi, count);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Widens [min, max] outwards to multiples of a nice step; a degenerate domain becomes [min, min + 1]. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max <= min) return min === 0 ? [0, 1] : [Math.min(0, min), Math.max(0, min) + Math.abs(min)];
  const step = niceStep(min, max, count);
  return [
    Number((Math.floor(min / step + 1e-9) * step).toPrecision(12)),
    Number((Math.ceil(max / step - 1e-9) * step).toPrecision(12)),
  ];
}

/** Equal bands for categories along a range, with padding between them as a share of a band. */
export interface BandScale {
  /** Start of band i. */
  at(i: number): number;
  /** Middle of band i. */
  mid(i: number): number;
  readonly bandwidth: number;
}

/** Makes a band scale for `n` categories over `range`. */
export function bandScale(n: number, range: readonly [number, number], padding = 0.3): BandScale {
  const [r0, r1] = range;
  const step = n > 0 ? (r1 - r0) / n : 0;
  const bandwidth = step * (1 - padding);
  return {
    at: (i) => r0 + i * step + (step - bandwidth) / 2,
    mid: (i) => r0 + i * step + step / 2,
    bandwidth,
  };
}

/** Steps that read well on a time axis in minutes: seconds, minutes, quarter hours, hours, days. */
const TIME_STEPS = [
  0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080,
] as const;

/** The smallest readable time step (minutes) giving at most about `count` intervals. */
export function niceTimeStep(min: number, max: number, count: number): number {
  const span = Math.abs(max - min);
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  for (const step of TIME_STEPS) if (step >= raw) return step;
  // Past a week, whole weeks in 1-2-5 multiples.
  return 10080 * niceStep(0, raw / 10080, 1);
}

/**
 * A linear scale over minutes whose ticks fall on readable times (every 15 min, 2 h, 1 d),
 * not on decimal steps such as 100 min.
 */
export function timeScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const base = linearScale(domain, range);
  const [d0, d1] = domain;
  return Object.assign((v: number) => base(v), {
    domain: base.domain,
    range: base.range,
    ticks: (count = 5) => {
      const lo = Math.min(d0, d1);
      const hi = Math.max(d0, d1);
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
      if (lo === hi) return [lo];
      const step = niceTimeStep(lo, hi, count);
      const ticks: number[] = [];
      for (let i = Math.ceil(lo / step - 1e-9); i <= Math.floor(hi / step + 1e-9); i++)
        ticks.push(Number((i * step).toPrecision(12)));
      return ticks;
    },
  });
}

/** Widens [min, max] outwards to multiples of a readable time step. */
export function niceTimeDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 60];
  if (max <= min) return [min, min + 60];
  const step = niceTimeStep(min, max, count);
  return [Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step];
}
