import type { CohortView, Environment, Minutes, RegionRuntime } from './types.js';

/** A cohort as the world keeps it: mutable host count, restart history, lifetime. */
export class Cohort implements CohortView {
  lastRestartAt: Minutes;
  readonly restarts: Minutes[] = [];
  removedAt: Minutes = Infinity;
  /** When the build's fault first shows on this cohort (computed at creation). */
  onsetAt: Minutes = Infinity;
  restartHandle: unknown = undefined;
  /**
   * Hosts of the old build started beside a stage's canary as its fresh baseline (extra
   * capacity, removed when the stage's checks end), not the region's long-running hosts.
   */
  freshBaseline = false;
  /** Canary pods that take a routed share of traffic (a traffic stage), not hosts of the fleet. */
  routed = false;
  /**
   * The cohort's requests relative to its hosts × the region's per-host rate: the routed
   * weight's share for canary pods, the rest (1 − weight) for every other production host.
   */
  trafficFactor = 1;

  constructor(
    readonly id: number,
    readonly environment: Environment,
    readonly region: RegionRuntime,
    public hosts: number,
    readonly isNew: boolean,
    readonly deployedAt: Minutes,
    /** Mean of the fixed error-rate multipliers of the hosts in this cohort. */
    readonly errorMult: number,
    /** For hosts rolled back to the old build: when, so a migration's errors can follow. */
    readonly revertedAt: Minutes | undefined,
  ) {
    this.lastRestartAt = deployedAt;
  }
}
