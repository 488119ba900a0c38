import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import { runStudyChunks, StudyFold } from './study.js';
import type { Summary } from './types.js';

export interface EvaluateOptions {
  scenarios: readonly ScenarioConfig[];
  policies: readonly PolicyConfig[];
  trials: number;
  seed: number;
  /** Worker threads (default 1); the result does not depend on it. */
  workers?: number;
}

/**
 * Runs a whole study in memory and returns its summary: the library entry point behind
 * `compare`, `tune` and `check` when no files need writing. Trial k of every scenario gives
 * every policy the same build, start and confounders, so summaries of different policy
 * variants at the same seed and trial count are paired.
 */
export async function evaluate(options: EvaluateOptions): Promise<Summary> {
  const fold = new StudyFold({
    seed: options.seed,
    trials: options.trials,
    scenarios: options.scenarios.map((s) => s.name),
    policies: options.policies.map((p) => p.name),
  });
  for await (const chunk of runStudyChunks({
    scenarios: options.scenarios,
    policies: options.policies,
    trials: options.trials,
    seed: options.seed,
    workers: options.workers ?? 1,
  })) {
    fold.add(chunk);
  }
  return fold.summary();
}
