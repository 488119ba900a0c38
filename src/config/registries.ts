/**
 * The plugin registries the loaders validate against. Plugins register themselves in the
 * family index files; the loaders read those objects when they parse, never when they are
 * imported, so a registry filled after this module loads is still seen.
 */
import type { JudgeModel } from '../judges/types.js';
import { JUDGES } from '../judges/index.js';
import { CONFOUNDERS } from '../world/confounders/index.js';
import type { ConfounderModel } from '../world/confounders/types.js';
import { FAULTS } from '../world/faults/index.js';
import type { FaultModel } from '../world/faults/types.js';

/** Fault, confounder and judge families by kind. Tests pass their own; the CLI uses `liveRegistries`. */
export interface Registries {
  readonly faults: Readonly<Record<string, FaultModel>>;
  readonly confounders: Readonly<Record<string, ConfounderModel>>;
  readonly judges: Readonly<Record<string, JudgeModel>>;
}

/** The registries of the running program, read through getters at every use. */
export const liveRegistries: Registries = {
  get faults() {
    return FAULTS;
  },
  get confounders() {
    return CONFOUNDERS;
  },
  get judges() {
    return JUDGES;
  },
};

/** Looks a kind up without falling into `Object.prototype` (`toString` is not a fault). */
export function lookup<T>(registry: Readonly<Record<string, T>>, kind: string): T | undefined {
  return Object.hasOwn(registry, kind) ? registry[kind] : undefined;
}
