/**
 * data-scale: a query whose cost grows with table size (a missing index, an N+1 loop over a
 * growing relation, an unbounded `IN` list). Staging's small tables hide it; production's
 * do not. Modelled as extra latency `latencyMsPerMillionRows × rows / 10⁶` (linear: a scan)
 * on the `affectedShare` of requests that run the query, as a second lognormal component
 * whose median is the service median plus the extra time. With `timeoutMs` > 0, slowed
 * requests beyond the timeout fail; only the excess over the same requests' baseline
 * timeouts is added (the baseline's are already in the service error rate).
 *
 * affectedShare 0.2 is judgement (one endpoint of a handful); timeoutMs 0 means no timeout.
 */
import { z } from 'zod';
import { MAX_LATENCY_MS } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import type {
  CohortView,
  EffectAccumulator,
  Environment,
  Minutes,
  TrueEffect,
  WorldView,
} from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { addSlowComponent, lognormalExceedance, mixtureQuantileRatio } from './shared/mixture.js';
import { checkParams, shareSchema } from './shared/params.js';
import { beforeLimit } from './shared/timing.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const schema = z.strictObject({
  latencyMsPerMillionRows: z.number().min(0).max(MAX_LATENCY_MS),
  affectedShare: shareSchema.default(0.2),
  /** Requests slower than this fail; 0 = never. */
  timeoutMs: z.number().min(0).max(MAX_LATENCY_MS).default(0),
  onsetDelay: durationSchema.default(0),
});

export type DataScaleParams = z.output<typeof schema>;

/**
 * The smallest effect `onset` treats as showing: +1% on p99 or +0.01 pp errors. Interval noise
 * on latency is ~5% per point (scenario noise defaults), so anything smaller is invisible to
 * every metric; this is what makes staging's tables "show nothing" under a linear cost.
 */
export const VISIBLE_P99_RATIO = 1.01;
export const VISIBLE_ERROR_ADD = 1e-4;

interface DataScaleEffect {
  slowMul: number;
  timeoutErrors: number;
}

class DataScaleFault implements FaultInstance {
  readonly kind = 'data-scale';
  readonly ciKind = 'data-scale';
  readonly benign = false;

  /** The effect depends only on the world's service and row counts: computed once per world and environment. */
  private readonly cache = new WeakMap<object, Partial<Record<Environment, DataScaleEffect>>>();

  constructor(readonly params: DataScaleParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, world: WorldView, t: Minutes): void {
    if (t < cohort.deployedAt + this.params.onsetDelay) return;
    const e = this.effect(world, cohort.environment);
    addSlowComponent(acc, this.params.affectedShare, e.slowMul);
    acc.errorAdd += e.timeoutErrors;
  }

  nextRestart(): Minutes {
    return Infinity;
  }

  /** deployedAt + onsetDelay where this environment's tables make the effect visible, else Infinity. */
  onset(cohort: CohortView, world: WorldView, limit: Minutes): Minutes {
    const e = this.effect(world, cohort.environment);
    const share = this.params.affectedShare;
    const p99 = mixtureQuantileRatio(
      [
        { weight: 1 - share, shift: 0 },
        { weight: share, shift: Math.log(e.slowMul) },
      ],
      world.service.latency.sigma,
      0.99,
    );
    const visible = p99 >= VISIBLE_P99_RATIO || e.timeoutErrors >= VISIBLE_ERROR_ADD;
    return visible ? beforeLimit(cohort.deployedAt + this.params.onsetDelay, limit) : Infinity;
  }

  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    return singleFaultTrueEffect(this, fleet, deployAt, until, false);
  }

  /** Slowdown factor of affected requests and the error probability their timeouts add. */
  effect(world: WorldView, env: Environment): DataScaleEffect {
    let byEnv = this.cache.get(world);
    if (byEnv === undefined) {
      byEnv = {};
      this.cache.set(world, byEnv);
    }
    return (byEnv[env] ??= this.compute(world, env));
  }

  private compute(world: WorldView, env: Environment): DataScaleEffect {
    const p = this.params;
    const { medianMs, sigma } = world.service.latency;
    const extraMs = (p.latencyMsPerMillionRows * world.dataRows(env)) / 1e6;
    const slowMul = (medianMs + extraMs) / medianMs;
    let timeoutErrors = 0;
    if (p.timeoutMs > 0) {
      const excess =
        lognormalExceedance(medianMs + extraMs, sigma, p.timeoutMs) -
        lognormalExceedance(medianMs, sigma, p.timeoutMs);
      timeoutErrors = p.affectedShare * Math.max(0, excess);
    }
    return { slowMul, timeoutErrors };
  }
}

/** A query whose cost grows with table size: invisible on staging's small tables. */
export const dataScaleFault: FaultModel<DataScaleParams> = {
  kind: 'data-scale',
  summary: "A query whose cost grows with table size; staging's small tables hide it.",
  params: schema,
  create: (params) => new DataScaleFault(checkParams('data-scale', schema, params)),
};
