import type { Minutes, TrafficConfig } from './types.js';

/**
 * The shape of production load over time, as a share of the weekday daily peak, for a
 * region at a given UTC offset. Every method has an exact closed form (or an exact
 * piecewise one), so the world never steps through time to count requests.
 */
export interface LoadCurve {
  /** Load at t as a share of the weekday peak (1 = peak). */
  share(t: Minutes): number;
  /** ∫ share(t) dt over [a, b], in share-minutes. */
  integral(a: Minutes, b: Minutes): number;
  /** A lower bound of share(t) over all t (> 0), used to bracket inverse searches. */
  readonly minShare: number;
  /** An upper bound of share(t) over all t. */
  readonly maxShare: number;
}

const DAY = 1440;
const OMEGA = (2 * Math.PI) / DAY;

/**
 * Diurnal cosine with a weekend factor:
 * share = W(day) · (1 − a + a·cos(2π(h − peakHour)/24)), h the local hour, W = weekendFactor
 * on local Saturday and Sunday, else 1. The integral splits at local midnights only.
 */
export class DiurnalCurve implements LoadCurve {
  readonly minShare: number;
  readonly maxShare: number;
  /** UTC minute of a local midnight (any week), so local day boundaries are k·1440 + this. */
  private readonly midnightOffset: number;
  /** Phase so that cos(OMEGA · (t + phase)) peaks at the local peak hour. */
  private readonly phase: number;
  private readonly a: number;

  constructor(
    private readonly config: Pick<
      TrafficConfig,
      'diurnalAmplitude' | 'peakHourLocal' | 'weekendFactor'
    >,
    utcOffsetHours: number,
  ) {
    this.a = config.diurnalAmplitude;
    this.midnightOffset = -utcOffsetHours * 60;
    this.phase = utcOffsetHours * 60 - config.peakHourLocal * 60;
    const lowDay = Math.min(1, config.weekendFactor);
    this.minShare = lowDay * (1 - 2 * this.a);
    this.maxShare = Math.max(1, config.weekendFactor);
  }

  /** Local day index (0 = Monday) at UTC time t. */
  localDay(t: Minutes): number {
    const d = Math.floor((t - this.midnightOffset) / DAY);
    return ((d % 7) + 7) % 7;
  }

  private dayFactor(t: Minutes): number {
    const d = this.localDay(t);
    return d >= 5 ? this.config.weekendFactor : 1;
  }

  share(t: Minutes): number {
    return this.dayFactor(t) * (1 - this.a + this.a * Math.cos(OMEGA * (t + this.phase)));
  }

  /** The daily cycle alone, in [−1, 1], peaking at the local peak hour. */
  cycle(t: Minutes): number {
    return Math.cos(OMEGA * (t + this.phase));
  }

  integral(a: Minutes, b: Minutes): number {
    if (b <= a) return 0;
    let total = 0;
    let lo = a;
    while (lo < b) {
      // Next local midnight strictly after lo.
      const k = Math.floor((lo - this.midnightOffset) / DAY) + 1;
      const hi = Math.min(b, k * DAY + this.midnightOffset);
      const w = this.dayFactor(lo);
      total += w * this.smoothIntegral(lo, hi);
      lo = hi;
    }
    return total;
  }

  private smoothIntegral(a: Minutes, b: Minutes): number {
    return (1 - this.a) * (b - a) + (this.a / OMEGA) * (this.sinAt(b) - this.sinAt(a));
  }

  // The last two sines computed, by time: integrals over consecutive intervals (a region's
  // metric points minute after minute, the ground truth's steps) share their edges.
  private sinT0 = NaN;
  private sin0 = NaN;
  private sinT1 = NaN;
  private sin1 = NaN;

  /** sin(Ω(t + phase)), remembered for the next two intervals' edges. */
  private sinAt(t: Minutes): number {
    if (t === this.sinT1) return this.sin1;
    if (t === this.sinT0) return this.sin0;
    const v = Math.sin(OMEGA * (t + this.phase));
    this.sinT0 = this.sinT1;
    this.sin0 = this.sin1;
    this.sinT1 = t;
    this.sin1 = v;
    return v;
  }
}

/** A constant load: useful for calibration, where closed forms must be exact. */
export class ConstantCurve implements LoadCurve {
  constructor(private readonly level: number) {
    this.minShare = level;
    this.maxShare = level;
  }
  readonly minShare: number;
  readonly maxShare: number;
  share(): number {
    return this.level;
  }
  integral(a: Minutes, b: Minutes): number {
    return b > a ? this.level * (b - a) : 0;
  }
}

