/**
 * A 4-ary min-heap of scheduled events ordered by (time, insertion sequence), so events
 * at equal times dispatch in the order they were scheduled and every run is deterministic.
 *
 * The heap is three typed arrays moved together (time, sequence, slot), and a payload waits
 * in a reusable slot: scheduling, cancelling and dispatching allocate nothing, so a trial's
 * thousands of events make no garbage. Cancellation is lazy: a cancelled slot is flagged
 * and skipped when it reaches the top, which makes `cancel` O(1) instead of an O(n) search.
 */

/**
 * Names one scheduled event, for `cancel`. Opaque: a slot and that slot's generation, so a
 * handle kept after its event was dispatched (and the slot reused) cancels nothing.
 */
export type EventHandle = number & { readonly __eventHandle: unique symbol };

/** Slots per generation step in a handle: the most events that can wait at once. */
const SLOTS = 1 << 22;
const FREE = 0;
const LIVE = 1;
const CANCELLED = 2;

/**
 * First capacity: 8 doubles are 64 bytes, which V8 keeps on its own heap; a larger typed array
 * gets an off-heap buffer that costs microseconds to make and to collect, and every trial
 * makes a queue.
 */
const FIRST_CAPACITY = 8;

export class EventQueue<E> {
  private heapTime = new Float64Array(FIRST_CAPACITY);
  private heapSeq = new Float64Array(FIRST_CAPACITY);
  private heapSlot = new Int32Array(FIRST_CAPACITY);
  private count = 0;
  private readonly payloads: (E | undefined)[] = [];
  private slotState = new Uint8Array(FIRST_CAPACITY);
  private slotGeneration = new Float64Array(FIRST_CAPACITY);
  private freeSlots = new Int32Array(FIRST_CAPACITY);
  private freeCount = 0;
  private slotCount = 0;
  private nextSeq = 0;
  private live = 0;
  private poppedTime = NaN;

  /** Number of scheduled events not yet dispatched or cancelled. */
  get size(): number {
    return this.live;
  }

  /** The time of the earliest live event; Infinity when none waits. */
  get nextTime(): number {
    this.dropCancelledTop();
    return this.count > 0 ? this.heapTime[0]! : Infinity;
  }

  /** The time of the event `pop` returned last. */
  get lastTime(): number {
    return this.poppedTime;
  }

  schedule(time: number, payload: E): EventHandle {
    if (Number.isNaN(time)) throw new RangeError('EventQueue.schedule: time is NaN');
    const slot = this.takeSlot();
    this.payloads[slot] = payload;
    this.slotState[slot] = LIVE;
    if (this.count === this.heapTime.length) this.growHeap();
    const seq = this.nextSeq++;
    const times = this.heapTime;
    const seqs = this.heapSeq;
    const slots = this.heapSlot;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = times[parent]!;
      if (!(time < pt || (time === pt && seq < seqs[parent]!))) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      slots[i] = slots[parent]!;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
    this.live++;
    return (this.slotGeneration[slot]! * SLOTS + slot) as EventHandle;
  }

  /** Cancels a scheduled event; cancelling twice, or after dispatch, does nothing. */
  cancel(handle: EventHandle): void {
    const slot = handle % SLOTS;
    if (
      slot >= this.slotCount ||
      this.slotGeneration[slot] !== (handle - slot) / SLOTS ||
      this.slotState[slot] !== LIVE
    )
      return;
    this.slotState[slot] = CANCELLED;
    this.live--;
  }

  /** Removes the earliest live event and returns its payload (its time is `lastTime`). */
  pop(): E | undefined {
    this.dropCancelledTop();
    if (this.count === 0) return undefined;
    this.poppedTime = this.heapTime[0]!;
    const slot = this.heapSlot[0]!;
    const payload = this.payloads[slot];
    this.releaseSlot(slot);
    this.removeTop();
    this.live--;
    return payload;
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) this.releaseSlot(this.heapSlot[i]!);
    this.count = 0;
    this.live = 0;
  }

  private dropCancelledTop(): void {
    while (this.count > 0 && this.slotState[this.heapSlot[0]!] === CANCELLED) {
      this.releaseSlot(this.heapSlot[0]!);
      this.removeTop();
    }
  }

  private removeTop(): void {
    const n = --this.count;
    if (n === 0) return;
    const times = this.heapTime;
    const seqs = this.heapSeq;
    const slots = this.heapSlot;
    const lastTime = times[n]!;
    const lastSeq = seqs[n]!;
    const lastSlot = slots[n]!;
    let i = 0;
    for (;;) {
      // A 4-ary heap: half the depth of a binary one, and the four children sit together.
      const first = 4 * i + 1;
      if (first >= n) break;
      let c = first;
      let ct = times[first]!;
      let cs = seqs[first]!;
      const end = Math.min(first + 4, n);
      for (let k = first + 1; k < end; k++) {
        const t = times[k]!;
        if (t < ct || (t === ct && seqs[k]! < cs)) {
          c = k;
          ct = t;
          cs = seqs[k]!;
        }
      }
      if (!(ct < lastTime || (ct === lastTime && cs < lastSeq))) break;
      times[i] = ct;
      seqs[i] = cs;
      slots[i] = slots[c]!;
      i = c;
    }
    times[i] = lastTime;
    seqs[i] = lastSeq;
    slots[i] = lastSlot;
  }

  private takeSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    const slot = this.slotCount++;
    if (slot >= SLOTS) throw new RangeError(`EventQueue: more than ${SLOTS} events waiting`);
    if (slot === this.slotState.length) {
      this.slotState = grown(this.slotState, new Uint8Array(2 * slot));
      this.slotGeneration = grown(this.slotGeneration, new Float64Array(2 * slot));
      this.freeSlots = grown(this.freeSlots, new Int32Array(2 * slot));
    }
    return slot;
  }

  /** A dispatched or dropped event's slot: free again, under a new generation. */
  private releaseSlot(slot: number): void {
    this.payloads[slot] = undefined;
    this.slotState[slot] = FREE;
    this.slotGeneration[slot]!++;
    this.freeSlots[this.freeCount++] = slot;
  }

  private growHeap(): void {
    const n = 2 * this.heapTime.length;
    this.heapTime = grown(this.heapTime, new Float64Array(n));
    this.heapSeq = grown(this.heapSeq, new Float64Array(n));
    this.heapSlot = grown(this.heapSlot, new Int32Array(n));
  }
}

function grown<A extends Float64Array | Int32Array | Uint8Array>(from: A, to: A): A {
  to.set(from);
  return to;
}
