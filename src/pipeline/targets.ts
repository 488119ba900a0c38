import type { TargetConfig } from '../policy/types.js';
import type { RegionRuntime } from '../world/types.js';

/**
 * How many production hosts of each region must run the new build once a stage is done.
 * Targets are cumulative: each stage only ever adds hosts (the maximum of every target so far).
 */
export function cumulativeTargets(
  targets: readonly TargetConfig[],
  regions: readonly RegionRuntime[],
): number[][] {
  const desired = regions.map(() => 0);
  const out: number[][] = [];
  for (const target of targets) {
    const want = hostsFor(target, regions);
    for (let i = 0; i < regions.length; i++) desired[i] = Math.max(desired[i]!, want[i]!);
    out.push([...desired]);
  }
  return out;
}

/** The hosts one target alone asks for, per region. */
export function hostsFor(target: TargetConfig, regions: readonly RegionRuntime[]): number[] {
  switch (target.kind) {
    case 'staging':
      return regions.map(() => 0);
    case 'hosts':
      return regions.map((r) => (r.name === target.region ? Math.min(r.hosts, target.count) : 0));
    case 'region':
      return regions.map((r) => (r.name === target.region ? shareOf(r.hosts, target.share) : 0));
    case 'regions':
      return regions.map((r) => (target.regions.includes(r.name) ? r.hosts : 0));
    case 'fleet':
      return regions.map((r) => shareOf(r.hosts, target.share));
    case 'traffic':
      // Routed traffic goes to canary pods started beside the fleet: no host changes build.
      return regions.map(() => 0);
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

/** A share of hosts, rounded up so any positive share deploys at least one host. */
function shareOf(hosts: number, share: number): number {
  if (share <= 0) return 0;
  return Math.min(hosts, Math.ceil(hosts * share - 1e-9));
}

/** The region whose local time a stage's deploy window is read in: the first region it touches. */
export function windowRegion(
  target: TargetConfig,
  regions: readonly RegionRuntime[],
): RegionRuntime | undefined {
  switch (target.kind) {
    case 'staging':
    case 'fleet':
    case 'traffic':
      return regions[0];
    case 'hosts':
    case 'region':
      return regions.find((r) => r.name === target.region);
    case 'regions':
      return regions.find((r) => target.regions.includes(r.name));
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}
