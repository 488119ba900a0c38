import type { FaultModel } from './types.js';

/** Every fault family by kind; loaders and the world read this registry by name. */
export const FAULTS: Readonly<Record<string, FaultModel>> = {};
