/**
 * A stream's changes: when each is merged (Poisson arrivals inside the team's working hours)
 * and what build it carries (the scenario's build mix, drawn as a trial draws its build). Both
 * come from streams keyed by the stream and the change, never by a policy, so every policy
 * sees the same commits and the same bad changes.
 */
import { poisson, TrialStreams, uniform, type RandomStream } from '../random/index.js';
import { DAY, WEEK } from '../world/calendar.js';
import type { HumanClock } from '../world/human-clock.js';
import type { ScenarioBinding } from '../world/scenario-binding.js';
import { drawBuild, type DrawnBuild } from '../world/trial-setup.js';
import { WEEKDAYS, type Minutes } from '../world/types.js';

/** One change as it is merged: its arrival and the build it carries. */
export interface Change {
  /** Index in arrival order within the stream. */
  id: number;
  /** Merge time, minutes since Monday 00:00 UTC of week 0 (streams start in week 1). */
  at: Minutes;
  build: DrawnBuild;
}

/** Trial streams whose purposes carry a prefix: a change's draws apart from a deploy's. */
export class PrefixedStreams extends TrialStreams {
  constructor(
    seed: number,
    trial: number,
    private readonly prefix: string,
  ) {
    super(seed, trial);
  }

  override get(purpose: string): RandomStream {
    return super.get(this.prefix + purpose);
  }
}

/**
 * Arrival times over `weeks` weeks from week 1: on every local day with working hours, a
 * Poisson number of changes with mean `perDay`, each at a uniform time inside that day's
 * hours. A clock with no working hours (people always at work) makes every day a 24-hour
 * working day.
 */
export function arrivalTimes(
  clock: HumanClock,
  perDay: number,
  weeks: number,
  rng: RandomStream,
): Minutes[] {
  const out: Minutes[] = [];
  const offset = clock.utcOffsetHours * 60;
  for (let k = 0; k < weeks * 7; k++) {
    const day = WEEKDAYS[k % 7]!;
    const dayStart = WEEK + k * DAY - offset;
    const spans =
      clock.workingHours.length === 0
        ? [{ from: 0, to: 24 }]
        : clock.workingHours
            .filter((w) => w.days.includes(day) && w.toHour > w.fromHour)
            .map((w) => ({ from: w.fromHour, to: w.toHour }));
    const hours = spans.reduce((s, w) => s + (w.to - w.from), 0);
    if (hours <= 0) continue;
    const n = poisson(rng, perDay);
    const day_: Minutes[] = [];
    for (let i = 0; i < n; i++) {
      // A uniform point in the union of the day's spans.
      let h = uniform(rng) * hours;
      let at = dayStart;
      for (const w of spans) {
        const len = w.to - w.from;
        if (h < len) {
          at = dayStart + (w.from + h) * 60;
          break;
        }
        h -= len;
      }
      day_.push(at);
    }
    day_.sort((a, b) => a - b);
    out.push(...day_);
  }
  return out;
}

/** The changes of stream `stream`: arrivals, then each change's build from its own streams. */
export function drawChanges(
  binding: ScenarioBinding,
  clock: HumanClock,
  perDay: number,
  weeks: number,
  seed: number,
  stream: number,
): Change[] {
  const rng = new TrialStreams(seed, stream).get('stream:arrivals');
  return arrivalTimes(clock, perDay, weeks, rng).map((at, id) => ({
    id,
    at,
    build: drawBuild(binding, new PrefixedStreams(seed, stream, `stream:change:${id}:`)),
  }));
}

/**
 * One deploy's build from its changes: bad when any change still carries a fault, with every
 * such change's faults, plus the benign effects every build has (taken once, from the oldest
 * change). The template names the bad templates joined by `+`, or `good`.
 */
export function batchBuild(changes: readonly { build: DrawnBuild; fixed: boolean }[]): DrawnBuild {
  const bad = changes.filter((c) => c.build.bad && !c.fixed);
  const benign = (changes[0]?.build.faults ?? []).filter((f) => f.benign);
  if (bad.length === 0) return { bad: false, template: 'good', faults: benign };
  return {
    bad: true,
    template: bad.map((c) => c.build.template).join('+'),
    faults: [...bad.flatMap((c) => c.build.faults.filter((f) => !f.benign)), ...benign],
  };
}
