/**
 * traffic-spike: a flash sale, a push notification, a crawler, a retry storm from a client:
 * load jumps for a while. Nothing is broken, but load-gated faults now show, latency and
 * pools strain, and a canary judged in the spike looks different from one judged before.
 * Defaults ×2 for 20 minutes, fleet-wide, from the project brief.
 */
import { z } from 'zod';
import { MAX_MULTIPLIER } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import { checkParams } from '../faults/shared/params.js';
import { checkRegion } from './shared/region.js';
import type { ConfounderInstance, ConfounderModel } from './types.js';

const schema = z.strictObject({
  multiplier: z.number().positive().max(MAX_MULTIPLIER).default(2),
  duration: durationSchema.default(20),
  region: z.string().min(1).optional(),
});

export type TrafficSpikeParams = z.output<typeof schema>;

/** A burst of traffic that multiplies load for a while. */
export const trafficSpike: ConfounderModel<TrafficSpikeParams> = {
  kind: 'traffic-spike',
  summary: 'Load multiplies for a while (a sale, a push, a crawler): load-gated faults show.',
  params: schema,
  create: (params, ctx) =>
    trafficSpike.occurrence!(checkParams('traffic-spike', schema, params), ctx),
  occurrence(p, ctx): ConfounderInstance {
    return {
      kind: 'traffic-spike',
      start: ctx.start,
      end: ctx.start + p.duration,
      region: checkRegion('traffic-spike', p.region, ctx.regions),
      trafficMultiplier: p.multiplier,
    };
  },
};
