/**
 * latency-spread: the build makes latency more variable without moving its median. Half of
 * the requests get `spread` times faster and half `spread` times slower (a cache or batching
 * change whose hits get quicker and whose misses get slower), so the log-latency mixture is
 * symmetric about the old median: p50 stays put while p99 rises. This is the blind spot of a
 * rank-sum judge: Mann-Whitney tests whether one sample tends to be larger than the other, and
 * a symmetric widening leaves P(new > old) at one half (Kayenta's NetflixACAJudge passes such
 * canaries; spinnaker/kayenta MannWhitneyClassifier judges a shift estimate). Each half is a
 * lognormal with the service's σ, so the new latency is an exact two-component mixture:
 * log-variance σ² + ln² spread. Defaults are neutral; the scenario states the size.
 */
import { z } from 'zod';
import { MAX_MULTIPLIER } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import type { CohortView, EffectAccumulator, Minutes, TrueEffect } from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { addSlowComponent } from './shared/mixture.js';
import { checkParams } from './shared/params.js';
import { beforeLimit } from './shared/timing.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const schema = z.strictObject({
  /** How many times faster the quick half and slower the slow half of requests are (≥ 1). */
  spread: z.number().min(1).max(MAX_MULTIPLIER).default(1),
  onsetDelay: durationSchema.default(0),
});

export type LatencySpreadParams = z.output<typeof schema>;

class LatencySpreadFault implements FaultInstance {
  readonly kind = 'latency-spread';
  readonly ciKind = 'latency-spread';
  readonly benign = false;

  constructor(readonly params: LatencySpreadParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, _world: unknown, t: Minutes): void {
    const m = this.params.spread;
    if (m === 1 || t < cohort.deployedAt + this.params.onsetDelay) return;
    // Everything m× faster, then half of it m² slower: half at median/m, half at median·m.
    acc.latencyMul /= m;
    addSlowComponent(acc, 0.5, m * m);
  }

  nextRestart(): Minutes {
    return Infinity;
  }

  onset(cohort: CohortView, _world: unknown, limit: Minutes): Minutes {
    const p = this.params;
    return p.spread !== 1 ? beforeLimit(cohort.deployedAt + p.onsetDelay, limit) : Infinity;
  }

  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    return singleFaultTrueEffect(this, fleet, deployAt, until, false);
  }
}

/** A wider latency spread at a fixed median. */
export const latencySpreadFault: FaultModel<LatencySpreadParams> = {
  kind: 'latency-spread',
  summary:
    'Latency grows more variable at the same median: half the requests faster, half slower by the same factor.',
  params: schema,
  create: (params) => new LatencySpreadFault(checkParams('latency-spread', schema, params)),
};
