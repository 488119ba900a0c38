/** The figures a compare run produces; the report writers read only these. */

export interface RateWithInterval {
  count: number;
  /** count / denominator; 0 when the denominator is 0. */
  rate: number;
  /** Wilson 95% interval. */
  lo: number;
  hi: number;
  /** The denominator (bad builds for shippedBad, good builds for blockedGood). */
  of: number;
}

export interface Distribution {
  /** How many values the figures summarise. */
  n: number;
  mean: number;
  p50: number;
  p90: number;
}

/** How many builds one check stopped, and the first trial it did so in (for `gatesim explain`). */
export interface CheckTally {
  count: number;
  /** The lowest trial index among them: replay it with `gatesim explain --trial`. */
  exampleTrial: number;
}

/** The key under which good builds that no check stopped but that never shipped (a stalled rollout) are tallied. */
export const NOT_STOPPED = '(stalled)';

/** Shipped bad builds whose fault first showed while the policy's checks still ran. */
export const SHOWED_WHILE_CHECKED = 'while checked';
/** Shipped bad builds whose fault first showed only after the last check stopped: none could see it. */
export const SHOWED_AFTER_CHECKS = 'after the last check';

export interface PairResult {
  scenario: string;
  policy: string;
  trials: number;
  badBuilds: number;
  goodBuilds: number;
  shippedBad: RateWithInterval;
  blockedGood: RateWithInterval;
  /**
   * First customer exposure to the stop decision, over the bad builds detected in production
   * (`n` of them; CI, drill and staging catches excluded). No values (`n` = 0): mean and
   * quantiles are NaN (null in summary.json, – in the reports).
   */
  timeToDetectMin: Distribution;
  rollback: { attempts: number; successes: number; successRate: number };
  impact: {
    failedRequests: number;
    slowRequests: number;
    lostCheckouts: number;
    lostRevenue: number;
    failedRequestsPerBadBuild: number;
    lostCheckoutsPerBadBuild: number;
  };
  escapeImpact: { failedRequests: number; lostCheckouts: number };
  /** Deploy start to 100%, over the good builds that shipped (`n` of them). */
  leadTimeMin: Distribution;
  /** Where good builds' rollout time goes, over every good build. */
  leadTimeSplit: LeadTimeSplit;
  /** Good builds a day the policy lets through, if builds queued back to back (1440 / mean lead time of good builds). */
  deploysPerDay: number;
  /**
   * Extra capacity the fresh baselines cost (`baselineScope: fresh`): host-hours per trial,
   * over every trial; 0 for a policy without one.
   */
  freshBaselineHostHoursPerTrial: number;
  dora: {
    /** Shipped (reached 100%) builds that were bad: an incident or a rollback after 100%. */
    changeFailureRate: number;
    /** Fault onset to the old build serving again (minutes), over bad builds that were restored. */
    timeToRestoreMin: Distribution;
    /** Successful good deploys per day at the policy's lead time. */
    deploymentFrequencyPerDay: number;
  };
  /** Histogram of time to detect (minutes) for the HTML chart: bucket upper edges (−1: the open last bucket, as JSON has no Infinity) and counts. */
  ttdHistogram: { edges: number[]; counts: number[] };
  friday: FridayTest | undefined;
  outcomes: Record<string, number>;
  /**
   * Bad builds by the check (or `ci`, `drill`) whose verdict stopped them (`detectedBy`),
   * including those whose rollback then failed. Bad builds no check stopped are not listed.
   */
  caughtBy: Record<string, CheckTally>;
  /** Good builds blocked, by the check that stopped them; `(stalled)` for a rollout that never finished. */
  blockedBy: Record<string, CheckTally>;
  /**
   * Of those, the builds that carried a fault whose effect stays under the impact bar (a bad
   * template's build, labelled good): a block that found a real defect, not a false alarm.
   * Absent in summaries written before it existed.
   */
  blockedGoodWithFault?: Record<string, CheckTally>;
  /**
   * Shipped bad builds by when their fault first showed in production: `while checked` (a check
   * could have seen it) or `after the last check` (only a longer watch could have).
   */
  shippedBadWhen: Record<string, CheckTally>;
}

/**
 * Lead time split into active time and each kind of wait, over every good build. A good
 * build that never reached 100% (blocked, rolled back, stalled) is counted until its rollout
 * stopped, and `notShipped` says how many did: the figure is the time good builds spend in
 * the pipeline, not only the time of those that made it. Means, since means add up:
 * active + window + person + bake = total.
 */
export interface LeadTimeSplit {
  /** Good builds the means are over (every good build). */
  builds: number;
  /** Of them, those that never reached 100%. */
  notShipped: number;
  /** Mean minutes per good build: until 100% or the stop, and its parts. */
  meanMin: { total: number; active: number; window: number; person: number; bake: number };
}

/** The weekend page: is a bad build started Friday 16:00 still hurting two hours later? */
export interface FridayTest {
  trials: number;
  friday: RateWithInterval;
  tuesday: RateWithInterval;
  /** Friday's chance is no higher than Tuesday morning's (McNemar, two-sided 5%, or equal). */
  passes: boolean;
  pValue: number;
  /**
   * Still hurting customers at the next working morning: Monday 09:00 local for a Friday
   * 16:00 start, Wednesday 09:00 for a Tuesday 10:00 one (people's working hours, or the
   * schedule's when people are always at work). The absolute figure the paired test hides.
   */
  fridayMorning: RateWithInterval;
  tuesdayMorning: RateWithInterval;
  /** Minutes from each start to its next working morning. */
  morningAfterMin: { friday: number; tuesday: number };
  /** Customer impact from the start until the next working morning, per bad build (mean). */
  impactToMorning: {
    friday: { failedRequests: number; lostCheckouts: number };
    tuesday: { failedRequests: number; lostCheckouts: number };
  };
}

export interface Comparison {
  scenario: string;
  a: string;
  b: string;
  metric: 'shippedBad' | 'blockedGood';
  /** rate(a) − rate(b), paired over the same trials. */
  diff: number;
  /** Discordant pairs: a bad (shipped / blocked) and b not, and the reverse. */
  aOnly: number;
  bOnly: number;
  pValue: number;
}

/** The budgets the report colours rates against: shares in [0, 1]. */
export interface ReportBudgets {
  shippedBad: number;
  blockedGood: number;
}

export interface Summary {
  seed: number;
  trialsPerPair: number;
  /** Shard spec when the run was a slice ("i/n"), absent for a whole run. */
  shard?: string;
  scenarios: string[];
  policies: string[];
  results: PairResult[];
  comparisons: Comparison[];
  /** Each scenario's and policy's `description:` by name (empty when the file has none). */
  descriptions?: { scenarios: Record<string, string>; policies: Record<string, string> };
  /** The policy the report compares every other against (`compare --reference`). */
  reference?: string;
  /** The budgets the report's overview colours against (`compare --max-shipped-bad`, `--max-blocked-good`). */
  budgets?: ReportBudgets;
}
