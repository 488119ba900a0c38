import type { JudgeModel } from './types.js';

/** Every judge by kind; the policy loader and the pipeline read this registry by name. */
export const JUDGES: Readonly<Record<string, JudgeModel>> = {};
