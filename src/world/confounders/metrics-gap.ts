/**
 * metrics-gap: the metrics pipeline drops data (a collector restart, a full remote-write
 * queue, a monitoring backend outage). Points in the window are missing, and what a gate does
 * then is policy: Flagger counts "no values found" as a failed check, Argo Rollouts turns an
 * empty result into an Error measurement, Google's Canary Analysis Service answers NONE.
 * Default 15 minutes from the project brief; it hits every series (the pipeline is shared).
 */
import { z } from 'zod';
import { durationSchema } from '../../util/duration.js';
import { checkParams } from '../faults/shared/params.js';
import type { ConfounderInstance, ConfounderModel } from './types.js';

const schema = z.strictObject({
  duration: durationSchema.default(15),
});

export type MetricsGapParams = z.output<typeof schema>;

/** Missing metric data for a while. */
export const metricsGap: ConfounderModel<MetricsGapParams> = {
  kind: 'metrics-gap',
  summary: 'The metrics pipeline drops data: points in the window are missing.',
  params: schema,
  create: (params, ctx) => metricsGap.occurrence!(checkParams('metrics-gap', schema, params), ctx),
  occurrence(p, ctx): ConfounderInstance {
    return {
      kind: 'metrics-gap',
      start: ctx.start,
      end: ctx.start + p.duration,
      region: undefined,
      metricsGap: true,
    };
  },
};
