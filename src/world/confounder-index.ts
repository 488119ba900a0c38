import type { ConfounderInstance } from './confounders/types.js';
import type { Minutes } from './types.js';

/**
 * Confounders bucketed by the hours they cover, so finding the ones active at t costs a
 * lookup, not a scan over every occurrence of a nine-day span.
 */
export class ConfounderIndex {
  private static readonly BUCKET = 60;
  private static readonly NONE: readonly ConfounderInstance[] = [];
  private readonly buckets = new Map<number, ConfounderInstance[]>();
  /** How many occurrences are indexed. */
  readonly size: number;

  constructor(items: readonly ConfounderInstance[]) {
    this.size = items.length;
    for (const c of items) {
      const first = Math.floor(c.start / ConfounderIndex.BUCKET);
      const last = Math.floor(c.end / ConfounderIndex.BUCKET);
      for (let b = first; b <= last; b++) {
        let list = this.buckets.get(b);
        if (list === undefined) this.buckets.set(b, (list = []));
        list.push(c);
      }
    }
  }

  /** Candidates whose span may contain t (callers still check start ≤ t < end). */
  at(t: Minutes): readonly ConfounderInstance[] {
    return this.buckets.get(Math.floor(t / ConfounderIndex.BUCKET)) ?? ConfounderIndex.NONE;
  }
}
