import type { RegionConfig, RegionRuntime } from './types.js';

/** Regions as the running world knows them: their index and the index of their first host. */
export function regionRuntimes(configs: readonly RegionConfig[]): RegionRuntime[] {
  let firstHost = 0;
  return configs.map((r, index) => {
    const rt: RegionRuntime = { ...r, index, firstHost };
    firstHost += r.hosts;
    return rt;
  });
}
