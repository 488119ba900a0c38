/**
 * Baselines: a saved run of a policy (typically the one on the main branch) that a later run
 * of the same seed and trials is compared with, trial by trial. Trial k gives both runs the
 * same build, start time and confounders, so each trial is a matched pair, and McNemar's
 * exact test on the discordant pairs says whether the new policy is worse beyond chance.
 *
 * The file (`check --save-baseline FILE`) is JSON:
 * `{ gatesimBaseline: 1, policy, seed, trials, scenarios: { <name>: { outcomes } }, summary }`
 * where `outcomes` has one letter per trial (S bad shipped, C bad contained, B good blocked,
 * P good passed) and `summary` is the run's summary, as in compare's summary.json.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { GatesimError } from '../errors.js';
import type { Summary } from '../eval/types.js';
import { mcnemar } from '../stats/index.js';
import type { CollectedStudy, PerTrial } from './collect.js';
import { pairedDifferenceInterval } from './paired-interval.js';

/**
 * One scenario of a baseline: the outcome letters and, from files saved by this version on,
 * the per-trial times and impact the paired comparisons of TTD, lead time and impact need.
 */
export type BaselineScenario = { outcomes: string } & Partial<PerTrial>;

/** A saved baseline. */
export interface BaselineFile {
  gatesimBaseline: 1;
  policy: string;
  seed: number;
  trials: number;
  scenarios: Record<string, BaselineScenario>;
  summary: Summary;
}

/** The baseline of policy `p` (an index into the study's policies). */
export function makeBaseline(study: CollectedStudy, p: number): BaselineFile {
  const first = study.runs[0]?.[p];
  const policy = first?.policy ?? '';
  const scenarios: Record<string, BaselineScenario> = {};
  for (const row of study.runs)
    scenarios[row[p]!.scenario] = { outcomes: row[p]!.outcomes, ...row[p]!.perTrial };
  return {
    gatesimBaseline: 1,
    policy,
    seed: study.seed,
    trials: study.trials,
    scenarios,
    summary: {
      ...study.summary,
      policies: [policy],
      results: study.summary.results.filter((r) => r.policy === policy),
      comparisons: [],
    },
  };
}

/** Renders a baseline as the file holds it. */
export function renderBaseline(b: BaselineFile): string {
  return JSON.stringify(b, null, 2) + '\n';
}

const baselineSchema = z.object({
  gatesimBaseline: z.literal(1),
  policy: z.string(),
  seed: z.number().int().min(0),
  trials: z.number().int().min(1),
  scenarios: z.record(
    z.string(),
    z.object({
      outcomes: z.string().regex(/^[SCBP]*$/),
      ttd: z.array(z.number().min(0).nullable()).optional(),
      leadTime: z.array(z.number().min(0).nullable()).optional(),
      failedRequests: z.array(z.number().min(0)).optional(),
      lostCheckouts: z.array(z.number().min(0)).optional(),
    }),
  ),
  summary: z.looseObject({}),
});

/**
 * Reads a baseline file.
 * @throws GatesimError when the file is missing, is not JSON, or is not a baseline (a compare
 * summary.json has no per-trial outcomes, so it cannot be paired; the message says so).
 */
export async function readBaseline(file: string): Promise<BaselineFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new GatesimError('file-not-found', `--baseline ${file}: no such file`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new GatesimError(
      'bad-baseline',
      `--baseline ${file}: not JSON (${(e as Error).message})`,
    );
  }
  if (
    typeof data === 'object' &&
    data !== null &&
    'results' in data &&
    !('gatesimBaseline' in data)
  ) {
    throw new GatesimError(
      'bad-baseline',
      `--baseline ${file}: this is a summary.json without per-trial outcomes, which a paired test needs; ` +
        'save a baseline with `gatesim check --policy <file> --save-baseline <file>` (same seed and trials)',
    );
  }
  const r = baselineSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new GatesimError(
      'bad-baseline',
      `--baseline ${file}: not a gatesim baseline (${issue.path.join('.') || 'top level'}: ${issue.message})`,
    );
  }
  const scenarios: Record<string, BaselineScenario> = {};
  for (const [name, s] of Object.entries(r.data.scenarios)) {
    if (s.outcomes.length !== r.data.trials)
      throw new GatesimError(
        'bad-baseline',
        `--baseline ${file}: scenario ${name} has ${s.outcomes.length} outcomes for ${r.data.trials} trials`,
      );
    for (const key of ['ttd', 'leadTime', 'failedRequests', 'lostCheckouts'] as const) {
      const values = s[key];
      if (values !== undefined && values.length !== r.data.trials)
        throw new GatesimError(
          'bad-baseline',
          `--baseline ${file}: scenarios.${name}.${key} has ${values.length} values for ${r.data.trials} trials`,
        );
    }
    // Optional keys stay absent rather than undefined (exactOptionalPropertyTypes).
    scenarios[name] = Object.fromEntries(
      Object.entries(s).filter(([, v]) => v !== undefined),
    ) as BaselineScenario;
  }
  // The summary is kept for people and tools; the comparison reads only the per-trial data.
  return { ...r.data, scenarios, summary: r.data.summary as unknown as Summary };
}

