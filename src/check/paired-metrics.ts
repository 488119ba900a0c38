/**
 * Paired comparisons of time to detect, lead time and impact with a baseline. Trial k of a
 * scenario gives both policies the same build, start and world, so each trial where both
 * have a value is a matched pair: time to detect on bad builds both stopped, lead time on
 * good builds both shipped, failed requests and lost checkouts on every bad build.
 *
 * The rule: the new policy is worse when its values exceed the baseline's by more than the
 * allowance, beyond chance. With an allowance of a (minutes or a count) the differences
 * tested are new − base − a; with a relative allowance r they are new − (1 + r)·base. The
 * Wilcoxon signed-rank test (two-sided, 5%) on those differences says `worse` when it is
 * significant and the differences lean positive. Otherwise the plain differences new − base
 * are tested the same way, and a significant lean the other way says `better`.
 */
import { REGRESSION_ALPHA } from './baseline.js';
import type { BaselineScenario } from './baseline.js';
import type { PerTrial } from './collect.js';
import type { Allowance } from './options.js';
import { signedRank } from './signed-rank.js';

/** The paired figures compared with a baseline; larger is worse on each. */
export type PairedMetric = 'ttd' | 'lead-time' | 'failed-requests' | 'lost-checkouts';

/** Allowed worsening per figure; failed requests and lost checkouts share the impact one. */
export interface Allowances {
  ttd: Allowance;
  leadTime: Allowance;
  impact: Allowance;
}

export interface MetricComparison {
  scenario: string;
  metric: PairedMetric;
  /** Trials where both policies have a value. */
  pairs: number;
  /** Medians over the pairs (NaN with none). */
  baselineMedian: number;
  currentMedian: number;
  /** Median of the paired differences new − base. */
  medianChange: number;
  /** Mean of the paired differences: with most pairs equal the median is 0 and says little. */
  meanChange: number;
  /** Pairs where the new policy's value is larger (worse), and smaller. */
  worsePairs: number;
  betterPairs: number;
  allowance: Allowance;
  /** The signed-rank p-value that decided the verdict (two-sided). */
  pValue: number;
  verdict: 'worse' | 'better' | 'same' | 'n/a';
  /** Why a comparison is n/a. */
  note: string | undefined;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Which trials a metric pairs on, and where its values are. */
const METRICS: readonly {
  metric: PairedMetric;
  key: keyof PerTrial;
  allowance: keyof Allowances;
  /** Trials that count: bad builds (b) or good ones (g). */
  on: 'bad' | 'good';
  none: string;
}[] = [
  {
    metric: 'ttd',
    key: 'ttd',
    allowance: 'ttd',
    on: 'bad',
    none: 'no bad build stopped by both',
  },
  {
    metric: 'lead-time',
    key: 'leadTime',
    allowance: 'leadTime',
    on: 'good',
    none: 'no good build shipped by both',
  },
  {
    metric: 'failed-requests',
    key: 'failedRequests',
    allowance: 'impact',
    on: 'bad',
    none: 'no bad builds',
  },
  {
    metric: 'lost-checkouts',
    key: 'lostCheckouts',
    allowance: 'impact',
    on: 'bad',
    none: 'no bad builds',
  },
];

/**
 * Compares one scenario's per-trial figures with the baseline's. `outcomes` are the letters
 * of the current run (bad builds are S or C; a pairing check has already matched them).
 * A baseline saved without per-trial figures gives n/a rows that say so.
 */
export function compareMetrics(
  scenario: string,
  outcomes: string,
  current: PerTrial,
  baseline: BaselineScenario,
  allowances: Allowances,
): MetricComparison[] {
  return METRICS.map((m) => {
    const allowance = allowances[m.allowance];
    const base = baseline[m.key];
    const empty = (note: string): MetricComparison => ({
      scenario,
      metric: m.metric,
      pairs: 0,
      baselineMedian: NaN,
      currentMedian: NaN,
      medianChange: NaN,
      meanChange: NaN,
      worsePairs: 0,
      betterPairs: 0,
      allowance,
      pValue: 1,
      verdict: 'n/a',
      note,
    });
    if (base === undefined)
      return empty('the baseline file has no per-trial figures: save it again with this version');
    const now: number[] = [];
    const before: number[] = [];
    const cur = current[m.key];
    for (let k = 0; k < outcomes.length; k++) {
      const bad = outcomes[k] === 'S' || outcomes[k] === 'C';
      if (bad !== (m.on === 'bad')) continue;
      const x = cur[k];
      const y = base[k];
      if (x === null || x === undefined || y === null || y === undefined) continue;
      now.push(x);
      before.push(y);
    }
    if (now.length === 0) return empty(m.none);
    const shifted = now.map((x, i) =>
      allowance.kind === 'relative'
        ? x - (1 + allowance.share) * before[i]!
        : x - before[i]! - allowance.amount,
    );
    const plain = now.map((x, i) => x - before[i]!);
    const worseTest = signedRank(shifted);
    const leansUp = worseTest.wPlus > (worseTest.n * (worseTest.n + 1)) / 4;
    const worse = worseTest.pValue < REGRESSION_ALPHA && leansUp;
    const plainTest = signedRank(plain);
    const leansDown = plainTest.wPlus < (plainTest.n * (plainTest.n + 1)) / 4;
    const better = !worse && plainTest.pValue < REGRESSION_ALPHA && leansDown;
    return {
      scenario,
      metric: m.metric,
      pairs: now.length,
      baselineMedian: median(before),
      currentMedian: median(now),
      medianChange: median(plain),
      meanChange: plain.reduce((a, b) => a + b, 0) / plain.length,
      worsePairs: plain.filter((x) => x > 0).length,
      betterPairs: plain.filter((x) => x < 0).length,
      allowance,
      pValue: worse || !better ? worseTest.pValue : plainTest.pValue,
      verdict: worse ? 'worse' : better ? 'better' : 'same',
      note: undefined,
    };
  });
}
