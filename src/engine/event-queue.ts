/**
 * A 4-ary min-heap of scheduled events ordered by (time, insertion sequence), so events
 * at equal times dispatch in the order they were scheduled and every run is deterministic.
 * Cancellation is lazy: a cancelled entry is flagged and skipped when it reaches the top,
 * which makes `cancel` O(1) instead of an O(n) search.
 */
export interface ScheduledEvent<E> {
  readonly time: number;
  readonly seq: number;
  readonly payload: E;
  cancelled: boolean;
}

export class EventQueue<E> {
  private readonly heap: ScheduledEvent<E>[] = [];
  private nextSeq = 0;
  private live = 0;

  /** Number of scheduled events not yet dispatched or cancelled. */
  get size(): number {
    return this.live;
  }

  schedule(time: number, payload: E): ScheduledEvent<E> {
    if (Number.isNaN(time)) throw new RangeError('EventQueue.schedule: time is NaN');
    const entry: ScheduledEvent<E> = { time, seq: this.nextSeq++, payload, cancelled: false };
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const p = heap[parent]!;
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
    this.live++;
    return entry;
  }

  /** Cancels a scheduled event; cancelling twice, or after dispatch, does nothing. */
  cancel(entry: ScheduledEvent<E>): void {
    if (entry.cancelled) return;
    entry.cancelled = true;
    this.live--;
  }

  /** The earliest live event without removing it. */
  peek(): ScheduledEvent<E> | undefined {
    this.dropCancelledTop();
    return this.heap[0];
  }

  /** Removes and returns the earliest live event. */
  pop(): ScheduledEvent<E> | undefined {
    this.dropCancelledTop();
    const top = this.removeTop();
    if (top !== undefined) {
      this.live--;
      // Marks it so a late cancel() of a dispatched event does not corrupt the live count.
      top.cancelled = true;
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
    this.live = 0;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.removeTop();
  }

  private removeTop(): ScheduledEvent<E> | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      // A 4-ary heap: half the depth of a binary one, and the four children sit together.
      const first = 4 * i + 1;
      if (first >= n) break;
      let c = first;
      let child = heap[first]!;
      const end = Math.min(first + 4, n);
      for (let k = first + 1; k < end; k++) {
        const h = heap[k]!;
        if (before(h, child)) {
          c = k;
          child = h;
        }
      }
      if (!before(child, last)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = last;
    return top;
  }
}

function before<E>(a: ScheduledEvent<E>, b: ScheduledEvent<E>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
