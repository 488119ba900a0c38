/**
 * What a stream study varies and what the scenario says about the team: the `stream:` section
 * with its defaults filled, and the fatigue curve that turns remembered false alarms into the
 * chance of overriding a gate.
 */
import { STREAM_DEFAULTS } from '../config/scenario-schema.js';
import type { ScenarioConfig, StreamSettings } from '../world/types.js';

export type { StreamSettings } from '../world/types.js';

/** The fatigue curve's parameters (see `overrideProbability`). */
export type FatigueCurve = StreamSettings['fatigue'];

/** The scenario's stream settings, or the defaults when it has no `stream:` section. */
export function streamSettings(scenario: ScenarioConfig): StreamSettings {
  return scenario.stream ?? STREAM_DEFAULTS;
}

/**
 * The chance that the team overrides a stop they found nothing wrong with, given what they
 * remember: `max × (1 − (1 − s)^steepness)`, where s is the share of the remembered stops
 * that turned out to be false alarms (0 with no memory yet). Steepness 1 is probability
 * matching — people heed an alarm about as often as it has been right (Bliss, Gilson and
 * Deaton, Ergonomics 38(11), 1995) — and a steeper curve overrides sooner: at s = 0.2 a
 * steepness of 3 gives 0.49 where 1 gives 0.2.
 * @example overrideProbability({ max: 1, steepness: 1, memory: 10 }, [true, false]) // 0.5
 */
export function overrideProbability(curve: FatigueCurve, remembered: readonly boolean[]): number {
  if (remembered.length === 0 || curve.max === 0) return 0;
  const falseShare = remembered.filter((f) => f).length / remembered.length;
  return curve.max * (1 - Math.pow(1 - falseShare, curve.steepness));
}
