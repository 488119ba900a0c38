/**
 * Which settings to try: a full grid for one or two parameters, a Latin hypercube for more
 * (McKay, Beckman & Conover 1979: every parameter's range is cut into n equal slices and each
 * slice is used exactly once, so n candidates cover every one-dimensional margin evenly).
 */
import { streamFor, type RandomStream } from '../random/index.js';
import { cleanNumber, type TunedParam } from './template.js';

/** Grid points per parameter when STEPS is not given. */
export const DEFAULT_STEPS: Record<number, number> = { 1: 11, 2: 6 };

/** Maps u in [0, 1] onto the parameter's range (linear or log). */
export function fromUnit(p: TunedParam, u: number): number {
  return p.log
    ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low)))
    : p.low + u * (p.high - p.low);
}

/**
 * Rounds a value the way the file will hold it: whole numbers for integer fields; whole
 * minutes for durations over ranges of ten minutes or more (seconds below); and, for a
 * continuous draw, three significant digits, so the tuned YAML says 0.0137, not 0.01372851.
 */
export function roundValue(p: TunedParam, v: number, continuous: boolean): number {
  let r = v;
  if (p.integer) r = Math.round(v);
  else if (p.unit === 'duration')
    r = p.high - p.low >= 10 ? Math.round(v) : Math.round(v * 60) / 60;
  else if (continuous) r = Number(v.toPrecision(3));
  else r = cleanNumber(v);
  return Math.min(p.high, Math.max(p.low, r));
}

/**
 * The grid values of one parameter: STEPS points from LOW to HIGH, both included. Interior
 * points keep the fewest significant digits (at least three) that still tell them apart,
 * so a log grid reads 0.00417, not 0.00416848648312.
 */
export function gridValues(p: TunedParam, steps: number): number[] {
  const raw: number[] = [];
  for (let i = 0; i < steps; i++) {
    const u = steps === 1 ? 0 : i / (steps - 1);
    raw.push(i === 0 ? p.low : i === steps - 1 ? p.high : roundValue(p, fromUnit(p, u), false));
  }
  const exact = p.integer || p.unit === 'duration';
  let values = raw;
  if (!exact) {
    for (let digits = 3; digits <= 12; digits++) {
      const r = raw.map((v, i) =>
        i === 0 || i === raw.length - 1 ? v : Number(v.toPrecision(digits)),
      );
      values = r;
      if (new Set(r).size === new Set(raw).size) break;
    }
  }
  const out: number[] = [];
  for (const v of values) if (!out.includes(v)) out.push(v);
  return out;
}

/** Every combination of the grids, the first parameter varying slowest. */
export function cartesian(grids: readonly (readonly number[])[]): number[][] {
  let rows: number[][] = [[]];
  for (const g of grids) rows = rows.flatMap((r) => g.map((v) => [...r, v]));
  return rows;
}

function shuffle(n: number, rng: RandomStream): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * n points of a Latin hypercube in [0, 1)^dims from the seed (one stream per dimension, so
 * adding a parameter does not move the others' draws).
 */
export function latinHypercube(n: number, dims: number, seed: number): number[][] {
  const cols = Array.from({ length: dims }, (_, d) => {
    const rng = streamFor({ seed, trial: 0, purpose: `tune:lhs:${d}` });
    const perm = shuffle(n, rng);
    return perm.map((slice) => (slice + rng.next()) / n);
  });
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]!));
}

/**
 * Candidate settings from a Latin hypercube. A parameter with STEPS snaps to its grid (each
 * grid value then used about equally often); duplicates after rounding are dropped.
 */
export function hypercubeCandidates(
  params: readonly TunedParam[],
  n: number,
  seed: number,
): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  for (const point of latinHypercube(n, params.length, seed)) {
    const values = params.map((p, d) => {
      const u = point[d]!;
      if (p.steps !== undefined) {
        const grid = gridValues(p, p.steps);
        return grid[Math.min(grid.length - 1, Math.floor(u * grid.length))]!;
      }
      return roundValue(p, fromUnit(p, u), true);
    });
    const key = values.join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(values);
  }
  return out;
}
