/**
 * The world events a stream's deploys share: confounder occurrences (upstream incidents,
 * traffic spikes, metrics gaps, other teams' deploys) drawn once per stream at each spec's
 * rate over the whole span, so every policy's deploys meet the same ones, and each deploy is
 * handed those near its start, as a single trial draws them (a day before to eight after).
 * A spec's `pinned` occurrence is tied to a single trial's start and has no place in a stream:
 * it is left out (docs/stream.md).
 */
import { poisson, TrialStreams, uniform } from '../random/index.js';
import { DAY } from '../world/calendar.js';
import type { ConfounderInstance } from '../world/confounders/types.js';
import type { ScenarioBinding } from '../world/scenario-binding.js';
import type { Minutes } from '../world/types.js';

/** Every confounder occurrence over [from, to), sorted by start. */
export function drawStreamConfounders(
  binding: ScenarioBinding,
  seed: number,
  stream: number,
  from: Minutes,
  to: Minutes,
): ConfounderInstance[] {
  const streams = new TrialStreams(seed, stream);
  const out: ConfounderInstance[] = [];
  binding.confounders.forEach((bound, i) => {
    const rng = streams.get(`stream:confounders:${i}`);
    const n = poisson(rng, (bound.spec.ratePerDay * (to - from)) / DAY);
    const times: Minutes[] = [];
    for (let k = 0; k < n; k++) times.push(from + uniform(rng) * (to - from));
    times.sort((a, b) => a - b);
    for (const start of times) out.push(bound.occurrence(rng, start, binding.regions));
  });
  return out.sort((a, b) => a.start - b.start);
}

/** The occurrences a deploy starting at `at` meets: those starting a day before to eight after. */
export function eventsNear(
  events: readonly ConfounderInstance[],
  at: Minutes,
): ConfounderInstance[] {
  const from = at - DAY;
  const to = at + 8 * DAY;
  // Sorted by start: binary search for the first at or after `from`.
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.start < from) lo = mid + 1;
    else hi = mid;
  }
  const out: ConfounderInstance[] = [];
  for (let i = lo; i < events.length && events[i]!.start < to; i++) out.push(events[i]!);
  return out;
}
