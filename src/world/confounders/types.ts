import type { z } from 'zod';
import type { RandomStream } from '../../random/index.js';
import type { CohortView, EffectAccumulator, Minutes, RegionRuntime } from '../types.js';

/**
 * Something that happens to production that the build did not cause. It hits old and new
 * hosts alike, which is exactly what fools before/after comparisons and absolute thresholds.
 */
export interface ConfounderInstance {
  readonly kind: string;
  readonly start: Minutes;
  readonly end: Minutes;
  /** Affected region, or undefined for the whole fleet. */
  readonly region: string | undefined;
  /** Adds the effect on any production cohort (old or new) at t in [start, end). */
  apply?(acc: EffectAccumulator, cohort: CohortView, t: Minutes): void;
  /** Traffic multiplier in [start, end) for the region. */
  readonly trafficMultiplier?: number;
  /** Metric data points whose interval ends in [start, end) are missing. */
  readonly metricsGap?: boolean;
  /** Data points ending in [start, end) arrive this many minutes late. */
  readonly metricsDelayMin?: Minutes;
}

export interface ConfounderDrawContext {
  rng: RandomStream;
  /** Occurrence time, drawn by the world from the rate. */
  start: Minutes;
  regions: readonly RegionRuntime[];
}

export interface ConfounderModel<P = unknown> {
  readonly kind: string;
  readonly summary: string;
  readonly params: z.ZodType<P>;
  /** Makes one occurrence starting at ctx.start; checks `params` first, naming a bad one. */
  create(params: P, ctx: ConfounderDrawContext): ConfounderInstance;
  /**
   * The same for parameters `params` has already produced (a bound scenario checks them once
   * for its many occurrences). Without it, `create` is called and checks them every time.
   */
  occurrence?(params: P, ctx: ConfounderDrawContext): ConfounderInstance;
}
