import { ConfounderIndex } from './confounder-index.js';
import type { ConfounderInstance } from './confounders/types.js';
import type { Cohort } from './cohort.js';
import type { FaultInstance, RollbackEffect } from './faults/types.js';
import type { LognormalComponent } from './latency.js';
import type { Load } from './load.js';
import {
  identityEffect,
  resetEffect,
  type EffectAccumulator,
  type Minutes,
  type RegionRuntime,
  type ServiceConfig,
} from './types.js';

/** The effect of nothing at all; shared, so never mutated. */
export const IDENTITY: Readonly<EffectAccumulator> = Object.freeze(identityEffect());
const NO_CONFOUNDERS: readonly ConfounderInstance[] = [];

export interface CohortEffectsOptions {
  service: ServiceConfig;
  load: Load;
  /** The migration's effect on hosts rolled back to the old build, if the build has one. */
  rollback: RollbackEffect | undefined;
  confounders: readonly ConfounderInstance[];
}

/**
 * What a cohort's hosts do at a time t: the faults of the build they run, a migration's errors
 * after a rollback, confounders, and how those effects become a failure probability, latency
 * components and a conversion rate. Shared by the sampler (what the metrics show) and the
 * impact ledger (what customers suffer), so the two can never disagree about an effect.
 */
export class CohortEffects {
  private readonly service: ServiceConfig;
  private readonly load: Load;
  private readonly rollback: RollbackEffect | undefined;
  private readonly applying: ConfounderIndex;

  constructor(options: CohortEffectsOptions) {
    this.service = options.service;
    this.load = options.load;
    this.rollback = options.rollback;
    this.applying = new ConfounderIndex(options.confounders.filter((c) => c.apply !== undefined));
  }

  /**
   * The combined effect of `faults` (if the cohort runs the new build), a migration's and
   * (when asked) confounders' on a cohort at t, written into `out`; the shared IDENTITY when
   * nothing applies.
   */
  effectAt(
    c: Cohort,
    t: Minutes,
    withConfounders: boolean,
    faults: readonly FaultInstance[],
    out: EffectAccumulator,
  ): Readonly<EffectAccumulator> {
    const reverted =
      c.revertedAt !== undefined &&
      this.rollback !== undefined &&
      t >= c.revertedAt &&
      t < c.revertedAt + this.rollback.durationMin;
    const active =
      withConfounders && c.environment === 'production' ? this.applying.at(t) : NO_CONFOUNDERS;
    let touched = false;
    for (const k of active) {
      if (t >= k.start && t < k.end && (k.region === undefined || k.region === c.region.name)) {
        touched = true;
        break;
      }
    }
    // Most cohorts on most points are old hosts with nothing going on: share one identity.
    if (!(c.isNew && faults.length > 0) && !c.freshBaseline && !reverted && !touched)
      return IDENTITY;
    const acc = resetEffect(out);
    if (c.isNew) {
      for (const f of faults) f.apply(acc, c, this.load, t);
    } else if (c.freshBaseline) {
      // The old build freshly started: only what any process start brings (a cold cache).
      for (const f of faults) if (f.startup === true) f.apply(acc, c, this.load, t);
    } else if (reverted) {
      acc.errorAdd += this.rollback!.errorAdd;
    }
    if (touched) {
      for (const k of active) {
        if (t >= k.start && t < k.end && (k.region === undefined || k.region === c.region.name))
          k.apply!(acc, c, t);
      }
    }
    return acc;
  }

  /** A request's failure probability on the cohort's hosts under an effect, times a noise factor. */
  errorProbability(c: Cohort, acc: Readonly<EffectAccumulator>, noise: number): number {
    const p = this.service.errorRate * c.errorMult * noise * acc.errorMul + acc.errorAdd;
    return p < 0 ? 0 : p > 1 ? 1 : p;
  }

  /** Busy hours are slower: the median scales by 1 + s·(load − 1) (s the load sensitivity). */
  loadLatencyFactor(c: Cohort, t: Minutes): number {
    const s = this.service.latency.loadSensitivity;
    if (s === 0) return 1;
    return Math.max(0.2, 1 + s * (this.load.loadShare(c.environment, c.region, t) - 1));
  }

  /** Adds a cohort's latency distribution under an effect to `out`: one lognormal, two with a slow tail. */
  latencyComponents(
    acc: Readonly<EffectAccumulator>,
    weight: number,
    noise: number,
    out: LognormalComponent[],
  ): void {
    const { medianMs, sigma } = this.service.latency;
    const mu = Math.log(medianMs * acc.latencyMul * noise);
    const s = acc.slowShare > 0 ? Math.min(1, acc.slowShare) : 0;
    if (s < 1) out.push({ weight: weight * (1 - s), mu, sigma });
    if (s > 0) out.push({ weight: weight * s, mu: mu + Math.log(acc.slowMul), sigma });
  }

  /** Conversion at t in a region: it swings with the region's daily cycle (people buy more at busy hours). */
  conversionAt(region: RegionRuntime, t: Minutes): number {
    const b = this.service.business;
    const cycle = this.load.businessCycle(region, t);
    return Math.max(0, Math.min(1, b.conversionRate * (1 + b.conversionAmplitude * cycle)));
  }
}
