import { liveRegistries } from '../config/registries.js';
import { runBoundTrial } from '../pipeline/executor.js';
import { bindPolicy } from '../pipeline/policy-binding.js';
import type { PolicyConfig } from '../policy/types.js';
import { bindScenario } from '../world/scenario-binding.js';
import { TrialCache } from '../world/trial-setup.js';
import type { ScenarioConfig } from '../world/types.js';
import { binomial, poisson, streamFor } from '../random/index.js';

/** CPU seconds (user + system) this process has used since `from`. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
}

/** Trial numbers the warm-up uses: far from the measured ones, so they are other trials. */
const WARMUP_TRIALS_FROM = 1_000_000;

/**
 * Trials per CPU-second of one policy on one scenario, in this thread (one core), in steady
 * state. Both are bound once, as a study binds them once per chunk. The policy first runs
 * other trials for `warmupSeconds` of CPU: V8 takes thousands of trials of a light policy to
 * finish optimising, and a fixed short warm-up made the figure depend on which policies ran
 * before (up to 3× for green-ci-only). Then trials 0, 1, 2, … run until `seconds` of CPU
 * have passed. CPU time (user + system of the process, which includes V8's collector and
 * compiler threads) rather than wall time, so the figure does not fall when other work
 * shares the machine.
 */
export function trialsPerSecond(
  scenario: ScenarioConfig,
  policy: PolicyConfig,
  { warmupSeconds, seconds }: { warmupSeconds: number; seconds: number },
): number {
  const bound = {
    scenario: bindScenario(scenario, liveRegistries),
    policy: bindPolicy(policy, liveRegistries.judges),
  };
  const run = (trial: number): void => {
    runBoundTrial({ ...bound, seed: 1, trial, cache: new TrialCache() });
  };
  const warm = process.cpuUsage();
  for (let trial = WARMUP_TRIALS_FROM; cpuSince(warm) < warmupSeconds; trial++) run(trial);
  const t0 = process.cpuUsage();
  let trials = 0;
  let used = 0;
  while (used < seconds) {
    run(trials++);
    used = cpuSince(t0);
  }
  return trials / used;
}

/**
 * Drawing one interval's error count: the analytic way (Poisson requests, binomial errors:
 * constant cost) against the naive per-request loop (a Bernoulli draw per request), at
 * `requests` expected requests per interval. Returns intervals per second for each.
 */
export function intervalDraws(
  requests: number,
  intervals: number,
): { analytic: number; perRequest: number } {
  const rng = streamFor({ seed: 1, trial: 0, purpose: 'bench:draws' });
  const p = 0.002;
  let sink = 0;
  let t0 = performance.now();
  for (let i = 0; i < intervals; i++) {
    const n = poisson(rng, requests);
    sink += binomial(rng, n, p);
  }
  const analytic = intervals / ((performance.now() - t0) / 1000);
  const naiveIntervals = Math.max(1, Math.floor(intervals / 1000));
  t0 = performance.now();
  for (let i = 0; i < naiveIntervals; i++) {
    // One uniform per request for its failure (the request count itself still drawn analytically).
    const n = poisson(rng, requests);
    for (let r = 0; r < n; r++) if (rng.next() < p) sink++;
  }
  const perRequest = naiveIntervals / ((performance.now() - t0) / 1000);
  if (sink < 0) throw new Error('unreachable');
  return { analytic, perRequest };
}