/** A paired comparison of one rate on one scenario. */
export interface Regression {
  scenario: string;
  metric: 'shipped-bad' | 'blocked-good';
  /** Bad builds (shipped-bad) or good builds (blocked-good): the denominator. */
  of: number;
  baselineCount: number;
  currentCount: number;
  /** currentRate − baselineRate. */
  diff: number;
  /** Trials where only the new policy did badly, and where only the baseline did. */
  worseOnly: number;
  betterOnly: number;
  /** McNemar exact, two-sided. */
  pValue: number;
  /** 95% interval of the paired difference currentRate − baselineRate (Newcombe's method 10). */
  interval: { lo: number; hi: number };
  /**
   * The non-inferiority margin this rate was judged on (shipped-bad under `--margin`):
   * worse when the interval's upper end is above it. Undefined: judged by McNemar.
   */
  margin: number | undefined;
  /**
   * `worse`: significantly worse at 5% (McNemar), or under a margin not shown to be within it;
   * `better`: significantly better; else `same`.
   */
  verdict: 'worse' | 'better' | 'same';
}

/** The significance level of the paired test. */
export const REGRESSION_ALPHA = 0.05;

/**
 * Compares two runs' per-trial outcomes on one scenario.
 * @throws GatesimError when the trials do not pair (a build good in one run and bad in the
 * other means the scenario, its file or the seed differ from the baseline's).
 */
export function compareOutcomes(
  scenario: string,
  current: string,
  baseline: string,
  shippedBadMargin?: number,
): Regression[] {
  if (current.length !== baseline.length)
    throw new GatesimError(
      'baseline-mismatch',
      `baseline for ${scenario} has ${baseline.length} trials, this run ${current.length}`,
    );
  const bad = (c: string): boolean => c === 'S' || c === 'C';
  const tally = {
    bad: 0,
    good: 0,
    sB: 0,
    sC: 0,
    sWorse: 0,
    sBetter: 0,
    bB: 0,
    bC: 0,
    bWorse: 0,
    bBetter: 0,
  };
  for (let k = 0; k < current.length; k++) {
    const c = current[k]!;
    const b = baseline[k]!;
    if (bad(c) !== bad(b))
      throw new GatesimError(
        'baseline-mismatch',
        `trial ${k} of ${scenario} had a ${bad(b) ? 'bad' : 'good'} build in the baseline and a ${bad(c) ? 'bad' : 'good'} one now: ` +
          "the scenario or the seed differs from the baseline's, so the trials do not pair",
      );
    if (bad(c)) {
      tally.bad++;
      if (b === 'S') tally.sB++;
      if (c === 'S') tally.sC++;
      if (c === 'S' && b !== 'S') tally.sWorse++;
      if (b === 'S' && c !== 'S') tally.sBetter++;
    } else {
      tally.good++;
      if (b === 'B') tally.bB++;
      if (c === 'B') tally.bC++;
      if (c === 'B' && b !== 'B') tally.bWorse++;
      if (b === 'B' && c !== 'B') tally.bBetter++;
    }
  }
  const one = (
    metric: Regression['metric'],
    of: number,
    baselineCount: number,
    currentCount: number,
    worseOnly: number,
    betterOnly: number,
    margin: number | undefined,
  ): Regression => {
    const { pValue } = mcnemar(worseOnly, betterOnly);
    const significant = pValue < REGRESSION_ALPHA;
    // Trials where both or neither did badly: the table's concordant cells.
    const both = baselineCount - betterOnly;
    const { lo, hi } = pairedDifferenceInterval({
      both,
      onlyFirst: worseOnly,
      onlySecond: betterOnly,
      neither: of - both - worseOnly - betterOnly,
    });
    const worse =
      margin === undefined ? significant && worseOnly > betterOnly : of > 0 && hi > margin;
    return {
      scenario,
      metric,
      of,
      baselineCount,
      currentCount,
      diff: of > 0 ? (currentCount - baselineCount) / of : 0,
      worseOnly,
      betterOnly,
      pValue,
      interval: { lo, hi },
      margin,
      verdict: worse ? 'worse' : significant && betterOnly > worseOnly ? 'better' : 'same',
    };
  };
  return [
    one(
      'shipped-bad',
      tally.bad,
      tally.sB,
      tally.sC,
      tally.sWorse,
      tally.sBetter,
      shippedBadMargin,
    ),
    one('blocked-good', tally.good, tally.bB, tally.bC, tally.bWorse, tally.bBetter, undefined),
  ];
}
