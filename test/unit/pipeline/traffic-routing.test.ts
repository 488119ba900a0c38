import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveRegistries, loadScenario, parsePolicy } from '../../../src/config/index.js';
import { Simulator } from '../../../src/engine/index.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import { TrialStreams } from '../../../src/random/index.js';
import type { FleetEvent } from '../../../src/world/fleet.js';
import { bindScenario } from '../../../src/world/scenario-binding.js';
import { setUpTrial } from '../../../src/world/trial-setup.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const scenario = loadScenario(join(ROOT, 'scenarios/mixed-realistic.yaml'));
const crashLoop = loadScenario(join(ROOT, 'scenarios/crash-loop.yaml'));

function setUp(trial: number) {
  const sim = new Simulator<FleetEvent>(0);
  return setUpTrial(bindScenario(scenario, liveRegistries), new TrialStreams(1, trial), {
    scheduler: { at: (t, e) => sim.at(t, e), cancel: (h) => sim.cancel(h as never) },
    runLimit: 14 * 1440,
  });
}

/** Two weights of `kind` (traffic weights or fleet shares) baking 5 minutes each, then the fleet in one batch. */
function twoSteps(kind: 'traffic' | 'fleet', checks = '') {
  const key = kind === 'traffic' ? 'weight' : 'share';
  return parsePolicy(
    `
stages:
  - name: w10
    target: { kind: ${kind}, ${key}: 0.1 }
    bake: 5m
${checks}
  - name: w50
    target: { kind: ${kind}, ${key}: 0.5 }
    bake: 5m
${checks}
  - name: all
    target: { kind: fleet, share: 1 }
`,
    `${kind}.yaml`,
  );
}

describe('traffic-routed canaries (target kind: traffic)', () => {
  it('routes the weight of every region’s requests to canary pods sized to it; the rest stays with the hosts', () => {
    const { world, startAt } = setUp(0);
    const fleet = world.fleet;
    const t = startAt + 30;
    const requests = (c: (typeof fleet.cohorts)[number]) =>
      c.hosts * c.trafficFactor * world.load.perHostRequests('production', c.region, t, t + 1);
    const pods = fleet.routeToCanary(0.05, startAt);
    expect(pods.map((c) => c.hosts)).toEqual([3, 2, 2, 1, 1]); // ⌈5% of 45, 30, 30, 12, 10⌉
    for (const c of pods) {
      const region = fleet.select((x) => x.region === c.region && !x.routed);
      const all = requests(c) + region.reduce((n, x) => n + requests(x), 0);
      const total = c.region.hosts * world.load.perHostRequests('production', c.region, t, t + 1);
      expect(requests(c) / total).toBeCloseTo(0.05, 12);
      expect(all / total).toBeCloseTo(1, 12);
    }
    // A later weight moves traffic only: the same pods, started when routing began.
    const later = fleet.routeToCanary(0.5, startAt + 10);
    expect(later[0]).toBe(pods[0]);
    expect(later[0]!.lastRestartAt).toBe(startAt);
    expect(later.map((c) => c.hosts)).toEqual([23, 15, 15, 6, 5]);
    expect(
      requests(later[0]!) /
        (requests(later[0]!) +
          requests(fleet.select((x) => x.region === later[0]!.region && !x.routed)[0]!)),
    ).toBeCloseTo(0.5, 12);
    // The pods are not hosts of the fleet: no region counts them as deployed.
    expect(fleet.regions.map((r) => fleet.newHosts(r.index))).toEqual([0, 0, 0, 0, 0]);
    expect(fleet.stopRouting(startAt + 20)).toBe(true);
    expect(later.every((c) => c.hosts === 0)).toBe(true);
    expect(fleet.select(() => true).every((c) => c.trafficFactor === 1)).toBe(true);
  });

  it('moves weights without redeploying: the pods start once, where fleet shares pay a deploy batch at every step', () => {
    const perBatch = scenario.deploy.minutesPerBatch;
    const lead = (kind: 'traffic' | 'fleet') =>
      runTrial({ scenario, policy: twoSteps(kind), seed: 1, trial: 2 }).outcome.shippedAt;
    // Pods start (one batch), 5 + 5 min of bakes, then the fleet in one batch.
    expect(lead('traffic')).toBeCloseTo(perBatch + 5 + 5 + perBatch, 9);
    expect(lead('fleet')).toBeCloseTo(3 * perBatch + 5 + 5, 9);
  });

  it('rolls back at once: routing every request back to the hosts is the whole rollback', () => {
    const checks = `    checks:
      - { name: crashes, metric: crash_count, judge: { kind: threshold, max: 0 }, interval: 1m, window: 1m }`;
    const policy = twoSteps('traffic', checks);
    let caught = 0;
    for (let trial = 0; trial < 30; trial++) {
      const o = runTrial({ scenario: crashLoop, policy, seed: 1, trial }).outcome;
      if (o.final !== 'rolled-back') continue;
      caught++;
      expect(o.rollbackSucceeded).toBe(true);
      expect(o.restoredAt).toBe(o.decidedAt);
    }
    expect(caught).toBeGreaterThan(5);
  });

  it('is refused after hosts changed build, with a falling weight, and with a fresh baseline', () => {
    const bad = (stages: string) => () => parsePolicy(`stages:\n${stages}`, 'p.yaml');
    expect(
      bad(`  - { name: a, target: { kind: fleet, share: 0.1 } }
  - { name: b, target: { kind: traffic, weight: 0.2 } }
  - { name: c, target: { kind: fleet, share: 1 } }`),
    ).toThrow(/stages\[1\]\.target: a traffic stage must come before/);
    expect(
      bad(`  - { name: a, target: { kind: traffic, weight: 0.3 } }
  - { name: b, target: { kind: traffic, weight: 0.2 } }
  - { name: c, target: { kind: fleet, share: 1 } }`),
    ).toThrow(/stages\[1\]\.target\.weight: expected a weight ≥ 0\.3/);
    expect(
      bad(`  - name: a
    target: { kind: traffic, weight: 0.3 }
    checks: [{ name: e, metric: error_rate, judge: { kind: sequential }, compare: baseline, baselineScope: fresh }]
  - { name: c, target: { kind: fleet, share: 1 } }`),
    ).toThrow(/baselineScope: a fresh baseline is started beside hosts/);
    // Traffic alone never completes the fleet: the promotion must follow.
    expect(bad(`  - { name: a, target: { kind: traffic, weight: 1 } }`)).toThrow(
      /last stage must reach the whole fleet/,
    );
  });
});
