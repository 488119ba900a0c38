/**
 * upstream-incident: a dependency the service calls (a payment provider, a cloud API, a
 * shared database) has an incident. Every host fails or slows the same way, old build and
 * new, which is what fools absolute thresholds and before/after comparisons into blaming
 * the deploy in flight; a concurrent baseline sees it too (Google SRE Workbook, "Canarying
 * Releases": compare against a control population at the same time). Defaults +2 pp for 30
 * minutes, fleet-wide, are from the project brief; `region` confines it to one region.
 */
import { z } from 'zod';
import { MAX_MULTIPLIER } from '../../util/limits.js';
import { durationSchema } from '../../util/duration.js';
import { checkParams, shareSchema } from '../faults/shared/params.js';
import { applyDegradation, checkRegion } from './shared/region.js';
import type { ConfounderInstance, ConfounderModel } from './types.js';

const schema = z.strictObject({
  errorAdd: shareSchema.default(0.02),
  latencyMultiplier: z.number().positive().max(MAX_MULTIPLIER).default(1),
  duration: durationSchema.default(30),
  region: z.string().min(1).optional(),
});

export type UpstreamIncidentParams = z.output<typeof schema>;

/** A dependency incident that hits old and new hosts alike. */
export const upstreamIncident: ConfounderModel<UpstreamIncidentParams> = {
  kind: 'upstream-incident',
  summary: 'A dependency has an incident: errors and latency on old and new hosts alike.',
  params: schema,
  create: (params, ctx) =>
    upstreamIncident.occurrence!(checkParams('upstream-incident', schema, params), ctx),
  occurrence(p, ctx): ConfounderInstance {
    const window = {
      start: ctx.start,
      end: ctx.start + p.duration,
      region: checkRegion('upstream-incident', p.region, ctx.regions),
      errorAdd: p.errorAdd,
      latencyMultiplier: p.latencyMultiplier,
    };
    return {
      kind: 'upstream-incident',
      start: window.start,
      end: window.end,
      region: window.region,
      apply: (acc, cohort, t) => applyDegradation(window, acc, cohort, t),
    };
  },
};
