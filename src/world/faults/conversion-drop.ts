/**
 * conversion-drop: the build works but sells less: a checkout button below the fold, a
 * broken coupon field, a payment option missing for one browser. No error, no latency, no
 * resource signal; only the business metric moves, which is why teams add business checks
 * to canary analysis (Google SRE Workbook, "Canarying Releases", on choosing metrics that
 * reflect user experience). The scenario states the size; userShare 1 and no delay by default.
 */
import { z } from 'zod';
import { durationSchema } from '../../util/duration.js';
import type { CohortView, EffectAccumulator, Minutes, TrueEffect } from '../types.js';
import { singleFaultTrueEffect } from './shared/fleet-impact.js';
import { checkParams, shareSchema } from './shared/params.js';
import { beforeLimit } from './shared/timing.js';
import type { FaultInstance, FaultModel, FleetFacts } from './types.js';

const schema = z.strictObject({
  /** Relative drop of checkout conversion in percent (5 = −5%). */
  dropPct: z.number().min(0).max(100),
  onsetDelay: durationSchema.default(0),
  userShare: shareSchema.default(1),
});

export type ConversionDropParams = z.output<typeof schema>;

class ConversionDropFault implements FaultInstance {
  readonly kind = 'conversion-drop';
  readonly ciKind = 'conversion-drop';
  readonly benign = false;

  constructor(readonly params: ConversionDropParams) {}

  apply(acc: EffectAccumulator, cohort: CohortView, _world: unknown, t: Minutes): void {
    if (t < cohort.deployedAt + this.params.onsetDelay) return;
    acc.conversionMul *= 1 - (this.params.dropPct / 100) * this.params.userShare;
  }

  nextRestart(): Minutes {
    return Infinity;
  }

  onset(cohort: CohortView, _world: unknown, limit: Minutes): Minutes {
    const p = this.params;
    return p.dropPct > 0 && p.userShare > 0
      ? beforeLimit(cohort.deployedAt + p.onsetDelay, limit)
      : Infinity;
  }

  trueEffect(fleet: FleetFacts, deployAt: Minutes, until: Minutes): TrueEffect {
    return singleFaultTrueEffect(this, fleet, deployAt, until, false);
  }
}

/** A drop in checkout conversion with no technical signal. */
export const conversionDropFault: FaultModel<ConversionDropParams> = {
  kind: 'conversion-drop',
  summary: 'Checkout conversion drops with no error, latency or resource signal.',
  params: schema,
  create: (params) => new ConversionDropFault(checkParams('conversion-drop', schema, params)),
};
