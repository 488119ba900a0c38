/**
 * A stream's changes: when each is merged (Poisson arrivals inside the team's working hours),
 * what build it carries (the scenario's build mix, drawn as a trial draws its build) and the
 * uniforms its CI and rollback-drill verdicts are decided by. All come from streams keyed by
 * the stream and the change, never by a policy or a deploy, so every policy sees the same
 * commits and the same bad changes, and a change retried in a later deploy meets the same
 * test suite's verdict (real suites are mostly deterministic for a given build).
 */
import type { VerdictDraws } from '../pipeline/executor.js';
import { poisson, TrialStreams, uniform, type RandomStream } from '../random/index.js';
import { DAY, WEEK } from '../world/calendar.js';
import type { HumanClock } from '../world/human-clock.js';
import type { ScenarioBinding } from '../world/scenario-binding.js';
import { drawBuild, type DrawnBuild } from '../world/trial-setup.js';
import { WEEKDAYS, type Minutes } from '../world/types.js';

/** One change as it is merged: its arrival, the build it carries and its verdicts' uniforms. */
export interface Change {
  /** Index in arrival order within the stream. */
  id: number;
  /** Merge time, minutes since Monday 00:00 UTC of week 0 (streams start in week 1). */
  at: Minutes;
  build: DrawnBuild;
  verdicts: ChangeVerdicts;
}

/**
 * A change's uniforms for the verdicts before a rollout, drawn once: one per fault of its build
 * for CI (in the build's order), one for the rollback drill. A policy's probabilities decide
 * (`ciTests[kind]`, `rollbackDrill.detectProbability`), so every policy meets the same u.
 */
export interface ChangeVerdicts {
  ci: number[];
  drill: number;
}

/**
 * Draws a change's verdict uniforms from its own streams: one number per fault whatever the
 * fault, so the draws never depend on which policy reads them.
 */
export function drawVerdicts(streams: TrialStreams, build: DrawnBuild): ChangeVerdicts {
  const ci = streams.get('ci');
  return {
    ci: build.faults.map(() => uniform(ci)),
    drill: uniform(streams.get('drill')),
  };
}

/** The streams of change `id` of a stream: its build's and its verdicts'. */
export function changeStreams(seed: number, stream: number, id: number): PrefixedStreams {
  return new PrefixedStreams(seed, stream, `stream:change:${id}:`);
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
  return arrivalTimes(clock, perDay, weeks, rng).map((at, id) => {
    const streams = changeStreams(seed, stream, id);
    const build = drawBuild(binding, streams);
    return { id, at, build, verdicts: drawVerdicts(streams, build) };
  });
}

/** A change as a deploy carries it: its build and verdict uniforms, and whether a look fixed it. */
export interface BatchItem {
  build: DrawnBuild;
  verdicts: ChangeVerdicts;
  fixed: boolean;
}

/** One deploy's build, with the uniforms its trial's CI and drill decide by (`VerdictDraws`). */
export interface DeployBatch {
  build: DrawnBuild;
  verdicts: VerdictDraws;
}

/**
 * One deploy's build from its changes: bad when any change still carries a fault, with every
 * such change's faults, plus the benign effects every build has (taken once, from the oldest
 * change). The template names the bad templates joined by `+`, or `good`. Each fault keeps its
 * change's CI uniform and drill uniform, so the batch fails CI when any of its faults is caught
 * and the drill when any change whose build breaks rollback fails it: a verdict of the batch
 * follows from its changes' verdicts, whoever they are batched with.
 */
export function batchBuild(changes: readonly BatchItem[]): DeployBatch {
  const bad = changes.filter((c) => c.build.bad && !c.fixed);
  const oldest = changes[0];
  const build: DrawnBuild =
    bad.length === 0
      ? { bad: false, template: 'good', faults: [] }
      : { bad: true, template: bad.map((c) => c.build.template).join('+'), faults: [] };
  const ci: number[] = [];
  const drill: number[] = [];
  const take = (c: BatchItem, benign: boolean): void =>
    c.build.faults.forEach((f, i) => {
      if (f.benign !== benign) return;
      build.faults.push(f);
      ci.push(c.verdicts.ci[i]!);
      drill.push(c.verdicts.drill);
    });
  for (const c of bad) take(c, false);
  if (oldest !== undefined) take(oldest, true);
  return { build, verdicts: { ci, drill } };
}
