/**
 * Runs a study and keeps what a summary alone does not: each trial's outcome per policy
 * (for paired McNemar tests against a saved baseline) and the raw times to detect and lead
 * times (for quantiles judged on their interval).
 */
import { isBlockedGood, isShippedBad, timeToDetect } from '../eval/aggregate.js';
import type { TrialRow } from '../eval/chunk.js';
import { runStudyChunks, StudyFold } from '../eval/study.js';
import type { PairResult, Summary } from '../eval/types.js';
import type { TrialOutcome } from '../pipeline/types.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';

/**
 * One trial's outcome as a letter: `S` a bad build shipped, `C` a bad build contained
 * (blocked, rolled back or never finished), `B` a good build blocked, `P` a good build passed.
 */
export type OutcomeLetter = 'S' | 'C' | 'B' | 'P';

/** The letter for one trial's outcome. */
export function outcomeLetter(row: TrialRow): OutcomeLetter {
  // The ground-truth predicates read only the build and how it ended, never the timeline.
  const o = row as TrialOutcome;
  if (o.build.bad) return isShippedBad(o) ? 'S' : 'C';
  return isBlockedGood(o) ? 'B' : 'P';
}

/** One policy on one scenario, with per-trial detail. */
export interface PolicyRun {
  scenario: string;
  policy: string;
  result: PairResult;
  /** One {@link OutcomeLetter} per trial, trial 0 first. */
  outcomes: string;
  /** Minutes to detect, for every bad build that was stopped. */
  ttdMinutes: number[];
  /** Minutes from start to 100%, for every good build that shipped. */
  leadTimeMinutes: number[];
  /** The same figures trial by trial (trial 0 first), for paired comparisons with a baseline. */
  perTrial: PerTrial;
}

/**
 * One value per trial, trial 0 first; null where the trial has none (a bad build nobody
 * stopped has no time to detect, a good build that was blocked no lead time).
 */
export interface PerTrial {
  ttd: (number | null)[];
  leadTime: (number | null)[];
  /** Requests that failed because of the build, over the whole trial. */
  failedRequests: number[];
  lostCheckouts: number[];
}

export interface CollectedStudy {
  seed: number;
  trials: number;
  summary: Summary;
  /** Indexed [scenario][policy] in the order given. */
  runs: PolicyRun[][];
}

export interface CollectOptions {
  scenarios: readonly ScenarioConfig[];
  policies: readonly PolicyConfig[];
  trials: number;
  seed: number;
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Runs every policy on every scenario (the same seeded trials for all) and collects the detail. */
export async function collectStudy(o: CollectOptions): Promise<CollectedStudy> {
  const fold = new StudyFold({
    seed: o.seed,
    trials: o.trials,
    scenarios: o.scenarios.map((s) => s.name),
    policies: o.policies.map((p) => p.name),
  });
  const letters = o.scenarios.map(() =>
    o.policies.map(() => new Array<string>(o.trials).fill('?')),
  );
  const ttd = o.scenarios.map(() => o.policies.map((): number[] => []));
  const lead = o.scenarios.map(() => o.policies.map((): number[] => []));
  const perTrial = o.scenarios.map(() =>
    o.policies.map((): PerTrial => ({
      ttd: new Array<number | null>(o.trials).fill(null),
      leadTime: new Array<number | null>(o.trials).fill(null),
      failedRequests: new Array<number>(o.trials).fill(0),
      lostCheckouts: new Array<number>(o.trials).fill(0),
    })),
  );
  const scenarioIndex = new Map(o.scenarios.map((s, i) => [s.name, i]));
  const policyIndex = new Map(o.policies.map((p, i) => [p.name, i]));
  for await (const chunk of runStudyChunks({
    scenarios: o.scenarios,
    policies: o.policies,
    trials: o.trials,
    seed: o.seed,
    workers: o.workers ?? 1,
    ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
  })) {
    fold.add(chunk);
    const s = scenarioIndex.get(chunk.scenario)!;
    for (const row of chunk.rows) {
      const p = policyIndex.get(row.policy)!;
      letters[s]![p]![row.trial] = outcomeLetter(row);
      const t = timeToDetect(row as TrialOutcome);
      const each = perTrial[s]![p]!;
      if (t !== undefined) {
        ttd[s]![p]!.push(t);
        each.ttd[row.trial] = t;
      }
      if (!row.build.bad && row.final === 'shipped' && row.shippedAt !== undefined) {
        lead[s]![p]!.push(row.shippedAt);
        each.leadTime[row.trial] = row.shippedAt;
      }
      each.failedRequests[row.trial] = row.impact.failedRequests;
      each.lostCheckouts[row.trial] = row.impact.lostCheckouts;
    }
  }
  const summary = fold.summary();
  const runs = o.scenarios.map((sc, s) =>
    o.policies.map((pol, p) => ({
      scenario: sc.name,
      policy: pol.name,
      result: summary.results.find((r) => r.scenario === sc.name && r.policy === pol.name)!,
      outcomes: letters[s]![p]!.join(''),
      ttdMinutes: ttd[s]![p]!,
      leadTimeMinutes: lead[s]![p]!,
      perTrial: perTrial[s]![p]!,
    })),
  );
  return { seed: o.seed, trials: o.trials, summary, runs };
}
