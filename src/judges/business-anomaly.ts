/**
 * Business-metric anomaly: the new hosts' checkouts against what the same hosts did at the
 * same time last week, the check teams add because a conversion drop has no technical signal
 * (a broken button fails no request). The seasonal expectation comes from last week's points
 * at the same times (`last-week`), or from a daily profile fitted to them (`daily-profile`:
 * rate(t) = b₀ + b₁cos(2πt/1 d) + b₂sin(2πt/1 d) by weighted least squares, which smooths
 * the per-interval noise of last week's data). The test is the exact conditional binomial test
 * for two Poisson rates (Przyborowski & Wilenski 1940): given the total checkouts, the canary's
 * share is Binomial(total, π) when its rate is (1 − minDropPct/100) × the seasonal one; the
 * measurement fails when P(X ≤ observed) ≤ alpha. Because the reference is itself a sample,
 * its noise is accounted for. alpha is per measurement: looking every interval at a
 * cumulative window repeats the test (use `sequential` for an always-valid rate test).
 */
import { z } from 'zod';
import { binomCdf, binomQuantile, rateDropPValue } from '../stats/binomial.js';
import { studentTCdf } from '../stats/student-t.js';
import type { MetricPoint } from '../world/types.js';
import { isRateMetric, isValidPoint, metricData, verdict } from './points.js';
import { formatNumber } from './threshold.js';
import type { JudgeModel, JudgeResult } from './types.js';

export const businessAnomalyParams = z
  .object({
    /** Where the expectation comes from. */
    reference: z.enum(['last-week', 'daily-profile']).default('last-week'),
    /** Per-measurement false-alarm rate. */
    alpha: z.number().gt(0).lt(1).default(0.01),
    /** Drop (percent of the expected rate) tolerated before failing: H₀ is a drop of this size. */
    minDropPct: z.number().min(0).lt(100).default(0),
    /**
     * `estimate`: measure overdispersion φ (Pearson χ²/df of last week's points around the
     * expectation) and test on counts divided by φ (quasi-Poisson), so ordinary week-to-week
     * variation is not read as a drop. `none`: trust the binomial variance.
     */
    overdispersion: z.enum(['estimate', 'none']).default('estimate'),
    /**
     * Past weeks compared with (`last-week` only). With 2 or more, the expectation is their mean
     * (log) rate over the window and the tolerance their own spread: a prediction interval for a
     * new week, Student's t with weeks − 1 degrees of freedom, so a series whose weeks differ by
     * several percent is not read as a drop every week.
     */
    weeks: z.number().int().min(1).max(8).default(1),
  })
  .refine((p) => p.weeks === 1 || p.reference === 'last-week', {
    message: 'weeks > 1 compares with past weeks directly: it needs reference: last-week',
    path: ['weeks'],
  });

export type BusinessAnomalyParams = z.output<typeof businessAnomalyParams>;

const DAY = 1440;
/** Below this span of seasonal data a daily harmonic is not identifiable: use the pooled rate. */
const MIN_PROFILE_SPAN = 180;

/** A fitted daily profile: the expected rate at a time. */
export type RateProfile = (t: number) => number;

/**
 * Fits rate(t) = b₀ + b₁cos(2πt/1440) + b₂sin(2πt/1440) to rate points by least squares
 * weighted by n; pure. Falls back to the pooled rate when the points span under 3 h or the
 * fit is singular. Rates are floored at a tenth of the pooled rate, as a profile can dip
 * below zero where it is extrapolated.
 */
export function fitDailyProfile(points: readonly MetricPoint[]): RateProfile {
  let sw = 0;
  let se = 0;
  let tMin = Infinity;
  let tMax = -Infinity;
  for (const p of points) {
    sw += p.n;
    se += p.events;
    tMin = Math.min(tMin, p.t);
    tMax = Math.max(tMax, p.t);
  }
  const pooled = sw > 0 ? se / sw : 0;
  const flat: RateProfile = () => pooled;
  if (points.length < 6 || tMax - tMin < MIN_PROFILE_SPAN) return flat;
  // Normal equations XᵀWX b = XᵀWy for the three harmonic regressors.
  const a = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const rhs = [0, 0, 0];
  for (const p of points) {
    const w = p.n;
    const y = p.events / p.n;
    const x = [1, Math.cos((2 * Math.PI * p.t) / DAY), Math.sin((2 * Math.PI * p.t) / DAY)];
    for (let i = 0; i < 3; i++) {
      rhs[i]! += w * x[i]! * y;
      for (let j = 0; j < 3; j++) a[3 * i + j]! += w * x[i]! * x[j]!;
    }
  }
  const b = solve3(a, rhs);
  if (b === undefined) return flat;
  const floor = pooled / 10;
  return (t) => {
    const v =
      b[0]! + b[1]! * Math.cos((2 * Math.PI * t) / DAY) + b[2]! * Math.sin((2 * Math.PI * t) / DAY);
    return v > floor ? v : floor;
  };
}

