/**
 * Which points to try: the first population is spread over the space like a Latin
 * hypercube over categories (each dimension's alternatives, or values, are dealt out in
 * turn from a seeded shuffle, so every one appears about equally often and the combinations
 * vary), and the local phase tries every point one change away from the best so far.
 */
import { streamFor, type RandomStream } from '../random/index.js';
import type { Assignment, Dimension, Space } from './types.js';

function shuffle<T>(xs: T[], rng: RandomStream): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function size(d: Dimension): number {
  return d.kind === 'choice' ? d.alternatives.length : d.values.length;
}

/**
 * `count` points on the skeleton: for each dimension, its options dealt in shuffled rounds
 * (a fresh shuffle per round), independently across dimensions. Seeded by `seed` alone.
 */
export function samplePoints(space: Space, count: number, seed: number): Assignment[] {
  const rng = streamFor({ seed, trial: 0, purpose: 'recommend:design' });
  const columns = space.dimensions.map((d) => {
    const col: number[] = [];
    while (col.length < count) {
      col.push(
        ...shuffle(
          Array.from({ length: size(d) }, (_, i) => i),
          rng,
        ),
      );
    }
    return col.slice(0, count);
  });
  return Array.from({ length: count }, (_, k) => ({
    base: 0,
    values: columns.map((c) => c[k]!),
  }));
}

/** A point one change away, and which dimension changed. */
export interface Neighbour {
  assignment: Assignment;
  dimension: number;
}

/**
 * Every point one change from `a`: another alternative of a choice, the next value up or
 * down of a number, or, for a dimension a given policy leaves unset, each of its options. A
 * number unset has no place in its list to step from (the given policy's own value may lie
 * anywhere, and is often the default, which then changes nothing), so every value is one
 * change away, the default first.
 */
export function neighbours(space: Space, a: Assignment): Neighbour[] {
  const out: Neighbour[] = [];
  space.dimensions.forEach((d, i) => {
    const cur = a.values[i];
    const options: number[] = [];
    if (d.kind === 'choice') {
      for (let v = 0; v < d.alternatives.length; v++) if (v !== cur) options.push(v);
    } else if (cur === undefined) {
      options.push(d.defaultIndex);
      for (let v = 0; v < d.values.length; v++) if (v !== d.defaultIndex) options.push(v);
    } else {
      if (cur > 0) options.push(cur - 1);
      if (cur < d.values.length - 1) options.push(cur + 1);
    }
    for (const v of options) {
      const values = [...a.values];
      values[i] = v;
      out.push({ assignment: { base: a.base, values }, dimension: i });
    }
  });
  return out;
}

/** A seeded shuffle of indices 0..n-1, for taking a fair subset of neighbours. */
export function shuffledIndices(n: number, seed: number, purpose: string): number[] {
  return shuffle(
    Array.from({ length: n }, (_, i) => i),
    streamFor({ seed, trial: 0, purpose }),
  );
}
