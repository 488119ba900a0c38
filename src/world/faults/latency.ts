/**
 * latency: the build is slower. Either everything is (`medianMultiplier`: an extra remote
 * call or serialisation pass on the hot path) or a share of requests is much slower
 * (`tailShare`, `tailMultiplier`: a lock, a cache miss path, a retry with back-off), which
 * shows in p99 long before the median moves (Dean & Barroso, "The Tail at Scale", CACM 2013).
 * The tail is a second lognormal component with the same σ, so p99 of the mixture is computed
 * exactly (see shared/mixture.ts). Defaults are neutral; the scenario states the size.
 */
import { z } from 'zod';
import { MAX_MULTIPLIER } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import type { CohortView, EffectAccumulator, Minutes, TrueEffect } from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { addSlowComponent } from './shared/mixture.js';
import { checkParams, shareSchema } from './shared/params.js';
import { beforeLimit } from './shared/timing.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const schema = z.strictObject({
  medianMultiplier: z.number().positive().max(MAX_MULTIPLIER).default(1),
  /** Share of requests slowed. */
  tailShare: shareSchema.default(0),
  /** How much slower those requests are. */
  tailMultiplier: z.number().positive().max(MAX_MULTIPLIER).default(1),
  onsetDelay: durationSchema.default(0),
});

export type LatencyParams = z.output<typeof schema>;

class LatencyFault implements FaultInstance {
  readonly kind = 'latency';
  readonly ciKind = 'latency';
  readonly benign = false;

  constructor(readonly params: LatencyParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, _world: unknown, t: Minutes): void {
    if (t < cohort.deployedAt + this.params.onsetDelay) return;
    acc.latencyMul *= this.params.medianMultiplier;
    addSlowComponent(acc, this.params.tailShare, this.params.tailMultiplier);
  }

  nextRestart(): Minutes {
    return Infinity;
  }

  onset(cohort: CohortView, _world: unknown, limit: Minutes): Minutes {
    const p = this.params;
    const hasEffect = p.medianMultiplier !== 1 || (p.tailShare > 0 && p.tailMultiplier !== 1);
    return hasEffect ? beforeLimit(cohort.deployedAt + p.onsetDelay, limit) : Infinity;
  }

  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    return singleFaultTrueEffect(this, fleet, deployAt, until, false);
  }
}

/** A median or tail latency regression. */
export const latencyFault: FaultModel<LatencyParams> = {
  kind: 'latency',
  summary:
    'The build is slower: the whole latency distribution, or a share of requests in the tail.',
  params: schema,
  create: (params) => new LatencyFault(checkParams('latency', schema, params)),
};
