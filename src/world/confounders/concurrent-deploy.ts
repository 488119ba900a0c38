/**
 * concurrent-deploy: another team deploys a service this one depends on (or shares hosts,
 * caches or a database with) in the same region at the same time. Its own cold caches and
 * connection churn cost this service a little: +0.5 pp errors and +15% latency for 20
 * minutes by default (project brief). It hits one region, old and new hosts alike, which is
 * exactly when a one-region canary compared with the rest of the fleet looks guilty (Google
 * SRE Workbook, "Canarying Releases", on concurrent changes confounding a canary). The region
 * is drawn with the occurrence's own stream unless `region` is given.
 */
import { z } from 'zod';
import { MAX_MULTIPLIER } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import { checkParams, shareSchema } from '../faults/shared/params.js';
import { applyDegradation, checkRegion, pickRegion } from './shared/region.js';
import type { ConfounderInstance, ConfounderModel } from './types.js';

const schema = z.strictObject({
  errorAdd: shareSchema.default(0.005),
  latencyMultiplier: z.number().positive().max(MAX_MULTIPLIER).default(1.15),
  duration: durationSchema.default(20),
  region: z.string().min(1).optional(),
});

export type ConcurrentDeployParams = z.output<typeof schema>;

/** Another service deploying in one region at the same time. */
export const concurrentDeploy: ConfounderModel<ConcurrentDeployParams> = {
  kind: 'concurrent-deploy',
  summary:
    'Another service deploys in one region at the same time: small errors and latency there.',
  params: schema,
  create: (params, ctx) =>
    concurrentDeploy.occurrence!(checkParams('concurrent-deploy', schema, params), ctx),
  occurrence(p, ctx): ConfounderInstance {
    const region =
      p.region === undefined
        ? pickRegion('concurrent-deploy', ctx.rng, ctx.regions)
        : checkRegion('concurrent-deploy', p.region, ctx.regions);
    const window = {
      start: ctx.start,
      end: ctx.start + p.duration,
      region,
      errorAdd: p.errorAdd,
      latencyMultiplier: p.latencyMultiplier,
    };
    return {
      kind: 'concurrent-deploy',
      start: window.start,
      end: window.end,
      region,
      apply: (acc, cohort, t) => applyDegradation(window, acc, cohort, t),
    };
  },
};