// Gaussian elimination with partial pivoting on a 3×3 system; undefined when near-singular.
function solve3(a: number[], rhs: number[]): number[] | undefined {
  const m = [0, 1, 2].map((i) => [a[3 * i]!, a[3 * i + 1]!, a[3 * i + 2]!, rhs[i]!]);
  const scale = Math.max(...a.map(Math.abs));
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    if (Math.abs(m[piv]![c]!) <= 1e-10 * scale) return undefined;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 4; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return [0, 1, 2].map((i) => m[i]![3]! / m[i]![i]!);
}

/** The figures behind a business-anomaly verdict. */
export interface BusinessAnomalyTest {
  pValue: number;
  /** Checkouts the canary would have had at last week's (or the profile's) rate. */
  expected: number;
  observed: number;
  /** Observed/expected − 1, in percent. */
  changePct: number;
  /** The count at or below which a measurement fails if the expectation were exact. */
  lowerBound: number;
  /** The overdispersion factor φ the test used (1 = binomial variance). */
  dispersion: number;
}

/**
 * Pearson χ² over degrees of freedom of the reference points around the expectation: the
 * factor by which their variance exceeds the binomial one (floored at 1; 1 with too few points).
 */
export function dispersion(
  points: readonly MetricPoint[],
  profile: RateProfile,
  fitted: number,
): number {
  let chi2 = 0;
  let k = 0;
  for (const p of points) {
    const mu = p.n * profile(p.t);
    if (!(mu > 0)) continue;
    chi2 += (p.events - mu) ** 2 / (mu * Math.max(1e-12, 1 - profile(p.t)));
    k++;
  }
  const df = k - fitted;
  if (df < 2) return 1;
  return Math.max(1, chi2 / df);
}

/** The figures behind a verdict against several past weeks. */
export interface WeeksTest {
  pValue: number;
  /** Checkouts the canary would have had at the weeks' mean rate. */
  expected: number;
  observed: number;
  changePct: number;
  /** The count at or below which a measurement fails. */
  lowerBound: number;
  /** Weeks with data the test used. */
  weeks: number;
  /** The weeks' spread: exp(sd of their log rates) − 1, in percent. */
  spreadPct: number;
}

/**
 * Tests the canary's rate against a prediction interval from past weeks; pure. Each week's
 * rate is taken over the canary's own interval times; on the log scale a new week's rate
 * should fall within mean ± t·s·√(1 + 1/k) of the k past ones (s their sample sd), widened
 * when the canary's own Poisson noise is larger than a week's. Returns undefined with fewer
 * than two weeks of data or no canary sample.
 */
export function testAgainstWeeks(
  canary: readonly MetricPoint[],
  weeks: readonly (readonly MetricPoint[])[],
  params: Pick<BusinessAnomalyParams, 'alpha' | 'minDropPct'>,
): WeeksTest | undefined {
  let ec = 0;
  let nc = 0;
  const times = new Set<number>();
  for (const p of canary) {
    ec += p.events;
    nc += p.n;
    times.add(p.t);
  }
  if (!(nc > 0)) return undefined;
  const logs: number[] = [];
  let poisson = 0;
  for (const week of weeks) {
    let e = 0;
    let n = 0;
    for (const p of week) {
      if (!times.has(p.t)) continue;
      e += p.events;
      n += p.n;
    }
    if (!(n > 0)) continue;
    // Half an event keeps an empty week's log finite (the usual continuity correction).
    logs.push(Math.log((e + 0.5) / n));
    poisson += 1 / (e + 0.5);
  }
  const k = logs.length;
  if (k < 2) return undefined;
  const mean = logs.reduce((a, b) => a + b, 0) / k;
  const s2 = logs.reduce((a, y) => a + (y - mean) ** 2, 0) / (k - 1);
  const own = 1 / (ec + 0.5);
  // A week's log rate carries its own Poisson noise inside s²; the canary's may be larger.
  const variance = Math.max(s2 * (1 + 1 / k) + Math.max(0, own - poisson / k), own);
  const sd = Math.sqrt(variance);
  const tolerated = mean + Math.log(1 - params.minDropPct / 100);
  const observedLog = Math.log((ec + 0.5) / nc);
  const pValue = studentTCdf((observedLog - tolerated) / sd, k - 1);
  const expected = nc * Math.exp(mean);
  const bound = nc * Math.exp(tolerated + tQuantile(params.alpha, k - 1) * sd) - 0.5;
  return {
    pValue,
    expected,
    observed: ec,
    changePct: (ec / expected - 1) * 100,
    lowerBound: Math.floor(bound),
    weeks: k,
    spreadPct: (Math.exp(Math.sqrt(s2)) - 1) * 100,
  };
}

/** Quantiles already found, by p and ν: a judge asks for the same one at every measurement. */
const T_QUANTILES = new Map<string, number>();

