/**
 * connection-pool-leak: a code path borrows a database connection and never returns it (an
 * early return before `close()`, an exception skipping `finally`). One connection leaks per
 * `leakEveryRequests` requests; the pool's in-use count is the in-flight demand (Little's
 * law: requests per second × hold time) plus the leaked ones. Nothing shows until the two
 * together reach the pool size, which happens first at peak load; then requests queue for a
 * connection, and because arrivals now exceed what the pool can serve the queue grows
 * without bound, so most waiters hit the checkout timeout: `timeoutErrorShare` of requests
 * fail (a step, not a proportional share, for that reason) and the rest are slowed by
 * `exhaustedLatencyMultiplier`. A health check kills an exhausted host after
 * `healthCheckRestartAfter`; it restarts with an empty pool.
 *
 * Defaults: timeoutErrorShare 0.9 and healthCheckRestartAfter 15m, restartMinutes 1 (from the
 * project brief); exhaustedLatencyMultiplier 10 is judgement: survivors wait up to the pool's
 * checkout timeout (HikariCP's `connectionTimeout` defaults to 30 s), so seconds-long waits on
 * an ~100 ms service are typical. restartErrorShare 1 as in memory-leak.
 */
import { z } from 'zod';
import { MAX_MULTIPLIER } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import type {
  CohortView,
  EffectAccumulator,
  Environment,
  Minutes,
  RegionRuntime,
  TrueEffect,
  WorldView,
} from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { addSlowComponent } from './shared/mixture.js';
import { checkParams, restartDurationSchema, shareSchema } from './shared/params.js';
import { beforeLimit, isRestarting, nextRestartInChain, processStart } from './shared/timing.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const schema = z.strictObject({
  /** One connection leaks per this many requests. */
  leakEveryRequests: z.number().positive(),
  timeoutErrorShare: shareSchema.default(0.9),
  exhaustedLatencyMultiplier: z.number().min(1).max(MAX_MULTIPLIER).default(10),
  healthCheckRestartAfter: durationSchema.default(15),
  restartMinutes: restartDurationSchema.default(1),
  restartErrorShare: shareSchema.default(1),
});

export type ConnectionPoolLeakParams = z.output<typeof schema>;

/** Scan step for the exhaustion search: load curves move over hours, so 5 minutes cannot step over a crossing. */
const SCAN_STEP = 5;
/** With no limit and too little traffic to ever fill the pool by leaks alone, stop looking after four weeks. */
const MAX_SCAN = 4 * 7 * 1440;
/** Bisection stops at this width (minutes): far below any metric interval. */
const CROSSING_TOLERANCE = 1e-9;

class ConnectionPoolLeakFault implements FaultInstance {
  readonly kind = 'connection-pool-leak';
  readonly ciKind = 'connection-pool-leak';
  readonly benign = false;

  /** Exhaustion times by world, then (environment, region, process start, limit): the restart chain and the ground-truth integration ask for the same ones. */
  private readonly memo = new WeakMap<WorldView, Map<string, Minutes>>();

  constructor(readonly params: ConnectionPoolLeakParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, world: WorldView, t: Minutes): void {
    const p = this.params;
    if (isRestarting(cohort, t, p.restartMinutes)) {
      acc.errorAdd += p.restartErrorShare;
      return;
    }
    const start = processStart(cohort, p.restartMinutes);
    if (!(t >= start)) return;
    const { poolSize } = world.service.connections;
    const leaked = this.leaked(world, cohort.environment, cohort.region, start, t);
    acc.connections += Math.min(leaked, poolSize);
    if (this.inFlight(world, cohort.environment, cohort.region, t) + leaked >= poolSize) {
      acc.errorAdd += p.timeoutErrorShare;
      addSlowComponent(acc, 1 - p.timeoutErrorShare, p.exhaustedLatencyMultiplier);
    }
  }

