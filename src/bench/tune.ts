/**
 * The fixed tune study of the goal (the flagship policy, three parameters, budget 32,
 * four scenarios, 200 trials), timed as `tune` runs it and as a naive script would: every
 * setting the study evaluated, for the trials it gave it, through its own `compare` run (its
 * own chunks, so a trial's world is set up again for each setting, with compare's Friday test,
 * rows and pairs). Both see the same trials, so their figures must agree; `sameFigures` says
 * whether they do (the Friday test aside, which tune does not make, and the setting's name).
 */
import { join } from 'node:path';
import { loadScenario, readConfigFile } from '../config/index.js';
import { evaluate } from '../eval/evaluate.js';
import type { PairResult } from '../eval/types.js';
import { tune } from '../tune/index.js';
import { parseParamSpec } from '../tune/params.js';
import { PolicyTemplate } from '../tune/template.js';

export const TUNE_STUDY = {
  policy: 'policies/truthful.yaml',
  scenarios: [
    'scenarios/baseline-healthy.yaml',
    'scenarios/error-spike-under-peak.yaml',
    'scenarios/concurrent-deploys.yaml',
    'scenarios/mixed-realistic.yaml',
  ],
  params: [
    'stages[1].bake=10m..40m',
    'watch.duration=1h..6h',
    // The sustained error alert's threshold (truthful's is 0.8%).
    'watch.checks[4].judge.max=0.005..0.02:log',
  ],
  budget: 32,
  trials: 200,
  seed: 1,
};

export interface TuneTiming {
  /** Wall seconds of `tune`. */
  seconds: number;
  /** Wall seconds of the same settings and trials, each setting through its own compare run. */
  naiveSeconds: number;
  /** Settings evaluated, and trial runs (setting × scenario × trial) in all. */
  settings: number;
  trialRuns: number;
  /** Every setting's per-scenario figures are the same both ways (Friday test aside). */
  sameFigures: boolean;
}

export async function timeTuneStudy(root: string, workers: number): Promise<TuneTiming> {
  const s = TUNE_STUDY;
  const scenarios = s.scenarios.map((f) => loadScenario(join(root, f)));
  const policyFile = join(root, s.policy);
  const t0 = performance.now();
  const r = await tune({
    policyFile,
    scenarios,
    params: s.params,
    budget: s.budget,
    trials: s.trials,
    seed: s.seed,
    workers,
  });
  const seconds = (performance.now() - t0) / 1000;

  const template = PolicyTemplate.open(
    readConfigFile(policyFile),
    policyFile,
    s.params.map((p) => parseParamSpec(p)),
    scenarios,
  );
  // The search labels a setting by its values where compare names it by its file.
  const figures = (rs: readonly PairResult[]) =>
    rs.map((x) => JSON.stringify({ ...x, policy: undefined, friday: undefined }));
  let sameFigures = true;
  let trialRuns = 0;
  const t1 = performance.now();
  for (const c of r.candidates) {
    const summary = await evaluate({
      scenarios,
      policies: [template.config(c.values, c.label)],
      trials: c.trials,
      seed: s.seed,
      workers,
    });
    trialRuns += c.trials * scenarios.length;
    const a = figures(c.perScenario);
    const b = figures(summary.results);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) sameFigures = false;
  }
  const naiveSeconds = (performance.now() - t1) / 1000;
  return { seconds, naiveSeconds, settings: r.candidates.length, trialRuns, sameFigures };
}
