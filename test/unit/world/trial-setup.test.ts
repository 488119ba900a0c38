import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveRegistries, loadPolicy, loadScenario } from '../../../src/config/index.js';
import { Simulator } from '../../../src/engine/index.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import { TrialStreams } from '../../../src/random/index.js';
import type { ConfounderInstance } from '../../../src/world/confounders/types.js';
import type { FleetEvent } from '../../../src/world/fleet.js';
import { bindScenario } from '../../../src/world/scenario-binding.js';
import { setUpTrial, TrialCache, type TrialSetupOptions } from '../../../src/world/trial-setup.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const scenario = loadScenario(join(ROOT, 'scenarios/mixed-realistic.yaml'));
const bound = bindScenario(scenario, liveRegistries);
const policy = loadPolicy(join(ROOT, 'policies/truthful.yaml'));

/** A trial's setup as the executor makes it, outside any run. */
function setUp(trial: number, overrides: Partial<TrialSetupOptions> = {}) {
  const sim = new Simulator<FleetEvent>(0);
  return setUpTrial(bound, new TrialStreams(3, trial), {
    scheduler: { at: (t, e) => sim.at(t, e), cancel: (h) => sim.cancel(h as never) },
    runLimit: 14 * 1440,
    ...overrides,
  });
}

/** Confounder occurrences as data (their `apply` closures differ by identity). */
function occurrences(list: readonly ConfounderInstance[]) {
  return list.map(({ apply: _apply, ...data }) => data);
}

/** The first trial from 0 whose drawn build is bad. */
function firstBad(): number {
  for (let k = 0; ; k++) if (setUp(k).build.bad) return k;
}

describe('setUpTrial', () => {
  it('draws the same build, start, confounders and ground truth every time', () => {
    const a = setUp(5);
    const b = setUp(5);
    expect(b.build).toEqual(a.build);
    expect(b.startAt).toBe(a.startAt);
    expect(occurrences(b.confounders)).toEqual(occurrences(a.confounders));
    expect(b.truth).toEqual(a.truth);
    expect(b.endLimit).toBe(a.startAt + 14 * 1440 + scenario.horizon + 1);
  });

  it("runs a trial identically when handed the trial's own draws", () => {
    for (const trial of [0, 1, firstBad()]) {
      const own = setUp(trial);
      const drawn = runTrial({ scenario, policy, seed: 3, trial, timeline: true, series: true });
      const given = runTrial({
        scenario,
        policy,
        seed: 3,
        trial,
        timeline: true,
        series: true,
        startAt: own.startAt,
        build: own.build,
        confounders: own.confounders,
      });
      expect(given).toEqual(drawn);
    }
  });

  it("replays another trial's build in this trial's world, and leaves the cache alone", () => {
    const bad = firstBad();
    const good = bad === 0 ? 1 : 0;
    const other = setUp(bad).build;
    const here = setUp(good, { build: other });
    expect(here.build).toBe(other);
    expect(here.startAt).toBe(setUp(good).startAt);
    expect(occurrences(here.confounders)).toEqual(occurrences(setUp(good).confounders));
    expect(here.truth.effect).not.toEqual(setUp(good).truth.effect);

    // A cache filled by the trial's own run must not leak its build into a run with another.
    const cache = new TrialCache();
    runTrial({ scenario, policy, seed: 3, trial: good, cache });
    const cached = runTrial({ scenario, policy, seed: 3, trial: good, cache, build: other });
    const fresh = runTrial({ scenario, policy, seed: 3, trial: good, build: other });
    expect(cached).toEqual(fresh);
    expect(fresh.outcome.build.template).toBe(other.template);
    expect(fresh.outcome.startAt).toBe(here.startAt);
  });

  it('takes given confounders instead of drawing them', () => {
    const none = setUp(2, { confounders: [] });
    expect(none.confounders).toEqual([]);
    expect(setUp(2).confounders.length).toBeGreaterThan(0);
    const at = setUp(2, { startAt: 20000 });
    expect(at.startAt).toBe(20000);
    expect(occurrences(at.confounders)).not.toEqual(occurrences(setUp(2).confounders));
  });
});