  /**
   * The health check's kill: exhaustion + healthCheckRestartAfter. If that is at or before
   * `from`, the chain it implies is followed (restart, up `restartMinutes` later with an empty
   * pool, next exhaustion) until a kill falls after `from`.
   */
  nextRestart(cohort: CohortView, world: WorldView, from: Minutes, limit: Minutes): Minutes {
    const hc = this.params.healthCheckRestartAfter;
    return nextRestartInChain(cohort, from, limit, this.params.restartMinutes, (start) => {
      const e = this.exhaustion(world, cohort.environment, cohort.region, start, limit);
      return e + hc < limit ? e + hc : Infinity;
    });
  }

  onset(cohort: CohortView, world: WorldView, limit: Minutes): Minutes {
    return this.exhaustion(world, cohort.environment, cohort.region, cohort.deployedAt, limit);
  }

  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    const exhausted = fleet.regions.some((_, i) => {
      const c = fleet.wholeRegionCohort(i, deployAt);
      return this.exhaustion(fleet, c.environment, c.region, deployAt, until) < until;
    });
    // Exhaustion and the end of a restart window are jumps: steps end there, so no fine grid is needed.
    return singleFaultTrueEffect(this, fleet, deployAt, until, exhausted, {
      fineWindowMinutes: 0,
      breakpoints: (cohort, end) => {
        const start = processStart(cohort, this.params.restartMinutes);
        return [
          start,
          this.exhaustion(fleet, cohort.environment, cohort.region, start, end),
        ].filter(Number.isFinite);
      },
    });
  }

  /**
   * First t ≥ start with in-flight(t) + leaked(t) ≥ pool, or Infinity if not before `limit`.
   * Both terms are closed forms; their sum is not monotone (in-flight follows the daily load),
   * so scan in SCAN_STEP steps, then bisect the first step that crosses. The scan ends where
   * leaks alone fill the pool (a closed form too), so it is bounded even without a limit.
   */
  exhaustion(
    world: WorldView,
    env: Environment,
    region: RegionRuntime,
    start: Minutes,
    limit: Minutes,
  ): Minutes {
    const { poolSize } = world.service.connections;
    const deficit = (t: Minutes): number =>
      this.inFlight(world, env, region, t) + this.leaked(world, env, region, start, t) - poolSize;
    if (deficit(start) >= 0) return beforeLimit(start, limit);
    const full = world.timeAfterRequests(
      env,
      region,
      start,
      poolSize * this.params.leakEveryRequests,
      limit,
    );
    const end = Math.min(limit, full, start + MAX_SCAN);
    let prev = start;
    while (prev < end) {
      const next = Math.min(prev + SCAN_STEP, end);
      // At `full` the leaks alone fill the pool, whatever rounding says about the sum.
      if (deficit(next) >= 0 || next === full) {
        let lo = prev;
        let hi = next;
        while (hi - lo > CROSSING_TOLERANCE) {
          const mid = (lo + hi) / 2;
          if (!(mid > lo && mid < hi)) break;
          if (deficit(mid) >= 0) hi = mid;
          else lo = mid;
        }
        return beforeLimit(hi, limit);
      }
      prev = next;
    }
    return Infinity;
  }

  private inFlight(world: WorldView, env: Environment, region: RegionRuntime, t: Minutes): number {
    return (world.perHostRate(env, region, t) / 60) * (world.service.connections.holdMs / 1000);
  }

  private leaked(
    world: WorldView,
    env: Environment,
    region: RegionRuntime,
    start: Minutes,
    t: Minutes,
  ): number {
    return t > start
      ? world.perHostRequests(env, region, start, t) / this.params.leakEveryRequests
      : 0;
  }
}

/** A connection leak that exhausts the pool under load; a health check then restarts the host. */
export const connectionPoolLeakFault: FaultModel<ConnectionPoolLeakParams> = {
  kind: 'connection-pool-leak',
  summary:
    'Connections leak until in-flight plus leaked reach the pool size under load; requests time out.',
  params: schema,
  create: (params) =>
    new ConnectionPoolLeakFault(checkParams('connection-pool-leak', schema, params)),
};
