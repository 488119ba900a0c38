import type { Impact, Minutes, TrueEffect } from '../world/types.js';
import type { Waits } from './waits.js';

/** How a trial ended for the build. */
export type FinalState =
  /** Stopped before any production host ran it (CI tests, rollback drill, staging checks). */
  | 'blocked'
  /** Reached production and was rolled back, successfully. */
  | 'rolled-back'
  /** Reached 100% and stayed there until the horizon. */
  | 'shipped'
  /** A rollback was attempted and failed: the build keeps serving. */
  | 'rollback-failed'
  /** Never finished: a paused rollout or a window that never opened before the horizon. */
  | 'stalled';

export interface BuildTruth {
  bad: boolean;
  /** Template name from the scenario (`good` for a good build). */
  template: string;
  faultKinds: string[];
  effect: TrueEffect;
  /** Whether a rollback of this build would fail or cause errors. */
  rollbackBreaking: boolean;
}

export type { Impact } from '../world/types.js';

/** One entry of a trial's story. */
export interface TimelineEntry {
  /** Minutes since the deploy started. */
  t: Minutes;
  kind:
    | 'ci'
    | 'drill'
    | 'stage-start'
    | 'window-wait'
    | 'deployed'
    | 'measurement'
    | 'check-done'
    | 'approval'
    | 'promote'
    | 'pause'
    | 'watch-start'
    | 'shipped'
    | 'rollback-start'
    | 'rollback-done'
    | 'rollback-failed'
    | 'page'
    | 'restart'
    | 'onset'
    | 'world'
    | 'end';
  stage?: string;
  check?: string;
  verdict?: string;
  message: string;
  figures?: Record<string, number>;
}

export interface TrialOutcome {
  seed: number;
  trial: number;
  scenario: string;
  policy: string;
  build: BuildTruth;
  /** Absolute simulated start (minutes since Monday 00:00 UTC). */
  startAt: Minutes;
  final: FinalState;
  /** The last stage entered (`ci`, `drill`, a stage name, `watch`, or `done`). */
  stageReached: string;
  /** The check (or `ci`, `drill`) that stopped the build, if one did. */
  detectedBy: string | undefined;
  /** Minutes from start until the fault first showed in production (undefined: never). */
  onsetAt: Minutes | undefined;
  /** Minutes from start until the rollback (or block) decision. */
  decidedAt: Minutes | undefined;
  /** Minutes from start until every production host ran the new build. */
  shippedAt: Minutes | undefined;
  /** Minutes from start until the old build served everywhere again after a rollback. */
  restoredAt: Minutes | undefined;
  rollbackAttempted: boolean;
  rollbackSucceeded: boolean;
  impact: Impact;
  /** Impact after the build reached 100% (what escaped the gates). */
  escapeImpact: Impact;
  /** Whether, two hours after the start, hosts on the build were hurting customers. */
  hurtingAfter2h: boolean;
  /** Minutes from start until the first production host ran the build: customers' first exposure (undefined: never). */
  exposedAt: Minutes | undefined;
  /**
   * Minutes the rollout waited, by kind, from its start until 100% (or until it stopped);
   * the rest of that time is active (drill, deploying). See pipeline/waits.ts.
   */
  waits: Waits;
  /**
   * Minutes from start until the rollout reached 100% or stopped (the block or rollback
   * decision, or the stall): the span `waits` split. Equals `shippedAt` for a shipped build.
   */
  rolloutMin: Minutes;
  /**
   * Host-minutes of the fresh baselines the rollout started (`baselineScope: fresh`): extra
   * capacity, from each cluster's start until its stage's checks ended; 0 without one.
   */
  freshBaselineHostMin: Minutes;
  /**
   * Minutes from start until the policy's last check stopped on a build that stayed (the end
   * of the watch, or the shipping without one); undefined for a build that did not stay.
   */
  checksEndedAt: Minutes | undefined;
  /** Minutes from start until an alert paged on-call about a bad build that stayed (undefined: no page). */
  pagedAt: Minutes | undefined;
  /** The late look a Friday-test replay asks for (`probeAt`): minutes from start, whether still hurting, impact until then. */
  probe?: { at: Minutes; hurting: boolean; impact: Impact };
  /** Minutes from start until the trial stopped counting. */
  endAt: Minutes;
  timeline: TimelineEntry[] | undefined;
}
