import { EventQueue } from '../engine/index.js';
import { exponential, streamFor } from '../random/index.js';

/** Exponential offsets drawn before timing, so both queues are timed on the queue alone. */
function offsets(n: number): Float64Array {
  const rng = streamFor({ seed: 1, trial: 0, purpose: 'bench:hold' });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = exponential(rng, 1);
  return out;
}

const OFFSETS = 1 << 20;

/**
 * The classic hold model: `pending` events wait; each is popped, dispatched to a handler and
 * replaced by a new one at an exponential offset. Measures events per second.
 */
export function holdModelEngine(pending: number, events: number): number {
  const dt = offsets(OFFSETS);
  const q = new EventQueue<number>();
  for (let i = 0; i < pending; i++) q.schedule(dt[i]!, i);
  let checksum = 0;
  const handler = (payload: number): void => {
    checksum += payload;
  };
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    const e = q.pop()!;
    handler(e.payload);
    q.schedule(e.time + dt[(pending + i) & (OFFSETS - 1)]!, e.payload);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (checksum < 0) throw new Error('unreachable');
  return events / seconds;
}

/**
 * The naive baseline: an ordered list. Insertion scans for its place (linear search) and
 * splices; the earliest event is shifted off the front. `binarySearch` finds the place by
 * bisection instead, the best a sorted array can do (splice still moves O(n) entries).
 */
export function holdModelNaive(pending: number, events: number, binarySearch = false): number {
  const dt = offsets(OFFSETS);
  const times: number[] = [];
  const payloads: number[] = [];
  const insert = (t: number, p: number): void => {
    let lo: number;
    if (binarySearch) {
      lo = 0;
      let hi = times.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        // Ties go after existing entries, like the heap's insertion order; pop from the front.
        if (times[mid]! <= t) lo = mid + 1;
        else hi = mid;
      }
    } else {
      lo = times.length;
      while (lo > 0 && times[lo - 1]! > t) lo--;
    }
    times.splice(lo, 0, t);
    payloads.splice(lo, 0, p);
  };
  for (let i = 0; i < pending; i++) insert(dt[i]!, i);
  let checksum = 0;
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    const t = times.shift()!;
    const p = payloads.shift()!;
    checksum += p;
    insert(t + dt[(pending + i) & (OFFSETS - 1)]!, p);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (checksum < 0) throw new Error('unreachable');
  return events / seconds;
}
