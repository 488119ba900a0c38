/**
 * memory-leak: every request leaves a few kilobytes reachable (a cache without eviction, a
 * listener never removed, a growing map keyed by request id). Resident memory grows with
 * the requests a host has served since its process started, garbage collection works harder
 * as the heap fills, and at the limit the process is killed (OOM) and restarts with an empty
 * heap. Busy hosts die first; a canary on a quiet host may never reach the limit in its bake.
 *
 * Memory is a closed form: base + bytesPerRequest × requests since start, so the OOM time is
 * `WorldView.timeAfterRequests(start, (limitMB − baseMB)·2²⁰ / bytesPerRequest)`, an event,
 * never a loop over requests. Megabytes are 2²⁰ bytes.
 *
 * GC slowdown: latency × 1 until memory reaches `gcThreshold` of the limit, then rising
 * linearly in the memory share to × `gcSlowdown` at the limit. The real curve is convex (GC
 * work per allocation grows like live/(heap − live)), but only its two ends are observable
 * quantities a scenario author can state; linear between them is the least-assumption
 * interpolation, bounded, and monotone. Default threshold 0.85: the heap share past which
 * Elastic and AWS OpenSearch warn that collections become frequent and long ("High JVM memory
 * pressure", keep JVMMemoryPressure below 85%). gcSlowdown 3 and restartMinutes 2 (a JVM or
 * Node service's start plus readiness probe) are judgement, stated in the project brief.
 * While restarting, `restartErrorShare` of the host's requests fail (1: the kill drops
 * in-flight and queued requests and the balancer keeps routing until its check fails).
 */
import { z } from 'zod';
import { MAX_LEAK_BYTES_PER_REQUEST, MAX_MULTIPLIER } from '../../util/limits.js';
import { GatesimError } from '../../errors.js';
import type { CohortView, EffectAccumulator, Minutes, TrueEffect, WorldView } from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { checkParams, restartDurationSchema, shareSchema } from './shared/params.js';
import { beforeLimit, isRestarting, nextRestartInChain, processStart } from './shared/timing.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const MB = 2 ** 20;

const schema = z.strictObject({
  bytesPerRequest: z.number().positive().max(MAX_LEAK_BYTES_PER_REQUEST),
  /** Share of the heap limit where GC starts to slow requests. */
  gcThreshold: z.number().gt(0).max(1).default(0.85),
  /** Latency multiplier reached at the limit. */
  gcSlowdown: z.number().min(1).max(MAX_MULTIPLIER).default(3),
  restartMinutes: restartDurationSchema.default(2),
  restartErrorShare: shareSchema.default(1),
});

export type MemoryLeakParams = z.output<typeof schema>;

class MemoryLeakFault implements FaultInstance {
  readonly kind = 'memory-leak';
  readonly ciKind = 'memory-leak';
  readonly benign = false;

  constructor(readonly params: MemoryLeakParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, world: WorldView, t: Minutes): void {
    const p = this.params;
    if (isRestarting(cohort, t, p.restartMinutes)) {
      acc.errorAdd += p.restartErrorShare;
      return;
    }
    const start = processStart(cohort, p.restartMinutes);
    if (!(t > start)) return;
    const { baseMB, limitMB } = world.service.memory;
    const leaked =
      (p.bytesPerRequest * world.perHostRequests(cohort.environment, cohort.region, start, t)) / MB;
    // A stale lastRestartAt (the OOM event not yet delivered) must not report memory past the limit.
    const leakedMB = Math.min(leaked, Math.max(0, limitMB - baseMB));
    acc.memoryMB += leakedMB;
    acc.latencyMul *= this.gcMultiplier((baseMB + leakedMB) / limitMB);
  }

  /** Latency multiplier at a heap share: 1 up to gcThreshold, linear to gcSlowdown at 1. */
  gcMultiplier(heapShare: number): number {
    const { gcThreshold: g, gcSlowdown: s } = this.params;
    if (heapShare < g) return 1;
    if (g >= 1) return s;
    return 1 + (s - 1) * Math.min(1, (heapShare - g) / (1 - g));
  }

  /**
   * The OOM kill. If the OOM of the cohort's current process is at or before `from` (the
   * world asks late), the chain of OOMs it implies is followed: restart there, up again
   * `restartMinutes` later, next OOM, until one falls after `from`.
   */
  nextRestart(cohort: CohortView, world: WorldView, from: Minutes, limit: Minutes): Minutes {
    const count = this.requestsToLimit(world);
    return nextRestartInChain(cohort, from, limit, this.params.restartMinutes, (start) =>
      world.timeAfterRequests(cohort.environment, cohort.region, start, count, limit),
    );
  }

  /** When memory first crosses the GC threshold (or, with no GC slowdown, the first OOM). */
  onset(cohort: CohortView, world: WorldView, limit: Minutes): Minutes {
    const p = this.params;
    const { baseMB, limitMB } = world.service.memory;
    const targetMB = p.gcSlowdown > 1 ? p.gcThreshold * limitMB : limitMB;
    const count = ((targetMB - baseMB) * MB) / p.bytesPerRequest;
    if (count <= 0) return beforeLimit(cohort.deployedAt, limit);
    return beforeLimit(
      world.timeAfterRequests(cohort.environment, cohort.region, cohort.deployedAt, count, limit),
      limit,
    );
  }

  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    const count = this.requestsToLimit(fleet);
    const oom = fleet.regions.some((_, i) => {
      const c = fleet.wholeRegionCohort(i, deployAt);
      return fleet.timeAfterRequests(c.environment, c.region, deployAt, count, until) < until;
    });
    // The end of a restart window is a jump: steps end there, so no fine grid is needed.
    return singleFaultTrueEffect(this, fleet, deployAt, until, oom, {
      fineWindowMinutes: 0,
      breakpoints: (cohort) => [processStart(cohort, this.params.restartMinutes)],
    });
  }

  /** Requests a fresh process serves before its heap reaches the limit. */
  private requestsToLimit(world: WorldView): number {
    const { baseMB, limitMB } = world.service.memory;
    if (!(limitMB > baseMB)) {
      throw new GatesimError(
        'invalid-scenario',
        `memory-leak: service.memory.limitMB (${limitMB}) must exceed baseMB (${baseMB})`,
      );
    }
    return ((limitMB - baseMB) * MB) / this.params.bytesPerRequest;
  }
}

/** A per-request memory leak with GC slowdown near the heap limit and OOM restarts. */
export const memoryLeakFault: FaultModel<MemoryLeakParams> = {
  kind: 'memory-leak',
  summary:
    'Each request leaks memory; GC slows near the heap limit, then the process is OOM-killed and restarts.',
  params: schema,
  create: (params) => new MemoryLeakFault(checkParams('memory-leak', schema, params)),
};
