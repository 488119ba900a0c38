import type { RandomStream } from '../random/index.js';
import { uniform } from '../random/index.js';

/**
 * Fault and confounder parameters in a scenario may be ranges (`{ min, max }`, optionally
 * `log: true`), drawn once per trial so a scenario describes a population of builds.
 */
export function isRange(v: unknown): v is { min: number; max: number; log?: boolean } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { min?: unknown }).min === 'number' &&
    typeof (v as { max?: unknown }).max === 'number'
  );
}

/** Replaces every range with a draw; keys are visited in sorted order so draws never depend on YAML key order. */
export function resolveParams(
  raw: Readonly<Record<string, unknown>>,
  rng: RandomStream,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw).sort()) {
    const v = raw[key];
    if (isRange(v)) {
      out[key] =
        v.log === true
          ? Math.exp(uniform(rng, Math.log(v.min), Math.log(v.max)))
          : uniform(rng, v.min, v.max);
    } else {
      out[key] = v;
    }
  }
  return out;
}

/** The two corner documents (every range at its min, then at its max) for validating ranged params. */
export function rangeCorners(
  raw: Readonly<Record<string, unknown>>,
): [Record<string, unknown>, Record<string, unknown>] {
  const lo: Record<string, unknown> = {};
  const hi: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    lo[k] = isRange(v) ? v.min : v;
    hi[k] = isRange(v) ? v.max : v;
  }
  return [lo, hi];
}
