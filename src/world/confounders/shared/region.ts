import { GatesimError } from '../../../errors.js';
import type { RandomStream } from '../../../random/index.js';
import type { CohortView, EffectAccumulator, Minutes, RegionRuntime } from '../../types.js';

/** Checks a confounder's `region` against the fleet, so a typo fails loudly instead of never matching. */
export function checkRegion(
  kind: string,
  region: string | undefined,
  regions: readonly RegionRuntime[],
): string | undefined {
  if (region === undefined || regions.some((r) => r.name === region)) return region;
  const known = regions.map((r) => r.name).join(', ');
  throw new GatesimError(
    'unknown-region',
    `${kind}: region "${region}" is not in the fleet (regions: ${known})`,
  );
}

/** One region drawn uniformly with the occurrence's stream. */
export function pickRegion(
  kind: string,
  rng: RandomStream,
  regions: readonly RegionRuntime[],
): string {
  if (regions.length === 0)
    throw new GatesimError('invalid-scenario', `${kind}: the fleet has no regions to pick from`);
  const i = Math.min(regions.length - 1, Math.floor(rng.next() * regions.length));
  return regions[i]!.name;
}

/** What an error/latency confounder does to every production cohort it covers, old or new. */
export interface DegradationWindow {
  start: Minutes;
  end: Minutes;
  region: string | undefined;
  errorAdd: number;
  latencyMultiplier: number;
}

/**
 * Adds a degradation to a cohort when t is in [start, end), the cohort is in production and
 * in the region (or the confounder is fleet-wide). The world also checks time and region;
 * checking here keeps the instance correct on its own.
 */
export function applyDegradation(
  w: DegradationWindow,
  acc: EffectAccumulator,
  cohort: CohortView,
  t: Minutes,
): void {
  if (t < w.start || t >= w.end || cohort.environment !== 'production') return;
  if (w.region !== undefined && cohort.region.name !== w.region) return;
  acc.errorAdd += w.errorAdd;
  acc.latencyMul *= w.latencyMultiplier;
}
