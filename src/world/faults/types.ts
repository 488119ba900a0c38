import type { z } from 'zod';
import type { CohortView, EffectAccumulator, Minutes, TrueEffect, WorldView } from '../types.js';

/**
 * A fault (or a benign effect) a build carries. Shared code never branches on `kind`: a
 * fault says what it does through these methods and the world asks.
 */
export interface FaultInstance {
  readonly kind: string;
  /** Resolved parameters, for the trial's story and the CSV. */
  readonly params: Readonly<Record<string, unknown>>;
  /** True for effects that do not make a build bad on their own (cold-cache warm-up). */
  readonly benign: boolean;
  /**
   * True for effects of starting a process, whatever build it runs (a cold cache): they apply
   * to a fresh baseline's hosts too, which start the old build with the canary.
   */
  readonly startup?: boolean;
  /**
   * Adds this fault's effect on a cohort running the new build at time t. Called only for
   * cohorts on the new version, in production or staging.
   */
  apply(acc: EffectAccumulator, cohort: CohortView, world: WorldView, t: Minutes): void;
  /**
   * The next time after `from` (and before `limit`) at which this fault restarts the cohort's
   * processes (an out-of-memory kill, a health check killing a host with an exhausted pool),
   * or Infinity. The world schedules it as an event and resets `lastRestartAt`.
   */
  nextRestart(cohort: CohortView, world: WorldView, from: Minutes, limit: Minutes): Minutes;
  /**
   * The first time the effect shows on this cohort (for time-to-detect), or Infinity if it
   * never does before `limit`. Benign effects return Infinity.
   */
  onset(cohort: CohortView, world: WorldView, limit: Minutes): Minutes;
  /**
   * The effect on the whole fleet if the build ran everywhere from `deployAt` until `until`,
   * in the impact bar's units. Comes from the parameters, never from a detector.
   */
  trueEffect(world: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect;
  /** What rolling back does, for faults that break rollback (a migration). */
  rollback?: RollbackEffect;
  /** Fault kinds a CI test suite may catch (the policy's `ciTests` is keyed by kind). */
  readonly ciKind: string;
}

export interface RollbackEffect {
  /** Rolling back fails: hosts stay on the new build. */
  fails: boolean;
  /** Extra failure probability on hosts rolled back to the old code (old code, new schema). */
  errorAdd: number;
  /** How long those errors last after a host is rolled back. */
  durationMin: Minutes;
}

/** What ground truth needs to know about the fleet: the world view plus the regions. */
export interface FleetFacts extends WorldView {
  readonly regions: readonly CohortView['region'][];
  /** A cohort that stands for all of a region's production hosts on the new build from `deployAt`. */
  wholeRegionCohort(regionIndex: number, deployAt: Minutes): CohortView;
}

/** A fault family: its parameters (validated, defaults filled) and how to make an instance. */
export interface FaultModel<P = unknown> {
  readonly kind: string;
  /** One line: the real failure this models. */
  readonly summary: string;
  readonly params: z.ZodType<P>;
  create(params: P): FaultInstance;
}
