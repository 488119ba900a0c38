import type { ConfounderModel } from './types.js';

/** Every confounder family by kind. */
export const CONFOUNDERS: Readonly<Record<string, ConfounderModel>> = {};
