import { mcnemar, wilsonInterval } from '../stats/index.js';
import type { FinalState, TrialOutcome } from '../pipeline/types.js';
import { GOOD_TEMPLATE } from '../world/trial-setup.js';
import {
  addToHistogram,
  bucketMid as bucketMidOf,
  histogramQuantile,
  mergeHistograms,
  type Histogram,
} from './histogram.js';
import {
  NOT_STOPPED,
  SHOWED_AFTER_CHECKS,
  SHOWED_WHILE_CHECKED,
  type CheckTally,
  type Comparison,
  type Distribution,
  type FridayTest,
  type LeadTimeSplit,
  type PairResult,
  type RateWithInterval,
} from './types.js';

/**
 * Partial figures for one (scenario, policy) over a chunk of trials. Every field is a count,
 * a sum or a histogram, so partials fold in chunk order into exactly the same result
 * whether the chunks ran in one process, many workers or many shards.
 */
export interface PairPartial {
  trials: number;
  bad: number;
  good: number;
  shippedBad: number;
  blockedGood: number;
  ttd: Histogram;
  ttdSum: number;
  ttdN: number;
  rollbackAttempts: number;
  rollbackSuccesses: number;
  failedRequests: number;
  slowRequests: number;
  lostCheckouts: number;
  lostRevenue: number;
  badFailedRequests: number;
  badLostCheckouts: number;
  escapeFailedRequests: number;
  escapeLostCheckouts: number;
  lead: Histogram;
  leadSum: number;
  leadN: number;
  /** Sums over every good build of its rollout time and waits (see LeadTimeSplit). */
  splitN: number;
  splitNotShipped: number;
  splitTotal: number;
  splitWindow: number;
  splitPerson: number;
  splitBake: number;
  shipped: number;
  shippedThenFailed: number;
  /** Host-minutes of fresh baselines over every trial. */
  freshBaselineHostMin: number;
  restore: Histogram;
  restoreSum: number;
  restoreN: number;
  outcomes: Record<string, number>;
  friday: FridayPartial;
  /** Bad builds by the check that stopped them; see PairResult.caughtBy. */
  caughtBy: Record<string, CheckTally>;
  /** Good builds blocked, by the check that stopped them; see PairResult.blockedBy. */
  blockedBy: Record<string, CheckTally>;
  /** The blocked good builds that carried a fault under the impact bar; see PairResult. */
  blockedGoodWithFault: Record<string, CheckTally>;
  /** Shipped bad builds, by when their fault first showed; see PairResult.shippedBadWhen. */
  shippedBadWhen: Record<string, CheckTally>;
}

export interface FridayPartial {
  n: number;
  friday: number;
  tuesday: number;
  fridayOnly: number;
  tuesdayOnly: number;
  /** Still hurting at the next working morning (Monday 09:00; Wednesday 09:00 for Tuesday). */
  fridayMorning: number;
  tuesdayMorning: number;
  /** Sums of the minutes from the start to that morning (the same for every replay of a scenario). */
  fridayMorningMin: number;
  tuesdayMorningMin: number;
  /** Sums of the impact from the start until that morning. */
  fridayFailedRequests: number;
  tuesdayFailedRequests: number;
  fridayLostCheckouts: number;
  tuesdayLostCheckouts: number;
}

function emptyFriday(): FridayPartial {
  return {
    n: 0,
    friday: 0,
    tuesday: 0,
    fridayOnly: 0,
    tuesdayOnly: 0,
    fridayMorning: 0,
    tuesdayMorning: 0,
    fridayMorningMin: 0,
    tuesdayMorningMin: 0,
    fridayFailedRequests: 0,
    tuesdayFailedRequests: 0,
    fridayLostCheckouts: 0,
    tuesdayLostCheckouts: 0,
  };
}

/** Discordant-pair counts for one pair of policies on one scenario. */
export interface PairwisePartial {
  a: string;
  b: string;
  shippedBadA: number;
  shippedBadB: number;
  shippedBadAOnly: number;
  shippedBadBOnly: number;
  bad: number;
  blockedGoodA: number;
  blockedGoodB: number;
  blockedGoodAOnly: number;
  blockedGoodBOnly: number;
  good: number;
}

