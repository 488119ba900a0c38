import { concurrentDeploy } from './concurrent-deploy.js';
import { metricsDelay } from './metrics-delay.js';
import { metricsGap } from './metrics-gap.js';
import { trafficSpike } from './traffic-spike.js';
import type { ConfounderModel } from './types.js';
import { upstreamIncident } from './upstream-incident.js';

/** Every confounder family by kind. */
export const CONFOUNDERS: Readonly<Record<string, ConfounderModel>> = {
  [upstreamIncident.kind]: upstreamIncident,
  [trafficSpike.kind]: trafficSpike,
  [metricsGap.kind]: metricsGap,
  [metricsDelay.kind]: metricsDelay,
  [concurrentDeploy.kind]: concurrentDeploy,
};
