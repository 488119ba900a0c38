import { EventQueue, type EventHandle } from './event-queue.js';

/**
 * A discrete-event simulator: a clock and an event queue. It knows nothing about
 * deployments; the caller supplies the dispatch function. Time is in simulated minutes.
 */
export class Simulator<E> {
  private readonly queue = new EventQueue<E>();
  private clock = 0;
  private stopped = false;

  constructor(startTime = 0) {
    this.clock = startTime;
  }

  get now(): number {
    return this.clock;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Schedules `payload` at absolute time `time` (never earlier than now). */
  at(time: number, payload: E): EventHandle {
    if (time < this.clock)
      throw new RangeError(`Simulator.at: time ${time} is before now (${this.clock})`);
    return this.queue.schedule(time, payload);
  }

  /** Schedules `payload` `delay` minutes from now. */
  after(delay: number, payload: E): EventHandle {
    return this.at(this.clock + Math.max(0, delay), payload);
  }

  cancel(handle: EventHandle | undefined): void {
    if (handle !== undefined) this.queue.cancel(handle);
  }

  /** Stops `run` after the event being dispatched. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Dispatches events in (time, sequence) order until the queue is empty, `stop()` is
   * called, or the next event lies after `until`; the clock then rests at `until` if given.
   */
  run(dispatch: (payload: E, time: number) => void, until = Infinity): void {
    this.stopped = false;
    for (;;) {
      if (this.stopped) return;
      const queue = this.queue;
      if (queue.size === 0 || queue.nextTime > until) break;
      const payload = queue.pop()!;
      const time = queue.lastTime;
      this.clock = time;
      dispatch(payload, time);
    }
    if (until !== Infinity && until > this.clock) this.clock = until;
  }
}