/** A multiplier over a window (a traffic spike), applied on top of a base curve. */
export interface LoadBump {
  start: Minutes;
  end: Minutes;
  multiplier: number;
}

/** A base curve with multiplicative bumps; still exact, since bumps are piecewise constant. */
export class BumpedCurve implements LoadCurve {
  readonly minShare: number;
  readonly maxShare: number;

  constructor(
    private readonly base: LoadCurve,
    private readonly bumps: readonly LoadBump[],
  ) {
    let lo = 1;
    let hi = 1;
    for (const b of bumps) {
      lo = Math.min(lo, b.multiplier);
      hi = Math.max(hi, b.multiplier);
    }
    // Overlapping bumps multiply; bound conservatively.
    this.minShare = base.minShare * Math.min(1, lo ** Math.max(1, bumps.length));
    this.maxShare = base.maxShare * Math.max(1, hi ** Math.max(1, bumps.length));
  }

  private factor(t: Minutes): number {
    let f = 1;
    for (const b of this.bumps) if (t >= b.start && t < b.end) f *= b.multiplier;
    return f;
  }

  share(t: Minutes): number {
    return this.base.share(t) * this.factor(t);
  }

  integral(a: Minutes, b: Minutes): number {
    if (b <= a) return 0;
    let total = this.base.integral(a, b);
    // Most intervals touch no bump: find out without allocating.
    let touched = false;
    for (const bump of this.bumps) {
      if (bump.start < b && bump.end > a) {
        touched = true;
        break;
      }
    }
    if (!touched) return total;
    // Split at bump edges inside [a, b] and add (factor − 1) × base over each piece.
    const cuts = [a, b];
    for (const bump of this.bumps) {
      if (bump.start > a && bump.start < b) cuts.push(bump.start);
      if (bump.end > a && bump.end < b) cuts.push(bump.end);
    }
    cuts.sort((x, y) => x - y);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const lo = cuts[i]!;
      const hi = cuts[i + 1]!;
      if (hi <= lo) continue;
      const f = this.factor((lo + hi) / 2);
      if (f !== 1) total += (f - 1) * this.base.integral(lo, hi);
    }
    return total;
  }
}

/**
 * The time t ≥ from with ∫_from^t share = target, or Infinity if it is not reached before
 * `limit`. The integral is increasing, so bisection on the exact integral converges.
 */
export function inverseIntegral(
  curve: LoadCurve,
  from: Minutes,
  target: number,
  limit: Minutes,
): Minutes {
  if (target <= 0) return from;
  if (curve.integral(from, limit) < target) return Infinity;
  // Safeguarded Newton: the derivative of the integral is share(t) > 0; fall back to
  // bisection whenever a step leaves the bracket. Converges in a handful of steps.
  let lo = from;
  let hi = limit;
  let t = Math.min(limit, from + target / Math.max((curve.minShare + curve.maxShare) / 2, 1e-12));
  for (let i = 0; i < 100; i++) {
    const f = curve.integral(from, t) - target;
    if (Math.abs(f) <= 1e-9 * Math.max(1, target)) return t;
    if (f < 0) lo = t;
    else hi = t;
    const d = curve.share(t);
    let next = d > 0 ? t - f / d : (lo + hi) / 2;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (hi - lo < 1e-7) return hi;
    t = next;
  }
  return t;
}

/**
 * The first time t ≥ from with share(t) ≥ level, or Infinity if none before `limit`.
 * Scans in steps short enough to not step over a daily peak, then bisects the crossing.
 */
export function firstTimeAtLeast(
  curve: LoadCurve,
  from: Minutes,
  level: number,
  limit: Minutes,
  step = 5,
): Minutes {
  if (curve.share(from) >= level) return from;
  if (curve.maxShare < level) return Infinity;
  let prev = from;
  for (let t = from + step; prev < limit; t += step) {
    const tt = Math.min(t, limit);
    if (curve.share(tt) >= level) {
      let lo = prev;
      let hi = tt;
      for (let i = 0; i < 40 && hi - lo > 1e-4; i++) {
        const mid = (lo + hi) / 2;
        if (curve.share(mid) >= level) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    prev = tt;
  }
  return Infinity;
}
