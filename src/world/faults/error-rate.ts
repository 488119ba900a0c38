/**
 * error-rate: a bug on some code path makes requests fail, e.g. an unhandled null on a new
 * branch, a serialisation change one client cannot parse, or a timeout that only bites when
 * the database is busy. The classic canary failure (Google SRE Workbook, "Canarying
 * Releases": a bad binary's error rate is the signal canaries exist to catch).
 *
 * Knobs shape who sees it: `onsetDelay` (a cache expiry or cron path reached an hour after
 * start), `minLoadShare` (only under heavy traffic: the region's load as a share of the
 * weekday peak), `regions` (a region-specific config or dependency; staging, whose region is
 * `staging`, then shows nothing) and `userShare` (a feature flag or one client version).
 * Every default is neutral (no effect); the scenario states the size.
 */
import { z } from 'zod';
import { MAX_MULTIPLIER } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import type { CohortView, EffectAccumulator, Minutes, TrueEffect, WorldView } from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { checkParams, shareSchema } from './shared/params.js';
import { beforeLimit } from './shared/timing.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const schema = z.strictObject({
  /** Absolute failure probability added (0.02 = +2 pp). */
  add: shareSchema.default(0),
  /** Multiplier of the baseline error rate. */
  multiply: z.number().min(0).max(MAX_MULTIPLIER).default(1),
  onsetDelay: durationSchema.default(0),
  /** Effect only while the region's load ≥ this share of the weekday daily peak. */
  minLoadShare: z.number().min(0).default(0),
  regions: z.array(z.string().min(1)).min(1).optional(),
  userShare: shareSchema.default(1),
});

export type ErrorRateParams = z.output<typeof schema>;

class ErrorRateFault implements FaultInstance {
  readonly kind = 'error-rate';
  readonly ciKind = 'error-rate';
  readonly benign = false;

  constructor(readonly params: ErrorRateParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, world: WorldView, t: Minutes): void {
    const p = this.params;
    if (t < cohort.deployedAt + p.onsetDelay || !this.inRegion(cohort)) return;
    if (
      p.minLoadShare > 0 &&
      world.loadShare(cohort.environment, cohort.region, t) < p.minLoadShare
    )
      return;
    acc.errorAdd += p.add * p.userShare;
    acc.errorMul *= 1 + (p.multiply - 1) * p.userShare;
  }

  nextRestart(): Minutes {
    return Infinity;
  }

  onset(cohort: CohortView, world: WorldView, limit: Minutes): Minutes {
    const p = this.params;
    const hasEffect =
      p.userShare > 0 && (p.add > 0 || (p.multiply !== 1 && world.service.errorRate > 0));
    if (!hasEffect || !this.inRegion(cohort)) return Infinity;
    const earliest = cohort.deployedAt + p.onsetDelay;
    if (p.minLoadShare <= 0) return beforeLimit(earliest, limit);
    return beforeLimit(
      world.nextTimeLoadAtLeast(cohort.environment, cohort.region, earliest, p.minLoadShare, limit),
      limit,
    );
  }

  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    return singleFaultTrueEffect(this, fleet, deployAt, until, false);
  }

  private inRegion(cohort: CohortView): boolean {
    return this.params.regions === undefined || this.params.regions.includes(cohort.region.name);
  }
}

/** A bug that fails a share of requests, optionally only under load, after a delay or in some regions. */
export const errorRateFault: FaultModel<ErrorRateParams> = {
  kind: 'error-rate',
  summary:
    'A bug on some code path fails requests, possibly only under load, later, or in some regions.',
  params: schema,
  create: (params) => new ErrorRateFault(checkParams('error-rate', schema, params)),
};
