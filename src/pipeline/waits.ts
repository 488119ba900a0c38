import type { Minutes } from '../world/types.js';

/**
 * Where a rollout's time goes, for the lead-time split. At every instant a rollout is in one
 * state: `active` (the drill, deploying batches, anything else the pipeline itself is doing),
 * waiting for a deploy `window` to open, waiting for a `person` (an approval, resuming a
 * pause), or in `bake` (a stage's hosts run the build and it waits for its bake time and
 * checks). The states partition the time from the deploy start to the end of the rollout
 * (100%, or the decision that stopped it), so the parts add up to that time.
 */
export type RolloutState = 'active' | 'window' | 'person' | 'bake';

/** Minutes spent waiting, by kind; active time is the rest. */
export interface Waits {
  window: Minutes;
  person: Minutes;
  bake: Minutes;
}

export const noWaits = (): Waits => ({ window: 0, person: 0, bake: 0 });

/** Follows a rollout through its states and sums the minutes spent in each wait. */
export class WaitClock {
  private state: RolloutState = 'active';
  private since: Minutes = NaN;
  private ended = false;
  private endedAt: Minutes | undefined = undefined;
  private readonly totals: Waits = noWaits();

  /** The rollout begins (after any drill) at t, doing active work. */
  start(t: Minutes): void {
    this.since = t;
  }

  /** From t on the rollout is in `state`. */
  enter(state: RolloutState, t: Minutes): void {
    if (this.ended || Number.isNaN(this.since)) return;
    this.close(t);
    this.state = state;
  }

  /** The rollout reached 100% or stopped at t: later time is not lead time. */
  end(t: Minutes): void {
    if (this.ended || Number.isNaN(this.since)) return;
    this.close(t);
    this.ended = true;
    this.endedAt = t;
  }

  /** When the rollout reached 100% or stopped; undefined while it runs (or never began). */
  get endTime(): Minutes | undefined {
    return this.endedAt;
  }

  /** Minutes waited so far, by kind (until `end`). */
  waits(): Waits {
    return { ...this.totals };
  }

  private close(t: Minutes): void {
    if (this.state !== 'active') this.totals[this.state] += Math.max(0, t - this.since);
    this.since = t;
  }
}
