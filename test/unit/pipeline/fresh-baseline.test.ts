import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parsePolicy } from '../../../src/config/index.js';
import { Simulator } from '../../../src/engine/index.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import { TrialStreams } from '../../../src/random/index.js';
import { IDENTITY } from '../../../src/world/effects.js';
import type { FleetEvent } from '../../../src/world/fleet.js';
import { bindScenario } from '../../../src/world/scenario-binding.js';
import { setUpTrial } from '../../../src/world/trial-setup.js';
import { liveRegistries } from '../../../src/config/index.js';
import { identityEffect } from '../../../src/world/types.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const coldCache = loadScenario(join(ROOT, 'scenarios/cold-cache-good-builds.yaml'));

/** Half of us-west (15 hosts, one batch) against a baseline, p99 judged from the first minute. */
function p99Policy(baselineScope: 'region' | 'fresh') {
  return parsePolicy(
    `
stages:
  - name: canary
    target: { kind: region, region: us-west, share: 0.5 }
    bake: 30m
    checks:
      - name: p99
        metric: latency_p99
        judge: { kind: mann-whitney, confidence: 0.98, tolerance: 0.25, direction: increase, allowedIncrease: 1.2 }
        compare: baseline
        baselineScope: ${baselineScope}
        scope: stage
        interval: 10m
        window: 10m
  - name: everything
    target: { kind: fleet, share: 1 }
`,
    `p99-${baselineScope}.yaml`,
  );
}

function setUp(trial: number) {
  const sim = new Simulator<FleetEvent>(0);
  return setUpTrial(bindScenario(coldCache, liveRegistries), new TrialStreams(1, trial), {
    scheduler: { at: (t, e) => sim.at(t, e), cancel: (h) => sim.cancel(h as never) },
    runLimit: 14 * 1440,
  });
}

describe('fresh baseline (baselineScope: fresh)', () => {
  it('starts old-build hosts with the canary: they warm up as it does, and nothing of the build reaches them', () => {
    const { world, startAt } = setUp(0);
    const fleet = world.fleet;
    const canary = fleet.deploy('production', 0, 5, startAt)!;
    const fresh = fleet.startFreshBaseline(0, 5, startAt)!;
    expect(fresh).toMatchObject({
      isNew: false,
      freshBaseline: true,
      hosts: 5,
      deployedAt: startAt,
    });
    expect(fresh.region).toBe(canary.region);
    const effects = world.effects;
    const faults = setUp(0).build.faults;
    // Cold (3× at the start, warming with a 10-minute e-folding time) like the canary.
    const at = (c: typeof fresh, t: number) =>
      effects.effectAt(c, t, false, faults, identityEffect()).latencyMul;
    expect(at(fresh, startAt + 1)).toBeCloseTo(at(canary, startAt + 1), 12);
    expect(at(fresh, startAt + 1)).toBeGreaterThan(2.5);
    // The region's long-running hosts are warm.
    const old = fleet.select((c) => !c.isNew && !c.freshBaseline && c.region === canary.region)[0]!;
    expect(effects.effectAt(old, startAt + 1, false, faults, identityEffect())).toBe(IDENTITY);
  });

  it('gives its hosts their own error-rate multipliers, drawn as every host is, from their own stream', () => {
    const a = setUp(3).world.fleet;
    const b = setUp(3).world.fleet;
    const fa = a.startFreshBaseline(1, 8, 5000)!;
    const fb = b.startFreshBaseline(1, 8, 5000)!;
    expect(fa.errorMult).toBe(fb.errorMult);
    expect(fa.errorMult).not.toBe(1);
    // Asked for lazily: a trial that starts none draws nothing more from any stream.
    expect(setUp(3).build).toEqual(setUp(3).build);
  });

  it('costs its hosts × the minutes it runs, and is gone afterwards', () => {
    const { world, startAt } = setUp(0);
    const fresh = world.fleet.startFreshBaseline(2, 4, startAt)!;
    expect(world.fleet.stopFreshBaseline(fresh, startAt + 45)).toBe(4 * 45);
    expect(fresh.hosts).toBe(0);
    expect(world.fleet.stopFreshBaseline(fresh, startAt + 60)).toBe(0);
  });

  it('on cold caches, judges a p99 canary fairly where the warm rest of the region blocks every good build', () => {
    const outcomes = (scope: 'region' | 'fresh') =>
      Array.from(
        { length: 40 },
        (_, trial) =>
          runTrial({ scenario: coldCache, policy: p99Policy(scope), seed: 1, trial }).outcome,
      );
    const region = outcomes('region');
    const fresh = outcomes('fresh');
    const blocked = (os: typeof region) => os.filter((o) => o.final !== 'shipped').length;
    expect(region.every((o) => !o.build.bad)).toBe(true);
    expect(blocked(region)).toBeGreaterThan(30);
    expect(blocked(fresh)).toBeLessThanOrEqual(2);
    // 15 extra hosts from the canary's deploy until the promotion after its 30-minute bake.
    for (const o of fresh.filter((x) => x.final === 'shipped'))
      expect(o.freshBaselineHostMin).toBeCloseTo(15 * 30, 6);
    expect(region.every((o) => o.freshBaselineHostMin === 0)).toBe(true);
  });

  it('is refused where it means nothing: without compare: baseline, and in staging', () => {
    const check = (extra: string) => `
stages:
  - name: staging
    target: { kind: staging }
    checks:
      - { name: e, metric: error_rate, judge: { kind: sequential }, compare: baseline, baselineScope: ${extra} }
  - name: all
    target: { kind: fleet, share: 1 }
`;
    expect(() => parsePolicy(check('fresh'), 'p.yaml')).toThrow(
      /stages\[0\]\.checks\[0\]\.baselineScope.*staging/s,
    );
    expect(() =>
      parsePolicy(
        `
stages:
  - name: all
    target: { kind: fleet, share: 1 }
    checks:
      - { name: e, metric: error_rate, judge: { kind: threshold, max: 0.01 }, baselineScope: fresh }
`,
        'p.yaml',
      ),
    ).toThrow(/baselineScope.*expected compare: baseline/s);
    // With a fresh cluster a stage that completes the fleet still has a baseline.
    expect(() =>
      parsePolicy(
        `
stages:
  - name: all
    target: { kind: fleet, share: 1 }
    checks:
      - { name: e, metric: error_rate, judge: { kind: sequential }, compare: baseline, baselineScope: fresh }
`,
        'p.yaml',
      ),
    ).not.toThrow();
  });
});
