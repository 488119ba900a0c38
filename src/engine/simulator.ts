import { EventQueue, type ScheduledEvent } from './event-queue.js';

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
  at(time: number, payload: E): ScheduledEvent<E> {
    if (time < this.clock)
      throw new RangeError(`Simulator.at: time ${time} is before now (${this.clock})`);
    return this.queue.schedule(time, payload);
  }

  /** Schedules `payload` `delay` minutes from now. */
  after(delay: number, payload: E): ScheduledEvent<E> {
    return this.at(this.clock + Math.max(0, delay), payload);
  }

  cancel(entry: ScheduledEvent<E> | undefined): void {
    if (entry !== undefined) this.queue.cancel(entry);
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
      const next = this.queue.peek();
      if (next === undefined || next.time > until) break;
      this.queue.pop();
      this.clock = next.time;
      dispatch(next.payload, next.time);
    }
    if (until !== Infinity && until > this.clock) this.clock = until;
  }
}