/** The p-quantile of Student's t with ν degrees of freedom, by bisection (p < 0.5 here). */
function tQuantile(p: number, nu: number): number {
  const key = `${p}:${nu}`;
  let q = T_QUANTILES.get(key);
  if (q === undefined) T_QUANTILES.set(key, (q = bisectTQuantile(p, nu)));
  return q;
}

function bisectTQuantile(p: number, nu: number): number {
  let lo = -1e6;
  let hi = 0;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Tests the canary's events against the seasonal expectation; pure. Returns undefined when
 * either side has no sample.
 */
export function testBusinessAnomaly(
  canary: readonly MetricPoint[],
  seasonal: readonly MetricPoint[],
  params: BusinessAnomalyParams,
): BusinessAnomalyTest | undefined {
  let ec = 0;
  let nc = 0;
  let es = 0;
  let ns = 0;
  for (const p of seasonal) {
    es += p.events;
    ns += p.n;
  }
  if (!(ns > 0)) return undefined;
  const pooled = es / ns;
  const profile = params.reference === 'daily-profile' ? fitDailyProfile(seasonal) : () => pooled;
  let expected = 0;
  for (const p of canary) {
    ec += p.events;
    nc += p.n;
    expected += p.n * profile(p.t);
  }
  if (!(nc > 0)) return undefined;
  // The canary's exposure in units of the reference rate: equal to nc for last-week.
  const exposure = pooled > 0 ? expected / pooled : nc;
  const ratio = 1 - params.minDropPct / 100;
  const phi =
    params.overdispersion === 'estimate'
      ? dispersion(seasonal, profile, params.reference === 'daily-profile' ? 3 : 1)
      : 1;
  // Quasi-Poisson: dividing counts by φ gives them the variance the data actually shows.
  const pValue = rateDropPValue(
    Math.round(ec / phi),
    exposure / phi,
    Math.round(es / phi),
    ns / phi,
    ratio,
  );
  const lowerRate = Math.min(1, (expected / nc) * ratio);
  // The largest count k with P(X ≤ k) ≤ alpha at the tolerated rate (−1 when none).
  const n = Math.round(nc);
  const q = binomQuantile(params.alpha, n, lowerRate);
  const lowerBound = binomCdf(q, n, lowerRate) <= params.alpha ? q : q - 1;
  return {
    pValue,
    dispersion: phi,
    expected,
    observed: ec,
    changePct: expected > 0 ? (ec / expected - 1) * 100 : NaN,
    lowerBound,
  };
}

export const businessAnomalyJudge: JudgeModel<BusinessAnomalyParams> = {
  kind: 'business-anomaly',
  summary: "Fails when the new hosts' checkouts fall below last week's rate by a binomial test.",
  params: businessAnomalyParams,
  metrics: (_params, checkMetric) => [checkMetric],
  seasonalWeeks: (params) => params.weeks,
  needs: { baseline: 'none', seasonal: true, before: false },
  defaultWindow: 'cumulative',
  create(params) {
    return {
      evaluate(input): JudgeResult {
        if (!isRateMetric(input.metric)) {
          return verdict(
            'error',
            `business-anomaly needs a rate metric such as conversion_rate, got ${input.metric}`,
          );
        }
        const data = metricData(input);
        const canary = (data?.canary ?? []).filter((p) => isValidPoint(input.metric, p));
        if (params.weeks > 1) {
          const weeks = (data?.seasonalWeeks ?? []).map((w) =>
            w.filter((p) => isValidPoint(input.metric, p)),
          );
          const w = testAgainstWeeks(canary, weeks, params);
          if (w === undefined) {
            return verdict(
              'inconclusive',
              canary.length === 0
                ? `no canary ${input.metric} data`
                : `fewer than two past weeks of ${input.metric} data`,
            );
          }
          const line = () =>
            `${formatNumber(w.observed)} events vs ${formatNumber(w.expected)} expected from ${w.weeks} weeks (${formatNumber(w.changePct)}%; weeks differ by ±${formatNumber(w.spreadPct)}%), p ${formatNumber(w.pValue)} (alpha ${params.alpha})`;
          return verdict(w.pValue <= params.alpha ? 'fail' : 'pass', line, { ...w });
        }
        const seasonal = (data?.seasonal ?? []).filter((p) => isValidPoint(input.metric, p));
        const r = testBusinessAnomaly(canary, seasonal, params);
        if (r === undefined) {
          return verdict(
            'inconclusive',
            `no ${seasonal.length === 0 ? 'seasonal' : 'canary'} ${input.metric} data`,
          );
        }
        const line = () =>
          `${formatNumber(r.observed)} events vs ${formatNumber(r.expected)} expected (${formatNumber(r.changePct)}%), p ${formatNumber(r.pValue)} (alpha ${params.alpha})`;
        return verdict(r.pValue <= params.alpha ? 'fail' : 'pass', line, { ...r });
      },
    };
  },
};
