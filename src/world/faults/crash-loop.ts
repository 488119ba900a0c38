/**
 * crash-loop: the new process dies shortly after starting (a missing config key, a bad
 * flag, a panic in an init path) and the orchestrator keeps restarting it. Requests that
 * reach a host between crash and readiness fail: `downShare` of the host's requests.
 *
 * Default crashesPerHostHour 12: Kubernetes restarts a crashing container with an
 * exponential back-off (10 s, 20 s, 40 s, …) capped at 5 minutes, so a loop settles at one
 * restart per ~5 minutes (Kubernetes docs, "Pod Lifecycle: container restart policy";
 * Lukša, Kubernetes in Action 2nd ed. §6.2.1). downShare 0.5 is judgement (from the project brief).
 */
import { z } from 'zod';
import { MAX_CRASHES_PER_HOST_HOUR } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import type { CohortView, EffectAccumulator, Minutes, TrueEffect } from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { checkParams, shareSchema } from './shared/params.js';
import { beforeLimit } from './shared/timing.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const schema = z.strictObject({
  crashesPerHostHour: z.number().min(0).max(MAX_CRASHES_PER_HOST_HOUR).default(12),
  /** Share of a crash-looping host's requests that fail. */
  downShare: shareSchema.default(0.5),
  onsetDelay: durationSchema.default(0),
});

export type CrashLoopParams = z.output<typeof schema>;

class CrashLoopFault implements FaultInstance {
  readonly kind = 'crash-loop';
  readonly ciKind = 'crash-loop';
  readonly benign = false;

  constructor(readonly params: CrashLoopParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, _world: unknown, t: Minutes): void {
    if (t < cohort.deployedAt + this.params.onsetDelay) return;
    acc.crashesPerHostHour += this.params.crashesPerHostHour;
    acc.errorAdd += this.params.downShare;
  }

  /** Crashes are a rate the world draws (crash_count), not scheduled restarts. */
  nextRestart(): Minutes {
    return Infinity;
  }

  onset(cohort: CohortView, _world: unknown, limit: Minutes): Minutes {
    const p = this.params;
    return p.crashesPerHostHour > 0 || p.downShare > 0
      ? beforeLimit(cohort.deployedAt + p.onsetDelay, limit)
      : Infinity;
  }

  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    return singleFaultTrueEffect(this, fleet, deployAt, until, false);
  }
}

/** A process that keeps crashing and being restarted. */
export const crashLoopFault: FaultModel<CrashLoopParams> = {
  kind: 'crash-loop',
  summary: 'The new process crashes repeatedly; requests to a restarting host fail.',
  params: schema,
  create: (params) => new CrashLoopFault(checkParams('crash-loop', schema, params)),
};
