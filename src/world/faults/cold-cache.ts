/**
 * cold-cache (benign): a freshly started process has empty in-process caches (and a JIT that
 * has not warmed up), so it is slower for a few minutes after every deploy, good build or
 * bad. This is the classic false alarm of a canary compared against long-running baseline
 * hosts, and the reason Spinnaker recommends comparing the canary with a baseline deployed at
 * the same time rather than with production ("Best practices for configuring canary": it
 * controls for "the cache warmup time, the heap size, and so on").
 *
 * latencyMul = 1 + (latencyMultiplier − 1)·exp(−(t − start)/warmupMinutes), where start is
 * the last process start (the deploy, or a fault-driven restart, which empties the cache
 * too); `errorAdd` (timeouts while cold) decays the same way. Defaults 2 and 5 minutes are
 * judgement (from the project brief): a JVM service is usually warm within minutes.
 */
import { z } from 'zod';
import { MAX_MULTIPLIER } from '../../util/limits.js';
import type { CohortView, EffectAccumulator, Minutes, TrueEffect } from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { checkParams, positiveDurationSchema, shareSchema } from './shared/params.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const schema = z.strictObject({
  /** Latency multiplier at the moment a process starts. */
  latencyMultiplier: z.number().min(1).max(MAX_MULTIPLIER).default(2),
  /** e-folding time of the warm-up. */
  warmupMinutes: positiveDurationSchema.default(5),
  errorAdd: shareSchema.default(0),
});

export type ColdCacheParams = z.output<typeof schema>;

class ColdCacheEffect implements FaultInstance {
  readonly kind = 'cold-cache';
  readonly ciKind = 'cold-cache';
  readonly benign = true;
  /** Any process start empties the caches: a fresh baseline's old-build hosts warm up too. */
  readonly startup = true;

  constructor(readonly params: ColdCacheParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, _world: unknown, t: Minutes): void {
    const age = t - cohort.lastRestartAt;
    if (age < 0) return;
    const cold = Math.exp(-age / this.params.warmupMinutes);
    acc.latencyMul *= 1 + (this.params.latencyMultiplier - 1) * cold;
    acc.errorAdd += this.params.errorAdd * cold;
  }

  nextRestart(): Minutes {
    return Infinity;
  }

  /** Benign: it never makes a build bad, so it has no onset. */
  onset(): Minutes {
    return Infinity;
  }

  /** The honest full-fleet effect (the world leaves benign effects out of the label). */
  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    // The warm-up is minutes long: integrate it at a step well below the e-folding time.
    const fine = Math.min(0.5, this.params.warmupMinutes / 10);
    return singleFaultTrueEffect(this, fleet, deployAt, until, false, {
      fineStepMinutes: fine,
      fineWindowMinutes: 10 * this.params.warmupMinutes,
    });
  }
}

/** Cold caches after every process start: slower for a few minutes, on good builds too. */
export const coldCacheEffect: FaultModel<ColdCacheParams> = {
  kind: 'cold-cache',
  summary: 'Empty caches after every deploy: slower for a few minutes, on good builds too.',
  params: schema,
  create: (params) => new ColdCacheEffect(checkParams('cold-cache', schema, params)),
};