export function emptyPartial(): PairPartial {
  return {
    trials: 0,
    bad: 0,
    good: 0,
    shippedBad: 0,
    blockedGood: 0,
    ttd: {},
    ttdSum: 0,
    ttdN: 0,
    rollbackAttempts: 0,
    rollbackSuccesses: 0,
    failedRequests: 0,
    slowRequests: 0,
    lostCheckouts: 0,
    lostRevenue: 0,
    badFailedRequests: 0,
    badLostCheckouts: 0,
    escapeFailedRequests: 0,
    escapeLostCheckouts: 0,
    lead: {},
    leadSum: 0,
    leadN: 0,
    splitN: 0,
    splitNotShipped: 0,
    splitTotal: 0,
    splitWindow: 0,
    splitPerson: 0,
    splitBake: 0,
    shipped: 0,
    shippedThenFailed: 0,
    freshBaselineHostMin: 0,
    restore: {},
    restoreSum: 0,
    restoreN: 0,
    outcomes: {},
    friday: emptyFriday(),
    caughtBy: {},
    blockedBy: {},
    blockedGoodWithFault: {},
    shippedBadWhen: {},
  };
}

/**
 * Adds `count` builds stopped by `check`, first seen in trial `exampleTrial`. The example is the
 * lowest trial index, so tallies fold to the same result in any order (workers, shards).
 * Check names are file input, so the entry is defined as an own property: a check named
 * `constructor` must not find Object's.
 */
