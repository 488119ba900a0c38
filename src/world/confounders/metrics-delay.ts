/**
 * metrics-delay: the metrics pipeline lags (ingestion backlog, a slow aggregation job), so
 * points for the window arrive `delay` late. A check that runs on time sees no data for the
 * newest intervals, which it reads as missing, inconclusive or failed depending on policy.
 * Datadog's "Cloud Metric Delay" guide, for one, lists cloud metrics crawled every 2–10
 * minutes, and alerting products offer an evaluation delay for late data (Coralogix, IBM
 * Cloud Logs). Defaults 5m late for 60m from the project brief.
 */
import { z } from 'zod';
import { durationSchema } from '../../util/duration.js';
import { checkParams } from '../faults/shared/params.js';
import type { ConfounderInstance, ConfounderModel } from './types.js';

const schema = z.strictObject({
  delay: durationSchema.default(5),
  duration: durationSchema.default(60),
});

export type MetricsDelayParams = z.output<typeof schema>;

/** Metric data arrives late for a while. */
export const metricsDelay: ConfounderModel<MetricsDelayParams> = {
  kind: 'metrics-delay',
  summary: 'The metrics pipeline lags: points in the window arrive late.',
  params: schema,
  create: (params, ctx) =>
    metricsDelay.occurrence!(checkParams('metrics-delay', schema, params), ctx),
  occurrence(p, ctx): ConfounderInstance {
    return {
      kind: 'metrics-delay',
      start: ctx.start,
      end: ctx.start + p.duration,
      region: undefined,
      metricsDelayMin: p.delay,
    };
  },
};
