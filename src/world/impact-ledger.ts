import type { Cohort } from './cohort.js';
import { IDENTITY, type CohortEffects } from './effects.js';
import type { FaultInstance } from './faults/types.js';
import { mixtureCdf, type LognormalComponent } from './latency.js';
import type { Load } from './load.js';
import {
  identityEffect,
  resetImpact,
  zeroImpact,
  type EffectAccumulator,
  type Impact,
  type Minutes,
  type ServiceConfig,
} from './types.js';

export interface ImpactLedgerOptions {
  service: ServiceConfig;
  load: Load;
  effects: CohortEffects;
  /** Every effect the build carries; benign ones cost customers nothing. */
  faults: readonly FaultInstance[];
  /** The fleet's cohorts (a live list: cohorts are added as hosts change build). */
  cohorts: readonly Cohort[];
  /** Impact counts from this time. */
  from: Minutes;
}

/** Longest stretch the impact integral treats with one midpoint evaluation. */
const IMPACT_STEP = 10;
/** Step and span of the fine grid after a process starts. */
const IMPACT_FINE_STEP = 0.5;
const IMPACT_FINE_WINDOW = 10;

/**
 * Customer impact caused by the build: failed and slow requests and lost checkouts, as the
 * excess over what the old build would have done, integrated between events over production
 * cohorts. Confounders are left out: they hurt either way. The ledger integrates with the
 * fleet as it is, so it is advanced to t before every change to the fleet.
 */
export class ImpactLedger {
  readonly impact: Impact = zeroImpact();
  /** The part of `impact` from the time the build reached 100% (escapeFrom) on. */
  readonly escapeImpact: Impact = zeroImpact();
  private escapeFrom: Minutes = Infinity;
  private readonly service: ServiceConfig;
  private readonly load: Load;
  private readonly effects: CohortEffects;
  private readonly harmful: readonly FaultInstance[];
  /** Whether anything can cost customers at all: a harmful fault or a migration. */
  private readonly idle: boolean;
  private readonly cohorts: readonly Cohort[];
  private impactAt: Minutes;
  /** One step's excess impact, reused by every step of advanceTo. */
  private readonly stepImpact: Impact = zeroImpact();
  private readonly scratch: EffectAccumulator = identityEffect();
  /** Components latencyCdf builds, reused between calls. */
  private readonly cdfComponents: LognormalComponent[] = [];

  constructor(options: ImpactLedgerOptions) {
    this.service = options.service;
    this.load = options.load;
    this.effects = options.effects;
    this.harmful = options.faults.filter((f) => !f.benign);
    this.idle = this.harmful.length === 0 && options.faults.every((f) => f.rollback === undefined);
    this.cohorts = options.cohorts;
    this.impactAt = options.from;
  }

  /** Integrates impact from the last call up to t, over the fleet as it is now. */
  advanceTo(t: Minutes): void {
    if (t <= this.impactAt) return;
    if (this.idle) {
      this.impactAt = t;
      return;
    }
    for (const c of this.cohorts) {
      if (
        c.hosts === 0 ||
        c.environment !== 'production' ||
        !(c.isNew || c.revertedAt !== undefined)
      )
        continue;
      // Effects change fastest right after a process starts (restart windows, warm-up): use a
      // fine step there, and a coarse one elsewhere; never step across the 100% mark.
      const fineUntil = Math.max(c.lastRestartAt, c.revertedAt ?? -Infinity) + IMPACT_FINE_WINDOW;
      let a = this.impactAt;
      while (a < t) {
        let b = Math.min(t, a + (a < fineUntil ? IMPACT_FINE_STEP : IMPACT_STEP));
        if (a < fineUntil && b > fineUntil) b = fineUntil;
        if (a < this.escapeFrom && b > this.escapeFrom) b = this.escapeFrom;
        const seg = resetImpact(this.stepImpact);
        this.addExcess(seg, c, a, b);
        addImpact(this.impact, seg);
        if (a >= this.escapeFrom) addImpact(this.escapeImpact, seg);
        a = b;
      }
    }
    this.impactAt = t;
  }

  /** The build reached 100% at t: from then on its impact also counts as escape impact. */
  escapeAt(t: Minutes): void {
    this.advanceTo(t);
    this.escapeFrom = t;
  }

  private addExcess(out: Impact, c: Cohort, a: Minutes, b: Minutes): void {
    const mid = (a + b) / 2;
    const requests =
      c.hosts * c.trafficFactor * this.load.perHostRequests('production', c.region, a, b);
    if (requests <= 0) return;
    const effects = this.effects;
    const withFault = effects.effectAt(c, mid, false, this.harmful, this.scratch);
    const pWith = effects.errorProbability(c, withFault, 1);
    const pWithout = effects.errorProbability(c, IDENTITY, 1);
    out.failedRequests += requests * Math.max(0, pWith - pWithout);
    if (withFault.latencyMul !== 1 || withFault.slowShare > 0) {
      const slo = this.service.latency.sloMs;
      const load = effects.loadLatencyFactor(c, mid);
      const extra = this.latencyCdf(IDENTITY, load, slo) - this.latencyCdf(withFault, load, slo);
      out.slowRequests += requests * Math.max(0, extra);
    }
    if (withFault.conversionMul !== 1) {
      const sessions = requests / this.service.business.requestsPerSession;
      const lost = sessions * effects.conversionAt(c.region, mid) * (1 - withFault.conversionMul);
      out.lostCheckouts += lost;
      out.lostRevenue += lost * this.service.business.checkoutValue;
    }
  }

  /** The share of one cohort's requests faster than x: the CDF of its latency components at weight 1. */
  private latencyCdf(acc: Readonly<EffectAccumulator>, noise: number, x: number): number {
    const comps = this.cdfComponents;
    comps.length = 0;
    this.effects.latencyComponents(acc, 1, noise, comps);
    return mixtureCdf(comps, x);
  }
}

function addImpact(into: Impact, from: Impact): void {
  into.failedRequests += from.failedRequests;
  into.slowRequests += from.slowRequests;
  into.lostCheckouts += from.lostCheckouts;
  into.lostRevenue += from.lostRevenue;
}