function addTally(
  into: Record<string, CheckTally>,
  check: string,
  count: number,
  exampleTrial: number,
): void {
  if (Object.hasOwn(into, check)) {
    const t = into[check]!;
    t.count += count;
    t.exampleTrial = Math.min(t.exampleTrial, exampleTrial);
  } else {
    Object.defineProperty(into, check, {
      value: { count, exampleTrial },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

function mergeTallies(into: Record<string, CheckTally>, from: Record<string, CheckTally>): void {
  for (const [check, t] of Object.entries(from)) addTally(into, check, t.count, t.exampleTrial);
}

function copyTallies(from: Record<string, CheckTally>): Record<string, CheckTally> {
  const out: Record<string, CheckTally> = {};
  mergeTallies(out, from);
  return out;
}

/** A bad build shipped: it reached 100% and was still serving at the horizon. */
export function isShippedBad(o: TrialOutcome): boolean {
  return (
    o.build.bad &&
    (o.final === 'shipped' || o.final === 'rollback-failed' || o.final === 'stalled') &&
    o.shippedAt !== undefined
  );
}

/** A good build blocked: stopped before production, rolled back, or never finished. */
export function isBlockedGood(o: TrialOutcome): boolean {
  return !o.build.bad && o.final !== 'shipped';
}

/**
 * Time to detect a bad build in production: minutes from its first customer exposure (the
 * first production host running it) to the decision that stopped it. Undefined for a good
 * build, one nothing stopped, and one stopped before any customer saw it (CI, the rollback
 * drill, staging checks): those are not detections in production, and counting them as 0 s
 * made a policy that ships most bad builds look instant. Deploy-window waits before the first
 * production deploy are not counted, as no customer was exposed yet.
 */
export function timeToDetect(o: TrialOutcome): number | undefined {
  if (!o.build.bad || o.decidedAt === undefined || o.exposedAt === undefined) return undefined;
  if (o.decidedAt < o.exposedAt) return undefined;
  return o.decidedAt - o.exposedAt;
}

export function addOutcome(p: PairPartial, o: TrialOutcome): void {
  p.trials++;
  const final: FinalState = o.final;
  p.outcomes[final] = (p.outcomes[final] ?? 0) + 1;
  if (o.build.bad) {
    p.bad++;
    if (isShippedBad(o)) {
      p.shippedBad++;
      addTally(p.shippedBadWhen, shippedBadWhen(o), 1, o.trial);
    }
    if (o.detectedBy !== undefined) addTally(p.caughtBy, o.detectedBy, 1, o.trial);
    const ttd = timeToDetect(o);
    if (ttd !== undefined) {
      addToHistogram(p.ttd, ttd);
      p.ttdSum += ttd;
      p.ttdN++;
    }
    p.badFailedRequests += o.impact.failedRequests;
    p.badLostCheckouts += o.impact.lostCheckouts;
    p.escapeFailedRequests += o.escapeImpact.failedRequests;
    p.escapeLostCheckouts += o.escapeImpact.lostCheckouts;
    if (o.restoredAt !== undefined) {
      const from = o.onsetAt !== undefined && o.onsetAt <= o.restoredAt ? o.onsetAt : 0;
      const v = o.restoredAt - from;
      addToHistogram(p.restore, v);
      p.restoreSum += v;
      p.restoreN++;
    }
  } else {
    p.good++;
    if (isBlockedGood(o)) {
      p.blockedGood++;
      addTally(p.blockedBy, o.detectedBy ?? NOT_STOPPED, 1, o.trial);
      // A good build from a bad template: its fault's effect stays under the impact bar.
      if (o.build.template !== GOOD_TEMPLATE)
        addTally(p.blockedGoodWithFault, o.detectedBy ?? NOT_STOPPED, 1, o.trial);
    }
    if (o.shippedAt !== undefined && o.final === 'shipped') {
      addToHistogram(p.lead, o.shippedAt);
      p.leadSum += o.shippedAt;
      p.leadN++;
    }
    // The split is over every good build: one that never shipped counts until it stopped.
    p.splitN++;
    if (o.final !== 'shipped') p.splitNotShipped++;
    p.splitTotal += o.rolloutMin;
    p.splitWindow += o.waits.window;
    p.splitPerson += o.waits.person;
    p.splitBake += o.waits.bake;
  }
  if (o.rollbackAttempted) {
    p.rollbackAttempts++;
    if (o.rollbackSucceeded) p.rollbackSuccesses++;
  }
  p.failedRequests += o.impact.failedRequests;
  p.slowRequests += o.impact.slowRequests;
  p.lostCheckouts += o.impact.lostCheckouts;
  p.lostRevenue += o.impact.lostRevenue;
  p.freshBaselineHostMin += o.freshBaselineHostMin;
  if (o.shippedAt !== undefined) {
    p.shipped++;
    if (o.build.bad) p.shippedThenFailed++;
  }
}

/**
 * Records the Friday-afternoon and Tuesday-morning replays of one bad build. Each replay ran
 * with a late probe at its next working morning (`probeAt`); a replay without one is a bug.
 */
export function addFriday(p: PairPartial, fri: TrialOutcome, tue: TrialOutcome): void {
  const f = p.friday;
  const friday = fri.hurtingAfter2h;
  const tuesday = tue.hurtingAfter2h;
  if (fri.probe === undefined || tue.probe === undefined)
    throw new Error('a Friday-test replay ran without its morning probe');
  f.n++;
  if (friday) f.friday++;
  if (tuesday) f.tuesday++;
  if (friday && !tuesday) f.fridayOnly++;
  if (tuesday && !friday) f.tuesdayOnly++;
  if (fri.probe.hurting) f.fridayMorning++;
  if (tue.probe.hurting) f.tuesdayMorning++;
  f.fridayMorningMin += fri.probe.at;
  f.tuesdayMorningMin += tue.probe.at;
  f.fridayFailedRequests += fri.probe.impact.failedRequests;
  f.tuesdayFailedRequests += tue.probe.impact.failedRequests;
  f.fridayLostCheckouts += fri.probe.impact.lostCheckouts;
  f.tuesdayLostCheckouts += tue.probe.impact.lostCheckouts;
}

export function mergePartial(into: PairPartial, from: PairPartial): void {
  for (const key of Object.keys(from) as (keyof PairPartial)[]) {
    const v = from[key];
    if (typeof v === 'number') (into[key] as number) += v;
  }
  mergeHistograms(into.ttd, from.ttd);
  mergeHistograms(into.lead, from.lead);
  mergeHistograms(into.restore, from.restore);
  for (const [k, n] of Object.entries(from.outcomes))
    into.outcomes[k] = (into.outcomes[k] ?? 0) + n;
  for (const k of Object.keys(from.friday) as (keyof FridayPartial)[])
    into.friday[k] += from.friday[k];
  mergeTallies(into.caughtBy, from.caughtBy);
  mergeTallies(into.blockedBy, from.blockedBy);
  mergeTallies(into.blockedGoodWithFault, from.blockedGoodWithFault);
  mergeTallies(into.shippedBadWhen, from.shippedBadWhen);
}

/**
 * When a shipped bad build's fault first showed in production: while the policy's checks still
 * ran (they could have seen it), or only after the last one stopped (none could).
 */
function shippedBadWhen(o: TrialOutcome): string {
  const seen =
    o.onsetAt !== undefined && o.checksEndedAt !== undefined && o.onsetAt <= o.checksEndedAt;
  return seen ? SHOWED_WHILE_CHECKED : SHOWED_AFTER_CHECKS;
}

export function emptyPairwise(a: string, b: string): PairwisePartial {
  return {
    a,
    b,
    shippedBadA: 0,
    shippedBadB: 0,
    shippedBadAOnly: 0,
    shippedBadBOnly: 0,
    bad: 0,
    blockedGoodA: 0,
    blockedGoodB: 0,
    blockedGoodAOnly: 0,
    blockedGoodBOnly: 0,
    good: 0,
  };
}

/** Adds one trial's outcomes under policies a and b (same build, same start: a paired observation). */
export function addPair(p: PairwisePartial, a: TrialOutcome, b: TrialOutcome): void {
  if (a.build.bad) {
    p.bad++;
    const sa = isShippedBad(a);
    const sb = isShippedBad(b);
    if (sa) p.shippedBadA++;
    if (sb) p.shippedBadB++;
    if (sa && !sb) p.shippedBadAOnly++;
    if (sb && !sa) p.shippedBadBOnly++;
  } else {
    p.good++;
    const ba = isBlockedGood(a);
    const bb = isBlockedGood(b);
    if (ba) p.blockedGoodA++;
    if (bb) p.blockedGoodB++;
    if (ba && !bb) p.blockedGoodAOnly++;
    if (bb && !ba) p.blockedGoodBOnly++;
  }
}

export function mergePairwise(into: PairwisePartial, from: PairwisePartial): void {
  for (const key of Object.keys(from) as (keyof PairwisePartial)[]) {
    const v = from[key];
    if (typeof v === 'number') (into[key] as number) += v;
  }
}

function rate(count: number, of: number): RateWithInterval {
  const { lo, hi } = of > 0 ? wilsonInterval(count, of) : { lo: 0, hi: 1 };
  return { count, rate: of > 0 ? count / of : 0, lo, hi, of };
}

function distribution(h: Histogram, sum: number, n: number): Distribution {
  return {
    n,
    mean: n > 0 ? sum / n : NaN,
    p50: histogramQuantile(h, 0.5),
    p90: histogramQuantile(h, 0.9),
  };
}

/** A compact histogram for charts: fixed edges in minutes. */
const TTD_EDGES = [5, 10, 15, 30, 60, 120, 240, 480, 1440, Infinity];

function ttdBuckets(h: Histogram): { edges: number[]; counts: number[] } {
  const counts = TTD_EDGES.map(() => 0);
  for (const [k, n] of Object.entries(h)) {
    const mid = bucketMidOf(Number(k));
    const idx = TTD_EDGES.findIndex((e) => mid <= e);
    counts[idx === -1 ? counts.length - 1 : idx]! += n;
  }
  return { edges: TTD_EDGES.map((e) => (e === Infinity ? -1 : e)), counts };
}

export function finalizePair(scenario: string, policy: string, p: PairPartial): PairResult {
  const lead = distribution(p.lead, p.leadSum, p.leadN);
  const goodShippedShare = p.good > 0 ? (p.good - p.blockedGood) / p.good : 0;
  const deploysPerDay = p.leadN > 0 && lead.mean > 0 ? 1440 / lead.mean : 0;
  return {
    scenario,
    policy,
    trials: p.trials,
    badBuilds: p.bad,
    goodBuilds: p.good,
    shippedBad: rate(p.shippedBad, p.bad),
    blockedGood: rate(p.blockedGood, p.good),
    timeToDetectMin: distribution(p.ttd, p.ttdSum, p.ttdN),
    rollback: {
      attempts: p.rollbackAttempts,
      successes: p.rollbackSuccesses,
      successRate: p.rollbackAttempts > 0 ? p.rollbackSuccesses / p.rollbackAttempts : NaN,
    },
    impact: {
      failedRequests: p.failedRequests,
      slowRequests: p.slowRequests,
      lostCheckouts: p.lostCheckouts,
      lostRevenue: p.lostRevenue,
      failedRequestsPerBadBuild: p.bad > 0 ? p.badFailedRequests / p.bad : 0,
      lostCheckoutsPerBadBuild: p.bad > 0 ? p.badLostCheckouts / p.bad : 0,
    },
    escapeImpact: { failedRequests: p.escapeFailedRequests, lostCheckouts: p.escapeLostCheckouts },
    leadTimeMin: lead,
    leadTimeSplit: leadTimeSplit(p),
    deploysPerDay,
    freshBaselineHostHoursPerTrial: p.trials > 0 ? p.freshBaselineHostMin / 60 / p.trials : 0,
    dora: {
      changeFailureRate: p.shipped > 0 ? p.shippedThenFailed / p.shipped : 0,
      timeToRestoreMin: distribution(p.restore, p.restoreSum, p.restoreN),
      deploymentFrequencyPerDay: deploysPerDay * goodShippedShare,
    },
    ttdHistogram: ttdBuckets(p.ttd),
    friday: finalizeFriday(p.friday),
    outcomes: { ...p.outcomes },
    caughtBy: copyTallies(p.caughtBy),
    blockedBy: copyTallies(p.blockedBy),
    blockedGoodWithFault: copyTallies(p.blockedGoodWithFault),
    shippedBadWhen: copyTallies(p.shippedBadWhen),
  };
}

function leadTimeSplit(p: PairPartial): LeadTimeSplit {
  const n = p.splitN;
  const mean = (sum: number) => (n > 0 ? sum / n : NaN);
  const waited = p.splitWindow + p.splitPerson + p.splitBake;
  return {
    builds: n,
    notShipped: p.splitNotShipped,
    meanMin: {
      total: mean(p.splitTotal),
      active: mean(p.splitTotal - waited),
      window: mean(p.splitWindow),
      person: mean(p.splitPerson),
      bake: mean(p.splitBake),
    },
  };
}

function finalizeFriday(f: FridayPartial): FridayTest | undefined {
  if (f.n === 0) return undefined;
  const { pValue } = mcnemar(f.fridayOnly, f.tuesdayOnly);
  return {
    trials: f.n,
    friday: rate(f.friday, f.n),
    tuesday: rate(f.tuesday, f.n),
    passes: f.friday <= f.tuesday || pValue >= 0.05,
    pValue,
    fridayMorning: rate(f.fridayMorning, f.n),
    tuesdayMorning: rate(f.tuesdayMorning, f.n),
    morningAfterMin: { friday: f.fridayMorningMin / f.n, tuesday: f.tuesdayMorningMin / f.n },
    impactToMorning: {
      friday: {
        failedRequests: f.fridayFailedRequests / f.n,
        lostCheckouts: f.fridayLostCheckouts / f.n,
      },
      tuesday: {
        failedRequests: f.tuesdayFailedRequests / f.n,
        lostCheckouts: f.tuesdayLostCheckouts / f.n,
      },
    },
  };
}

export function finalizePairwise(scenario: string, p: PairwisePartial): Comparison[] {
  const sb = mcnemar(p.shippedBadAOnly, p.shippedBadBOnly);
  const bg = mcnemar(p.blockedGoodAOnly, p.blockedGoodBOnly);
  return [
    {
      scenario,
      a: p.a,
      b: p.b,
      metric: 'shippedBad',
      diff: p.bad > 0 ? (p.shippedBadA - p.shippedBadB) / p.bad : 0,
      aOnly: p.shippedBadAOnly,
      bOnly: p.shippedBadBOnly,
      pValue: sb.pValue,
    },
    {
      scenario,
      a: p.a,
      b: p.b,
      metric: 'blockedGood',
      diff: p.good > 0 ? (p.blockedGoodA - p.blockedGoodB) / p.good : 0,
      aOnly: p.blockedGoodAOnly,
      bOnly: p.blockedGoodBOnly,
      pValue: bg.pValue,
    },
  ];
}
