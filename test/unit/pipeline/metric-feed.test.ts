import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveRegistries, loadPolicy, loadScenario } from '../../../src/config/index.js';
import { Simulator } from '../../../src/engine/index.js';
import { MetricFeed } from '../../../src/pipeline/metric-feed.js';
import { bindPolicy, type CheckBinding } from '../../../src/pipeline/policy-binding.js';
import type { CheckRun } from '../../../src/pipeline/rollout.js';
import { TrialStreams } from '../../../src/random/index.js';
import type { ConfounderInstance } from '../../../src/world/confounders/types.js';
import type { FleetEvent } from '../../../src/world/fleet.js';
import type { RegionRuntime } from '../../../src/world/types.js';
import { bindScenario } from '../../../src/world/scenario-binding.js';
import { setUpTrial } from '../../../src/world/trial-setup.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const scenario = loadScenario(join(ROOT, 'scenarios/mixed-realistic.yaml'));
const policy = loadPolicy(join(ROOT, 'policies/truthful.yaml'));
const binding = bindPolicy(policy, liveRegistries.judges);

/** A check of the flagship policy by name, reading the whole new build (no stage bookkeeping). */
function checkNamed(name: string): CheckBinding {
  const all = [...binding.stages.flat(), ...binding.watch];
  const found = all.find((b) => b.check.name === name)!;
  return { ...found, check: { ...found.check, scope: 'new' } };
}

let runs = 0;

/** A run of b; each gets its own id, as the feed keeps what it read per run. */
function runOf(b: CheckBinding, startedAt: number, region?: RegionRuntime): CheckRun {
  return {
    id: ++runs,
    binding: b,
    check: b.check,
    stage: -1,
    region,
    model: b.model,
    judge: b.judge(),
    metrics: b.metrics,
    counter: undefined as never,
    startedAt,
    lastAt: startedAt + b.check.initialDelay,
    handle: undefined,
    active: true,
  };
}

describe('MetricFeed', () => {
  // A growing (cumulative) window reuses what its last read delivered: every read must equal
  // a first read of the same window by a feed that has delivered nothing yet, through a
  // metrics delay (points asked for again once it passes), a gap and a change of the fleet.
  it.each(['errors-sequential', 'conversion-vs-past-weeks'])(
    '%s: each read of a cumulative window equals a fresh read of it',
    (name) => {
      const sim = new Simulator<FleetEvent>(0);
      const start = 3 * 1440 + 600;
      const confounders: ConfounderInstance[] = [
        {
          kind: 'delay',
          start: start + 25,
          end: start + 40,
          region: undefined,
          metricsDelayMin: 7,
        },
        { kind: 'gap', start: start + 50, end: start + 55, region: undefined, metricsGap: true },
      ];
      const setup = setUpTrial(bindScenario(scenario, liveRegistries), new TrialStreams(1, 4), {
        scheduler: { at: (t, e) => sim.at(t, e), cancel: (h) => sim.cancel(h as never) },
        runLimit: 14 * 1440,
        startAt: start,
        confounders,
      });
      const { world } = setup;
      world.fleet.deploy('production', 0, 4, start);
      const options = {
        world,
        confounders,
        policy,
        metricInterval: scenario.metricInterval,
        startAt: start,
        series: undefined,
      };
      const feed = new MetricFeed(options);
      const run = runOf(checkNamed(name), start);
      let reads = 0;
      for (let t = run.lastAt + 1; t <= start + 90; t++) {
        // The fleet changes halfway: the groups, and with them every point, are read anew.
        if (t === start + 45) world.fleet.deploy('production', 1, 5, t);
        const got = feed.read(run, t);
        const fresh = new MetricFeed(options).read(run, t);
        expect(got.data, `read at +${t - start} min`).toEqual(fresh.data);
        reads++;
      }
      expect(reads).toBeGreaterThan(60);
    },
  );

  // A perRegion check's run reads only its region's hosts: its requests are the region's
  // share of the fleet's, and the regions' runs together read the whole fleet once.
  it('a run of a perRegion check reads only its own region', () => {
    const sim = new Simulator<FleetEvent>(0);
    const start = 3 * 1440 + 600;
    const bound = bindScenario(scenario, liveRegistries);
    const setup = setUpTrial(bound, new TrialStreams(1, 9), {
      scheduler: { at: (t, e) => sim.at(t, e), cancel: (h) => sim.cancel(h as never) },
      runLimit: 14 * 1440,
      startAt: start,
    });
    const { world } = setup;
    // The watch: every production host runs the new build.
    world.fleet.regions.forEach((r, i) => world.fleet.deploy('production', i, r.hosts, start));
    const feed = new MetricFeed({
      world,
      confounders: [],
      policy,
      metricInterval: scenario.metricInterval,
      startAt: start,
      series: undefined,
    });
    const b = checkNamed('error-slo-sustained');
    const requests = (region?: RegionRuntime): number =>
      feed
        .read(runOf(b, start, region), start + 60)
        .data.error_rate!.canary.reduce((sum, p) => sum + p.n, 0);
    const fleet = requests();
    const regions = world.fleet.regions.map((r) => requests(r));
    expect(regions.every((n) => n > 0 && n < fleet)).toBe(true);
    const sum = regions.reduce((a, n) => a + n, 0);
    expect(Math.abs(sum - fleet) / fleet).toBeLessThan(0.01);
  });
});
