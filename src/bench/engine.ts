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
    const payload = q.pop()!;
    handler(payload);
    q.schedule(q.lastTime + dt[(pending + i) & (OFFSETS - 1)]!, payload);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (checksum < 0) throw new Error('unreachable');
  return events / seconds;
}

/**
 * The yardstick from above: a bare 4-ary heap of times and payload numbers in two typed
 * arrays, with nothing the engine owes its callers (no tie-break by insertion order, no
 * cancellation, no generic payloads). The engine should come close to it.
 */
export function holdModelBareHeap(pending: number, events: number): number {
  const dt = offsets(OFFSETS);
  const times = new Float64Array(pending + 1);
  const payloads = new Int32Array(pending + 1);
  let n = 0;
  const push = (t: number, p: number): void => {
    let i = n++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      if (times[parent]! <= t) break;
      times[i] = times[parent]!;
      payloads[i] = payloads[parent]!;
      i = parent;
    }
    times[i] = t;
    payloads[i] = p;
  };
  // Replaces the top with (t, p) and sifts it down: a pop and a push in one pass.
  const replaceTop = (t: number, p: number): void => {
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let c = first;
      const end = Math.min(first + 4, n);
      for (let k = first + 1; k < end; k++) if (times[k]! < times[c]!) c = k;
      if (times[c]! >= t) break;
      times[i] = times[c]!;
      payloads[i] = payloads[c]!;
      i = c;
    }
    times[i] = t;
    payloads[i] = p;
  };
  for (let i = 0; i < pending; i++) push(dt[i]!, i);
  let checksum = 0;
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    const t = times[0]!;
    const p = payloads[0]!;
    checksum += p;
    replaceTop(t + dt[(pending + i) & (OFFSETS - 1)]!, p);
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
